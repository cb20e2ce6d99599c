import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { MovieLensEdition } from '../config';
import { APP_PATHS } from '../shared/names';
import { AppBundleProps } from './app-bundle';
import { Database } from './database';
import { Network } from './network';
import { readinessTimeoutFor, SLOWEST_EDITION } from './start-time';
import { HttpsSettings, WebTier } from './web-tier';

export interface WebStackProps extends StackProps {
  readonly prefix: string;
  /** The Data stack's bucket. */
  readonly dataBucket: s3.IBucket;
  /** The Data stack's policy that reads the web load files. */
  readonly dataReadPolicy: iam.IManagedPolicy;
  /** The prepared data's manifest.json in the data bucket (the Data stack's `ManifestKey`). */
  readonly dataManifestKey: string;
  /** @default - the app is built from app-src/ at synth */
  readonly appBundle?: AppBundleProps;
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
  /**
   * The MovieLens edition the site loads: how long an instance may take to start follows it.
   * @default - the slowest edition's wait, so that no start is cut short
   */
  readonly dataset?: MovieLensEdition;
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
      dataManifestKey: props.dataManifestKey,
      appBundle: props.appBundle,
      instanceType: props.instanceType,
      minInstances: props.minInstances,
      maxInstances: props.maxInstances,
      allowedCidr: props.allowedCidr,
      https: props.https,
      readinessTimeout: readinessTimeoutFor(props.dataset ?? SLOWEST_EDITION),
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
    new CfnOutput(this, 'LogGroupName', {
      description:
        "The app's log (stream <instance id>/app) and each instance's bootstrap output (<instance id>/bootstrap)",
      value: this.site.logGroup.logGroupName,
    });
    new CfnOutput(this, 'InstancesCommand', {
      description: 'Lists the running app instances (for aws ssm start-session --target <id>)',
      value:
        `aws ec2 describe-instances --region ${this.region} --filters ` +
        `Name=tag:aws:autoscaling:groupName,Values=${this.site.autoScalingGroup.autoScalingGroupName} ` +
        'Name=instance-state-name,Values=running --query Reservations[].Instances[].InstanceId --output text',
    });
    new CfnOutput(this, 'DatabaseSecretCommand', {
      description: "Prints the database's generated credentials (JSON: username, password, host, port, dbname)",
      value:
        `aws secretsmanager get-secret-value --region ${this.region} ` +
        `--secret-id ${this.database.secret.secretArn} --query SecretString --output text`,
    });
    new CfnOutput(this, 'DatabaseEndpoint', {
      description: 'The database host, reachable through Session Manager port forwarding (see the README)',
      value: this.database.instance.dbInstanceEndpointAddress,
    });
    new CfnOutput(this, 'LoadBalancerDnsName', {
      description: props.https
        ? `Point ${props.https.domainName} at this name (CNAME or alias record)`
        : 'The load balancer',
      value: this.site.loadBalancer.loadBalancerDnsName,
    });
  }
}
