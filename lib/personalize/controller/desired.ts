/**
 * The desired state the controller converges to, and the names it gives every resource. Names
 * are a pure function of the prefix and the settings: reconcile finds what it created by name
 * (and checks its tag), so it needs no record of its own and a crash between a create call and
 * any record of it cannot cause a duplicate.
 */
import { createHash } from 'node:crypto';
import { SolutionType } from '../../config';
import { DatasetType } from './port';

/** The tag every created resource carries; its value is the prefix. */
export const OWNER_TAG = 'movierecs:prefix';

export interface DesiredDataset {
  readonly type: DatasetType;
  /** The Avro schema, as JSON text. */
  readonly schema: string;
  /** `s3://bucket/key` of the prepared CSV. */
  readonly dataLocation: string;
}

export interface DesiredSolution {
  /** Display name, e.g. "Personal Recommendations". */
  readonly displayName: string;
  readonly type: SolutionType;
  /** e.g. `aws-user-personalization-v2`. */
  readonly recipe: string;
  readonly campaignMinTps: number;
  readonly sortOrder: number;
}

export interface DesiredState {
  readonly prefix: string;
  readonly region: string;
  readonly partition: string;
  /** Role Personalize assumes to read the data bucket. */
  readonly personalizeRoleArn: string;
  readonly datasets: readonly DesiredDataset[];
  readonly solutions: readonly DesiredSolution[];
  /**
   * Trainings that failed before this instant (epoch ms; the deployment's start) are retried once;
   * a failure after it is reported, not retried, so a bad input cannot cause a retry storm.
   */
  readonly retryFailuresBefore: number;
}

/** What one reconcile call is asked to do. */
export type ReconcileRequest =
  | { readonly action: 'apply'; readonly desired: DesiredState }
  | { readonly action: 'teardown'; readonly prefix: string };

/**
 * What reconcile remembers between the calls of one pipeline run (the state machine hands each
 * call's memory to the next): since when a create has been refused for a quota, so that a quota
 * that does not free itself fails the run instead of waiting 12 hours.
 */
export interface ReconcileMemory {
  /** Create description -> epoch ms of the first LimitExceededException in a row. */
  readonly refusedSince?: Readonly<Record<string, number>>;
}

const NAME_LIMIT = 63;

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-') // runs are one hyphen now, so an end holds at most one
    .replace(/^-|-$/g, '');
}

export const names = {
  datasetGroup: (prefix: string) => `${prefix}-movies`,
  /**
   * Schemas cannot change, so a changed schema is a new one: a short hash of its text is part of
   * the name, and the dataset is moved to it (UpdateDataset).
   */
  schema: (prefix: string, type: DatasetType, schema: string) => `${prefix}-${type}-${shortHash(schema, 8)}`,
  dataset: (prefix: string, type: DatasetType) => `${prefix}-${type}`,
  /**
   * One import job per data file and dataset: new data, new job; the same data is never imported
   * twice into the same dataset. The dataset's creation time is part of it because import job
   * names are unique in the account and a recreated dataset (after a destroy) needs fresh ones.
   */
  importJob: (prefix: string, type: DatasetType, dataLocation: string, datasetCreatedAt: number) =>
    `${prefix}-${type}-${shortHash(`${dataLocation}|${datasetCreatedAt}`, 10)}`,
  /** The retry of a failed import job, once per deployment (the deployment's start, base 36). */
  importRetry: (jobName: string, deploymentStartedAt: number) => `${jobName}-r${deploymentStartedAt.toString(36)}`,
  /**
   * The recipe is part of the name: changing it creates a new solution (and campaign) and retires
   * the old one, since Personalize cannot change a solution's recipe.
   */
  solution: (prefix: string, solution: Pick<DesiredSolution, 'displayName' | 'recipe'>) => {
    // `|false` keeps the names of earlier releases, which hashed the training mode too.
    const suffix = shortHash(`${solution.recipe}|false`, 6);
    const room = NAME_LIMIT - prefix.length - suffix.length - 2;
    return `${prefix}-${slug(solution.displayName).slice(0, room).replace(/-$/, '')}-${suffix}`;
  },
  campaign: (prefix: string, solution: Pick<DesiredSolution, 'displayName' | 'recipe'>) =>
    names.solution(prefix, solution),
};

export function recipeArn(partition: string, recipe: string): string {
  return `arn:${partition}:personalize:::recipe/${recipe}`;
}
