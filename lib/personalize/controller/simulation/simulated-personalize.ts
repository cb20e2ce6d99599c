/**
 * A simulated Amazon Personalize behind the same port as the SDK adapter, for the tests and the
 * presenter's rehearsal: resources go through Personalize's lifecycles on a virtual clock
 * (`store.ts`), and every call is checked against the rules of the ledger (`ledger.ts`, enforced in
 * `data-rules.ts`, `model-rules.ts` and here), each quoted from the documentation. Also: injected
 * throttling and server faults, other workshops' and attendees' resources in the same account, and
 * (when a policy is plugged in) IAM from the synthesized template (`iam.ts`).
 *
 * Every call is recorded with its outcome; a call refused by a rule carries the rule's id, so a
 * scenario can assert that the kit never had a call refused (`refusedCalls()`).
 */
import { CreateRequest, DescribedKind, PersonalizePort, ResourceKind, ResourceState, STATUS } from '../port';
import { checkDataCreate, checkUpdateDataset, dataDeleteBlocker } from './data-rules';
import { checkRealtimeCreate } from './realtime-rules';
import { API_NAME, authorizeCreate, authorized, Authorizer, LIST_ACTION } from './iam';
import {
  automaticTrainingsDue,
  checkMetrics,
  checkModelCreate,
  checkStopTraining,
  checkUpdateCampaign,
  columnsAtCreation,
  modelDeleteBlocker,
} from './model-rules';
import {
  BUSY,
  PARENT_KIND,
  PUBLISHED_DURATIONS,
  refuse,
  SimResource,
  SimStore,
  SimulatedDurations,
  SimulatedError,
} from './store';

export type { AuthorizationRequest, Authorizer } from './iam';
export { PUBLISHED_DURATIONS, QUOTAS, SimulatedError } from './store';
export type { SimulatedDurations } from './store';

export interface CallRecord {
  readonly operation: string;
  readonly at: number;
  /** `ok`, or the name of the error the call was answered with. */
  readonly outcome: 'ok' | string;
  /** The resource the call was about (deletes, updates, describes), when it has one. */
  readonly arn?: string;
  /** The ledger rule that refused it (or `iam` for an access denial). */
  readonly rule?: string;
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MINUTE = 60_000;

export class SimulatedPersonalize implements PersonalizePort {
  readonly calls: CallRecord[] = [];
  /** Decides, per call, whether it is throttled (ThrottlingException). */
  throttle: (operation: string) => boolean = () => false;
  /** Decides, per call, whether it fails with a server fault (InternalServerError). */
  serverFault: (operation: string) => boolean = () => false;
  /**
   * Runs before each call is served, with the resource it is about: a test can make things happen
   * between two calls (a resource deleted by someone else) or throw an error of its choice.
   */
  beforeCall: (operation: string, arn: string | undefined) => void = () => undefined;
  /** IAM: when set, a call it denies fails with AccessDeniedException. */
  authorize: Authorizer | undefined;
  /** Makes the next training of a solution with this name fail, with this reason. */
  readonly failTraining = new Map<string, string>();
  /** Makes the next import job into a dataset of this type (`interactions`) fail, with this reason. */
  readonly failImport = new Map<string, string>();
  /** Makes the next update of a campaign with this name fail, with this reason. */
  readonly failCampaignUpdate = new Map<string, string>();
  /** Makes the next schema replacement of a dataset of this type (`items`) fail, with this reason. */
  readonly failDatasetUpdate = new Map<string, string>();
  /** Called after a create succeeded on the service side, before it returns (crash injection). */
  afterCreate: (request: CreateRequest, arn: string) => void = () => undefined;

  private readonly store: SimStore;
  /** Import job names stay taken after their dataset is gone (rule names/import-jobs-stay). */
  private readonly retiredImportJobNames = new Set<string>();
  private sequence = 0;

  constructor(
    durations: SimulatedDurations = PUBLISHED_DURATIONS,
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {
    this.store = new SimStore(durations);
  }

  get now(): number {
    return this.store.now;
  }

  set now(value: number) {
    this.store.now = value;
  }

  advance(ms: number): void {
    this.store.now += ms;
  }

  // ------------------------------------------------------------------ port

  async list(kind: ResourceKind, parentArn?: string): Promise<ResourceState[]> {
    return this.serve(`list ${kind}`, parentArn, () => {
      authorized(this.authorize, `personalize:${LIST_ACTION[kind]}`, ['*']);
      if (parentArn !== undefined) {
        const parent = this.store.get(parentArn);
        if (!parent || parent.kind !== PARENT_KIND[kind]) throw refuse('read/not-found', `${parentArn} does not exist`);
      }
      return this.store
        .live()
        .filter((r) => r.kind === kind && (parentArn === undefined || r.parentArn === parentArn))
        .map((r) => this.store.view(r, false));
    });
  }

  async describe(kind: DescribedKind, arn: string): Promise<ResourceState | undefined> {
    return this.serve(`describe ${kind}`, arn, () => {
      authorized(this.authorize, `personalize:Describe${API_NAME[kind]}`, [arn]);
      const resource = this.existing(kind, arn);
      return this.store.view(resource, true);
    });
  }

  async create(request: CreateRequest): Promise<string> {
    return this.serve(`create ${request.kind}`, request.parentArn, () => this.createNow(request));
  }

  async remove(kind: ResourceKind, arn: string): Promise<void> {
    return this.serve(`delete ${kind}`, arn, () => {
      authorized(this.authorize, `personalize:Delete${API_NAME[kind]}`, [arn]);
      const resource = this.existing(kind, arn);
      const status = this.store.status(resource);
      if (resource.deleteRequestedAt !== undefined || BUSY.includes(status) || this.store.updating(resource)) {
        const what = this.store.updating(resource) ? 'being updated' : status;
        throw refuse('delete/not-while-changing', `${arn} is ${what}`);
      }
      const blocker = dataDeleteBlocker(this.store, resource) ?? modelDeleteBlocker(this.store, resource);
      if (blocker) throw refuse(blocker.rule, `${arn}: ${blocker.why}`);
      if (kind === 'schema') {
        this.store.resources.delete(arn); // schemas go at once
        return;
      }
      resource.deleteRequestedAt = this.now;
    });
  }

  async stopTraining(arn: string): Promise<void> {
    return this.serve('stop training', arn, () => {
      authorized(this.authorize, 'personalize:StopSolutionVersionCreation', [arn]);
      const version = this.existing('solutionVersion', arn);
      checkStopTraining(this.store, version);
      version.stopRequestedAt = this.now;
    });
  }

  async updateCampaign(arn: string, minProvisionedTPS: number, solutionVersionArn: string): Promise<void> {
    return this.serve('update campaign', arn, () => {
      authorized(this.authorize, 'personalize:UpdateCampaign', [arn]);
      const campaign = this.existing('campaign', arn);
      checkUpdateCampaign(this.store, campaign, solutionVersionArn, minProvisionedTPS);
      const failure = this.failCampaignUpdate.get(campaign.name);
      if (failure !== undefined) this.failCampaignUpdate.delete(campaign.name);
      campaign.update = {
        createdAt: this.now,
        readyAt: this.now + this.store.durations.campaignUpdate,
        minProvisionedTPS,
        solutionVersionArn,
        ...(failure !== undefined ? { failureReason: failure } : {}),
      };
    });
  }

  async updateDataset(datasetArn: string, schemaArn: string): Promise<void> {
    return this.serve('update dataset', datasetArn, () => {
      authorized(this.authorize, 'personalize:UpdateDataset', [datasetArn]);
      const dataset = this.existing('dataset', datasetArn);
      const schema = this.existing('schema', schemaArn);
      checkUpdateDataset(this.store, dataset, schema);
      const failure = this.failDatasetUpdate.get(dataset.datasetType ?? '');
      if (failure !== undefined) this.failDatasetUpdate.delete(dataset.datasetType ?? '');
      dataset.update = {
        createdAt: this.now,
        readyAt: this.now + this.store.durations.datasetUpdate,
        schemaArn,
        ...(failure !== undefined ? { failureReason: failure } : {}),
      };
    });
  }

  async solutionMetrics(arn: string): Promise<Record<string, number>> {
    return this.serve('get solution metrics', arn, () => {
      authorized(this.authorize, 'personalize:GetSolutionMetrics', [arn]);
      checkMetrics(this.store, this.existing('solutionVersion', arn));
      return {
        coverage: 0.31,
        precision_at_5: 0.12,
        precision_at_10: 0.1,
        normalized_discounted_cumulative_gain_at_10: 0.21,
        mean_reciprocal_rank_at_25: 0.27,
      };
    });
  }

  async tags(arn: string): Promise<Record<string, string>> {
    return this.serve('list tags', arn, () => {
      authorized(this.authorize, 'personalize:ListTagsForResource', [arn]);
      const resource = this.store.get(arn);
      if (!resource) throw refuse('read/not-found', `${arn} does not exist`);
      return { ...resource.tags };
    });
  }

  // ------------------------------------------------------------------ inspection for tests

  /** Every resource that exists now (deleting ones included). */
  snapshot(): ResourceState[] {
    return this.store.live().map((r) => this.store.view(r, true));
  }

  /** Calls refused by a rule of the ledger or by IAM (not throttling, faults or a test's own errors). */
  refusedCalls(): CallRecord[] {
    return this.calls.filter((c) => c.rule !== undefined);
  }

  /** Whether anything is on its way to another state: the next read may differ from the last. */
  busy(): boolean {
    return this.store.busy();
  }

  /** The dataset columns a solution version trained on (rule solution/new-columns-excluded). */
  trainingColumns(versionArn: string): readonly string[] {
    return this.store.resources.get(versionArn)?.columns ?? [];
  }

  /** A campaign's status and its solution's recipe, for the simulated runtime (`runtime.ts`). */
  campaignRecipe(campaignArn: string): { readonly status: string; readonly recipe?: string } | undefined {
    const campaign = this.store.get(campaignArn);
    if (!campaign || campaign.kind !== 'campaign') return undefined;
    return { status: this.store.status(campaign), recipe: this.store.get(campaign.parentArn)?.recipe };
  }

  /** A campaign's dataset group, for the simulated runtime's filters. */
  campaignGroup(campaignArn: string): string | undefined {
    const campaign = this.store.get(campaignArn);
    return campaign ? this.store.groupOf(campaign)?.arn : undefined;
  }

  /** A filter's status, group and expression, for the simulated runtime (`runtime.ts`). */
  filterOf(
    filterArn: string,
  ): { readonly status: string; readonly groupArn?: string; readonly expression: string } | undefined {
    const filter = this.store.get(filterArn);
    if (!filter || filter.kind !== 'filter' || !this.store.exists(filter)) return undefined;
    return { status: this.store.status(filter), groupArn: filter.parentArn, expression: filter.filterExpression ?? '' };
  }

  /** The event tracker a tracking id belongs to, for the simulated PutEvents (`events.ts`). */
  trackerOf(trackingId: string): { readonly status: string; readonly groupArn?: string } | undefined {
    const tracker = this.store.live().find((r) => r.kind === 'eventTracker' && r.trackingId === trackingId);
    return tracker ? { status: this.store.status(tracker), groupArn: tracker.parentArn } : undefined;
  }

  /** Solution versions the service created by itself (rule solution/auto-training). */
  automaticVersions(): ResourceState[] {
    this.trainAutomatically();
    return this.store
      .live()
      .filter((r) => r.automatic)
      .map((r) => this.store.view(r, false));
  }

  /**
   * Adds a resource as if another party had created it (other workshops, an attendee's solution
   * made in the console), bypassing quotas, IAM and faults.
   */
  seed(request: CreateRequest, status: 'ACTIVE' | 'CREATING' = 'ACTIVE'): string {
    const parent = this.store.get(request.parentArn);
    const arn = this.arnFor(request.kind, request.name ?? '', parent, request.datasetType);
    this.store.resources.set(arn, {
      kind: request.kind,
      arn,
      name: request.name ?? '',
      parentArn: request.parentArn,
      createdAt: status === 'ACTIVE' ? this.now - this.store.durations.pending : this.now,
      readyAt: status === 'ACTIVE' ? this.now : this.now + 60 * MINUTE,
      tags: { ...(request.tags ?? {}) },
      datasetType: request.datasetType,
      schemaArn: request.schemaArn,
      ...(request.schema !== undefined ? { schema: request.schema } : {}),
      recipe: request.recipeArn?.split('/').pop(),
      solutionVersionArn: request.solutionVersionArn,
      minProvisionedTPS: request.minProvisionedTPS,
      // Others' solutions train on their own only when a test says so (the API default is true).
      ...(request.kind === 'solution' ? { autoTraining: request.performAutoTraining ?? false } : {}),
    });
    return arn;
  }

  /**
   * Adds a filter, event tracker or metric attribution to a dataset group, or a batch job to a
   * solution version (what an attendee might do by hand). A batch job runs for `runningFor` ms.
   */
  seedChild(
    kind: 'filter' | 'eventTracker' | 'metricAttribution' | 'batchInferenceJob' | 'batchSegmentJob',
    name: string,
    parentArn: string,
    runningFor = 0,
  ): string {
    const arn = this.arnFor(kind, name, this.store.get(parentArn));
    this.store.resources.set(arn, {
      kind,
      arn,
      name,
      parentArn,
      createdAt: this.now - this.store.durations.pending,
      readyAt: this.now + runningFor,
      tags: {},
      ...(kind === 'eventTracker' ? { trackingId: `seeded-${name}` } : {}),
    });
    return arn;
  }

  /** Removes a resource (and what lives under it) at once, as if someone deleted it by hand. */
  vanish(arn: string): void {
    this.store.vanish(arn);
  }

  // ------------------------------------------------------------------ internals

  /** Records the call and its outcome; throttling, faults and the test's hook come first. */
  private serve<T>(operation: string, arn: string | undefined, work: () => T): T {
    const record = (outcome: string, rule?: string) =>
      this.calls.push({ operation, at: this.now, outcome, ...(arn ? { arn } : {}), ...(rule ? { rule } : {}) });
    this.trainAutomatically();
    if (this.throttle(operation)) {
      record('ThrottlingException');
      throw new SimulatedError('ThrottlingException', 'Rate exceeded');
    }
    if (this.serverFault(operation)) {
      record('InternalServerError');
      throw new SimulatedError('InternalServerError', 'We encountered an internal error', 'server');
    }
    try {
      this.beforeCall(operation, arn);
      const result = work();
      record('ok');
      return result;
    } catch (error) {
      const name = (error as Error).name;
      record(name, (error as SimulatedError).rule ?? (name === 'AccessDeniedException' ? 'iam' : undefined));
      throw error;
    }
  }

  /** A resource of this kind that exists, or ResourceNotFoundException. */
  private existing(kind: ResourceKind, arn: string): SimResource {
    const resource = this.store.get(arn);
    if (!resource || resource.kind !== kind) throw refuse('read/not-found', `${arn} does not exist`);
    return resource;
  }

  /** The versions the service trains by itself, created when they fall due. */
  private trainAutomatically(): void {
    for (const { solution, at } of automaticTrainingsDue(this.store)) {
      const arn = this.arnFor('solutionVersion', '', solution);
      this.store.resources.set(arn, {
        kind: 'solutionVersion',
        arn,
        name: '',
        parentArn: solution.arn,
        createdAt: at,
        readyAt: at + this.store.durations.pending + this.trainingDuration(solution),
        tags: {},
        automatic: true,
        columns: solution.columns ?? [],
      });
    }
  }

  private trainingDuration(solution: SimResource): number {
    const training = this.store.durations.training;
    return training[solution.recipe ?? 'default'] ?? training.default;
  }

  private checkName(request: CreateRequest): void {
    if (request.kind === 'solutionVersion') return;
    const name = request.name ?? '';
    if (!NAME_PATTERN.test(name) || name.length > 63)
      throw refuse('names/pattern', `name ${name} must match ${NAME_PATTERN} and be at most 63 characters`);
    if (request.kind === 'datasetImportJob' && this.retiredImportJobNames.has(name))
      throw refuse('names/import-jobs-stay', `import job name ${name} is taken`);
    if (this.store.live().some((r) => r.kind === request.kind && r.name === name))
      throw refuse('names/unique', `${request.kind} ${name} already exists`);
  }

  private checkTags(tags: Readonly<Record<string, string>> | undefined): void {
    const entries = Object.entries(tags ?? {});
    const bad = entries.find(
      ([key, value]) =>
        key.length < 1 ||
        key.length > 128 ||
        value.length > 256 ||
        !TAG_TEXT.test(key) ||
        !TAG_TEXT.test(value) ||
        key.toLowerCase().startsWith('aws:'),
    );
    if (entries.length > 50 || bad)
      throw refuse('tags/limits', bad ? `tag ${bad[0]}=${bad[1]} is not allowed` : `${entries.length} tags`);
  }

  private createNow(request: CreateRequest): string {
    const name = request.name ?? '';
    const parent = this.store.get(request.parentArn);
    const arn = this.arnFor(request.kind, name, parent, request.datasetType);
    // IAM first, as AWS does.
    authorizeCreate(this.authorize, request, arn, this.store.get(request.solutionVersionArn)?.parentArn);
    this.checkName(request);
    this.checkTags(request.tags);
    if (request.parentArn !== undefined && !parent)
      throw refuse('read/not-found', `${request.parentArn} does not exist`);
    if (parent && (this.store.status(parent) !== STATUS.active || parent.deleteRequestedAt !== undefined))
      throw refuse('create/parent-active', `${parent.arn} is ${this.store.status(parent)}`);
    checkDataCreate(this.store, request, parent);
    checkModelCreate(this.store, request, parent);
    checkRealtimeCreate(this.store, request, parent);

    const d = this.store.durations;
    const resource: SimResource = {
      kind: request.kind,
      arn,
      name,
      parentArn: request.parentArn,
      createdAt: this.now,
      readyAt: this.now,
      tags: { ...(request.tags ?? {}) },
    };
    let duration = d.dataset;
    switch (request.kind) {
      case 'datasetGroup':
        duration = d.datasetGroup;
        break;
      case 'schema':
        resource.schema = request.schema;
        break;
      case 'dataset':
        resource.schemaArn = request.schemaArn;
        resource.datasetType = request.datasetType;
        break;
      case 'datasetImportJob': {
        resource.dataLocation = request.dataLocation;
        duration = d.importJob;
        const failure = parent?.datasetType ? this.failImport.get(parent.datasetType) : undefined;
        if (failure !== undefined && parent?.datasetType) {
          resource.failureReason = failure;
          this.failImport.delete(parent.datasetType);
        }
        break;
      }
      case 'solution':
        resource.recipe = request.recipeArn?.split('/').pop();
        resource.autoTraining = request.performAutoTraining ?? true;
        resource.columns = columnsAtCreation(this.store, parent?.arn ?? '');
        duration = d.solution;
        break;
      case 'solutionVersion': {
        duration = parent ? this.trainingDuration(parent) : d.training.default;
        resource.columns = parent?.columns ?? [];
        const failure = parent ? this.failTraining.get(parent.name) : undefined;
        if (failure !== undefined && parent) {
          resource.failureReason = failure;
          this.failTraining.delete(parent.name);
        }
        break;
      }
      case 'campaign':
        resource.solutionVersionArn = request.solutionVersionArn;
        resource.minProvisionedTPS = request.minProvisionedTPS ?? 1;
        duration = d.campaign;
        break;
      case 'filter':
        resource.filterExpression = request.filterExpression;
        break;
      case 'eventTracker':
        resource.trackingId = `${(++this.sequence).toString(16).padStart(8, '0')}-${this.account.slice(-4)}`;
        break;
    }
    resource.readyAt = this.now + (request.kind === 'schema' ? 0 : d.pending + duration);
    this.store.resources.set(arn, resource);
    if (request.kind === 'datasetImportJob') this.retiredImportJobNames.add(name);
    this.afterCreate(request, arn);
    return arn;
  }

  /** Personalize's ARN formats (datasets are named by their group and type, versions by their solution). */
  private arnFor(kind: ResourceKind, name: string, parent: SimResource | undefined, datasetType?: string): string {
    const base = `arn:aws:personalize:${this.region}:${this.account}`;
    const id = () => (++this.sequence).toString(16).padStart(8, '0');
    switch (kind) {
      case 'datasetGroup':
        return `${base}:dataset-group/${name}`;
      case 'schema':
        return `${base}:schema/${name}`;
      case 'dataset':
        return `${base}:dataset/${parent?.name}/${(datasetType ?? name).toUpperCase()}`;
      case 'datasetImportJob':
        return `${base}:dataset-import-job/${name}`;
      case 'solution':
        return `${base}:solution/${name}`;
      case 'solutionVersion':
        return `${base}:solution/${parent?.name}/${id()}`;
      case 'campaign':
        return `${base}:campaign/${name}`;
      case 'filter':
        return `${base}:filter/${name}`;
      case 'eventTracker':
        return `${base}:event-tracker/${id()}`;
      case 'metricAttribution':
        return `${base}:metric-attribution/${name}`;
      case 'batchInferenceJob':
        return `${base}:batch-inference-job/${name}`;
      case 'batchSegmentJob':
        return `${base}:batch-segment-job/${name}`;
    }
  }
}
