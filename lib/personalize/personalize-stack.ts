import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FilterConfig, SolutionConfig } from '../config';
import { SCHEMAS } from '../data/movielens/schemas';
import { DesiredDataset, desiredFilters } from './controller/desired';
import { ModelRegistryParameter } from './model-registry';
import { PersonalizeController } from './personalize-controller';

/** Where the Data stack wrote the prepared Personalize files (keys may be tokens). */
export interface PreparedData {
  readonly bucket: s3.IBucket;
  readonly interactionsKey: string;
  readonly itemsKey: string;
  /** Only editions with users (ml-100k). */
  readonly usersKey?: string;
  /** The MovieLens edition (the catalogue). */
  readonly edition: string;
  /** The key base of this data revision, `<edition>/<settings id>/` (a token). */
  readonly keyBase: string;
}

export interface PersonalizeStackProps extends StackProps {
  readonly prefix: string;
  /** The role Personalize assumes to import the data (Data stack). */
  readonly personalizeRole: iam.IRole;
  readonly prepared: PreparedData;
  readonly solutions: readonly SolutionConfig[];
  /** The dataset group's filters (and its event tracker, made with them). */
  readonly filters?: FilterConfig;
  /** @default false */
  readonly waitForModels?: boolean;
  /** Changes when the desired state does (WaitCondition re-arming). */
  readonly revision?: string;
}

/**
 * The Personalize stack: the model registry and the controller that creates, trains, deploys and
 * tears down every Personalize resource. It depends on the Data stack; the Web stack never
 * depends on it (the app finds the registry by name).
 */
export class PersonalizeStack extends Stack {
  readonly modelRegistry: ModelRegistryParameter;
  readonly controller: PersonalizeController;

  constructor(scope: Construct, id: string, props: PersonalizeStackProps) {
    super(scope, id, props);
    this.modelRegistry = new ModelRegistryParameter(this, 'ModelRegistry', { prefix: props.prefix });
    const location = (key: string) => `s3://${props.prepared.bucket.bucketName}/${key}`;
    const datasets: DesiredDataset[] = [
      {
        type: 'interactions',
        schema: JSON.stringify(SCHEMAS.interactions),
        dataLocation: location(props.prepared.interactionsKey),
      },
      { type: 'items', schema: JSON.stringify(SCHEMAS.items), dataLocation: location(props.prepared.itemsKey) },
      ...(props.prepared.usersKey
        ? [
            {
              type: 'users' as const,
              schema: JSON.stringify(SCHEMAS.users),
              dataLocation: location(props.prepared.usersKey),
            },
          ]
        : []),
    ];
    this.controller = new PersonalizeController(this, 'Controller', {
      prefix: props.prefix,
      registry: this.modelRegistry,
      personalizeRole: props.personalizeRole,
      datasets,
      catalog: props.prepared.edition,
      dataRevision: props.prepared.keyBase,
      solutions: props.solutions.map((s, sortOrder) => ({
        displayName: s.name,
        type: s.type,
        recipe: s.recipe,
        campaignMinTps: s.campaignMinTps,
        sortOrder,
      })),
      ...(props.filters
        ? {
            eventTracker: true,
            filters: desiredFilters(props.filters),
          }
        : {}),
      waitForModels: props.waitForModels,
      revision: props.revision,
    });
  }
}
