/**
 * IAM in the simulated Personalize: when a policy is plugged in, every call is authorized against
 * the actions and resource ARNs the Service Authorization Reference lists for it ("Actions,
 * resources, and condition keys for Amazon Personalize"), so a grant missing from the template
 * fails a test with AccessDeniedException, as it would fail a workshop.
 */
import { CreateRequest, ResourceKind } from '../port';
import { SimulatedError } from './store';

/** The IAM action and the resource ARNs one call is authorized against. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  /** Request context keys, e.g. `iam:PassedToService`. */
  readonly context?: Readonly<Record<string, string>>;
}

/** Answers why a request is denied, or undefined when it is allowed. */
export type Authorizer = (request: AuthorizationRequest) => string | undefined;

/** IAM action names of the calls, by kind. */
export const API_NAME: Record<ResourceKind, string> = {
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

export const LIST_ACTION: Record<ResourceKind, string> = {
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

/** Throws AccessDeniedException unless `authorize` allows the action on every resource. */
export function authorized(
  authorize: Authorizer | undefined,
  action: string,
  resources: readonly string[],
  context?: Record<string, string>,
): void {
  if (!authorize) return;
  for (const resource of resources) {
    const denied = authorize({ action, resource, ...(context ? { context } : {}) });
    if (denied !== undefined) {
      throw new SimulatedError(
        'AccessDeniedException',
        `User is not authorized to perform: ${action} on resource: ${resource} (${denied})`,
      );
    }
  }
}

/**
 * A create: the resources its action is authorized on, TagResource for tags given at create, and
 * iam:PassRole for an import job's role. `versionParent` is the solution of a campaign's version.
 */
export function authorizeCreate(
  authorize: Authorizer | undefined,
  request: CreateRequest,
  arn: string,
  versionParent: string | undefined,
): void {
  const action = `personalize:Create${API_NAME[request.kind]}`;
  switch (request.kind) {
    case 'dataset':
    case 'solution':
    case 'filter':
    case 'eventTracker':
      authorized(authorize, action, [arn, request.parentArn ?? '']);
      break;
    case 'datasetImportJob':
      authorized(authorize, action, [arn, request.parentArn ?? '']);
      authorized(authorize, 'iam:PassRole', [request.roleArn ?? ''], {
        'iam:PassedToService': 'personalize.amazonaws.com',
      });
      break;
    case 'solutionVersion':
      // Solution versions authorize as their solution (there is no solution version resource type).
      authorized(authorize, action, [request.parentArn ?? '']);
      break;
    case 'campaign':
      authorized(authorize, action, [arn, versionParent ?? '']);
      break;
    default:
      authorized(authorize, action, [arn]);
  }
  if (request.tags && Object.keys(request.tags).length && request.kind !== 'schema')
    authorized(authorize, 'personalize:TagResource', [
      request.kind === 'solutionVersion' ? (request.parentArn ?? '') : arn,
    ]);
}
