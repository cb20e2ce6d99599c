import { createHash } from 'node:crypto';
import { App, Environment, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { WorkshopConfig } from './config';
import { DataStack } from './data/data-stack';
import { EDITION_LAYOUTS } from './data/movielens/editions';
import { TRANSFORM_VERSION } from './data/movielens/prepare';
import { PersonalizeStack } from './personalize/personalize-stack';
import { stackName } from './shared/names';
import { AppBundleProps } from './web/app-bundle';
import { WebStack } from './web/web-stack';

export interface WorkshopStacks {
  readonly data: DataStack;
  readonly personalize: PersonalizeStack;
  readonly web: WebStack;
}

/** What the config does not say: for tests. */
export interface WorkshopOptions {
  /** @default - the web app is built from app-src/ at synth */
  readonly appBundle?: AppBundleProps;
}

/** Creates the three stacks of the workshop from the validated config. */
export function createWorkshop(app: App, config: WorkshopConfig, options: WorkshopOptions = {}): WorkshopStacks {
  const env: Environment = { account: config.account, region: config.region };
  const prefix = config.prefix;

  const data = new DataStack(app, stackName(prefix, 'Data'), {
    env,
    description: 'MovieRecs Workshop: data bucket, MovieLens preparation and Amazon Personalize access',
    movieLens: {
      edition: config.dataset,
      baseUrl: config.movieLensBaseUrl,
      positiveRatingThreshold: config.positiveRatingThreshold,
      timestampShift: config.timestampShift,
      skipBadLines: config.skipBadLines,
    },
  });
  const personalize = new PersonalizeStack(app, stackName(prefix, 'Personalize'), {
    env,
    description: 'MovieRecs Workshop: Amazon Personalize controller and model registry',
    prefix,
    personalizeRole: data.personalizeRole,
    prepared: {
      bucket: data.bucket,
      interactionsKey: data.movieLens.attribute('InteractionsKey'),
      itemsKey: data.movieLens.attribute('ItemsKey'),
      usersKey: EDITION_LAYOUTS[config.dataset].usersFile ? data.movieLens.attribute('UsersKey') : undefined,
      edition: config.dataset,
      keyBase: data.movieLens.attribute('KeyBase'),
    },
    solutions: config.solutions,
    filters: config.filters,
    waitForModels: config.waitForModels,
    revision: pipelineRevision(config),
  });
  const web = new WebStack(app, stackName(prefix, 'Web'), {
    env,
    description: 'MovieRecs Workshop: VPC, load balancer, web instances and PostgreSQL',
    prefix,
    dataBucket: data.bucket,
    dataReadPolicy: data.webDataReadPolicy,
    dataManifestKey: data.movieLens.attribute('ManifestKey'),
    dataset: config.dataset,
    appBundle: options.appBundle,
    natGateways: config.natGateways,
    instanceType: new ec2.InstanceType(config.instanceType),
    minInstances: config.minInstances,
    maxInstances: config.maxInstances,
    databaseInstanceType: new ec2.InstanceType(config.dbInstanceClass.replace(/^db\./, '')),
    databaseEngineVersion: postgresVersion(config.dbEngineVersion),
    retainDatabase: config.retainDatabase,
    allowedCidr: config.allowedCidr,
    https:
      config.certificateArn && config.domainName
        ? { certificateArn: config.certificateArn, domainName: config.domainName }
        : undefined,
  });

  // Each names the data revision it was deployed with, which the Data stack keeps while it is named.
  data.movieLens.addConsumerStack(personalize);
  data.movieLens.addConsumerStack(web);

  // Every resource says which copy of the workshop it belongs to (cost reports, cleanup checks).
  Tags.of(app).add('movierecs:prefix', prefix);
  return { data, personalize, web };
}

/**
 * Everything the Personalize pipeline works from (and `pipelineRun`, a request to run it again),
 * as one short hash. The prepared data reaches the
 * Personalize stack as cross-stack references, which read the same in its template whatever the
 * data settings are; this revision is what makes CloudFormation update the controller (a new run)
 * when they change.
 */
export function pipelineRevision(config: WorkshopConfig): string {
  const inputs = {
    dataset: config.dataset,
    movieLensBaseUrl: config.movieLensBaseUrl,
    positiveRatingThreshold: config.positiveRatingThreshold,
    timestampShift: config.timestampShift,
    skipBadLines: config.skipBadLines,
    transformVersion: TRANSFORM_VERSION,
    solutions: config.solutions,
    filters: config.filters,
    pipelineRun: config.pipelineRun,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 8);
}

/** "17" -> PostgreSQL 17 (latest minor at deploy); "17.4" -> exactly 17.4. */
export function postgresVersion(version: string): rds.PostgresEngineVersion {
  const major = version.split('.')[0];
  return rds.PostgresEngineVersion.of(version, major);
}
