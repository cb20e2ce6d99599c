/**
 * Reconcile: one step of the Personalize controller. Each call reads the actual state, starts
 * every step whose inputs are ready (independent solutions train in parallel), and answers
 * `done`, `pending` or `failed`. It keeps no state of its own: it finds its resources by name and
 * tag, so it is safe to call again at any point, including after a crash mid-call.
 *
 * Apply:    schemas, dataset group -> datasets -> import jobs -> solutions -> versions -> campaigns
 * Teardown: campaigns -> solutions (training stopped) -> filters, trackers -> datasets -> schemas
 *           -> dataset group, each delete polled until gone.
 */
import { RegisteredModel } from '../../shared/model-registry';
import { DesiredSolution, DesiredState, names, OWNER_TAG, recipeArn, ReconcileRequest } from './desired';
import {
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
}

const CREATING: readonly string[] = [STATUS.createPending, STATUS.createInProgress];
const DELETING: readonly string[] = [STATUS.deletePending, STATUS.deleteInProgress];

/** Collects what one call saw and did. */
class Run {
  readonly progress: ResourceProgress[] = [];
  readonly actions: string[] = [];
  readonly failures: string[] = [];
  readonly models: RegisteredModel[] = [];
  waiting = false;

  constructor(private readonly clock: Clock) {}

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
   * Runs one mutating call. Throttling, server faults, quotas, "in use" and "already exists"
   * (a create that raced a crash) mean "not now": the next call tries again. Anything else is a
   * failure of that resource, reported with the service's message.
   */
  async attempt<T>(description: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await call();
      this.actions.push(description);
      return result;
    } catch (error) {
      // Only service errors are judged here; anything else (a bug, a crash) ends the invocation,
      // and the state machine retries it.
      if (!isServiceError(error)) throw error;
      this.waiting = true;
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
   * Runs a subtree (one dataset, one solution) whose reads may be throttled: a transient error
   * defers that subtree only, so independent work still moves on.
   */
  async isolate(label: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.waiting = true;
      this.actions.push(`${label}: deferred (${errorName(error)})`);
    }
  }

  result(): ReconcileResult {
    const base = { progress: this.progress, models: this.models, actions: this.actions };
    if (this.failures.length) return { ...base, status: 'failed', reason: this.failures.join('; ') };
    return { ...base, status: this.waiting ? 'pending' : 'done' };
  }
}

/** One reconcile step. Reads that are throttled make the whole call `pending`. */
export async function reconcile(
  request: ReconcileRequest,
  service: PersonalizePort,
  clock: Clock,
): Promise<ReconcileResult> {
  const run = new Run(clock);
  const port = retryingReads(service);
  try {
    if (request.action === 'apply') await apply(request.desired, port, run);
    else await teardown(request.prefix, port, run);
  } catch (error) {
    if (!isTransient(error)) throw error;
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
  };
}

/** Our dataset group: the exact name and our tag. A same-named group without it is not ours. */
async function findDatasetGroup(prefix: string, port: PersonalizePort, run: Run): Promise<ResourceState | undefined> {
  const name = names.datasetGroup(prefix);
  const found = (await port.list('datasetGroup')).find((g) => g.name === name);
  if (!found) return undefined;
  const tags = await port.tags(found.arn);
  if (tags[OWNER_TAG] !== prefix) {
    run.fail(
      `dataset group ${name} exists but was not created by this workshop (tag ${OWNER_TAG}=${prefix} missing); rename the prefix or remove it`,
    );
    return undefined;
  }
  return found;
}

function latest(resources: readonly ResourceState[]): ResourceState | undefined {
  return [...resources].sort((a, b) => b.createdAt - a.createdAt)[0];
}

// ---------------------------------------------------------------------------------------------
// Apply

async function apply(desired: DesiredState, port: PersonalizePort, run: Run): Promise<void> {
  const { prefix } = desired;
  const tags = { [OWNER_TAG]: prefix };

  // Schemas (no status: they exist once created) and the dataset group, independent of each other.
  const schemas = await port.list('schema');
  const schemaArns = new Map<string, string>();
  for (const dataset of desired.datasets) {
    const name = names.schema(prefix, dataset.type);
    const found = schemas.find((s) => s.name === name);
    if (found) {
      schemaArns.set(dataset.type, found.arn);
      run.see(`schema:${dataset.type}`, 'schema', found);
    } else {
      const arn = await run.attempt(`create schema ${name}`, () =>
        port.create({ kind: 'schema', name, schema: dataset.schema, tags }),
      );
      if (arn) schemaArns.set(dataset.type, arn);
      run.see(`schema:${dataset.type}`, 'schema', undefined, arn ? STATUS.active : 'MISSING');
    }
  }

  const group = await findDatasetGroup(prefix, port, run);
  if (run.failures.length) return;
  if (!group) {
    await run.attempt(`create dataset group ${names.datasetGroup(prefix)}`, () =>
      port.create({ kind: 'datasetGroup', name: names.datasetGroup(prefix), tags }),
    );
    run.see('dataset-group', 'dataset group', undefined, STATUS.createPending);
    return;
  }
  run.see('dataset-group', 'dataset group', group);
  if (group.status !== STATUS.active) return;

  // Datasets, then their import jobs.
  const datasets = await port.list('dataset', group.arn);
  let importsDone = true;
  let interactionsDataset = false;
  for (const wanted of desired.datasets) {
    let imported = false;
    await run.isolate(`dataset:${wanted.type}`, async () => {
      const name = names.dataset(prefix, wanted.type);
      const dataset = datasets.find((d) => d.name === name);
      if (!dataset) {
        const schemaArn = schemaArns.get(wanted.type);
        if (schemaArn) {
          await run.attempt(`create dataset ${name}`, () =>
            port.create({ kind: 'dataset', name, parentArn: group.arn, datasetType: wanted.type, schemaArn, tags }),
          );
        }
        run.see(`dataset:${wanted.type}`, 'dataset', undefined, STATUS.createPending);
        return;
      }
      run.see(`dataset:${wanted.type}`, 'dataset', dataset);
      if (dataset.status !== STATUS.active) return;
      if (wanted.type === 'interactions') interactionsDataset = true;
      const jobName = names.importJob(prefix, wanted.type, wanted.dataLocation, dataset.createdAt);
      const job = (await port.list('datasetImportJob', dataset.arn)).find((j) => j.name === jobName);
      if (!job) {
        await run.attempt(`create import job ${jobName}`, () =>
          port.create({
            kind: 'datasetImportJob',
            name: jobName,
            parentArn: dataset.arn,
            dataLocation: wanted.dataLocation,
            roleArn: desired.personalizeRoleArn,
            tags,
          }),
        );
        run.see(`import:${wanted.type}`, 'import', undefined, STATUS.createPending);
        return;
      }
      run.see(`import:${wanted.type}`, 'import', job);
      imported = job.status === STATUS.active;
    });
    if (!imported) importsDone = false;
  }
  if (run.failures.length) return;

  // Solutions: desired ones converge; ones no longer desired are retired.
  const solutions = await port.list('solution', group.arn);
  const wantedNames = new Set(desired.solutions.map((s) => names.solution(prefix, s)));
  for (const solution of desired.solutions) {
    await run.isolate(`solution:${solution.displayName}`, () =>
      applySolution(
        desired,
        solution,
        group.arn,
        solutions,
        { datasets: interactionsDataset, imports: importsDone },
        port,
        run,
      ),
    );
  }
  for (const extra of solutions.filter((s) => !wantedNames.has(s.name))) {
    await run.isolate(`retired solution ${extra.name}`, async () => {
      await retireSolution(extra, port, run, `retired solution ${extra.name}`);
    });
  }
  run.models.sort((a, b) => a.sortOrder - b.sortOrder);
}

async function applySolution(
  desired: DesiredState,
  wanted: DesiredSolution,
  groupArn: string,
  solutions: readonly ResourceState[],
  ready: { readonly datasets: boolean; readonly imports: boolean },
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const { prefix } = desired;
  const name = names.solution(prefix, wanted);
  const label = `solution:${name.slice(prefix.length + 1)}`;
  const tags = { [OWNER_TAG]: prefix };
  const solution = solutions.find((s) => s.name === name);
  if (!solution) {
    // A solution needs its datasets; only its training needs the imported data.
    if (ready.datasets) {
      await run.attempt(`create solution ${name}`, () =>
        port.create({
          kind: 'solution',
          name,
          parentArn: groupArn,
          recipeArn: recipeArn(desired.partition, wanted.recipe),
          tags,
        }),
      );
      run.see(label, 'solution', undefined, STATUS.createPending);
    } else {
      run.see(label, 'solution', undefined, 'WAITING FOR DATASETS');
    }
    return;
  }
  run.see(label, 'solution', solution);
  if (solution.status !== STATUS.active) return;

  // Training: one FULL version, once every import is done. A failure before this deployment is
  // retried once; after, reported.
  if (!ready.imports) {
    run.see(`training:${name.slice(prefix.length + 1)}`, 'training', undefined, 'WAITING FOR IMPORTS');
    return;
  }
  const versions = await port.list('solutionVersion', solution.arn);
  let version = latest(versions.filter((v) => v.status !== STATUS.createStopped));
  if (!version || (version.status === STATUS.createFailed && version.createdAt < desired.retryFailuresBefore)) {
    await run.attempt(`train ${name}`, () => port.create({ kind: 'solutionVersion', parentArn: solution.arn, tags }));
    run.see(`training:${name.slice(prefix.length + 1)}`, 'training', undefined, STATUS.createPending);
    return;
  }
  run.see(`training:${name.slice(prefix.length + 1)}`, 'training', version);
  if (version.status !== STATUS.active) return;
  // The newest active version is the one to deploy.
  version = latest(versions.filter((v) => v.status === STATUS.active)) ?? version;

  // Campaign.
  const campaignName = names.campaign(prefix, wanted);
  const campaignLabel = `campaign:${campaignName.slice(prefix.length + 1)}`;
  const listed = (await port.list('campaign', solution.arn)).find((c) => c.name === campaignName);
  if (!listed) {
    const versionArn = version.arn;
    await run.attempt(`create campaign ${campaignName}`, () =>
      port.create({
        kind: 'campaign',
        name: campaignName,
        parentArn: solution.arn,
        solutionVersionArn: versionArn,
        minProvisionedTPS: wanted.campaignMinTps,
        tags,
      }),
    );
    run.see(campaignLabel, 'campaign', undefined, STATUS.createPending);
    return;
  }
  const campaign = (await port.describe('campaign', listed.arn)) ?? listed;
  if (campaign.status !== STATUS.active) {
    run.see(campaignLabel, 'campaign', campaign);
    return;
  }
  if (campaign.updating) {
    run.see(campaignLabel, 'campaign', campaign, 'UPDATE IN_PROGRESS');
    return;
  }
  if (campaign.minProvisionedTPS !== wanted.campaignMinTps || campaign.solutionVersionArn !== version.arn) {
    const versionArn = version.arn;
    await run.attempt(`update campaign ${campaignName} to ${wanted.campaignMinTps} TPS`, () =>
      port.updateCampaign(campaign.arn, wanted.campaignMinTps, versionArn),
    );
    run.see(campaignLabel, 'campaign', campaign, 'UPDATE PENDING');
    return;
  }
  run.see(campaignLabel, 'campaign', campaign);
  const metrics = await port.solutionMetrics(version.arn).catch((error) => {
    if (isTransient(error)) return undefined;
    throw error;
  });
  run.models.push({
    name: wanted.displayName,
    type: wanted.type,
    campaignArn: campaign.arn,
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

/** Deletes a solution's campaigns, stops its training, then deletes it. True once it is gone. */
async function retireSolution(
  solution: ResourceState,
  port: PersonalizePort,
  run: Run,
  label: string,
): Promise<boolean> {
  if (DELETING.includes(solution.status)) {
    run.see(label, 'delete', solution);
    return false;
  }
  let blocked = false;
  for (const campaign of await port.list('campaign', solution.arn)) {
    blocked = true;
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
  }
  if (CREATING.includes(solution.status)) blocked = true;
  if (blocked) {
    run.see(label, 'delete', solution, `${solution.status} (waiting)`);
    return false;
  }
  await run.attempt(`delete solution ${solution.name}`, () => port.remove('solution', solution.arn));
  run.see(label, 'delete', solution, STATUS.deletePending);
  return false;
}

function canDelete(resource: ResourceState): boolean {
  return !CREATING.includes(resource.status) && !DELETING.includes(resource.status) && !resource.updating;
}

function deletionStatus(resource: ResourceState): string {
  return DELETING.includes(resource.status) ? resource.status : `${resource.status} (deleting)`;
}

async function teardown(prefix: string, port: PersonalizePort, run: Run): Promise<void> {
  const group = await findDatasetGroup(prefix, port, run);
  if (run.failures.length) return;
  let datasetsGone = true;
  if (group) {
    run.see('dataset-group', 'delete', group, deletionStatus(group));
    if (DELETING.includes(group.status)) return;

    const solutions = await port.list('solution', group.arn);
    for (const solution of solutions) {
      await run.isolate(`solution:${solution.name}`, async () => {
        await retireSolution(solution, port, run, `solution:${solution.name}`);
      });
    }
    if (solutions.length) return;

    const trackers = await port.list('eventTracker', group.arn);
    const filters = await port.list('filter', group.arn);
    for (const [kind, resource] of [
      ...trackers.map((t) => ['eventTracker', t] as const),
      ...filters.map((f) => ['filter', f] as const),
    ]) {
      run.see(`${kind}:${resource.name}`, 'delete', resource, deletionStatus(resource));
      if (canDelete(resource))
        await run.attempt(`delete ${kind} ${resource.name}`, () => port.remove(kind, resource.arn));
    }
    if (trackers.length || filters.length) return;

    const datasets = await port.list('dataset', group.arn);
    datasetsGone = datasets.length === 0;
    for (const dataset of datasets) {
      const importing = (await port.list('datasetImportJob', dataset.arn)).some((j) => CREATING.includes(j.status));
      run.see(
        `dataset:${dataset.name}`,
        'delete',
        dataset,
        importing ? 'IMPORT IN PROGRESS (waiting)' : deletionStatus(dataset),
      );
      if (!importing && canDelete(dataset))
        await run.attempt(`delete dataset ${dataset.name}`, () => port.remove('dataset', dataset.arn));
    }
    if (!datasetsGone) return;

    if (!CREATING.includes(group.status)) {
      await run.attempt(`delete dataset group ${group.name}`, () => port.remove('datasetGroup', group.arn));
    }
    run.waiting = true;
  }

  // Schemas, once no dataset of ours uses them.
  if (datasetsGone) {
    const ours = new Set((['interactions', 'items', 'users'] as const).map((t) => names.schema(prefix, t)));
    for (const schema of (await port.list('schema')).filter((s) => ours.has(s.name))) {
      run.see(`schema:${schema.name}`, 'delete', schema, 'DELETING');
      await run.attempt(`delete schema ${schema.name}`, () => port.remove('schema', schema.arn));
    }
  }
}
