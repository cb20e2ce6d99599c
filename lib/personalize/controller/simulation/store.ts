/**
 * The simulated Personalize's resources and their lifecycles on a virtual clock:
 * CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE or CREATE FAILED; CREATE STOPPING -> CREATE
 * STOPPED for a stopped training; DELETE PENDING -> DELETE IN_PROGRESS -> gone; updates of
 * campaigns and datasets that apply when they finish (and leave the resource as it was when they
 * fail). Pure bookkeeping: what is allowed lives in the rule files.
 */
import { LatestUpdate, ResourceKind, ResourceState, STATUS } from '../port';
import { ruleOf } from './ledger';

/** How long each lifecycle phase lasts, in virtual milliseconds. */
export interface SimulatedDurations {
  readonly pending: number;
  readonly datasetGroup: number;
  readonly dataset: number;
  readonly importJob: number;
  /** By recipe name (`aws-sims`); `default` for the rest. */
  readonly training: Readonly<Record<string, number>>;
  readonly solution: number;
  readonly campaign: number;
  readonly campaignUpdate: number;
  readonly datasetUpdate: number;
  readonly delete: number;
  readonly stop: number;
}

const MINUTE = 60_000;

/** The published orders of magnitude (import 15 min, training 35-45 min, campaign 12 min). */
export const PUBLISHED_DURATIONS: SimulatedDurations = {
  pending: 10_000,
  datasetGroup: 20_000,
  dataset: 20_000,
  importJob: 15 * MINUTE,
  training: {
    'aws-user-personalization-v2': 45 * MINUTE,
    'aws-user-personalization': 45 * MINUTE,
    'aws-sims': 35 * MINUTE,
    'aws-similar-items': 35 * MINUTE,
    'aws-personalized-ranking-v2': 35 * MINUTE,
    'aws-personalized-ranking': 35 * MINUTE,
    default: 30 * MINUTE,
  },
  solution: 20_000,
  campaign: 12 * MINUTE,
  campaignUpdate: 8 * MINUTE,
  datasetUpdate: 2 * MINUTE,
  delete: 2 * MINUTE,
  stop: 3 * MINUTE,
};

/** The default quotas (Developer Guide, "Endpoints and quotas"). */
export const QUOTAS = {
  activeDatasetGroups: 5,
  importJobsInProgress: 5,
  trainingsInProgress: 20,
  campaignsPerDatasetGroup: 5,
  solutionsPerDatasetGroup: 10,
  schemas: 500,
};

export class SimulatedError extends Error {
  readonly $fault: 'client' | 'server';
  /** The ledger rule the service applied, for a refusal. */
  readonly rule?: string;
  constructor(name: string, message: string, fault: 'client' | 'server' = 'client', rule?: string) {
    super(message);
    this.name = name;
    this.$fault = fault;
    if (rule) this.rule = rule;
  }
}

/** A refusal by a rule of the ledger, with the error the ledger says the service answers. */
export function refuse(ruleId: string, message: string): SimulatedError {
  return new SimulatedError(ruleOf(ruleId).answer, message, 'client', ruleId);
}

export interface SimUpdate {
  readonly createdAt: number;
  readonly readyAt: number;
  readonly failureReason?: string;
  readonly minProvisionedTPS?: number;
  readonly solutionVersionArn?: string;
  readonly schemaArn?: string;
  applied?: boolean;
}

export interface SimResource {
  kind: ResourceKind;
  arn: string;
  name: string;
  parentArn?: string;
  createdAt: number;
  readyAt: number;
  failureReason?: string;
  deleteRequestedAt?: number;
  stopRequestedAt?: number;
  tags: Record<string, string>;
  recipe?: string;
  dataLocation?: string;
  /** Schemas: the Avro text. */
  schema?: string;
  schemaArn?: string;
  datasetType?: string;
  solutionVersionArn?: string;
  minProvisionedTPS?: number;
  /** Solutions: whether the service trains new versions on its own (performAutoTraining). */
  autoTraining?: boolean;
  /** Solutions: the last automatic-training slot (0: the first hour, then each 7 days) handled. */
  autoSlotsDone?: number;
  /** Solutions: the dataset columns they train on (fixed at creation); versions: what they trained on. */
  columns?: readonly string[];
  /** Versions: created by the service's automatic training, not by a call. */
  automatic?: boolean;
  /** Event trackers: the id PutEvents takes. */
  trackingId?: string;
  /** Filters: the expression. */
  filterExpression?: string;
  /** Campaign and dataset updates: the newest, in progress or finished. */
  update?: SimUpdate;
}

export const CREATING: readonly string[] = [STATUS.createPending, STATUS.createInProgress];
export const BUSY: readonly string[] = [STATUS.createPending, STATUS.createInProgress, STATUS.createStopping];

/** Each kind's parent kind (for lists and ARNs). */
export const PARENT_KIND: Partial<Record<ResourceKind, ResourceKind>> = {
  dataset: 'datasetGroup',
  datasetImportJob: 'dataset',
  solution: 'datasetGroup',
  solutionVersion: 'solution',
  campaign: 'solution',
  filter: 'datasetGroup',
  eventTracker: 'datasetGroup',
  metricAttribution: 'datasetGroup',
  batchInferenceJob: 'solutionVersion',
  batchSegmentJob: 'solutionVersion',
};

export class SimStore {
  now = 0;
  readonly resources = new Map<string, SimResource>();

  constructor(readonly durations: SimulatedDurations) {}

  get(arn: string | undefined): SimResource | undefined {
    const resource = arn === undefined ? undefined : this.resources.get(arn);
    return resource && this.exists(resource) ? resource : undefined;
  }

  /** Every resource that exists now (deleting ones included). */
  live(): SimResource[] {
    return [...this.resources.values()].filter((r) => this.exists(r));
  }

  children(parentArn: string, kind?: ResourceKind): SimResource[] {
    return this.live().filter((r) => r.parentArn === parentArn && (kind === undefined || r.kind === kind));
  }

  /** The dataset group a resource belongs to (itself for a group). */
  groupOf(resource: SimResource): SimResource | undefined {
    let current: SimResource | undefined = resource;
    while (current && current.kind !== 'datasetGroup') current = this.resources.get(current.parentArn ?? '');
    return current;
  }

  /** Resources of a kind inside a dataset group, at any depth. */
  inGroup(groupArn: string, kind: ResourceKind): SimResource[] {
    return this.live().filter((r) => r.kind === kind && this.groupOf(r)?.arn === groupArn);
  }

  exists(resource: SimResource): boolean {
    if (!this.resources.has(resource.arn)) return false;
    if (resource.deleteRequestedAt === undefined) return true;
    if (this.now < resource.deleteRequestedAt + this.durations.delete) return true;
    // Gone: children of a deleted parent (solution versions, import jobs) go with it.
    this.vanish(resource.arn);
    return false;
  }

  /** Removes a resource and what lives under it at once. */
  vanish(arn: string): void {
    this.resources.delete(arn);
    for (const child of [...this.resources.values()]) if (child.parentArn === arn) this.vanish(child.arn);
  }

  status(resource: SimResource): string {
    if (resource.deleteRequestedAt !== undefined) {
      // Dataset groups report only DELETE PENDING (CreateDatasetGroup, API reference).
      if (resource.kind === 'datasetGroup') return STATUS.deletePending;
      return this.now < resource.deleteRequestedAt + this.durations.delete / 2
        ? STATUS.deletePending
        : STATUS.deleteInProgress;
    }
    if (resource.kind === 'schema') return STATUS.active;
    if (resource.stopRequestedAt !== undefined && resource.stopRequestedAt < resource.readyAt) {
      return this.now < resource.stopRequestedAt + this.durations.stop ? STATUS.createStopping : STATUS.createStopped;
    }
    if (this.now < resource.createdAt + this.durations.pending) return STATUS.createPending;
    if (this.now < resource.readyAt) return STATUS.createInProgress;
    if (resource.failureReason !== undefined) return STATUS.createFailed;
    this.applyFinishedUpdate(resource);
    return STATUS.active;
  }

  /**
   * rule update-campaign/serves-previous: an update changes the campaign (or dataset) only when it
   * finishes, and a failed one leaves it as it was.
   */
  private applyFinishedUpdate(resource: SimResource): void {
    const update = resource.update;
    if (!update || update.applied || this.now < update.readyAt) return;
    update.applied = true;
    if (update.failureReason !== undefined) return;
    if (update.minProvisionedTPS !== undefined) resource.minProvisionedTPS = update.minProvisionedTPS;
    if (update.solutionVersionArn !== undefined) resource.solutionVersionArn = update.solutionVersionArn;
    if (update.schemaArn !== undefined) resource.schemaArn = update.schemaArn;
  }

  updating(resource: SimResource): boolean {
    return resource.update !== undefined && this.now < resource.update.readyAt;
  }

  importing(dataset: SimResource): boolean {
    return this.children(dataset.arn, 'datasetImportJob').some((j) => CREATING.includes(this.status(j)));
  }

  inProgress(kind: ResourceKind): number {
    return this.live().filter((r) => r.kind === kind && BUSY.includes(this.status(r))).length;
  }

  /** Whether anything is on its way to another state (the clock can change what a read says). */
  busy(): boolean {
    return this.live().some((r) => {
      const status = this.status(r);
      return BUSY.includes(status) || r.deleteRequestedAt !== undefined || this.updating(r);
    });
  }

  latestUpdate(resource: SimResource): LatestUpdate | undefined {
    const update = resource.update;
    if (!update) return undefined;
    const done = this.now >= update.readyAt;
    const status = !done
      ? this.now < update.createdAt + this.durations.pending
        ? STATUS.createPending
        : STATUS.createInProgress
      : update.failureReason !== undefined
        ? STATUS.createFailed
        : STATUS.active;
    return {
      status,
      createdAt: update.createdAt,
      ...(status === STATUS.createFailed ? { failureReason: update.failureReason } : {}),
      ...(update.minProvisionedTPS !== undefined ? { minProvisionedTPS: update.minProvisionedTPS } : {}),
      ...(update.solutionVersionArn !== undefined ? { solutionVersionArn: update.solutionVersionArn } : {}),
      ...(update.schemaArn !== undefined ? { schemaArn: update.schemaArn } : {}),
    };
  }

  view(resource: SimResource, full: boolean): ResourceState {
    const status = this.status(resource);
    const finished = !CREATING.includes(status) && resource.readyAt <= this.now;
    const latestUpdate = full ? this.latestUpdate(resource) : undefined;
    return {
      kind: resource.kind,
      arn: resource.arn,
      name: resource.name,
      status,
      parentArn: resource.parentArn,
      createdAt: resource.createdAt,
      ...(finished ? { lastUpdatedAt: Math.max(resource.readyAt, resource.update?.readyAt ?? 0) } : {}),
      ...(status === STATUS.createFailed ? { failureReason: resource.failureReason } : {}),
      ...(resource.kind === 'dataset' && resource.datasetType ? { datasetType: capitalize(resource.datasetType) } : {}),
      ...(full && resource.kind === 'dataset' ? { schemaArn: resource.schemaArn } : {}),
      ...(full && resource.kind === 'schema' ? { schema: resource.schema } : {}),
      ...(full && resource.kind === 'eventTracker' && resource.trackingId ? { trackingId: resource.trackingId } : {}),
      ...(full && resource.kind === 'campaign'
        ? {
            minProvisionedTPS: resource.minProvisionedTPS,
            solutionVersionArn: resource.solutionVersionArn,
            updating: this.updating(resource),
          }
        : {}),
      ...(latestUpdate ? { latestUpdate } : {}),
    };
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
