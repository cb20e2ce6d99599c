/**
 * A simulated Amazon Personalize behind the same port as the SDK adapter, for the tests and the
 * makespan script: resources go through Personalize's lifecycles on a virtual clock
 * (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE or CREATE FAILED; DELETE PENDING -> gone), with
 * the default quotas, ResourceInUseException for premature deletes, ResourceAlreadyExistsException,
 * name validation, injected throttling and server faults, other workshops' and attendees'
 * resources in the same account, and (when a policy is plugged in) IAM: every call is authorized
 * against the actions and resource ARNs the Service Authorization Reference lists for it
 * ("Actions, resources, and condition keys for Amazon Personalize"), so a grant missing from the
 * template fails a test with AccessDeniedException, as it would fail a workshop.
 *
 * It is meant to be at least as strict as the service: where the documentation leaves a case open
 * (a list under a parent that no longer exists), it answers with the error.
 */
import { CreateRequest, LatestUpdate, PersonalizePort, ResourceKind, ResourceState, STATUS } from './port';

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

export const QUOTAS = {
  activeDatasetGroups: 5,
  importJobsInProgress: 5,
  trainingsInProgress: 20,
  campaignsPerDatasetGroup: 5,
};

/** The IAM action and the resource ARNs one call is authorized against. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  /** Request context keys, e.g. `iam:PassedToService`. */
  readonly context?: Readonly<Record<string, string>>;
}

/** Answers why a request is denied, or undefined when it is allowed. */
export type Authorizer = (request: AuthorizationRequest) => string | undefined;

interface SimResource {
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
  schemaArn?: string;
  datasetType?: string;
  solutionVersionArn?: string;
  minProvisionedTPS?: number;
  /** Campaign and dataset updates: the newest, in progress or finished. */
  update?: SimUpdate;
}

interface SimUpdate {
  readonly createdAt: number;
  readonly readyAt: number;
  readonly failureReason?: string;
  readonly minProvisionedTPS?: number;
  readonly solutionVersionArn?: string;
  readonly schemaArn?: string;
  applied?: boolean;
}

export class SimulatedError extends Error {
  readonly $fault: 'client' | 'server';
  constructor(name: string, message: string, fault: 'client' | 'server' = 'client') {
    super(message);
    this.name = name;
    this.$fault = fault;
  }
}

export interface CallRecord {
  readonly operation: string;
  readonly at: number;
  /** `ok`, or the name of the error the call was answered with. */
  readonly outcome: 'ok' | string;
  /** The resource the call was about (deletes, updates, describes), when it has one. */
  readonly arn?: string;
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;
const CREATING: readonly string[] = [STATUS.createPending, STATUS.createInProgress];
const BUSY: readonly string[] = [STATUS.createPending, STATUS.createInProgress, STATUS.createStopping];

/** Each kind's parent kind (for lists and ARNs). */
const PARENT_KIND: Partial<Record<ResourceKind, ResourceKind>> = {
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

/** IAM action names of the calls, by kind. */
const API_NAME: Record<ResourceKind, string> = {
  datasetGroup: 'DatasetGroup',
  schema: 'Schema',
  dataset: 'Dataset',
  datasetImportJob: 'DatasetImportJob',
  solution: 'Solution',
  solutionVersion: 'SolutionVersion',
  campaign: 'Campaign',
  filter: 'Filter',
  eventTracker: 'EventTracker',
  metricAttribution: 'MetricAttribution',
  batchInferenceJob: 'BatchInferenceJob',
  batchSegmentJob: 'BatchSegmentJob',
};

const LIST_ACTION: Record<ResourceKind, string> = {
  datasetGroup: 'ListDatasetGroups',
  schema: 'ListSchemas',
  dataset: 'ListDatasets',
  datasetImportJob: 'ListDatasetImportJobs',
  solution: 'ListSolutions',
  solutionVersion: 'ListSolutionVersions',
  campaign: 'ListCampaigns',
  filter: 'ListFilters',
  eventTracker: 'ListEventTrackers',
  metricAttribution: 'ListMetricAttributions',
  batchInferenceJob: 'ListBatchInferenceJobs',
  batchSegmentJob: 'ListBatchSegmentJobs',
};

export class SimulatedPersonalize implements PersonalizePort {
  now = 0;
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
  /** Called after a create succeeded on the service side, before it returns (crash injection). */
  afterCreate: (request: CreateRequest, arn: string) => void = () => undefined;

  private readonly resources = new Map<string, SimResource>();
  /**
   * Import job names stay taken after their dataset is gone (they cannot be deleted on their own;
   * the conservative reading of "unique within the account").
   */
  private readonly retiredImportJobNames = new Set<string>();
  private sequence = 0;

  constructor(
    private readonly durations: SimulatedDurations = PUBLISHED_DURATIONS,
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {}

  advance(ms: number): void {
    this.now += ms;
  }

  // ------------------------------------------------------------------ port

  async list(kind: ResourceKind, parentArn?: string): Promise<ResourceState[]> {
    return this.serve(`list ${kind}`, parentArn, () => {
      this.authorized(`personalize:${LIST_ACTION[kind]}`, ['*']);
      if (parentArn !== undefined) {
        const parent = this.resources.get(parentArn);
        if (!parent || !this.exists(parent) || parent.kind !== PARENT_KIND[kind])
          throw new SimulatedError('ResourceNotFoundException', `${parentArn} does not exist`);
      }
      return this.live()
        .filter((r) => r.kind === kind && (parentArn === undefined || r.parentArn === parentArn))
        .map((r) => this.view(r, false));
    });
  }

  async describe(kind: 'campaign' | 'dataset', arn: string): Promise<ResourceState | undefined> {
    return this.serve(`describe ${kind}`, arn, () => {
      this.authorized(`personalize:Describe${API_NAME[kind]}`, [arn]);
      const resource = this.resources.get(arn);
      if (!resource || resource.kind !== kind || !this.exists(resource))
        throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
      return this.view(resource, true);
    });
  }

  async create(request: CreateRequest): Promise<string> {
    return this.serve(`create ${request.kind}`, request.parentArn, () => this.createNow(request));
  }

  async remove(kind: ResourceKind, arn: string): Promise<void> {
    return this.serve(`delete ${kind}`, arn, () => {
      this.authorized(`personalize:Delete${API_NAME[kind]}`, [arn]);
      const resource = this.resources.get(arn);
      if (!resource || resource.kind !== kind || !this.exists(resource))
        throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
      const status = this.status(resource);
      if (resource.deleteRequestedAt !== undefined)
        throw new SimulatedError('ResourceInUseException', `${arn} is ${status}`);
      if (BUSY.includes(status) || this.updating(resource)) {
        throw new SimulatedError(
          'ResourceInUseException',
          `${arn} is ${this.updating(resource) ? 'UPDATE IN_PROGRESS' : status}`,
        );
      }
      const blocker = this.live().find((other) => this.blocks(other, resource));
      if (blocker)
        throw new SimulatedError(
          'ResourceInUseException',
          `${arn} is in use by ${blocker.arn} (${this.status(blocker)})`,
        );
      if (kind === 'schema') {
        this.resources.delete(arn); // schemas go at once
        return;
      }
      resource.deleteRequestedAt = this.now;
    });
  }

  async stopTraining(arn: string): Promise<void> {
    return this.serve('stop training', arn, () => {
      // Solution versions authorize as their solution (there is no solution version resource type).
      this.authorized('personalize:StopSolutionVersionCreation', [arn]);
      const version = this.resources.get(arn);
      if (!version || version.kind !== 'solutionVersion' || !this.exists(version))
        throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
      const status = this.status(version);
      if (!CREATING.includes(status)) throw new SimulatedError('ResourceInUseException', `${arn} is ${status}`);
      version.stopRequestedAt = this.now;
    });
  }

  async updateCampaign(arn: string, minProvisionedTPS: number, solutionVersionArn: string): Promise<void> {
    return this.serve('update campaign', arn, () => {
      this.authorized('personalize:UpdateCampaign', [arn]);
      const campaign = this.resources.get(arn);
      if (!campaign || campaign.kind !== 'campaign' || !this.exists(campaign))
        throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
      if (this.status(campaign) !== STATUS.active || this.updating(campaign))
        throw new SimulatedError('ResourceInUseException', `${arn} is busy`);
      const version = this.resources.get(solutionVersionArn);
      if (!version || !this.exists(version) || this.status(version) !== STATUS.active)
        throw new SimulatedError('ResourceInUseException', `solution version ${solutionVersionArn} is not ACTIVE`);
      const failure = this.failCampaignUpdate.get(campaign.name);
      if (failure !== undefined) this.failCampaignUpdate.delete(campaign.name);
      campaign.update = {
        createdAt: this.now,
        readyAt: this.now + this.durations.campaignUpdate,
        minProvisionedTPS,
        solutionVersionArn,
        ...(failure !== undefined ? { failureReason: failure } : {}),
      };
    });
  }

  async updateDataset(datasetArn: string, schemaArn: string): Promise<void> {
    return this.serve('update dataset', datasetArn, () => {
      this.authorized('personalize:UpdateDataset', [datasetArn]);
      const dataset = this.resources.get(datasetArn);
      if (!dataset || dataset.kind !== 'dataset' || !this.exists(dataset))
        throw new SimulatedError('ResourceNotFoundException', `${datasetArn} does not exist`);
      const schema = this.resources.get(schemaArn);
      if (!schema || schema.kind !== 'schema') throw new SimulatedError('ResourceNotFoundException', `${schemaArn}`);
      if (this.status(dataset) !== STATUS.active || this.updating(dataset) || this.importing(dataset))
        throw new SimulatedError('ResourceInUseException', `${datasetArn} is busy`);
      dataset.update = { createdAt: this.now, readyAt: this.now + this.durations.datasetUpdate, schemaArn };
    });
  }

  async solutionMetrics(arn: string): Promise<Record<string, number>> {
    return this.serve('get solution metrics', arn, () => {
      this.authorized('personalize:GetSolutionMetrics', [arn]);
      const version = this.resources.get(arn);
      if (!version || !this.exists(version)) throw new SimulatedError('ResourceNotFoundException', `${arn}`);
      if (this.status(version) !== STATUS.active)
        throw new SimulatedError('ResourceInUseException', `${arn} is not ACTIVE`);
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
      this.authorized('personalize:ListTagsForResource', [arn]);
      const resource = this.resources.get(arn);
      if (!resource || !this.exists(resource))
        throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
      return { ...resource.tags };
    });
  }

  // ------------------------------------------------------------------ inspection for tests

  /** Every resource that exists now (deleting ones included). */
  snapshot(): ResourceState[] {
    return this.live().map((r) => this.view(r, true));
  }

  /** Calls the service refused (anything but throttling, server faults and injected errors). */
  refusedCalls(): CallRecord[] {
    return this.calls.filter(
      (c) => c.outcome !== 'ok' && c.outcome !== 'ThrottlingException' && c.outcome !== 'InternalServerError',
    );
  }

  /**
   * Adds a resource as if another party had created it (other workshops, an attendee's solution
   * made in the console), bypassing quotas, IAM and faults.
   */
  seed(request: CreateRequest, status: 'ACTIVE' | 'CREATING' = 'ACTIVE'): string {
    const parent = request.parentArn ? this.resources.get(request.parentArn) : undefined;
    const arn = this.arnFor(request.kind, request.name ?? '', parent, request.datasetType);
    this.resources.set(arn, {
      kind: request.kind,
      arn,
      name: request.name ?? '',
      parentArn: request.parentArn,
      createdAt: status === 'ACTIVE' ? this.now - this.durations.pending : this.now,
      readyAt: status === 'ACTIVE' ? this.now : this.now + 60 * MINUTE,
      tags: { ...(request.tags ?? {}) },
      datasetType: request.datasetType,
      schemaArn: request.schemaArn,
      recipe: request.recipeArn?.split('/').pop(),
      solutionVersionArn: request.solutionVersionArn,
      minProvisionedTPS: request.minProvisionedTPS,
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
    const arn = this.arnFor(kind, name, this.resources.get(parentArn));
    this.resources.set(arn, {
      kind,
      arn,
      name,
      parentArn,
      createdAt: this.now - this.durations.pending,
      readyAt: this.now + runningFor,
      tags: {},
    });
    return arn;
  }

  /** Removes a resource (and what lives under it) at once, as if someone deleted it by hand. */
  vanish(arn: string): void {
    this.resources.delete(arn);
    for (const child of [...this.resources.values()]) if (child.parentArn === arn) this.vanish(child.arn);
  }

  // ------------------------------------------------------------------ internals

  /** Records the call and its outcome; throttling, faults and the test's hook come first. */
  private serve<T>(operation: string, arn: string | undefined, work: () => T): T {
    const record = (outcome: string) => this.calls.push({ operation, at: this.now, outcome, ...(arn ? { arn } : {}) });
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
      record((error as Error).name);
      throw error;
    }
  }

  private authorized(action: string, resources: readonly string[], context?: Record<string, string>): void {
    if (!this.authorize) return;
    for (const resource of resources) {
      const denied = this.authorize({ action, resource, ...(context ? { context } : {}) });
      if (denied !== undefined) {
        throw new SimulatedError(
          'AccessDeniedException',
          `User is not authorized to perform: ${action} on resource: ${resource} (${denied})`,
        );
      }
    }
  }

  private createNow(request: CreateRequest): string {
    const name = request.name ?? '';
    const parent = request.parentArn ? this.resources.get(request.parentArn) : undefined;
    const arn = this.arnFor(request.kind, name, parent, request.datasetType);
    // IAM first, as AWS does: the resources the Service Authorization Reference lists per action.
    const action = `personalize:Create${API_NAME[request.kind]}`;
    switch (request.kind) {
      case 'dataset':
      case 'solution':
        this.authorized(action, [arn, request.parentArn ?? '']);
        break;
      case 'datasetImportJob':
        this.authorized(action, [arn, request.parentArn ?? '']);
        this.authorized('iam:PassRole', [request.roleArn ?? ''], {
          'iam:PassedToService': 'personalize.amazonaws.com',
        });
        break;
      case 'solutionVersion':
        this.authorized(action, [request.parentArn ?? '']);
        break;
      case 'campaign':
        this.authorized(action, [arn, this.resources.get(request.solutionVersionArn ?? '')?.parentArn ?? '']);
        break;
      default:
        this.authorized(action, [arn]);
    }
    if (request.tags && Object.keys(request.tags).length && request.kind !== 'schema')
      this.authorized('personalize:TagResource', [
        request.kind === 'solutionVersion' ? (request.parentArn ?? '') : arn,
      ]);

    if (request.kind !== 'solutionVersion') {
      if (!NAME_PATTERN.test(name) || name.length > 63) {
        throw new SimulatedError(
          'InvalidInputException',
          `name ${name} must match ${NAME_PATTERN} and be at most 63 characters`,
        );
      }
      const retired = request.kind === 'datasetImportJob' && this.retiredImportJobNames.has(name);
      if (retired || this.live().some((r) => r.kind === request.kind && r.name === name)) {
        throw new SimulatedError('ResourceAlreadyExistsException', `${request.kind} ${name} already exists`);
      }
    }
    if (request.parentArn && (!parent || !this.exists(parent))) {
      throw new SimulatedError('ResourceNotFoundException', `${request.parentArn} does not exist`);
    }
    if (parent && (this.status(parent) !== STATUS.active || parent.deleteRequestedAt !== undefined)) {
      throw new SimulatedError('ResourceInUseException', `${parent.arn} is ${this.status(parent)}`);
    }
    const d = this.durations;
    let duration = d.dataset;
    const resource: Partial<SimResource> = {};
    switch (request.kind) {
      case 'datasetGroup': {
        const active = this.live().filter((r) => r.kind === 'datasetGroup').length;
        if (active >= QUOTAS.activeDatasetGroups) throw this.limit('active dataset groups', QUOTAS.activeDatasetGroups);
        duration = d.datasetGroup;
        break;
      }
      case 'schema':
        duration = 0;
        break;
      case 'dataset': {
        const schema = request.schemaArn ? this.resources.get(request.schemaArn) : undefined;
        if (!schema || !this.exists(schema))
          throw new SimulatedError('ResourceNotFoundException', `schema ${request.schemaArn} does not exist`);
        if (
          this.live().some(
            (r) => r.kind === 'dataset' && r.parentArn === parent?.arn && r.datasetType === request.datasetType,
          )
        )
          throw new SimulatedError(
            'ResourceAlreadyExistsException',
            `the group already has a ${request.datasetType} dataset`,
          );
        resource.schemaArn = schema.arn;
        resource.datasetType = request.datasetType;
        break;
      }
      case 'datasetImportJob': {
        if (this.inProgress('datasetImportJob') >= QUOTAS.importJobsInProgress)
          throw this.limit('import jobs in progress', QUOTAS.importJobsInProgress);
        if (parent && (this.importing(parent) || this.updating(parent)))
          throw new SimulatedError('ResourceInUseException', `${parent.arn} has an import or update in progress`);
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
        if (
          !this.live().some(
            (r) => r.kind === 'dataset' && r.parentArn === parent?.arn && r.datasetType === 'interactions',
          )
        )
          throw new SimulatedError('InvalidInputException', 'the dataset group has no interactions dataset');
        resource.recipe = request.recipeArn?.split('/').pop();
        duration = d.solution;
        break;
      case 'solutionVersion': {
        if (this.inProgress('solutionVersion') >= QUOTAS.trainingsInProgress)
          throw this.limit('solution versions in training', QUOTAS.trainingsInProgress);
        const groupArn = parent?.parentArn;
        const datasets = this.live().filter((r) => r.kind === 'dataset' && r.parentArn === groupArn);
        if (datasets.some((ds) => this.importing(ds) || this.updating(ds) || ds.deleteRequestedAt !== undefined))
          throw new SimulatedError(
            'ResourceInUseException',
            'a dataset of the group is being imported, updated or deleted',
          );
        const interactions = datasets.find((r) => r.datasetType === 'interactions');
        const imported =
          interactions &&
          this.live().some(
            (j) =>
              j.kind === 'datasetImportJob' && j.parentArn === interactions.arn && this.status(j) === STATUS.active,
          );
        if (!imported)
          throw new SimulatedError('InvalidInputException', 'the dataset group has no imported interactions');
        const recipe = parent?.recipe ?? 'default';
        duration = d.training[recipe] ?? d.training.default;
        const failure = parent ? this.failTraining.get(parent.name) : undefined;
        if (failure !== undefined && parent) {
          resource.failureReason = failure;
          this.failTraining.delete(parent.name);
        }
        break;
      }
      case 'campaign': {
        const groupArn = parent?.parentArn;
        const inGroup = this.live().filter(
          (c) => c.kind === 'campaign' && this.resources.get(c.parentArn ?? '')?.parentArn === groupArn,
        );
        if (inGroup.length >= QUOTAS.campaignsPerDatasetGroup)
          throw this.limit('campaigns per dataset group', QUOTAS.campaignsPerDatasetGroup);
        const version = request.solutionVersionArn ? this.resources.get(request.solutionVersionArn) : undefined;
        if (!version || this.status(version) !== STATUS.active) {
          throw new SimulatedError(
            'ResourceInUseException',
            `solution version ${request.solutionVersionArn} is not ACTIVE`,
          );
        }
        resource.solutionVersionArn = version.arn;
        resource.minProvisionedTPS = request.minProvisionedTPS ?? 1;
        duration = d.campaign;
        break;
      }
    }
    this.resources.set(arn, {
      ...resource,
      kind: request.kind,
      arn,
      name,
      parentArn: request.parentArn,
      createdAt: this.now,
      readyAt: this.now + (request.kind === 'schema' ? 0 : d.pending) + duration,
      tags: { ...(request.tags ?? {}) },
    } as SimResource);
    if (request.kind === 'datasetImportJob') this.retiredImportJobNames.add(name);
    this.afterCreate(request, arn);
    return arn;
  }

  private limit(what: string, quota: number): SimulatedError {
    return new SimulatedError('LimitExceededException', `quota of ${quota} ${what} reached`);
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

  /** Whether `other` keeps `resource` from being deleted. */
  private blocks(other: SimResource, resource: SimResource): boolean {
    const status = this.status(other);
    switch (resource.kind) {
      case 'datasetGroup':
        return other.parentArn === resource.arn; // datasets, solutions, filters, trackers, attributions
      case 'schema':
        return other.kind === 'dataset' && other.schemaArn === resource.arn;
      case 'dataset': {
        // "You can't delete a dataset if an associated DatasetImportJob or SolutionVersion is in
        // the CREATE PENDING or IN PROGRESS state" (DeleteDataset, API reference).
        if (other.kind === 'datasetImportJob') return other.parentArn === resource.arn && CREATING.includes(status);
        if (other.kind !== 'solutionVersion' || !BUSY.includes(status)) return false;
        return this.resources.get(other.parentArn ?? '')?.parentArn === resource.parentArn;
      }
      case 'solution':
        if (other.parentArn === resource.arn)
          return other.kind === 'campaign' || (other.kind === 'solutionVersion' && BUSY.includes(status));
        // A batch job running on one of its versions.
        return (
          (other.kind === 'batchInferenceJob' || other.kind === 'batchSegmentJob') &&
          CREATING.includes(status) &&
          this.resources.get(other.parentArn ?? '')?.parentArn === resource.arn
        );
      default:
        return false;
    }
  }

  private importing(dataset: SimResource): boolean {
    return this.live().some(
      (j) => j.kind === 'datasetImportJob' && j.parentArn === dataset.arn && CREATING.includes(this.status(j)),
    );
  }

  private updating(resource: SimResource): boolean {
    return resource.update !== undefined && this.now < resource.update.readyAt;
  }

  private inProgress(kind: ResourceKind): number {
    return this.live().filter((r) => r.kind === kind && BUSY.includes(this.status(r))).length;
  }

  private live(): SimResource[] {
    return [...this.resources.values()].filter((r) => this.exists(r));
  }

  private exists(resource: SimResource): boolean {
    if (!this.resources.has(resource.arn)) return false;
    if (resource.deleteRequestedAt === undefined) return true;
    if (this.now < resource.deleteRequestedAt + this.durations.delete) return true;
    // Gone: children of a deleted parent (solution versions, import jobs) go with it.
    this.vanish(resource.arn);
    return false;
  }

  private status(resource: SimResource): string {
    if (resource.deleteRequestedAt !== undefined) {
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
    const update = resource.update;
    if (update && !update.applied && this.now >= update.readyAt) {
      update.applied = true;
      if (update.failureReason === undefined) {
        // A failed update leaves the resource on its previous settings.
        if (update.minProvisionedTPS !== undefined) resource.minProvisionedTPS = update.minProvisionedTPS;
        if (update.solutionVersionArn !== undefined) resource.solutionVersionArn = update.solutionVersionArn;
        if (update.schemaArn !== undefined) resource.schemaArn = update.schemaArn;
      }
    }
    return STATUS.active;
  }

  private latestUpdate(resource: SimResource): LatestUpdate | undefined {
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

  private view(resource: SimResource, full: boolean): ResourceState {
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
