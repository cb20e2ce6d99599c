/**
 * What IAM checks for each Amazon Personalize API call: the action, the resource ARNs (one per
 * resource type the Service Authorization Reference marks required for the action), and the
 * extra actions an operation authorizes (personalize:TagResource for tags given at create,
 * iam:PassRole for a role handed to the service).
 *
 * Source: Service Authorization Reference, "Actions, resources, and condition keys for Amazon
 * Personalize" (list_personalize), its "API operations" and "Actions" tables; research notes with
 * the details and what was not found: /tmp/personalize-iam-research.md (copied into the report).
 *
 * Assumptions the reference does not spell out (marked ASSUMED below):
 * - for a `solution` resource, the ARN IAM checks is the one in the request: the solution version
 *   ARN (`solution/<name>/<id>`) for calls that take one, the solution ARN otherwise;
 * - for the resource a Create* call makes, IAM checks the ARN it will have;
 * - personalize:TagResource is required only when the request carries tags, on the new resource;
 * - iam:PassRole is required only when the request carries a roleArn.
 */
import type { AuthorizationRequest } from './policy-evaluator';

/** Personalize resource types, as the Service Authorization Reference names them. */
export type ResourceType =
  | 'datasetGroup'
  | 'schema'
  | 'dataset'
  | 'datasetImportJob'
  | 'solution'
  | 'campaign'
  | 'filter'
  | 'eventTracker'
  | 'metricAttribution'
  | 'batchInferenceJob'
  | 'batchSegmentJob'
  | 'recipe';

/** Where the ARN of one checked resource comes from. */
type Source =
  /** The resource the call creates (its ARN derived from the request, or `createdArn`). */
  | 'created'
  /** A field of the request. */
  | keyof PersonalizeRequestArns;

interface CheckedResource {
  readonly type: ResourceType;
  readonly from: Source;
}

export interface OperationAuthorization {
  /** The IAM action, `personalize:<Operation>`. */
  readonly action: string;
  /** Resources IAM checks; empty when the action has no resource-level permission (Resource must be `*`). */
  readonly resources: readonly CheckedResource[];
  /** TagResource/UntagResource/ListTagsForResource: resource-level, no type required; the request's resourceArn. */
  readonly anyResourceArn?: boolean;
  /** The operation authorizes personalize:TagResource too (tags at create), on the created resource. */
  readonly tagOnCreate?: boolean;
  /** The operation authorizes iam:PassRole with iam:PassedToService = personalize.amazonaws.com. */
  readonly passRole?: boolean;
  /** Condition keys the Actions table lists for the action. */
  readonly conditionKeys: readonly string[];
}

const RESOURCE_TAG = ['aws:ResourceTag/${TagKey}'];
const CREATE_TAGS = ['aws:RequestTag/${TagKey}', 'aws:ResourceTag/${TagKey}', 'aws:TagKeys'];

const created = (type: ResourceType): CheckedResource => ({ type, from: 'created' });
const field = (type: ResourceType, from: Source): CheckedResource => ({ type, from });
const read = (
  action: string,
  type: ResourceType,
  from: Source,
  conditionKeys = RESOURCE_TAG,
): OperationAuthorization => ({
  action: `personalize:${action}`,
  resources: [field(type, from)],
  conditionKeys,
});
const list = (action: string): OperationAuthorization => ({
  action: `personalize:${action}`,
  resources: [],
  conditionKeys: [],
});

/** Every operation the controller uses or may use, with what IAM checks for it. */
export const OPERATIONS = {
  // Create*: the new resource and its parent; TagResource and PassRole per the "API operations" table.
  CreateDatasetGroup: {
    action: 'personalize:CreateDatasetGroup',
    resources: [created('datasetGroup')],
    tagOnCreate: true,
    passRole: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateSchema: { action: 'personalize:CreateSchema', resources: [created('schema')], conditionKeys: [] },
  CreateDataset: {
    action: 'personalize:CreateDataset',
    resources: [created('dataset'), field('datasetGroup', 'datasetGroupArn')],
    tagOnCreate: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateDatasetImportJob: {
    action: 'personalize:CreateDatasetImportJob',
    resources: [field('dataset', 'datasetArn'), created('datasetImportJob')],
    tagOnCreate: true,
    passRole: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateSolution: {
    // No recipe: the reference lists only datasetGroup* and solution*.
    action: 'personalize:CreateSolution',
    resources: [field('datasetGroup', 'datasetGroupArn'), created('solution')],
    tagOnCreate: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateSolutionVersion: {
    action: 'personalize:CreateSolutionVersion',
    resources: [field('solution', 'solutionArn')],
    tagOnCreate: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateCampaign: {
    action: 'personalize:CreateCampaign',
    resources: [created('campaign'), field('solution', 'solutionVersionArn')],
    tagOnCreate: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateFilter: {
    action: 'personalize:CreateFilter',
    resources: [field('datasetGroup', 'datasetGroupArn'), created('filter')],
    tagOnCreate: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateEventTracker: {
    action: 'personalize:CreateEventTracker',
    resources: [field('datasetGroup', 'datasetGroupArn'), created('eventTracker')],
    tagOnCreate: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateMetricAttribution: {
    action: 'personalize:CreateMetricAttribution',
    resources: [field('datasetGroup', 'datasetGroupArn'), created('metricAttribution')],
    passRole: true,
    conditionKeys: RESOURCE_TAG,
  },
  CreateBatchInferenceJob: {
    action: 'personalize:CreateBatchInferenceJob',
    resources: [created('batchInferenceJob'), field('solution', 'solutionVersionArn')],
    tagOnCreate: true,
    passRole: true,
    conditionKeys: CREATE_TAGS,
  },
  CreateBatchSegmentJob: {
    action: 'personalize:CreateBatchSegmentJob',
    resources: [created('batchSegmentJob')],
    tagOnCreate: true,
    passRole: true,
    conditionKeys: CREATE_TAGS,
  },
  // Updates: only the resource updated (UpdateCampaign's solution version and UpdateDataset's schema are not checked).
  UpdateCampaign: read('UpdateCampaign', 'campaign', 'campaignArn'),
  UpdateDataset: read('UpdateDataset', 'dataset', 'datasetArn'),
  // Reads.
  DescribeDatasetGroup: read('DescribeDatasetGroup', 'datasetGroup', 'datasetGroupArn'),
  DescribeSchema: read('DescribeSchema', 'schema', 'schemaArn', []),
  DescribeDataset: read('DescribeDataset', 'dataset', 'datasetArn'),
  DescribeDatasetImportJob: read('DescribeDatasetImportJob', 'datasetImportJob', 'datasetImportJobArn'),
  DescribeSolution: read('DescribeSolution', 'solution', 'solutionArn'),
  DescribeSolutionVersion: read('DescribeSolutionVersion', 'solution', 'solutionVersionArn'),
  DescribeCampaign: read('DescribeCampaign', 'campaign', 'campaignArn'),
  DescribeFilter: read('DescribeFilter', 'filter', 'filterArn'),
  DescribeEventTracker: read('DescribeEventTracker', 'eventTracker', 'eventTrackerArn'),
  DescribeMetricAttribution: read('DescribeMetricAttribution', 'metricAttribution', 'metricAttributionArn', []),
  DescribeBatchInferenceJob: read('DescribeBatchInferenceJob', 'batchInferenceJob', 'batchInferenceJobArn'),
  DescribeRecipe: read('DescribeRecipe', 'recipe', 'recipeArn', []),
  GetSolutionMetrics: read('GetSolutionMetrics', 'solution', 'solutionVersionArn'),
  // List*: no resource-level permission.
  ListDatasetGroups: list('ListDatasetGroups'),
  ListSchemas: list('ListSchemas'),
  ListDatasets: list('ListDatasets'),
  ListDatasetImportJobs: list('ListDatasetImportJobs'),
  ListSolutions: list('ListSolutions'),
  ListSolutionVersions: list('ListSolutionVersions'),
  ListCampaigns: list('ListCampaigns'),
  ListFilters: list('ListFilters'),
  ListEventTrackers: list('ListEventTrackers'),
  ListMetricAttributions: list('ListMetricAttributions'),
  ListBatchInferenceJobs: list('ListBatchInferenceJobs'),
  ListBatchSegmentJobs: list('ListBatchSegmentJobs'),
  ListRecipes: list('ListRecipes'),
  // Tags: resource-level on any taggable type, none required.
  ListTagsForResource: {
    action: 'personalize:ListTagsForResource',
    resources: [],
    anyResourceArn: true,
    conditionKeys: RESOURCE_TAG,
  },
  TagResource: { action: 'personalize:TagResource', resources: [], anyResourceArn: true, conditionKeys: CREATE_TAGS },
  UntagResource: {
    action: 'personalize:UntagResource',
    resources: [],
    anyResourceArn: true,
    conditionKeys: ['aws:ResourceTag/${TagKey}', 'aws:TagKeys'],
  },
  // Deletes and stops.
  DeleteDatasetGroup: read('DeleteDatasetGroup', 'datasetGroup', 'datasetGroupArn'),
  DeleteSchema: read('DeleteSchema', 'schema', 'schemaArn', []),
  DeleteDataset: read('DeleteDataset', 'dataset', 'datasetArn'),
  DeleteSolution: read('DeleteSolution', 'solution', 'solutionArn'),
  DeleteCampaign: read('DeleteCampaign', 'campaign', 'campaignArn'),
  DeleteFilter: read('DeleteFilter', 'filter', 'filterArn'),
  DeleteEventTracker: read('DeleteEventTracker', 'eventTracker', 'eventTrackerArn'),
  DeleteMetricAttribution: read('DeleteMetricAttribution', 'metricAttribution', 'metricAttributionArn', []),
  StopSolutionVersionCreation: read('StopSolutionVersionCreation', 'solution', 'solutionVersionArn'),
} as const satisfies Record<string, OperationAuthorization>;

export type PersonalizeOperation = keyof typeof OPERATIONS;

/** The IAM action of an operation (`CreateDataset` -> `personalize:CreateDataset`). */
export function iamAction(operation: PersonalizeOperation): string {
  return OPERATIONS[operation].action;
}

/** The ARN fields of Personalize requests, named as in the API. */
export interface PersonalizeRequestArns {
  readonly datasetGroupArn?: string;
  readonly schemaArn?: string;
  readonly datasetArn?: string;
  readonly datasetImportJobArn?: string;
  readonly solutionArn?: string;
  readonly solutionVersionArn?: string;
  readonly campaignArn?: string;
  readonly filterArn?: string;
  readonly eventTrackerArn?: string;
  readonly metricAttributionArn?: string;
  readonly batchInferenceJobArn?: string;
  readonly recipeArn?: string;
  /** TagResource, UntagResource, ListTagsForResource. */
  readonly resourceArn?: string;
}

/** The parts of a Personalize request that decide what IAM checks (fields named as in the API). */
export interface PersonalizeRequest extends PersonalizeRequestArns {
  /** The new resource's name (CreateDatasetGroup, CreateSchema, CreateSolution, CreateCampaign, ...). */
  readonly name?: string;
  /** The new job's name (CreateDatasetImportJob, CreateBatch*Job). */
  readonly jobName?: string;
  /** CreateDataset: `Interactions`, `Items`, `Users`, ... (case-insensitive, as the API takes it). */
  readonly datasetType?: string;
  /** The role handed to Personalize. */
  readonly roleArn?: string;
  /** Tags given at create, as the API list or as a record. */
  readonly tags?: readonly unknown[] | Readonly<Record<string, string>>;
}

/** Region and account of the calls. */
export interface Location {
  /** Defaults to `aws`. */
  readonly partition?: string;
  readonly region: string;
  readonly accountId: string;
}

export interface ResourceOptions {
  readonly location: Location;
  /** The ARN the call created or will create, where the request cannot tell (event trackers, solution versions). */
  readonly createdArn?: string;
}

/** Personalize ARNs per resource type, in the formats real accounts return. */
export const arnFormats = {
  datasetGroup: (at: Location, name: string) => regional(at, `dataset-group/${name}`),
  schema: (at: Location, name: string) => regional(at, `schema/${name}`),
  /** `dataset/<dataset group name>/<DATASET TYPE>`: the dataset's own name is not part of its ARN. */
  dataset: (at: Location, datasetGroupName: string, datasetType: string) =>
    regional(at, `dataset/${datasetGroupName}/${datasetType.toUpperCase()}`),
  datasetImportJob: (at: Location, name: string) => regional(at, `dataset-import-job/${name}`),
  solution: (at: Location, name: string) => regional(at, `solution/${name}`),
  /** `solution/<solution name>/<id>`, the id 8 hex characters in real accounts. */
  solutionVersion: (at: Location, solutionName: string, id: string) => regional(at, `solution/${solutionName}/${id}`),
  /** `<solution ARN>/$LATEST`, for campaigns that follow automatic training. */
  latestSolutionVersion: (at: Location, solutionName: string) => regional(at, `solution/${solutionName}/$LATEST`),
  campaign: (at: Location, name: string) => regional(at, `campaign/${name}`),
  filter: (at: Location, name: string) => regional(at, `filter/${name}`),
  /** `event-tracker/<id>`: the tracker's name is not part of its ARN. */
  eventTracker: (at: Location, id: string) => regional(at, `event-tracker/${id}`),
  metricAttribution: (at: Location, name: string) => regional(at, `metric-attribution/${name}`),
  batchInferenceJob: (at: Location, name: string) => regional(at, `batch-inference-job/${name}`),
  batchSegmentJob: (at: Location, name: string) => regional(at, `batch-segment-job/${name}`),
  /** Recipes are global: `arn:aws:personalize:::recipe/aws-sims`. */
  recipe: (name: string, partition = 'aws') => `arn:${partition}:personalize:::recipe/${name}`,
};

function regional(at: Location, resource: string): string {
  return `arn:${at.partition ?? 'aws'}:personalize:${at.region}:${at.accountId}:${resource}`;
}

/** A Personalize ARN taken apart. */
export interface ParsedArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** `dataset-group`, `dataset`, `solution`, ... */
  readonly kind: string;
  /** What follows `<kind>/`: a name, `<group>/<TYPE>` for datasets, `<solution>/<id>` for versions. */
  readonly id: string;
}

export function parseArn(arn: string): ParsedArn {
  const match = /^arn:([^:]+):personalize:([^:]*):([^:]*):([a-z-]+)\/(.+)$/.exec(arn);
  if (!match) throw new Error(`not a Personalize ARN: ${arn}`);
  const [, partition, region, accountId, kind, id] = match;
  return { partition, region, accountId, kind, id };
}

/** The name in a dataset group, solution, campaign ... ARN (for a solution version: the solution's name). */
export function nameOf(arn: string): string {
  return parseArn(arn).id.split('/')[0];
}

/**
 * The resource ARNs IAM checks for `operation` with this request: `['*']` for actions without
 * resource-level permission, otherwise one ARN per required resource type, in the reference's order.
 */
export function resourcesFor(
  operation: PersonalizeOperation,
  request: PersonalizeRequest,
  options: ResourceOptions,
): string[] {
  const auth: OperationAuthorization = OPERATIONS[operation];
  if (auth.anyResourceArn) return [need(request.resourceArn, operation, 'resourceArn')];
  if (auth.resources.length === 0) return ['*'];
  return auth.resources.map((r) => arnOf(operation, r, request, options));
}

/**
 * Everything IAM checks for one call, ready for `areAllowed(policy, requests)`: the action on each
 * resource, personalize:TagResource on the new resource when the request carries tags, and
 * iam:PassRole on the role when the request carries one.
 */
export function authorizationRequests(
  operation: PersonalizeOperation,
  request: PersonalizeRequest,
  options: ResourceOptions,
): AuthorizationRequest[] {
  const auth: OperationAuthorization = OPERATIONS[operation];
  const checks: AuthorizationRequest[] = resourcesFor(operation, request, options).map((resource) => ({
    action: auth.action,
    resource,
  }));
  if (auth.tagOnCreate && hasTags(request.tags)) {
    const target = auth.resources.find((r) => r.from === 'created');
    const resource = target
      ? arnOf(operation, target, request, options)
      : need(options.createdArn, operation, 'createdArn (the new resource, to tag)');
    checks.push({ action: 'personalize:TagResource', resource });
  }
  if (auth.passRole && request.roleArn) {
    checks.push({
      action: 'iam:PassRole',
      resource: request.roleArn,
      context: { 'iam:PassedToService': 'personalize.amazonaws.com' },
    });
  }
  return checks;
}

function hasTags(tags: PersonalizeRequest['tags']): boolean {
  if (!tags) return false;
  return Array.isArray(tags) ? tags.length > 0 : Object.keys(tags).length > 0;
}

function arnOf(
  operation: PersonalizeOperation,
  checked: CheckedResource,
  request: PersonalizeRequest,
  options: ResourceOptions,
): string {
  if (checked.from !== 'created') return need(request[checked.from], operation, checked.from);
  if (options.createdArn) return options.createdArn;
  const at = options.location;
  const name = () => need(request.name, operation, 'name');
  const jobName = () => need(request.jobName, operation, 'jobName');
  switch (checked.type) {
    case 'datasetGroup':
      return arnFormats.datasetGroup(at, name());
    case 'schema':
      return arnFormats.schema(at, name());
    case 'dataset':
      return arnFormats.dataset(
        at,
        nameOf(need(request.datasetGroupArn, operation, 'datasetGroupArn')),
        need(request.datasetType, operation, 'datasetType'),
      );
    case 'datasetImportJob':
      return arnFormats.datasetImportJob(at, jobName());
    case 'solution':
      return arnFormats.solution(at, name());
    case 'campaign':
      return arnFormats.campaign(at, name());
    case 'filter':
      return arnFormats.filter(at, name());
    case 'metricAttribution':
      return arnFormats.metricAttribution(at, name());
    case 'batchInferenceJob':
      return arnFormats.batchInferenceJob(at, jobName());
    case 'batchSegmentJob':
      return arnFormats.batchSegmentJob(at, jobName());
    default:
      // Event trackers get a generated id: only the service knows the ARN.
      return need<string>(undefined, operation, `createdArn (the new ${checked.type}'s ARN)`);
  }
}

function need<T>(value: T | undefined, operation: string, what: string): T {
  if (value === undefined || value === '')
    throw new Error(`${operation}: the request needs ${what} to tell what IAM checks`);
  return value;
}
