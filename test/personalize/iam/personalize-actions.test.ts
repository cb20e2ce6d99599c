import {
  arnFormats,
  authorizationRequests,
  iamAction,
  nameOf,
  OPERATIONS,
  parseArn,
  PersonalizeOperation,
  resourcesFor,
} from './personalize-actions';
import { areAllowed, ResolvedStatement } from './policy-evaluator';

const AT = { region: 'us-east-1', accountId: '123456789012' };
const arn = (resource: string) => `arn:aws:personalize:us-east-1:123456789012:${resource}`;
const GROUP = arn('dataset-group/MovieRecs-movies');
const SOLUTION = arn('solution/MovieRecs-sims');
const VERSION = arn('solution/MovieRecs-sims/abcd1234');
const ROLE = 'arn:aws:iam::123456789012:role/PersonalizeAccess';

const resources = (operation: PersonalizeOperation, request: Parameters<typeof resourcesFor>[1], createdArn?: string) =>
  resourcesFor(operation, request, { location: AT, createdArn });

describe('ARN formats', () => {
  it('builds the ARNs real accounts return', () => {
    expect(arnFormats.datasetGroup(AT, 'MovieRecs-movies')).toBe(GROUP);
    expect(arnFormats.schema(AT, 'MovieRecs-interactions')).toBe(arn('schema/MovieRecs-interactions'));
    expect(arnFormats.dataset(AT, 'MovieRecs-movies', 'Interactions')).toBe(
      arn('dataset/MovieRecs-movies/INTERACTIONS'),
    );
    expect(arnFormats.datasetImportJob(AT, 'MovieRecs-import-1')).toBe(arn('dataset-import-job/MovieRecs-import-1'));
    expect(arnFormats.solution(AT, 'MovieRecs-sims')).toBe(SOLUTION);
    expect(arnFormats.solutionVersion(AT, 'MovieRecs-sims', 'abcd1234')).toBe(VERSION);
    expect(arnFormats.latestSolutionVersion(AT, 'MovieRecs-sims')).toBe(`${SOLUTION}/$LATEST`);
    expect(arnFormats.campaign(AT, 'MovieRecs-sims')).toBe(arn('campaign/MovieRecs-sims'));
    expect(arnFormats.filter(AT, 'f')).toBe(arn('filter/f'));
    expect(arnFormats.eventTracker(AT, 'd2e0162e')).toBe(arn('event-tracker/d2e0162e'));
    expect(arnFormats.metricAttribution(AT, 'm')).toBe(arn('metric-attribution/m'));
    expect(arnFormats.batchInferenceJob(AT, 'b')).toBe(arn('batch-inference-job/b'));
    expect(arnFormats.batchSegmentJob(AT, 'b')).toBe(arn('batch-segment-job/b'));
    expect(arnFormats.recipe('aws-sims')).toBe('arn:aws:personalize:::recipe/aws-sims');
    expect(arnFormats.recipe('aws-sims', 'aws-cn')).toBe('arn:aws-cn:personalize:::recipe/aws-sims');
    expect(arnFormats.datasetGroup({ ...AT, partition: 'aws-us-gov' }, 'g')).toMatch(/^arn:aws-us-gov:personalize:/);
  });

  it('takes ARNs apart', () => {
    expect(parseArn(arn('dataset/MovieRecs-movies/ITEMS'))).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      kind: 'dataset',
      id: 'MovieRecs-movies/ITEMS',
    });
    expect(parseArn('arn:aws:personalize:::recipe/aws-sims')).toMatchObject({
      kind: 'recipe',
      id: 'aws-sims',
      region: '',
    });
    expect(nameOf(VERSION)).toBe('MovieRecs-sims');
    expect(nameOf(GROUP)).toBe('MovieRecs-movies');
    expect(() => parseArn('arn:aws:s3:::bucket')).toThrow(/not a Personalize ARN/);
  });
});

describe('the table against the Service Authorization Reference', () => {
  it('maps each operation to personalize:<operation>', () => {
    for (const operation of Object.keys(OPERATIONS) as PersonalizeOperation[]) {
      expect(iamAction(operation)).toBe(`personalize:${operation}`);
    }
  });

  it('covers every operation the brief lists', () => {
    const listed = [
      'CreateDatasetGroup',
      'CreateSchema',
      'CreateDataset',
      'CreateDatasetImportJob',
      'CreateSolution',
      'CreateSolutionVersion',
      'CreateCampaign',
      'UpdateCampaign',
      'UpdateDataset',
      'DescribeCampaign',
      'DescribeDatasetGroup',
      'DescribeSolution',
      'DescribeSolutionVersion',
      'DescribeDataset',
      'DescribeDatasetImportJob',
      'GetSolutionMetrics',
      'ListDatasetGroups',
      'ListSchemas',
      'ListDatasets',
      'ListDatasetImportJobs',
      'ListSolutions',
      'ListSolutionVersions',
      'ListCampaigns',
      'ListFilters',
      'ListEventTrackers',
      'ListMetricAttributions',
      'ListBatchInferenceJobs',
      'ListBatchSegmentJobs',
      'ListTagsForResource',
      'TagResource',
      'DeleteDatasetGroup',
      'DeleteSchema',
      'DeleteDataset',
      'DeleteSolution',
      'DeleteCampaign',
      'DeleteFilter',
      'DeleteEventTracker',
      'DeleteMetricAttribution',
      'StopSolutionVersionCreation',
    ];
    expect(listed.filter((op) => !(op in OPERATIONS))).toEqual([]);
  });

  it('List* have no resource-level permission: Resource "*"', () => {
    const lists = (Object.keys(OPERATIONS) as PersonalizeOperation[]).filter(
      (op) => op.startsWith('List') && op !== 'ListTagsForResource',
    );
    expect(lists).toHaveLength(13);
    for (const op of lists) expect(resources(op, { datasetGroupArn: GROUP })).toEqual(['*']);
  });

  it('create calls check the new resource and its parent', () => {
    expect(resources('CreateDatasetGroup', { name: 'MovieRecs-movies' })).toEqual([GROUP]);
    expect(resources('CreateSchema', { name: 'MovieRecs-i' })).toEqual([arn('schema/MovieRecs-i')]);
    // dataset* and datasetGroup*; the schema is not a resource of CreateDataset.
    expect(
      resources('CreateDataset', {
        name: 'anything',
        datasetGroupArn: GROUP,
        datasetType: 'Interactions',
        schemaArn: arn('schema/MovieRecs-i'),
      }),
    ).toEqual([arn('dataset/MovieRecs-movies/INTERACTIONS'), GROUP]);
    expect(
      resources('CreateDatasetImportJob', {
        jobName: 'MovieRecs-imp',
        datasetArn: arn('dataset/MovieRecs-movies/ITEMS'),
      }),
    ).toEqual([arn('dataset/MovieRecs-movies/ITEMS'), arn('dataset-import-job/MovieRecs-imp')]);
    // datasetGroup* and solution*; the recipe is not authorized against.
    expect(
      resources('CreateSolution', {
        name: 'MovieRecs-sims',
        datasetGroupArn: GROUP,
        recipeArn: arnFormats.recipe('aws-sims'),
      }),
    ).toEqual([GROUP, SOLUTION]);
    expect(resources('CreateSolutionVersion', { solutionArn: SOLUTION })).toEqual([SOLUTION]);
    // campaign* and solution*: the solution version in the request.
    expect(resources('CreateCampaign', { name: 'MovieRecs-sims', solutionVersionArn: VERSION })).toEqual([
      arn('campaign/MovieRecs-sims'),
      VERSION,
    ]);
    expect(resources('CreateFilter', { name: 'f', datasetGroupArn: GROUP })).toEqual([GROUP, arn('filter/f')]);
    expect(
      resources('CreateEventTracker', { name: 't', datasetGroupArn: GROUP }, arn('event-tracker/d2e0162e')),
    ).toEqual([GROUP, arn('event-tracker/d2e0162e')]);
    expect(resources('CreateMetricAttribution', { name: 'm', datasetGroupArn: GROUP })).toEqual([
      GROUP,
      arn('metric-attribution/m'),
    ]);
  });

  it('reads, updates, deletes and stops check the one resource named', () => {
    const dataset = arn('dataset/MovieRecs-movies/INTERACTIONS');
    expect(resources('DescribeDatasetGroup', { datasetGroupArn: GROUP })).toEqual([GROUP]);
    expect(resources('DescribeDataset', { datasetArn: dataset })).toEqual([dataset]);
    expect(resources('DescribeSolution', { solutionArn: SOLUTION })).toEqual([SOLUTION]);
    // Solution versions have no resource type of their own: `solution`, with the version's ARN.
    expect(resources('DescribeSolutionVersion', { solutionVersionArn: VERSION })).toEqual([VERSION]);
    expect(resources('GetSolutionMetrics', { solutionVersionArn: VERSION })).toEqual([VERSION]);
    expect(resources('StopSolutionVersionCreation', { solutionVersionArn: VERSION })).toEqual([VERSION]);
    // UpdateCampaign checks only the campaign, not the version it deploys; UpdateDataset only the dataset.
    expect(resources('UpdateCampaign', { campaignArn: arn('campaign/c'), solutionVersionArn: VERSION })).toEqual([
      arn('campaign/c'),
    ]);
    expect(resources('UpdateDataset', { datasetArn: dataset, schemaArn: arn('schema/s') })).toEqual([dataset]);
    expect(resources('DescribeRecipe', { recipeArn: arnFormats.recipe('aws-sims') })).toEqual([
      'arn:aws:personalize:::recipe/aws-sims',
    ]);
    expect(resources('DeleteSchema', { schemaArn: arn('schema/s') })).toEqual([arn('schema/s')]);
    expect(resources('DeleteEventTracker', { eventTrackerArn: arn('event-tracker/d2e0162e') })).toEqual([
      arn('event-tracker/d2e0162e'),
    ]);
    expect(resources('DeleteMetricAttribution', { metricAttributionArn: arn('metric-attribution/m') })).toEqual([
      arn('metric-attribution/m'),
    ]);
    expect(resources('ListTagsForResource', { resourceArn: GROUP })).toEqual([GROUP]);
    expect(resources('TagResource', { resourceArn: SOLUTION })).toEqual([SOLUTION]);
  });

  it('condition keys: tag keys on creates, aws:ResourceTag on reads, none on schemas and metric attributions', () => {
    expect(OPERATIONS.CreateDataset.conditionKeys).toEqual([
      'aws:RequestTag/${TagKey}',
      'aws:ResourceTag/${TagKey}',
      'aws:TagKeys',
    ]);
    expect(OPERATIONS.CreateSchema.conditionKeys).toEqual([]);
    expect(OPERATIONS.DeleteSchema.conditionKeys).toEqual([]);
    expect(OPERATIONS.DeleteMetricAttribution.conditionKeys).toEqual([]);
    expect(OPERATIONS.DeleteDatasetGroup.conditionKeys).toEqual(['aws:ResourceTag/${TagKey}']);
    expect(OPERATIONS.ListSolutions.conditionKeys).toEqual([]);
  });

  it('says what is missing from a request instead of guessing', () => {
    expect(() => resources('CreateDataset', { datasetGroupArn: GROUP })).toThrow(
      /CreateDataset: the request needs datasetType/,
    );
    expect(() => resources('CreateEventTracker', { name: 't', datasetGroupArn: GROUP })).toThrow(/createdArn/);
    expect(() => resources('DescribeCampaign', {})).toThrow(/campaignArn/);
    expect(() => resources('ListTagsForResource', {})).toThrow(/resourceArn/);
  });
});

describe('authorization requests', () => {
  it('adds TagResource on the new resource only when tags are given (CreateSchema takes none)', () => {
    expect(authorizationRequests('CreateDatasetGroup', { name: 'MovieRecs-movies' }, { location: AT })).toEqual([
      { action: 'personalize:CreateDatasetGroup', resource: GROUP },
    ]);
    expect(
      authorizationRequests(
        'CreateDataset',
        { datasetGroupArn: GROUP, datasetType: 'Items', tags: [{ tagKey: 'owner', tagValue: 'MovieRecs' }] },
        { location: AT },
      ),
    ).toEqual([
      { action: 'personalize:CreateDataset', resource: arn('dataset/MovieRecs-movies/ITEMS') },
      { action: 'personalize:CreateDataset', resource: GROUP },
      { action: 'personalize:TagResource', resource: arn('dataset/MovieRecs-movies/ITEMS') },
    ]);
    expect(
      authorizationRequests(
        'CreateSolution',
        { name: 'MovieRecs-sims', datasetGroupArn: GROUP, tags: {} },
        { location: AT },
      ),
    ).toEqual([
      { action: 'personalize:CreateSolution', resource: GROUP },
      { action: 'personalize:CreateSolution', resource: SOLUTION },
    ]);
    expect(OPERATIONS.CreateSchema).not.toHaveProperty('tagOnCreate');
    // A new solution version's ARN is the service's to choose.
    expect(() =>
      authorizationRequests('CreateSolutionVersion', { solutionArn: SOLUTION, tags: { owner: 'x' } }, { location: AT }),
    ).toThrow(/createdArn/);
    expect(
      authorizationRequests(
        'CreateSolutionVersion',
        { solutionArn: SOLUTION, tags: { owner: 'x' } },
        { location: AT, createdArn: VERSION },
      ),
    ).toContainEqual({ action: 'personalize:TagResource', resource: VERSION });
  });

  it('adds iam:PassRole with iam:PassedToService for a role handed to Personalize', () => {
    const requests = authorizationRequests(
      'CreateDatasetImportJob',
      { jobName: 'MovieRecs-imp', datasetArn: arn('dataset/MovieRecs-movies/ITEMS'), roleArn: ROLE },
      { location: AT },
    );
    expect(requests).toContainEqual({
      action: 'iam:PassRole',
      resource: ROLE,
      context: { 'iam:PassedToService': 'personalize.amazonaws.com' },
    });
    // No role in the request, no PassRole (CreateDatasetGroup takes one only with a KMS key).
    expect(
      authorizationRequests('CreateDatasetGroup', { name: 'g' }, { location: AT }).some(
        (r) => r.action === 'iam:PassRole',
      ),
    ).toBe(false);
  });

  it('feeds the evaluator: a dataset grant on the group prefix covers CreateDataset, a missing group grant does not', () => {
    const statement = (resources: string[]): ResolvedStatement => ({
      source: 'test',
      effect: 'Allow',
      actions: ['personalize:CreateDataset'],
      resources,
      conditions: {},
    });
    const requests = authorizationRequests(
      'CreateDataset',
      { datasetGroupArn: GROUP, datasetType: 'Interactions' },
      { location: AT },
    );
    expect(
      areAllowed([statement([arn('dataset/MovieRecs-*'), arn('dataset-group/MovieRecs-*')])], requests).allowed,
    ).toBe(true);
    const denied = areAllowed([statement([arn('dataset/MovieRecs-*')])], requests);
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toContain(`personalize:CreateDataset on ${GROUP}`);
  });
});
