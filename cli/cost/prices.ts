/**
 * The one price table of the kit (`movierecs cost`). On-demand list prices for us-east-1, copied by
 * hand from the AWS pricing pages named beside each group, as those pages read in January 2025.
 * They were not re-read from the machine this table was written on (it cannot reach aws.amazon.com):
 * check the pages before quoting a figure, and update the date with the figures.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2025-01',
  ec2: {
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/',
    /** Linux, per instance-hour. */
    perHour: {
      't4g.nano': 0.0042,
      't4g.micro': 0.0084,
      't4g.small': 0.0168,
      't4g.medium': 0.0336,
      't4g.large': 0.0672,
      't3.small': 0.0208,
      't3.medium': 0.0416,
      'm4.xlarge': 0.2,
    } as Readonly<Record<string, number>>,
  },
  rds: {
    source: 'https://aws.amazon.com/rds/postgresql/pricing/',
    /** PostgreSQL, single-AZ, per instance-hour. */
    perHour: {
      'db.t4g.micro': 0.016,
      'db.t4g.small': 0.032,
      'db.t4g.medium': 0.065,
      'db.t4g.large': 0.129,
      'db.m4.xlarge': 0.365,
    } as Readonly<Record<string, number>>,
    gp3PerGbMonth: 0.115,
  },
  vpc: {
    source: 'https://aws.amazon.com/vpc/pricing/',
    natGatewayPerHour: 0.045,
    natGatewayPerGb: 0.045,
    /** Every public IPv4 address, in use or not (since February 2024). */
    publicIpv4PerHour: 0.005,
  },
  loadBalancer: {
    source: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    albPerHour: 0.0225,
    lcuPerHour: 0.008,
  },
  secretsManager: {
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    perSecretMonth: 0.4,
  },
  personalize: {
    source: 'https://aws.amazon.com/personalize/pricing/',
    ingestionPerGb: 0.05,
    trainingPerHour: 0.24,
    /**
     * Real-time recommendations from a campaign, per TPS-hour of its minimum provisioned TPS (first
     * 20,000 TPS-hours of a month). The v2 recipes (aws-user-personalization-v2,
     * aws-personalized-ranking-v2) are priced differently on that page: the estimate flags them.
     */
    campaignPerTpsHour: 0.0556,
  },
  sagemaker: {
    source: 'https://aws.amazon.com/sagemaker/pricing/',
    /** Notebook instances, per hour (the original workshop's notebook). */
    notebookPerHour: { 'ml.m5.2xlarge': 0.461 } as Readonly<Record<string, number>>,
  },
} as const;

/** Hours in a month, as AWS prices monthly items per hour (730). */
export const HOURS_PER_MONTH = 730;
