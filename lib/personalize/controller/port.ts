/**
 * The narrow view of Amazon Personalize that the reconcile logic needs. The SDK adapter
 * (`sdk-port.ts`) implements it over `@aws-sdk/client-personalize`; the tests and the makespan
 * rehearsal use a simulation with lifecycles, the documented rules, quotas and faults
 * (`simulation/simulated-personalize.ts`).
 */

export type ResourceKind =
  | 'datasetGroup'
  | 'schema'
  | 'dataset'
  | 'datasetImportJob'
  | 'solution'
  | 'solutionVersion'
  | 'campaign'
  | 'filter'
  | 'eventTracker'
  | 'metricAttribution'
  | 'batchInferenceJob'
  | 'batchSegmentJob';

/** The kinds `describe` reads in full. */
export type DescribedKind = 'campaign' | 'dataset' | 'schema' | 'eventTracker';

export type DatasetType = 'interactions' | 'items' | 'users';

/** Personalize's statuses, as the service spells them. */
export const STATUS = {
  active: 'ACTIVE',
  createPending: 'CREATE PENDING',
  createInProgress: 'CREATE IN_PROGRESS',
  createFailed: 'CREATE FAILED',
  createStopping: 'CREATE STOPPING',
  createStopped: 'CREATE STOPPED',
  deletePending: 'DELETE PENDING',
  deleteInProgress: 'DELETE IN_PROGRESS',
} as const;

export interface ResourceState {
  readonly kind: ResourceKind;
  readonly arn: string;
  /** Empty for solution versions, which have no name. */
  readonly name: string;
  /** Schemas have no status: they exist or not (reported ACTIVE). */
  readonly status: string;
  /** Dataset group (datasets, solutions, filters, trackers), dataset (import jobs) or solution (versions, campaigns). */
  readonly parentArn?: string;
  readonly failureReason?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly lastUpdatedAt?: number;
  /** Campaigns: the solution version deployed and the provisioned TPS (describe only). */
  readonly solutionVersionArn?: string;
  readonly minProvisionedTPS?: number;
  /** Campaigns: an update is in progress (describe only). */
  readonly updating?: boolean;
  /**
   * Campaigns (`latestCampaignUpdate`) and datasets (`latestDatasetUpdate`): the newest update,
   * describe only. A failed campaign update leaves the campaign ACTIVE on its previous settings.
   */
  readonly latestUpdate?: LatestUpdate;
  /** Datasets: the schema in use (describe only). */
  readonly schemaArn?: string;
  /** Event trackers: the id PutEvents takes (describe only). */
  readonly trackingId?: string;
  /** Dataset types as Personalize spells them in lists (`Interactions`, `Items`, `Users`). */
  readonly datasetType?: string;
  /** Schemas: the Avro schema, as JSON text (describe only). */
  readonly schema?: string;
}

export interface LatestUpdate {
  readonly status: string;
  readonly failureReason?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly minProvisionedTPS?: number;
  readonly solutionVersionArn?: string;
  readonly schemaArn?: string;
}

export interface CreateRequest {
  readonly kind: Exclude<ResourceKind, 'metricAttribution' | 'batchInferenceJob' | 'batchSegmentJob'>;
  /** Not for solution versions. */
  readonly name?: string;
  readonly parentArn?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** schema */
  readonly schema?: string;
  /** dataset */
  readonly datasetType?: DatasetType;
  readonly schemaArn?: string;
  /** import job */
  readonly dataLocation?: string;
  readonly roleArn?: string;
  /** solution */
  readonly recipeArn?: string;
  /**
   * solution: whether the service retrains it on its own. The API default is true ("automatically
   * creates new solution versions every 7 days", CreateSolution): every create must say false.
   */
  readonly performAutoTraining?: boolean;
  /** campaign */
  readonly solutionVersionArn?: string;
  readonly minProvisionedTPS?: number;
  /** filter (in a dataset group, `parentArn`) */
  readonly filterExpression?: string;
}

export interface PersonalizePort {
  /** Resources of a kind, under a parent where the kind has one. */
  list(kind: ResourceKind, parentArn?: string): Promise<ResourceState[]>;
  /** A campaign, dataset, schema or event tracker in full, or undefined when it does not exist. */
  describe(kind: DescribedKind, arn: string): Promise<ResourceState | undefined>;
  /** Starts creating a resource; returns its ARN. */
  create(request: CreateRequest): Promise<string>;
  /** Starts deleting a resource. */
  remove(kind: ResourceKind, arn: string): Promise<void>;
  /** Stops a solution version's training (StopSolutionVersionCreation). */
  stopTraining(solutionVersionArn: string): Promise<void>;
  updateCampaign(campaignArn: string, minProvisionedTPS: number, solutionVersionArn: string): Promise<void>;
  /** Moves a dataset to another schema (schemas are immutable; UpdateDataset). */
  updateDataset(datasetArn: string, schemaArn: string): Promise<void>;
  /** Offline metrics of a trained solution version, by Personalize's metric names. */
  solutionMetrics(solutionVersionArn: string): Promise<Record<string, number>>;
  tags(arn: string): Promise<Record<string, string>>;
}

/** The error names Personalize (and AWS in general) uses for the cases reconcile tells apart. */
export const ERRORS = {
  throttling: ['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded'],
  limit: ['LimitExceededException'],
  inUse: ['ResourceInUseException'],
  exists: ['ResourceAlreadyExistsException'],
  notFound: ['ResourceNotFoundException'],
  accessDenied: ['AccessDeniedException'],
  server: ['InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException'],
} as const;

export function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

export function isOneOf(error: unknown, names: readonly string[]): boolean {
  return names.includes(errorName(error));
}

/** Throttling or a server-side fault: the same call may well succeed later. */
export function isTransient(error: unknown): boolean {
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  return isOneOf(error, ERRORS.throttling) || isOneOf(error, ERRORS.server) || fault === 'server';
}

/** An error the service answered with (SDK errors carry `$fault`), as opposed to a bug or a crash. */
export function isServiceError(error: unknown): boolean {
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  return fault === 'client' || fault === 'server';
}
