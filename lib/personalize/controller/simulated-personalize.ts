/**
 * A simulated Amazon Personalize behind the same port as the SDK adapter, for the tests and the
 * makespan script: resources go through Personalize's lifecycles on a virtual clock
 * (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE or CREATE FAILED; DELETE PENDING -> gone), with
 * the default quotas, ResourceInUseException for premature deletes, ResourceAlreadyExistsException,
 * name validation, injected throttling and server faults, and other workshops' resources living in
 * the same account.
 */
import { CreateRequest, PersonalizePort, ResourceKind, ResourceState, STATUS } from './port';

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
  delete: 2 * MINUTE,
  stop: 3 * MINUTE,
};

export const QUOTAS = {
  activeDatasetGroups: 5,
  importJobsInProgress: 5,
  trainingsInProgress: 20,
  campaignsPerDatasetGroup: 5,
};

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
  update?: { readyAt: number; minProvisionedTPS: number; solutionVersionArn: string };
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
  readonly outcome: 'ok' | string;
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;

export class SimulatedPersonalize implements PersonalizePort {
  now = 0;
  readonly calls: CallRecord[] = [];
  /** Decides, per call, whether it is throttled (ThrottlingException). */
  throttle: (operation: string) => boolean = () => false;
  /** Decides, per call, whether it fails with a server fault (InternalServerError). */
  serverFault: (operation: string) => boolean = () => false;
  /** Makes the next training of a solution with this name fail, with this reason. */
  readonly failTraining = new Map<string, string>();
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
    this.enter(`list ${kind}`);
    return [...this.resources.values()]
      .filter((r) => r.kind === kind && (parentArn === undefined || r.parentArn === parentArn) && this.exists(r))
      .map((r) => this.view(r, false));
  }

  async describe(kind: ResourceKind, arn: string): Promise<ResourceState | undefined> {
    this.enter(`describe ${kind}`);
    const resource = this.resources.get(arn);
    return resource && resource.kind === kind && this.exists(resource) ? this.view(resource, true) : undefined;
  }

  async create(request: CreateRequest): Promise<string> {
    this.enter(`create ${request.kind}`);
    const name = request.name ?? '';
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
    const parent = request.parentArn ? this.resources.get(request.parentArn) : undefined;
    if (request.parentArn && (!parent || !this.exists(parent))) {
      throw new SimulatedError('ResourceNotFoundException', `${request.parentArn} does not exist`);
    }
    if (parent && this.status(parent) !== STATUS.active) {
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
        resource.schemaArn = schema.arn;
        resource.datasetType = request.datasetType;
        break;
      }
      case 'datasetImportJob': {
        if (this.inProgress('datasetImportJob') >= QUOTAS.importJobsInProgress)
          throw this.limit('import jobs in progress', QUOTAS.importJobsInProgress);
        resource.dataLocation = request.dataLocation;
        duration = d.importJob;
        break;
      }
      case 'solution':
        resource.recipe = request.recipeArn?.split('/').pop();
        duration = d.solution;
        break;
      case 'solutionVersion': {
        if (this.inProgress('solutionVersion') >= QUOTAS.trainingsInProgress)
          throw this.limit('solution versions in training', QUOTAS.trainingsInProgress);
        const groupArn = parent?.parentArn;
        const interactions = this.live().find(
          (r) => r.kind === 'dataset' && r.parentArn === groupArn && r.datasetType === 'interactions',
        );
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
    const arn = this.arnFor(request.kind, name, parent);
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
    this.afterCreate(request, arn);
    return arn;
  }

  async remove(kind: ResourceKind, arn: string): Promise<void> {
    this.enter(`delete ${kind}`);
    const resource = this.resources.get(arn);
    if (!resource || resource.kind !== kind || !this.exists(resource))
      throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
    const status = this.status(resource);
    if (resource.deleteRequestedAt !== undefined)
      throw new SimulatedError('ResourceInUseException', `${arn} is ${status}`);
    if (
      [STATUS.createPending, STATUS.createInProgress, STATUS.createStopping].includes(status as never) ||
      resource.update
    ) {
      throw new SimulatedError(
        'ResourceInUseException',
        `${arn} is ${resource.update ? 'UPDATE IN_PROGRESS' : status}`,
      );
    }
    const blocker = this.live().find((child) => this.blocks(child, resource));
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
  }

  async stopTraining(arn: string): Promise<void> {
    this.enter('stop training');
    const version = this.resources.get(arn);
    if (!version || version.kind !== 'solutionVersion')
      throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
    const status = this.status(version);
    if (status !== STATUS.createPending && status !== STATUS.createInProgress) {
      throw new SimulatedError('ResourceInUseException', `${arn} is ${status}`);
    }
    version.stopRequestedAt = this.now;
  }

  async updateCampaign(arn: string, minProvisionedTPS: number, solutionVersionArn: string): Promise<void> {
    this.enter('update campaign');
    const campaign = this.resources.get(arn);
    if (!campaign || campaign.kind !== 'campaign' || !this.exists(campaign))
      throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
    if (this.status(campaign) !== STATUS.active || campaign.update)
      throw new SimulatedError('ResourceInUseException', `${arn} is busy`);
    campaign.update = { readyAt: this.now + this.durations.campaignUpdate, minProvisionedTPS, solutionVersionArn };
  }

  async solutionMetrics(arn: string): Promise<Record<string, number>> {
    this.enter('get solution metrics');
    const version = this.resources.get(arn);
    if (!version || this.status(version) !== STATUS.active)
      throw new SimulatedError('ResourceInUseException', `${arn} is not ACTIVE`);
    return {
      coverage: 0.31,
      precision_at_5: 0.12,
      precision_at_10: 0.1,
      normalized_discounted_cumulative_gain_at_10: 0.21,
      mean_reciprocal_rank_at_25: 0.27,
    };
  }

  async tags(arn: string): Promise<Record<string, string>> {
    this.enter('list tags');
    const resource = this.resources.get(arn);
    if (!resource || !this.exists(resource))
      throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
    return { ...resource.tags };
  }

  // ------------------------------------------------------------------ inspection for tests

  /** Every resource that exists now (deleting ones included). */
  snapshot(): ResourceState[] {
    return this.live().map((r) => this.view(r, true));
  }

  /** Adds a resource as if another party had created it (other workshops, a hand-made filter). */
  seed(request: CreateRequest, status: 'ACTIVE' | 'CREATING' = 'ACTIVE'): string {
    const saved = { throttle: this.throttle, serverFault: this.serverFault, afterCreate: this.afterCreate };
    this.throttle = () => false;
    this.serverFault = () => false;
    this.afterCreate = () => undefined;
    const parent = request.parentArn ? this.resources.get(request.parentArn) : undefined;
    const arn = this.arnFor(request.kind, request.name ?? '', parent);
    this.resources.set(arn, {
      kind: request.kind,
      arn,
      name: request.name ?? '',
      parentArn: request.parentArn,
      createdAt: status === 'ACTIVE' ? this.now - this.durations.pending : this.now,
      readyAt: status === 'ACTIVE' ? this.now : this.now + 60 * MINUTE,
      tags: { ...(request.tags ?? {}) },
      datasetType: request.datasetType,
      recipe: request.recipeArn?.split('/').pop(),
    });
    Object.assign(this, saved);
    return arn;
  }

  /** Adds a filter or an event tracker to a dataset group (what an admin might do by hand). */
  seedChild(kind: 'filter' | 'eventTracker', name: string, groupArn: string): string {
    const arn =
      kind === 'eventTracker'
        ? `arn:aws:personalize:${this.region}:${this.account}:event-tracker/${(++this.sequence).toString(16).padStart(8, '0')}`
        : `arn:aws:personalize:${this.region}:${this.account}:filter/${name}`;
    this.resources.set(arn, {
      kind,
      arn,
      name,
      parentArn: groupArn,
      createdAt: this.now - this.durations.pending,
      readyAt: this.now,
      tags: {},
    });
    return arn;
  }

  /** Removes a resource at once, as if someone deleted it by hand. */
  vanish(arn: string): void {
    this.resources.delete(arn);
  }

  // ------------------------------------------------------------------ internals

  private enter(operation: string): void {
    if (this.throttle(operation)) {
      this.calls.push({ operation, at: this.now, outcome: 'ThrottlingException' });
      throw new SimulatedError('ThrottlingException', 'Rate exceeded');
    }
    if (this.serverFault(operation)) {
      this.calls.push({ operation, at: this.now, outcome: 'InternalServerError' });
      throw new SimulatedError('InternalServerError', 'We encountered an internal error', 'server');
    }
    this.calls.push({ operation, at: this.now, outcome: 'ok' });
  }

  private limit(what: string, quota: number): SimulatedError {
    return new SimulatedError('LimitExceededException', `quota of ${quota} ${what} reached`);
  }

  private arnFor(kind: ResourceKind, name: string, parent: SimResource | undefined): string {
    const base = `arn:aws:personalize:${this.region}:${this.account}`;
    switch (kind) {
      case 'datasetGroup':
        return `${base}:dataset-group/${name}`;
      case 'schema':
        return `${base}:schema/${name}`;
      case 'dataset':
        return `${base}:dataset/${parent?.name}/${name}`;
      case 'datasetImportJob':
        return `${base}:dataset-import-job/${name}`;
      case 'solution':
        return `${base}:solution/${name}`;
      case 'solutionVersion':
        return `${base}:solution/${parent?.name}/${(++this.sequence).toString(16).padStart(8, '0')}`;
      case 'campaign':
        return `${base}:campaign/${name}`;
      case 'filter':
        return `${base}:filter/${name}`;
      case 'eventTracker':
        return `${base}:event-tracker/${(++this.sequence).toString(16).padStart(8, '0')}`;
    }
  }

  /** Whether `child` keeps `resource` from being deleted. */
  private blocks(child: SimResource, resource: SimResource): boolean {
    const childStatus = this.status(child);
    switch (resource.kind) {
      case 'datasetGroup':
        return child.parentArn === resource.arn; // datasets, solutions, filters, trackers
      case 'schema':
        return child.kind === 'dataset' && child.schemaArn === resource.arn;
      case 'dataset':
        return (
          child.kind === 'datasetImportJob' &&
          child.parentArn === resource.arn &&
          (childStatus === STATUS.createPending || childStatus === STATUS.createInProgress)
        );
      case 'solution':
        return (
          child.parentArn === resource.arn &&
          (child.kind === 'campaign' ||
            (child.kind === 'solutionVersion' &&
              [STATUS.createPending, STATUS.createInProgress, STATUS.createStopping].includes(childStatus as never)))
        );
      default:
        return false;
    }
  }

  private inProgress(kind: ResourceKind): number {
    return this.live().filter((r) => {
      if (r.kind !== kind) return false;
      const status = this.status(r);
      return status === STATUS.createPending || status === STATUS.createInProgress || status === STATUS.createStopping;
    }).length;
  }

  private live(): SimResource[] {
    return [...this.resources.values()].filter((r) => this.exists(r));
  }

  private exists(resource: SimResource): boolean {
    if (resource.deleteRequestedAt === undefined) return true;
    if (this.now < resource.deleteRequestedAt + this.durations.delete) return true;
    // Gone: children of a deleted parent (solution versions, import jobs) go with it.
    this.resources.delete(resource.arn);
    for (const child of [...this.resources.values()])
      if (child.parentArn === resource.arn) this.resources.delete(child.arn);
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
    if (resource.update && this.now >= resource.update.readyAt) {
      resource.minProvisionedTPS = resource.update.minProvisionedTPS;
      resource.solutionVersionArn = resource.update.solutionVersionArn;
      resource.update = undefined;
    }
    return STATUS.active;
  }

  private view(resource: SimResource, full: boolean): ResourceState {
    const status = this.status(resource);
    return {
      kind: resource.kind,
      arn: resource.arn,
      name: resource.name,
      status,
      parentArn: resource.parentArn,
      createdAt: resource.createdAt,
      ...(status === STATUS.createFailed ? { failureReason: resource.failureReason } : {}),
      ...(full && resource.kind === 'campaign'
        ? {
            minProvisionedTPS: resource.minProvisionedTPS,
            solutionVersionArn: resource.solutionVersionArn,
            updating: Boolean(resource.update),
          }
        : {}),
    };
  }
}
