/**
 * What the configured workshop costs: per hour while it stands, one-off charges, and the total for
 * a workshop of N hours. Pure: the configuration and the price table in, lines out.
 */
import { WorkshopConfig } from '../../lib/config';
import { PUBLISHED_DURATIONS } from '../../lib/personalize/controller/simulation/simulated-personalize';
import { HOURS_PER_MONTH, PRICES } from './prices';

export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  /** US dollars per hour while the workshop stands. */
  readonly perHour?: number;
  /** US dollars, once. */
  readonly once?: number;
  readonly note?: string;
}

export interface CostEstimate {
  readonly region: string;
  readonly pricesRegion: string;
  readonly pricesAsOf: string;
  readonly hours: number;
  readonly hourly: readonly CostLine[];
  readonly oneOff: readonly CostLine[];
  readonly perHour: number;
  readonly once: number;
  readonly total: number;
  /** Items the table has no price for (they count as 0 and are named). */
  readonly unpriced: readonly string[];
}

/** The database's storage (lib/web/database.ts default). */
const DATABASE_GIB = 20;
/** The load balancer's public addresses: one per availability zone (the VPC spans 2). */
const LOAD_BALANCER_ADDRESSES = 2;
/** Secrets: the database's generated credentials and the admin password. */
const SECRETS = 2;

/**
 * Prepared Personalize CSVs per edition, GB, billed once as data ingestion: the ratings above the
 * default threshold (about half of each edition's) times the bytes per interactions row (18.7 B
 * measured on the prepared synthetic sample; 24 B for ml-25m's six-digit ids), plus items and users.
 */
const INGESTED_GB: Record<WorkshopConfig['dataset'], number> = {
  'ml-100k': 0.0011,
  'ml-latest-small': 0.001,
  'ml-25m': 0.3,
};

const V2_RECIPES = new Set(['aws-user-personalization-v2', 'aws-personalized-ranking-v2']);

export function estimateCost(config: WorkshopConfig, hours: number): CostEstimate {
  const unpriced: string[] = [];
  const priced = (table: Readonly<Record<string, number>>, key: string, what: string) => {
    const price = table[key];
    if (price === undefined) unpriced.push(`${what} ${key}`);
    return price ?? 0;
  };
  const instance = priced(PRICES.ec2.perHour, config.instanceType, 'instance type');
  const database = priced(PRICES.rds.perHour, config.dbInstanceClass, 'database class');
  const hourly: CostLine[] = [
    {
      item: `web instances (${config.instanceType})`,
      quantity: `${config.minInstances} running (up to ${config.maxInstances} under load)`,
      perHour: config.minInstances * instance,
    },
    { item: `database (${config.dbInstanceClass}, PostgreSQL, single-AZ)`, quantity: '1', perHour: database },
    {
      item: 'database storage (gp3)',
      quantity: `${DATABASE_GIB} GB`,
      perHour: (DATABASE_GIB * PRICES.rds.gp3PerGbMonth) / HOURS_PER_MONTH,
    },
    {
      item: 'NAT gateways',
      quantity: String(config.natGateways),
      perHour: config.natGateways * PRICES.vpc.natGatewayPerHour,
      note: `plus $${PRICES.vpc.natGatewayPerGb} per GB through them (package installs at boot: well under 1 GB)`,
    },
    {
      item: 'application load balancer',
      quantity: '1, about 1 LCU',
      perHour: PRICES.loadBalancer.albPerHour + PRICES.loadBalancer.lcuPerHour,
    },
    {
      item: 'public IPv4 addresses',
      quantity: `${LOAD_BALANCER_ADDRESSES + config.natGateways} (load balancer ${LOAD_BALANCER_ADDRESSES}, NAT ${config.natGateways})`,
      perHour: (LOAD_BALANCER_ADDRESSES + config.natGateways) * PRICES.vpc.publicIpv4PerHour,
    },
    ...config.solutions.map((s): CostLine => ({
      item: `campaign "${s.name}" (${s.recipe})`,
      quantity: `${s.campaignMinTps} TPS minimum`,
      perHour: s.campaignMinTps * PRICES.personalize.campaignPerTpsHour,
      ...(V2_RECIPES.has(s.recipe)
        ? { note: 'v2 recipes are priced differently (see the Personalize pricing page); TPS-hour price shown' }
        : {}),
    })),
    {
      item: 'secrets (database, admin password)',
      quantity: String(SECRETS),
      perHour: (SECRETS * PRICES.secretsManager.perSecretMonth) / HOURS_PER_MONTH,
    },
  ];
  const ingestedGb = INGESTED_GB[config.dataset];
  const oneOff: CostLine[] = [
    {
      item: `Personalize data ingestion (${config.dataset})`,
      quantity: `about ${ingestedGb < 0.01 ? `${Math.round(ingestedGb * 1000)} MB` : `${ingestedGb} GB`}`,
      once: ingestedGb * PRICES.personalize.ingestionPerGb,
    },
    ...config.solutions.map((s): CostLine => {
      const wallClock = (PUBLISHED_DURATIONS.training[s.recipe] ?? PUBLISHED_DURATIONS.training.default) / 3600_000;
      return config.dataset === 'ml-25m'
        ? {
            item: `training "${s.name}" (${s.recipe})`,
            quantity: 'not estimated',
            note: 'billed training hours grow with 25M ratings by an amount AWS does not publish; the console shows them after the first training',
          }
        : {
            item: `training "${s.name}" (${s.recipe})`,
            quantity: `about ${wallClock.toFixed(2)} training hours`,
            once: wallClock * PRICES.personalize.trainingPerHour,
            note: 'at least its wall-clock time; billed hours can be more',
          };
    }),
  ];
  const perHour = sum(hourly.map((l) => l.perHour ?? 0));
  const once = sum(oneOff.map((l) => l.once ?? 0));
  return {
    region: config.region,
    pricesRegion: PRICES.region,
    pricesAsOf: PRICES.asOf,
    hours,
    hourly,
    oneOff,
    perHour,
    once,
    total: perHour * hours + once,
    unpriced,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The original workshop's stack, per hour, for the README's comparison. */
export function originalWorkshopPerHour(): CostLine[] {
  return [
    { item: 'web instance (m4.xlarge)', quantity: '1', perHour: PRICES.ec2.perHour['m4.xlarge'] },
    { item: 'database (db.m4.xlarge)', quantity: '1', perHour: PRICES.rds.perHour['db.m4.xlarge'] },
    { item: 'NAT gateways', quantity: '2', perHour: 2 * PRICES.vpc.natGatewayPerHour },
    { item: 'notebook (ml.m5.2xlarge)', quantity: '1', perHour: PRICES.sagemaker.notebookPerHour['ml.m5.2xlarge'] },
  ];
}
