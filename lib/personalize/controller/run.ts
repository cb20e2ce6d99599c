/**
 * What one reconcile call carries: the record of what it saw and did (`Run`), how it judges a
 * service error (wait, retry later, or fail), and the status vocabulary the steps share.
 */
import { ModelRegistry, RegisteredModel } from '../../shared/model-registry';
import { ReconcileMemory } from './desired';
import { ERRORS, errorName, isOneOf, isServiceError, isTransient, ResourceState, STATUS } from './port';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface ResourceProgress {
  /** e.g. `dataset-group`, `import:interactions`, `solution:similar-items`. */
  readonly resource: string;
  readonly stage: string;
  readonly status: string;
  /** While the step runs. */
  readonly startedAt?: string;
  readonly failureReason?: string;
}

/**
 * What the registry publishes of the serving group's event tracker and filters (apply only): the
 * tracker once ACTIVE with its tracking id, the ACTIVE filters by purpose.
 */
export type Realtime = Pick<ModelRegistry, 'eventTracker' | 'filters'>;

export interface ReconcileResult extends Realtime {
  readonly status: 'done' | 'pending' | 'failed';
  readonly reason?: string;
  readonly progress: readonly ResourceProgress[];
  /** Models whose campaigns are active (apply only). */
  readonly models: readonly RegisteredModel[];
  /** What this call did, for logs. */
  readonly actions: readonly string[];
  /** To hand to the next call of the same run. */
  readonly memory: ReconcileMemory;
}

/**
 * How long a create may be refused for a quota that does not free itself (dataset groups,
 * solutions, campaigns) before the run fails: long enough for a teardown elsewhere to finish its
 * deletes, short enough that a presenter learns it in minutes, not after 12 hours.
 */
export const QUOTA_PATIENCE_MS = 10 * 60_000;

export const CREATING: readonly string[] = [STATUS.createPending, STATUS.createInProgress];
export const DELETING: readonly string[] = [STATUS.deletePending, STATUS.deleteInProgress];
export const BUSY: readonly string[] = [...CREATING, STATUS.createStopping];

/** Creates refused by quotas that hold until someone deletes something. */
export type QuotaBound = 'datasetGroup' | 'solution' | 'campaign';

/** Collects what one call saw and did. */
export class Run {
  readonly progress: ResourceProgress[] = [];
  readonly actions: string[] = [];
  readonly failures: string[] = [];
  readonly models: RegisteredModel[] = [];
  /** What is published of the serving group's event tracker and filters. */
  realtime: Realtime = {};
  readonly refusedSince: Record<string, number>;
  waiting = false;

  constructor(
    private readonly clock: Clock,
    memory: ReconcileMemory,
  ) {
    this.refusedSince = { ...(memory.refusedSince ?? {}) };
  }

  /** Records a resource's state; CREATE FAILED is a failure. */
  see(resource: string, stage: string, state: ResourceState | undefined, status?: string): void {
    const actual = status ?? state?.status ?? 'MISSING';
    // When a step started matters while it runs (elapsed time, ETA); the registry is kept small
    // (a standard SSM parameter: 4 KB), so finished steps carry no times.
    this.progress.push({
      resource,
      stage,
      status: actual,
      ...(state && actual !== STATUS.active ? { startedAt: new Date(state.createdAt).toISOString() } : {}),
      ...(state?.failureReason ? { failureReason: state.failureReason } : {}),
    });
    if (actual === STATUS.createFailed) this.fail(`${resource}: ${state?.failureReason ?? 'creation failed'}`);
    else if (actual !== STATUS.active) this.waiting = true;
  }

  /**
   * A row for something that will not change and is nobody's to wait for (an attendee's event
   * tracker in our group): shown with its status and a note, without holding the run pending.
   */
  seeSettled(resource: string, stage: string, state: ResourceState, note: string): void {
    this.progress.push({ resource, stage, status: `${state.status} (${note})` });
  }

  fail(reason: string): void {
    this.failures.push(reason);
  }

  /**
   * Runs one mutating call. Throttling, server faults, "in use" and "already exists" (a create
   * that raced a crash) mean "not now": the next call tries again. A quota (LimitExceeded) is
   * "not now" too, except for `quota` creates refused for longer than QUOTA_PATIENCE_MS. A delete
   * answered "not found" found it already gone. `settled` names errors that mean the call is no
   * longer needed (a training that stopped or finished before the stop arrived). Anything else is a
   * failure, reported with the service's message.
   */
  async attempt<T>(
    description: string,
    call: () => Promise<T>,
    quota?: QuotaBound,
    settled: readonly string[] = [],
  ): Promise<T | undefined> {
    try {
      const result = await call();
      this.actions.push(description);
      delete this.refusedSince[description];
      return result;
    } catch (error) {
      // Only service errors are judged here; anything else (a bug, a crash) ends the invocation,
      // and the state machine retries it.
      if (!isServiceError(error)) throw error;
      this.waiting = true;
      if (isOneOf(error, settled)) {
        this.actions.push(`${description}: not needed (${errorName(error)})`);
        return undefined;
      }
      if (isOneOf(error, ERRORS.limit) && quota) {
        const since = (this.refusedSince[description] ??= this.clock.now());
        const minutes = Math.round((this.clock.now() - since) / 60_000);
        if (this.clock.now() - since > QUOTA_PATIENCE_MS) {
          this.fail(
            `${description}: ${errorName(error)}: ${(error as Error).message}. Refused for ${minutes} minutes: ` +
              `the ${quotaName(quota)} quota is held by other resources in this account and region (another workshop ` +
              'copy or project) and does not free itself. Delete some of them (for another copy of this kit: ' +
              'npx cdk destroy --all with its prefix) or request a higher quota in Service Quotas, then deploy again.',
          );
          return undefined;
        }
        this.actions.push(`${description}: deferred (${errorName(error)} for ${minutes} min)`);
        return undefined;
      }
      if (
        isTransient(error) ||
        isOneOf(error, ERRORS.limit) ||
        isOneOf(error, ERRORS.inUse) ||
        isOneOf(error, ERRORS.exists)
      ) {
        this.actions.push(`${description}: deferred (${errorName(error)})`);
        return undefined;
      }
      if (isOneOf(error, ERRORS.notFound) && description.startsWith('delete')) {
        this.actions.push(`${description}: already gone`);
        return undefined;
      }
      this.fail(`${description}: ${errorName(error)}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Runs a subtree (one dataset, one solution) whose reads may fail for a moment: throttled, or
   * a resource that vanished between a list and the next read (ResourceNotFoundException: gone,
   * the next call lists again) or is busy (ResourceInUseException: wait). That subtree waits;
   * independent work still moves on.
   */
  async isolate(label: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!isPassingReadError(error)) throw error;
      this.waiting = true;
      this.actions.push(`${label}: deferred (${errorName(error)})`);
    }
  }

  result(): ReconcileResult {
    const base = {
      progress: this.progress,
      models: this.models,
      ...this.realtime,
      actions: this.actions,
      memory: Object.keys(this.refusedSince).length ? { refusedSince: this.refusedSince } : {},
    };
    if (this.failures.length) return { ...base, status: 'failed', reason: this.failures.join('; ') };
    return { ...base, status: this.waiting ? 'pending' : 'done' };
  }
}

function quotaName(kind: QuotaBound): string {
  return {
    datasetGroup: 'active dataset groups per region',
    solution: 'solutions per dataset group',
    campaign: 'campaigns per dataset group',
  }[kind];
}

/** A read error that says "not now" rather than "broken". */
export function isPassingReadError(error: unknown): boolean {
  return isTransient(error) || isOneOf(error, ERRORS.notFound) || isOneOf(error, ERRORS.inUse);
}

export function latest(resources: readonly ResourceState[]): ResourceState | undefined {
  return [...resources].sort((a, b) => b.createdAt - a.createdAt || (a.arn < b.arn ? 1 : -1))[0];
}

/** When a resource reached its state (for an ACTIVE import: when the data was in). */
export function finishedAt(resource: ResourceState): number {
  return resource.lastUpdatedAt ?? resource.createdAt;
}

export function canDelete(resource: ResourceState): boolean {
  return !CREATING.includes(resource.status) && !DELETING.includes(resource.status) && !resource.updating;
}

export function deletionStatus(resource: ResourceState): string {
  return DELETING.includes(resource.status) ? resource.status : `${resource.status} (deleting)`;
}
