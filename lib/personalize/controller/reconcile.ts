/**
 * Reconcile: one step of the Personalize controller. Each call reads the actual state, starts
 * every step whose inputs are ready (independent solutions train in parallel), and answers
 * `done`, `pending` or `failed`. It finds its resources by name and tag, so it is safe to call
 * again at any point, including after a crash mid-call; the only thing it carries between calls
 * is since when a create has been refused for a quota (`ReconcileMemory`).
 *
 * The steps live by concern: `apply.ts` (the order of things), `apply-data.ts` (schemas, datasets,
 * imports), `apply-models.ts` (solutions, trainings, campaigns, what is published),
 * `teardown.ts`, and `run.ts` (what one call saw and did, and how it judges a service error).
 *
 * Apply:    schemas, dataset group -> datasets (moved to a changed schema, unwanted ones deleted)
 *           -> import jobs -> solutions -> versions (again when the data is newer) -> campaigns.
 *           It touches only resources it owns (our name and our tag); anything an attendee made
 *           in our dataset group is left alone.
 * Teardown: everything inside our own dataset group, whoever made it: every delete that can be
 *           issued is issued at once (campaigns, filters, event trackers, metric attributions,
 *           trainings stopped, datasets), then solutions, then the group, then our schemas.
 */
import {
  fitModelRegistry,
  MODEL_REGISTRY_SCHEMA_VERSION,
  ModelRegistry,
  modelRegistrySchema,
} from '../../shared/model-registry';
import { apply } from './apply';
import { ReconcileMemory, ReconcileRequest } from './desired';
import { errorName, isTransient, PersonalizePort } from './port';
import { Clock, isPassingReadError, ReconcileResult, Run } from './run';
import { teardown } from './teardown';

export type { Clock, ReconcileResult, ResourceProgress } from './run';
export { QUOTA_PATIENCE_MS } from './run';

/**
 * The model registry document that says what a reconcile result says (the controller publishes it;
 * `movierecs status --simulate` renders it), stamped `now`, within a standard parameter's 4 KB.
 */
export function registryOf(result: ReconcileResult, now: number): ModelRegistry {
  const registry = modelRegistrySchema.parse({
    schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
    pipeline: {
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
      updatedAt: new Date(now).toISOString(),
      resources: result.progress,
    },
    models: result.models,
    ...(result.eventTracker ? { eventTracker: result.eventTracker } : {}),
    ...(result.filters ? { filters: result.filters } : {}),
  });
  return fitModelRegistry(registry);
}

/** One reconcile step. Reads that fail for a moment make the whole call `pending`. */
export async function reconcile(
  request: ReconcileRequest,
  service: PersonalizePort,
  clock: Clock,
  memory: ReconcileMemory = {},
): Promise<ReconcileResult> {
  const run = new Run(clock, memory);
  const port = retryingReads(service);
  try {
    if (request.action === 'apply') await apply(request.desired, port, run);
    else await teardown(request.prefix, port, run);
  } catch (error) {
    if (!isPassingReadError(error)) throw error;
    run.waiting = true;
    run.actions.push(`read deferred (${errorName(error)})`);
  }
  return run.result();
}

/**
 * Reads are retried at once a few times when throttled (as the SDK's standard retry mode also
 * does, with back-off); mutations are not: a deferred mutation is simply tried on the next call.
 */
export function retryingReads(port: PersonalizePort, attempts = 3): PersonalizePort {
  const retry = async <T>(read: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (attempt >= attempts || !isTransient(error)) throw error;
      }
    }
  };
  return {
    list: (kind, parentArn) => retry(() => port.list(kind, parentArn)),
    describe: (kind, arn) => retry(() => port.describe(kind, arn)),
    tags: (arn) => retry(() => port.tags(arn)),
    solutionMetrics: (arn) => retry(() => port.solutionMetrics(arn)),
    create: (request) => port.create(request),
    remove: (kind, arn) => port.remove(kind, arn),
    stopTraining: (arn) => port.stopTraining(arn),
    updateCampaign: (arn, tps, version) => port.updateCampaign(arn, tps, version),
    updateDataset: (arn, schema) => port.updateDataset(arn, schema),
  };
}
