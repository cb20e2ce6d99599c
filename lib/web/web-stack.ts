import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { APP_PATHS } from '../shared/names';
import { Database } from './database';
import { Network } from './network';
import { HttpsSettings, WebTier } from './web-tier';

export interface WebStackProps extends StackProps {
  readonly prefix: string;
  /** The Data stack's bucket. */
  readonly dataBucket: s3.IBucket;
  /** The Data stack's policy that reads the web load files. */
  readonly dataReadPolicy: iam.IManagedPolicy;
  readonly natGateways: number;
  readonly instanceType: ec2.InstanceType;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly databaseInstanceType: ec2.InstanceType;
  readonly databaseEngineVersion: rds.PostgresEngineVersion;
  /** Keep a final snapshot of the database on destroy (the instance and its VPC are deleted). */
  readonly retainDatabase: boolean;
  readonly allowedCidr: string;
  /** @default - HTTP only */
  readonly https?: HttpsSettings;
}

/**
 * The Web stack: the network, the database and the web tier the movie app runs on. It reads the
 * Personalize models by parameter name, so it neither waits for nor depends on the Personalize
 * stack: the site is up while models train.
 */
export class WebStack extends Stack {
  readonly network: Network;
  readonly database: Database;
  readonly site: WebTier;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    this.network = new Network(this, 'Network', { natGateways: props.natGateways });
    this.database = new Database(this, 'Database', {
      vpc: this.network.vpc,
      instanceType: props.databaseInstanceType,
      engineVersion: props.databaseEngineVersion,
      keepFinalSnapshot: props.retainDatabase,
    });
    this.site = new WebTier(this, 'Site', {
      prefix: props.prefix,
      vpc: this.network.vpc,
      database: this.database,
      dataBucket: props.dataBucket,
      dataReadPolicy: props.dataReadPolicy,
      instanceType: props.instanceType,
      minInstances: props.minInstances,
      maxInstances: props.maxInstances,
      allowedCidr: props.allowedCidr,
      https: props.https,
    });

    new CfnOutput(this, 'AppUrl', {
      description: 'The movie app',
      value: `${this.site.baseUrl}${APP_PATHS.recommend}`,
    });
    new CfnOutput(this, 'AdminUrl', {
      description: 'The site admin (user "admin")',
      value: `${this.site.baseUrl}${APP_PATHS.admin}`,
    });
    new CfnOutput(this, 'AdminPasswordCommand', {
      description: 'Prints the site admin password',
      value:
        `aws secretsmanager get-secret-value --region ${this.region} ` +
        `--secret-id ${this.site.adminSecret.secretArn} --query SecretString --output text`,
    });
    new CfnOutput(this, 'LoadBalancerDnsName', {
      description: props.https
        ? `Point ${props.https.domainName} at this name (CNAME or alias record)`
        : 'The load balancer',
      value: this.site.loadBalancer.loadBalancerDnsName,
    });
  }
}
