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
/** On a dataset group: the catalogue (MovieLens edition) whose item ids its models recommend. */
export const CATALOG_TAG = 'movierecs:catalog';
/** On a solution version: the data revision (`<edition>/<settings id>`) it was trained on. */
export const DATA_TAG = 'movierecs:data';
/**
 * On a solution: what the site shows of its model (`<type>/<sort order>/<recipe>/<display name>`),
 * so that the models of a previous generation can still be published after the configuration
 * changed.
 */
export const MODEL_TAG = 'movierecs:model';

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

/** What a filter is for: the registry's `filters` keys. */
export const FILTER_PURPOSES = ['genre', 'excludeRated', 'promotion'] as const;
export type FilterPurpose = (typeof FILTER_PURPOSES)[number];

export interface DesiredFilter {
  readonly purpose: FilterPurpose;
  /** A Personalize filter expression (checked at synth: `filter-expressions.ts`). */
  readonly expression: string;
}

/** The desired filters of a config's expressions by purpose, in the order of FILTER_PURPOSES. */
export function desiredFilters(expressions: Partial<Record<FilterPurpose, string>>): DesiredFilter[] {
  return FILTER_PURPOSES.flatMap((purpose) => {
    const expression = expressions[purpose];
    return expression ? [{ purpose, expression }] : [];
  });
}

export interface DesiredState {
  readonly prefix: string;
  /**
   * The catalogue the data describes: the MovieLens edition (`ml-100k`). Item ids mean different
   * movies in different editions, so models of one catalogue never serve a site of another.
   */
  readonly catalog: string;
  /**
   * The data revision, `<edition>/<settings id>` (the Data stack's key base): new data of the same
   * catalogue is a new revision. Solution versions are tagged with the revision they train on.
   */
  readonly dataRevision: string;
  readonly region: string;
  readonly partition: string;
  /** Role Personalize assumes to read the data bucket. */
  readonly personalizeRoleArn: string;
  readonly datasets: readonly DesiredDataset[];
  readonly solutions: readonly DesiredSolution[];
  /** Create the dataset group's event tracker (one per group) and publish its tracking id. */
  readonly eventTracker?: boolean;
  /** The dataset group's filters, published by purpose. */
  readonly filters?: readonly DesiredFilter[];
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

/**
 * The generation of the dataset group: what Personalize cannot change in place. Another catalogue
 * changes every item id; the interactions dataset's schema cannot be replaced ("You can't replace
 * the schema of an Item interactions dataset", Developer Guide, updating-dataset-schema); and a
 * dataset type that goes would have to be deleted while campaigns use the group. A change of any
 * of them is a new dataset group built beside the old one (blue/green).
 */
export function generationOf(desired: Pick<DesiredState, 'catalog' | 'datasets'>): string {
  const interactions = desired.datasets.find((d) => d.type === 'interactions')?.schema ?? '';
  const types = desired.datasets.map((d) => d.type).sort();
  return shortHash(JSON.stringify([desired.catalog, types, interactions]), 6);
}

/**
 * What a trained model depends on beyond its recipe: the generation and the items and users
 * schemas. Personalize "automatically excludes any new columns from training for any existing ...
 * custom solutions" after a schema is replaced (Developer Guide, updating-dataset-schema): a new
 * column is used only by a new solution, so a changed schema gives the solutions new names.
 */
export function modelBasisOf(desired: Pick<DesiredState, 'catalog' | 'datasets'>): string {
  const schemas = [...desired.datasets].sort((a, b) => (a.type < b.type ? -1 : 1)).map((d) => [d.type, d.schema]);
  return shortHash(JSON.stringify([generationOf(desired), schemas]), 8);
}

/** What the model tag says, read back. */
export interface ModelTag {
  readonly type: string;
  readonly sortOrder: number;
  readonly recipe: string;
  readonly displayName: string;
}

export function modelTag(solution: Pick<DesiredSolution, 'type' | 'sortOrder' | 'recipe' | 'displayName'>): string {
  return `${solution.type}/${solution.sortOrder}/${solution.recipe}/${solution.displayName}`;
}

export function parseModelTag(value: string | undefined): ModelTag | undefined {
  const match = /^(recommend|ranking|sims)\/(-?\d+)\/([a-z0-9-]+)\/(.+)$/.exec(value ?? '');
  if (!match) return undefined;
  return { type: match[1], sortOrder: Number(match[2]), recipe: match[3], displayName: match[4] };
}

export const names = {
  /** One dataset group per generation: `<prefix>-movies-<generation>`. */
  datasetGroup: (prefix: string, generation: string) => `${prefix}-movies-${generation}`,
  /**
   * Schemas cannot change, so a changed schema is a new one: a short hash of its text is part of
   * the name, and the dataset is moved to it (UpdateDataset).
   */
  schema: (prefix: string, type: DatasetType, schema: string) => `${prefix}-${type}-${shortHash(schema, 8)}`,
  /** Dataset names carry the generation too: two generations' datasets live side by side. */
  dataset: (prefix: string, generation: string, type: DatasetType) => `${prefix}-${generation}-${type}`,
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
   * The recipe and the model basis are part of the name: changing either creates a new solution
   * (and campaign) that replaces the old one, since Personalize cannot change a solution's recipe
   * and an existing solution never trains on a new column.
   */
  solution: (prefix: string, basis: string, solution: Pick<DesiredSolution, 'displayName' | 'recipe'>) => {
    const suffix = shortHash(`${solution.recipe}|${basis}`, 6);
    const room = NAME_LIMIT - prefix.length - suffix.length - 2;
    return `${prefix}-${slug(solution.displayName).slice(0, room).replace(/-$/, '')}-${suffix}`;
  },
  campaign: (prefix: string, basis: string, solution: Pick<DesiredSolution, 'displayName' | 'recipe'>) =>
    names.solution(prefix, basis, solution),
  /**
   * The event tracker of a generation's group. Its ARN is `event-tracker/<id>` (the name is not in
   * it), so the name is what tells ours.
   */
  eventTracker: (prefix: string, generation: string) => `${prefix}-${generation}-events`,
  /**
   * Filters cannot change: a changed expression is a new filter (a hash of it in the name) and the
   * old one is deleted. Names are unique in the account, so the generation is part of it.
   */
  filter: (prefix: string, generation: string, purpose: FilterPurpose, expression: string) =>
    `${prefix}-${generation}-${slug(purpose)}-${shortHash(expression, 6)}`,
  /** The purpose of a filter named by `filter` in that generation, read back from its name. */
  filterPurpose: (prefix: string, generation: string, name: string): FilterPurpose | undefined =>
    FILTER_PURPOSES.find((purpose) => name.startsWith(`${prefix}-${generation}-${slug(purpose)}-`)),
  /** The generation of a dataset group named by `datasetGroup`; undefined for another name. */
  generationOfGroup: (prefix: string, groupName: string): string | undefined =>
    groupName.startsWith(`${prefix}-movies-`) ? groupName.slice(`${prefix}-movies-`.length) : undefined,
  /** The part of a solution's name that stays when its recipe or basis changes: the display name. */
  slot: (displayName: string) => slug(displayName),
};

export function recipeArn(partition: string, recipe: string): string {
  return `arn:${partition}:personalize:::recipe/${recipe}`;
}
