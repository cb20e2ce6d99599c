/**
 * Reconcile: one step of the Personalize controller. Each call reads the actual state, starts
 * every step whose inputs are ready (independent solutions train in parallel), and answers
 * `done`, `pending` or `failed`. It finds its resources by name and tag, so it is safe to call
 * again at any point, including after a crash mid-call; the only thing it carries between calls
 * is since when a create has been refused for a quota (`ReconcileMemory`).
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
  MODEL_REGISTRY_SCHEMA_VERSION,
  ModelRegistry,
  modelRegistrySchema,
  RegisteredModel,
} from '../../shared/model-registry';
import {
  DesiredSolution,
  DesiredState,
  names,
  OWNER_TAG,
  recipeArn,
  ReconcileMemory,
  ReconcileRequest,
} from './desired';
import {
  DatasetType,
  ERRORS,
  errorName,
  isOneOf,
  isServiceError,
  isTransient,
  PersonalizePort,
  ResourceState,
  STATUS,
} from './port';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface ResourceProgress {
  /** e.g. `dataset-group`, `import:interactions`, `solution:similar-items`. */
  readonly resource: string;
  readonly stage: string;
  readonly status: string;
  readonly startedAt?: string;
  readonly updatedAt: string;
  readonly failureReason?: string;
}

export interface ReconcileResult {
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
 * The model registry document that says what a reconcile result says (the controller publishes it;
 * `movierecs status --simulate` renders it), stamped `now`.
 */
export function registryOf(result: ReconcileResult, now: number): ModelRegistry {
  return modelRegistrySchema.parse({
    schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
    pipeline: {
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
      updatedAt: new Date(now).toISOString(),
      resources: result.progress,
    },
    models: result.models,
  });
}

/**
 * How long a create may be refused for a quota that does not free itself (dataset groups,
 * solutions, campaigns) before the run fails: long enough for a teardown elsewhere to finish its
 * deletes, short enough that a presenter learns it in minutes, not after 12 hours.
 */
export const QUOTA_PATIENCE_MS = 10 * 60_000;

const CREATING: readonly string[] = [STATUS.createPending, STATUS.createInProgress];
const DELETING: readonly string[] = [STATUS.deletePending, STATUS.deleteInProgress];
const BUSY: readonly string[] = [...CREATING, STATUS.createStopping];

/** Creates refused by quotas that hold until someone deletes something. */
type QuotaBound = 'datasetGroup' | 'solution' | 'campaign';

/** Collects what one call saw and did. */
class Run {
  readonly progress: ResourceProgress[] = [];
  readonly actions: string[] = [];
  readonly failures: string[] = [];
  readonly models: RegisteredModel[] = [];
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
    this.progress.push({
      resource,
      stage,
      status: actual,
      ...(state ? { startedAt: new Date(state.createdAt).toISOString() } : {}),
      updatedAt: new Date(this.clock.now()).toISOString(),
      ...(state?.failureReason ? { failureReason: state.failureReason } : {}),
    });
    if (actual === STATUS.createFailed) this.fail(`${resource}: ${state?.failureReason ?? 'creation failed'}`);
    else if (actual !== STATUS.active) this.waiting = true;
  }

  fail(reason: string): void {
    this.failures.push(reason);
  }

  /**
   * Runs one mutating call. Throttling, server faults, "in use" and "already exists" (a create
   * that raced a crash) mean "not now": the next call tries again. A quota (LimitExceeded) is
   * "not now" too, except for `quota` creates refused for longer than QUOTA_PATIENCE_MS. A delete
   * answered "not found" found it already gone. Anything else is a failure, reported with the
   * service's message.
   */
  async attempt<T>(description: string, call: () => Promise<T>, quota?: QuotaBound): Promise<T | undefined> {
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
function isPassingReadError(error: unknown): boolean {
  return isTransient(error) || isOneOf(error, ERRORS.notFound) || isOneOf(error, ERRORS.inUse);
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

/**
 * Our dataset group: the exact name and our tag. A same-named group without it is not ours and is
 * reported. A group that vanished between the list and the tag read is gone.
 */
async function findDatasetGroup(prefix: string, port: PersonalizePort, run: Run): Promise<ResourceState | undefined> {
  const name = names.datasetGroup(prefix);
  const found = (await port.list('datasetGroup')).find((g) => g.name === name);
  if (!found) return undefined;
  // A group being deleted no longer needs our tag checked: nothing is done to it but waiting.
  if (DELETING.includes(found.status)) return found;
  let tags: Record<string, string>;
  try {
    tags = await port.tags(found.arn);
  } catch (error) {
    if (isOneOf(error, ERRORS.notFound)) return undefined;
    throw error;
  }
  if (tags[OWNER_TAG] !== prefix) {
    run.fail(
      `dataset group ${name} exists but was not created by this workshop (tag ${OWNER_TAG}=${prefix} missing); rename the prefix or remove it`,
    );
    return undefined;
  }
  return found;
}

function latest(resources: readonly ResourceState[]): ResourceState | undefined {
  return [...resources].sort((a, b) => b.createdAt - a.createdAt || (a.arn < b.arn ? 1 : -1))[0];
}

/** When a resource reached its state (for an ACTIVE import: when the data was in). */
function finishedAt(resource: ResourceState): number {
  return resource.lastUpdatedAt ?? resource.createdAt;
}

// ---------------------------------------------------------------------------------------------
// Apply

/** What the datasets and imports say the solutions may do. */
interface DataReadiness {
  /** The interactions dataset exists and is active: solutions may be created. */
  readonly datasets: boolean;
  /** Every wanted import is active, no dataset is changing or going: training may start. */
  readonly imports: boolean;
  /** When the newest data was imported: versions trained before it are stale. */
  readonly importedAt: number;
}

async function apply(desired: DesiredState, port: PersonalizePort, run: Run): Promise<void> {
  const { prefix } = desired;
  const schemaArns = await applySchemas(desired, port, run);

  const group = await findDatasetGroup(prefix, port, run);
  if (run.failures.length) return;
  if (!group) {
    const name = names.datasetGroup(prefix);
    await run.attempt(
      `create dataset group ${name}`,
      () => port.create({ kind: 'datasetGroup', name, tags: { [OWNER_TAG]: prefix } }),
      'datasetGroup',
    );
    run.see('dataset-group', 'dataset group', undefined, STATUS.createPending);
    return;
  }
  run.see('dataset-group', 'dataset group', group);
  if (group.status !== STATUS.active) return;

  const ready = await applyDatasets(desired, group, schemaArns, port, run);
  if (run.failures.length) return;

  // Solutions: desired ones converge; ours that are no longer desired are retired. Solutions of
  // anyone else (an attendee's, made in the console) are not ours to touch.
  const solutions = await port.list('solution', group.arn);
  const wanted = new Set(desired.solutions.map((s) => names.solution(prefix, s)));
  for (const solution of desired.solutions) {
    await run.isolate(`solution:${solution.displayName}`, () =>
      applySolution(desired, solution, group.arn, solutions, ready, port, run),
    );
  }
  for (const extra of solutions.filter((s) => !wanted.has(s.name) && s.name.startsWith(`${prefix}-`))) {
    await run.isolate(`retired solution ${extra.name}`, async () => {
      const tags = await port.tags(extra.arn);
      if (tags[OWNER_TAG] !== prefix) return;
      await retireSolution(extra, port, run, `retired solution ${extra.name}`, { ownOnly: prefix });
    });
  }
  run.models.sort((a, b) => a.sortOrder - b.sortOrder);
}

/** Creates the schemas that are missing; returns their ARNs by dataset type. */
async function applySchemas(desired: DesiredState, port: PersonalizePort, run: Run): Promise<Map<string, string>> {
  const schemas = await port.list('schema');
  const schemaArns = new Map<string, string>();
  for (const dataset of desired.datasets) {
    const name = names.schema(desired.prefix, dataset.type, dataset.schema);
    const found = schemas.find((s) => s.name === name);
    if (found) {
      schemaArns.set(dataset.type, found.arn);
      run.see(`schema:${dataset.type}`, 'schema', found);
      continue;
    }
    // Schemas take no tags; the name (our prefix, then a dash) is what makes them ours.
    const arn = await run.attempt(`create schema ${name}`, () =>
      port.create({ kind: 'schema', name, schema: dataset.schema }),
    );
    if (arn) schemaArns.set(dataset.type, arn);
    run.see(`schema:${dataset.type}`, 'schema', undefined, arn ? STATUS.active : 'MISSING');
  }
  return schemaArns;
}

const DATASET_TYPES: readonly DatasetType[] = ['interactions', 'items', 'users'];

/**
 * Datasets and their imports. A dataset on an old schema is moved to the new one; a dataset the
 * configuration no longer has (users, after a switch to an edition without users) is deleted
 * before anything trains again, so it cannot feed a training.
 */
async function applyDatasets(
  desired: DesiredState,
  group: ResourceState,
  schemaArns: ReadonlyMap<string, string>,
  port: PersonalizePort,
  run: Run,
): Promise<DataReadiness> {
  const { prefix } = desired;
  const tags = { [OWNER_TAG]: prefix };
  const datasets = await port.list('dataset', group.arn);
  let imports = true;
  let interactions = false;
  let importedAt = 0;

  for (const type of DATASET_TYPES.filter((t) => !desired.datasets.some((d) => d.type === t))) {
    const unwanted = datasets.find((d) => d.name === names.dataset(prefix, type));
    if (!unwanted) continue;
    imports = false;
    await run.isolate(`dataset:${type}`, async () => {
      if (DELETING.includes(unwanted.status)) {
        run.see(`dataset:${type}`, 'delete', unwanted);
        return;
      }
      const importing = (await port.list('datasetImportJob', unwanted.arn)).some((j) => CREATING.includes(j.status));
      if (!importing && canDelete(unwanted))
        await run.attempt(`delete dataset ${unwanted.name} (no longer configured)`, () =>
          port.remove('dataset', unwanted.arn),
        );
      run.see(`dataset:${type}`, 'delete', unwanted, `${unwanted.status} (deleting: no longer configured)`);
    });
  }

  for (const wanted of desired.datasets) {
    let imported = false;
    await run.isolate(`dataset:${wanted.type}`, async () => {
      const name = names.dataset(prefix, wanted.type);
      const schemaArn = schemaArns.get(wanted.type);
      const listed = datasets.find((d) => d.name === name);
      if (!listed) {
        if (schemaArn) {
          await run.attempt(`create dataset ${name}`, () =>
            port.create({ kind: 'dataset', name, parentArn: group.arn, datasetType: wanted.type, schemaArn, tags }),
          );
        }
        run.see(`dataset:${wanted.type}`, 'dataset', undefined, STATUS.createPending);
        return;
      }
      if (listed.status !== STATUS.active) {
        run.see(`dataset:${wanted.type}`, 'dataset', listed);
        return;
      }
      if (wanted.type === 'interactions') interactions = true;
      if (!(await datasetOnSchema(listed, schemaArn, wanted.type, desired, port, run))) return;
      run.see(`dataset:${wanted.type}`, 'dataset', listed);

      const job = await applyImport(desired, wanted.type, wanted.dataLocation, listed, port, run);
      if (job?.status === STATUS.active) {
        imported = true;
        importedAt = Math.max(importedAt, finishedAt(job));
      }
    });
    if (!imported) imports = false;
  }
  return { datasets: interactions, imports, importedAt };
}

/**
 * True when the dataset uses the wanted schema; otherwise moves it there (UpdateDataset) and
 * reports why it waits, or fails with the service's reason for a failed move.
 */
async function datasetOnSchema(
  listed: ResourceState,
  schemaArn: string | undefined,
  type: DatasetType,
  desired: DesiredState,
  port: PersonalizePort,
  run: Run,
): Promise<boolean> {
  if (!schemaArn) return false;
  const dataset = await port.describe('dataset', listed.arn);
  if (!dataset) throw Object.assign(new Error(`${listed.arn} vanished`), { name: 'ResourceNotFoundException' });
  const update = dataset.latestUpdate;
  if (update && CREATING.includes(update.status)) {
    run.see(`dataset:${type}`, 'schema update', dataset, `UPDATE ${update.status}`);
    return false;
  }
  if (dataset.schemaArn === schemaArn) return true;
  if (
    update?.status === STATUS.createFailed &&
    update.schemaArn === schemaArn &&
    update.createdAt >= desired.retryFailuresBefore
  ) {
    run.fail(
      `dataset:${type}: moving to schema ${schemaArn} failed: ${update.failureReason ?? 'no reason given'}. ` +
        'Amazon Personalize accepts only compatible schema changes; destroy and deploy again to start from new datasets.',
    );
    return false;
  }
  await run.attempt(`update dataset ${dataset.name} to schema ${schemaArn}`, () =>
    port.updateDataset(dataset.arn, schemaArn),
  );
  run.see(`dataset:${type}`, 'schema update', dataset, 'UPDATE PENDING');
  return false;
}

/**
 * The import of one data file into one dataset: once per file, retried once per deployment when
 * it failed before that deployment (a new job name: names are unique and a failed job stays).
 */
async function applyImport(
  desired: DesiredState,
  type: DatasetType,
  dataLocation: string,
  dataset: ResourceState,
  port: PersonalizePort,
  run: Run,
): Promise<ResourceState | undefined> {
  const label = `import:${type}`;
  const jobName = names.importJob(desired.prefix, type, dataLocation, dataset.createdAt);
  const jobs = (await port.list('datasetImportJob', dataset.arn)).filter(
    (j) => j.name === jobName || j.name.startsWith(`${jobName}-r`),
  );
  const job = latest(jobs);
  const retryName = names.importRetry(jobName, desired.retryFailuresBefore);
  const retry =
    job?.status === STATUS.createFailed &&
    job.createdAt < desired.retryFailuresBefore &&
    !jobs.some((j) => j.name === retryName);
  if (!job || retry) {
    const name = job ? retryName : jobName;
    await run.attempt(`create import job ${name}`, () =>
      port.create({
        kind: 'datasetImportJob',
        name,
        parentArn: dataset.arn,
        dataLocation,
        roleArn: desired.personalizeRoleArn,
        tags: { [OWNER_TAG]: desired.prefix },
      }),
    );
    run.see(label, 'import', undefined, STATUS.createPending);
    return undefined;
  }
  run.see(label, 'import', job);
  return job;
}

async function applySolution(
  desired: DesiredState,
  wanted: DesiredSolution,
  groupArn: string,
  solutions: readonly ResourceState[],
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const { prefix } = desired;
  const name = names.solution(prefix, wanted);
  const short = name.slice(prefix.length + 1);
  const tags = { [OWNER_TAG]: prefix };
  const solution = solutions.find((s) => s.name === name);
  if (!solution) {
    // A solution needs its datasets; only its training needs the imported data.
    if (ready.datasets) {
      await run.attempt(
        `create solution ${name}`,
        () =>
          port.create({
            kind: 'solution',
            name,
            parentArn: groupArn,
            recipeArn: recipeArn(desired.partition, wanted.recipe),
            tags,
          }),
        'solution',
      );
      run.see(`solution:${short}`, 'solution', undefined, STATUS.createPending);
    } else {
      run.see(`solution:${short}`, 'solution', undefined, 'WAITING FOR DATASETS');
    }
    return;
  }
  run.see(`solution:${short}`, 'solution', solution);
  if (solution.status !== STATUS.active) return;

  const versions = await port.list('solutionVersion', solution.arn);
  const campaignName = names.campaign(prefix, wanted);
  const listed = (await port.list('campaign', solution.arn)).find((c) => c.name === campaignName);
  const campaign = listed ? ((await port.describe('campaign', listed.arn)) ?? listed) : undefined;

  // The model is on the site whenever its campaign serves, also while data is re-imported, a new
  // version trains or the campaign is updated ("the campaign continues to use the previous
  // solution version" during an update, UpdateCampaign in the API reference).
  if (campaign?.status === STATUS.active && campaign.solutionVersionArn)
    await publish(wanted, campaign.arn, campaign.solutionVersionArn, port, run);

  const version = await applyTraining(desired, short, solution, versions, ready, port, run);
  // The newest trained version is the one to deploy, even while a newer one trains.
  const deployable = latest(versions.filter((v) => v.status === STATUS.active));
  if (!deployable) {
    if (!campaign) run.see(`campaign:${short}`, 'campaign', undefined, 'WAITING FOR TRAINING');
    return;
  }
  await applyCampaign(desired, wanted, short, solution.arn, campaign, deployable, port, run);
  if (version && version.arn !== deployable.arn) run.waiting = true;
}

/**
 * Training: a FULL version once the imports are done, and again when the data was imported
 * after the newest version started (new data must be trained on). A failure before this
 * deployment is retried once; after, reported. Returns the newest version, if any.
 */
async function applyTraining(
  desired: DesiredState,
  short: string,
  solution: ResourceState,
  versions: readonly ResourceState[],
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<ResourceState | undefined> {
  const label = `training:${short}`;
  const newest = latest(versions.filter((v) => v.status !== STATUS.createStopped));
  if (newest && BUSY.includes(newest.status)) {
    run.see(label, 'training', newest);
    return newest;
  }
  if (!ready.imports) {
    run.see(label, 'training', newest, newest ? `${newest.status} (new data importing)` : 'WAITING FOR IMPORTS');
    run.waiting = true;
    return newest;
  }
  const stale = newest !== undefined && newest.createdAt < ready.importedAt;
  const retry = newest?.status === STATUS.createFailed && newest.createdAt < desired.retryFailuresBefore;
  if (!newest || stale || retry) {
    await run.attempt(`train ${solution.name}`, () =>
      port.create({ kind: 'solutionVersion', parentArn: solution.arn, tags: { [OWNER_TAG]: desired.prefix } }),
    );
    run.see(label, 'training', undefined, STATUS.createPending);
    return newest;
  }
  run.see(label, 'training', newest);
  return newest;
}

/** Creates the campaign, or updates it to the wanted TPS and the newest trained version. */
async function applyCampaign(
  desired: DesiredState,
  wanted: DesiredSolution,
  short: string,
  solutionArn: string,
  campaign: ResourceState | undefined,
  version: ResourceState,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const label = `campaign:${short}`;
  const name = names.campaign(desired.prefix, wanted);
  if (!campaign) {
    await run.attempt(
      `create campaign ${name}`,
      () =>
        port.create({
          kind: 'campaign',
          name,
          parentArn: solutionArn,
          solutionVersionArn: version.arn,
          minProvisionedTPS: wanted.campaignMinTps,
          tags: { [OWNER_TAG]: desired.prefix },
        }),
      'campaign',
    );
    run.see(label, 'campaign', undefined, STATUS.createPending);
    return;
  }
  if (campaign.status !== STATUS.active) {
    run.see(label, 'campaign', campaign);
    return;
  }
  const update = campaign.latestUpdate;
  if (campaign.updating || (update && CREATING.includes(update.status))) {
    run.see(label, 'campaign', campaign, `UPDATE ${update?.status ?? STATUS.createInProgress}`);
    return;
  }
  if (campaign.minProvisionedTPS === wanted.campaignMinTps && campaign.solutionVersionArn === version.arn) {
    run.see(label, 'campaign', campaign);
    return;
  }
  // The same update failed before: once per deployment it is tried again, otherwise reported.
  const sameUpdate =
    update?.status === STATUS.createFailed &&
    update.minProvisionedTPS === wanted.campaignMinTps &&
    update.solutionVersionArn === version.arn;
  if (sameUpdate && update.createdAt >= desired.retryFailuresBefore) {
    run.see(label, 'campaign update', campaign, `UPDATE ${STATUS.createFailed}`);
    run.fail(
      `${label}: the update to ${wanted.campaignMinTps} TPS and version ${version.arn} failed: ` +
        `${update.failureReason ?? 'no reason given'} (the campaign keeps serving its previous version)`,
    );
    return;
  }
  await run.attempt(`update campaign ${name} to ${wanted.campaignMinTps} TPS and version ${version.arn}`, () =>
    port.updateCampaign(campaign.arn, wanted.campaignMinTps, version.arn),
  );
  run.see(label, 'campaign', campaign, 'UPDATE PENDING');
}

async function publish(
  wanted: DesiredSolution,
  campaignArn: string,
  versionArn: string,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const metrics = await port.solutionMetrics(versionArn).catch((error) => {
    if (isPassingReadError(error)) return undefined;
    throw error;
  });
  run.models.push({
    name: wanted.displayName,
    type: wanted.type,
    campaignArn,
    recipe: wanted.recipe,
    sortOrder: wanted.sortOrder,
    metrics: offlineMetrics(metrics ?? {}),
  });
}

/** Personalize's metric names -> the registry's. */
function offlineMetrics(metrics: Record<string, number>): RegisteredModel['metrics'] {
  const pick = (key: string) => (typeof metrics[key] === 'number' ? metrics[key] : undefined);
  const entries = {
    precisionAt5: pick('precision_at_5'),
    precisionAt10: pick('precision_at_10'),
    precisionAt25: pick('precision_at_25'),
    ndcgAt5: pick('normalized_discounted_cumulative_gain_at_5'),
    ndcgAt10: pick('normalized_discounted_cumulative_gain_at_10'),
    ndcgAt25: pick('normalized_discounted_cumulative_gain_at_25'),
    mrrAt25: pick('mean_reciprocal_rank_at_25'),
    coverage: pick('coverage'),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------------------------
// Teardown (and retiring solutions that are no longer wanted)

/**
 * Deletes a solution's campaigns and stops its training, waits for batch jobs on its versions
 * (they cannot be stopped), then deletes it. With `ownOnly` (apply retiring a solution of ours),
 * a campaign someone else made on it is reported instead of deleted.
 */
async function retireSolution(
  solution: ResourceState,
  port: PersonalizePort,
  run: Run,
  label: string,
  options: { readonly ownOnly?: string } = {},
): Promise<void> {
  if (DELETING.includes(solution.status)) {
    run.see(label, 'delete', solution);
    return;
  }
  let blocked = CREATING.includes(solution.status);
  for (const campaign of await port.list('campaign', solution.arn)) {
    blocked = true;
    if (options.ownOnly !== undefined && !campaign.name.startsWith(`${options.ownOnly}-`)) {
      run.fail(
        `${label}: campaign ${campaign.name} (not made by this workshop) uses it; delete that campaign, then deploy again`,
      );
      continue;
    }
    run.see(`${label}/campaign ${campaign.name}`, 'delete', campaign, deletionStatus(campaign));
    if (canDelete(campaign))
      await run.attempt(`delete campaign ${campaign.name}`, () => port.remove('campaign', campaign.arn));
  }
  for (const version of await port.list('solutionVersion', solution.arn)) {
    if (CREATING.includes(version.status)) {
      blocked = true;
      await run.attempt(`stop training ${version.arn}`, () => port.stopTraining(version.arn));
      run.see(`${label}/training`, 'delete', version, STATUS.createStopping);
    } else if (version.status === STATUS.createStopping) {
      blocked = true;
      run.see(`${label}/training`, 'delete', version);
    }
    if (version.status !== STATUS.active) continue;
    for (const kind of ['batchInferenceJob', 'batchSegmentJob'] as const) {
      for (const job of (await port.list(kind, version.arn)).filter((j) => CREATING.includes(j.status))) {
        blocked = true;
        run.see(`${label}/${kind} ${job.name}`, 'delete', job, `${job.status} (waiting: batch jobs cannot be stopped)`);
      }
    }
  }
  if (blocked) {
    run.see(label, 'delete', solution, `${solution.status} (waiting)`);
    return;
  }
  await run.attempt(`delete solution ${solution.name}`, () => port.remove('solution', solution.arn));
  run.see(label, 'delete', solution, STATUS.deletePending);
}

function canDelete(resource: ResourceState): boolean {
  return !CREATING.includes(resource.status) && !DELETING.includes(resource.status) && !resource.updating;
}

function deletionStatus(resource: ResourceState): string {
  return DELETING.includes(resource.status) ? resource.status : `${resource.status} (deleting)`;
}

/**
 * Removes everything inside our dataset group, whoever made it (the group is ours by name and
 * tag; what an attendee added there would otherwise keep it, and the stack, from being deleted),
 * then the group and our schemas. Nothing outside the group is touched.
 */
async function teardown(prefix: string, port: PersonalizePort, run: Run): Promise<void> {
  const group = await findDatasetGroup(prefix, port, run);
  if (run.failures.length) return;
  if (group) {
    run.see('dataset-group', 'delete', group, deletionStatus(group));
    if (DELETING.includes(group.status)) {
      run.waiting = true;
      return;
    }
    if (!(await emptyDatasetGroup(group, port, run))) return;
    if (!CREATING.includes(group.status))
      await run.attempt(`delete dataset group ${group.name}`, () => port.remove('datasetGroup', group.arn));
    run.waiting = true;
    return;
  }

  // Our schemas, once our dataset group (and with it every dataset using them) is gone.
  for (const schema of (await port.list('schema')).filter((s) => s.name.startsWith(`${prefix}-`))) {
    run.see(`schema:${schema.name}`, 'delete', schema, 'DELETING');
    await run.attempt(`delete schema ${schema.name}`, () => port.remove('schema', schema.arn));
  }
}

/** Issues every delete the group's contents allow now; true once the group is empty. */
async function emptyDatasetGroup(group: ResourceState, port: PersonalizePort, run: Run): Promise<boolean> {
  let empty = true;
  let training = false;
  const solutions = await port.list('solution', group.arn);
  for (const solution of solutions) {
    empty = false;
    await run.isolate(`solution:${solution.name}`, async () => {
      await retireSolution(solution, port, run, `solution:${solution.name}`);
      // Re-listed: retireSolution may just have stopped a training (it stays busy while stopping).
      training ||= (await port.list('solutionVersion', solution.arn)).some((v) => BUSY.includes(v.status));
    });
  }

  for (const kind of ['eventTracker', 'filter', 'metricAttribution'] as const) {
    for (const resource of await port.list(kind, group.arn)) {
      empty = false;
      run.see(`${kind}:${resource.name}`, 'delete', resource, deletionStatus(resource));
      if (canDelete(resource))
        await run.attempt(`delete ${kind} ${resource.name}`, () => port.remove(kind, resource.arn));
    }
  }

  // Datasets go as soon as nothing imports into them and nothing trains on the group.
  for (const dataset of await port.list('dataset', group.arn)) {
    empty = false;
    await run.isolate(`dataset:${dataset.name}`, async () => {
      const importing = (await port.list('datasetImportJob', dataset.arn)).some((j) => CREATING.includes(j.status));
      const waitingFor = importing ? 'an import' : training ? 'a training to stop' : undefined;
      run.see(
        `dataset:${(dataset.datasetType ?? dataset.name).toLowerCase()}`,
        'delete',
        dataset,
        waitingFor ? `${dataset.status} (waiting for ${waitingFor})` : deletionStatus(dataset),
      );
      if (!waitingFor && canDelete(dataset))
        await run.attempt(`delete dataset ${dataset.name}`, () => port.remove('dataset', dataset.arn));
    });
  }
  if (!empty) run.waiting = true;
  return empty;
}
