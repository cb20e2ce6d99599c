/**
 * The SDK adapter is the one place that knows Personalize's command and field names: every field
 * it maps, either way, is pinned here against aws-sdk-client-mock, so that a wrong or dropped
 * mapping fails a test (issue: `performAutoTraining: false` could be removed with no test failing,
 * and the API default is weekly retraining that bills).
 */
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateFilterCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DeleteCampaignCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteEventTrackerCommand,
  DeleteFilterCommand,
  DeleteMetricAttributionCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  DescribeCampaignCommand,
  DescribeDatasetCommand,
  DescribeEventTrackerCommand,
  DescribeSchemaCommand,
  GetSolutionMetricsCommand,
  ListBatchInferenceJobsCommand,
  ListBatchSegmentJobsCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListEventTrackersCommand,
  ListFiltersCommand,
  ListMetricAttributionsCommand,
  ListSchemasCommand,
  ListSolutionsCommand,
  ListSolutionVersionsCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  ResourceInUseException,
  StopSolutionVersionCreationCommand,
  UpdateCampaignCommand,
  UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateRequest,
  DatasetType,
  isServiceError,
  isTransient,
  ResourceKind,
  ResourceState,
} from '../../lib/personalize/controller/port';
import { SdkPersonalizePort } from '../../lib/personalize/controller/sdk-port';

const personalize = mockClient(PersonalizeClient);
const port = () => new SdkPersonalizePort(new PersonalizeClient({ region: 'us-east-1' }));

beforeEach(() => personalize.reset());

/** The tables hold commands of different types side by side. */
type AnyCommand = new (input: any) => any;

/** The input of every command sent, in order: also proves no other command went out. */
const sentInputs = () => personalize.calls().map((call) => (call.args[0] as { input: unknown }).input);

const created = new Date('2026-11-26T10:00:00.250Z');
const updated = new Date('2026-11-27T08:30:00.750Z');
const tags = { 'movierecs:prefix': 'P', 'movierecs:generation': 'blue' };
const sdkTags = [
  { tagKey: 'movierecs:prefix', tagValue: 'P' },
  { tagKey: 'movierecs:generation', tagValue: 'blue' },
];
const avro = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [{ name: 'USER_ID', type: 'string' }],
  version: '1.0',
});

describe('create: our request becomes the exact command input, and the ARN comes back', () => {
  interface CreateCase {
    title: string;
    request: CreateRequest;
    command: AnyCommand;
    /** The response field holding the new ARN. */
    arnField: string;
    input: Record<string, unknown>;
  }
  /** Ours, and how Personalize spells it (an omitted type means interactions). */
  const datasetTypes: [DatasetType | undefined, string][] = [
    ['interactions', 'Interactions'],
    ['items', 'Items'],
    ['users', 'Users'],
    [undefined, 'Interactions'],
  ];
  const autoTraining: (boolean | undefined)[] = [false, true, undefined];
  const cases: CreateCase[] = [
    {
      title: 'datasetGroup: name and tags as [{tagKey, tagValue}]',
      request: { kind: 'datasetGroup', name: 'P-movies', tags },
      command: CreateDatasetGroupCommand,
      arnField: 'datasetGroupArn',
      input: { name: 'P-movies', tags: sdkTags },
    },
    {
      title: 'datasetGroup without tags',
      request: { kind: 'datasetGroup', name: 'P-movies' },
      command: CreateDatasetGroupCommand,
      arnField: 'datasetGroupArn',
      input: { name: 'P-movies', tags: undefined },
    },
    {
      title: 'schema: name and the Avro text',
      request: { kind: 'schema', name: 'P-interactions', schema: avro },
      command: CreateSchemaCommand,
      arnField: 'schemaArn',
      input: { name: 'P-interactions', schema: avro },
    },
    ...datasetTypes.map(([datasetType, sdkType]): CreateCase => ({
      title: `dataset: type ${datasetType ?? '(omitted)'} is sent as ${sdkType}`,
      request: { kind: 'dataset', name: 'P-ds', parentArn: 'arn:dsg', datasetType, schemaArn: 'arn:schema', tags },
      command: CreateDatasetCommand,
      arnField: 'datasetArn',
      input: {
        name: 'P-ds',
        datasetGroupArn: 'arn:dsg',
        schemaArn: 'arn:schema',
        datasetType: sdkType,
        tags: sdkTags,
      },
    })),
    {
      title: 'datasetImportJob: jobName, datasetArn, dataSource, role and a FULL import',
      request: {
        kind: 'datasetImportJob',
        name: 'P-items-1',
        parentArn: 'arn:dataset',
        dataLocation: 's3://bucket/items.csv',
        roleArn: 'arn:role',
        tags,
      },
      command: CreateDatasetImportJobCommand,
      arnField: 'datasetImportJobArn',
      input: {
        jobName: 'P-items-1',
        datasetArn: 'arn:dataset',
        dataSource: { dataLocation: 's3://bucket/items.csv' },
        roleArn: 'arn:role',
        importMode: 'FULL',
        tags: sdkTags,
      },
    },
    ...autoTraining.map((performAutoTraining): CreateCase => ({
      title: `solution: performAutoTraining ${performAutoTraining ?? '(omitted)'} is passed through`,
      request: {
        kind: 'solution',
        name: 'P-sims',
        parentArn: 'arn:dsg',
        recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
        ...(performAutoTraining !== undefined ? { performAutoTraining } : {}),
        tags,
      },
      command: CreateSolutionCommand,
      arnField: 'solutionArn',
      // Omitted stays undefined: the SDK then leaves the field out of the request.
      input: {
        name: 'P-sims',
        datasetGroupArn: 'arn:dsg',
        recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
        performAutoTraining,
        tags: sdkTags,
      },
    })),
    {
      title: 'solutionVersion: solutionArn from the parent, FULL training',
      request: { kind: 'solutionVersion', parentArn: 'arn:solution', tags },
      command: CreateSolutionVersionCommand,
      arnField: 'solutionVersionArn',
      input: { solutionArn: 'arn:solution', trainingMode: 'FULL', tags: sdkTags },
    },
    {
      title: 'campaign: name, solution version and TPS',
      request: { kind: 'campaign', name: 'P-recs', solutionVersionArn: 'arn:version', minProvisionedTPS: 3, tags },
      command: CreateCampaignCommand,
      arnField: 'campaignArn',
      input: { name: 'P-recs', solutionVersionArn: 'arn:version', minProvisionedTPS: 3, tags: sdkTags },
    },
    {
      title: 'filter: name, dataset group and expression',
      request: {
        kind: 'filter',
        name: 'P-g-genre-abc123',
        parentArn: 'arn:group',
        filterExpression: 'INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)',
        tags,
      },
      command: CreateFilterCommand,
      arnField: 'filterArn',
      input: {
        name: 'P-g-genre-abc123',
        datasetGroupArn: 'arn:group',
        filterExpression: 'INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)',
        tags: sdkTags,
      },
    },
    {
      title: 'eventTracker: name and dataset group',
      request: { kind: 'eventTracker', name: 'P-g-events', parentArn: 'arn:group', tags },
      command: CreateEventTrackerCommand,
      arnField: 'eventTrackerArn',
      input: { name: 'P-g-events', datasetGroupArn: 'arn:group', tags: sdkTags },
    },
  ];

  test.each(cases)('$title', async ({ request, command, arnField, input }) => {
    personalize.on(command).resolves({ [arnField]: 'arn:new' });
    expect(await port().create(request)).toBe('arn:new');
    expect(personalize.commandCalls(command)).toHaveLength(1);
    expect(personalize.commandCalls(command)[0].args[0].input).toStrictEqual(input);
    expect(sentInputs()).toHaveLength(1);
  });

  test('performAutoTraining: false reaches CreateSolution as false, not as the API default', async () => {
    personalize.on(CreateSolutionCommand).resolves({ solutionArn: 'arn:new' });
    await port().create({ kind: 'solution', name: 'P-sims', parentArn: 'arn:dsg', performAutoTraining: false });
    const input = personalize.commandCalls(CreateSolutionCommand)[0].args[0].input;
    expect(input).toHaveProperty('performAutoTraining', false);
  });

  // One case per create command.
  test.each(cases.filter((c, i) => cases.findIndex((d) => d.command === c.command) === i))(
    'a create answered without an ARN throws ($request.kind)',
    async ({ request, command }) => {
      personalize.on(command).resolves({});
      await expect(port().create(request)).rejects.toThrow('Personalize answered without an ARN');
    },
  );
});

describe('list: command, parent field, 100 a page, every page, and the state of each item', () => {
  interface ListCase {
    kind: ResourceKind;
    command: AnyCommand;
    /** The input field the parent ARN goes to; none for top-level kinds. */
    parentField?: 'datasetGroupArn' | 'datasetArn' | 'solutionArn' | 'solutionVersionArn';
    /** The response field holding the summaries. */
    listField: string;
    arnField: string;
    /** The summary field holding the name; none for solution versions (they have no name). */
    nameField?: 'name' | 'jobName';
    /** Whether the summary has status and failureReason (schemas have neither). */
    status: boolean;
    failureReason: boolean;
  }
  const cases: ListCase[] = [
    {
      kind: 'datasetGroup',
      command: ListDatasetGroupsCommand,
      listField: 'datasetGroups',
      arnField: 'datasetGroupArn',
      nameField: 'name',
      status: true,
      failureReason: true,
    },
    {
      kind: 'schema',
      command: ListSchemasCommand,
      listField: 'schemas',
      arnField: 'schemaArn',
      nameField: 'name',
      status: false,
      failureReason: false,
    },
    {
      kind: 'dataset',
      command: ListDatasetsCommand,
      parentField: 'datasetGroupArn',
      listField: 'datasets',
      arnField: 'datasetArn',
      nameField: 'name',
      status: true,
      failureReason: false,
    },
    {
      kind: 'datasetImportJob',
      command: ListDatasetImportJobsCommand,
      parentField: 'datasetArn',
      listField: 'datasetImportJobs',
      arnField: 'datasetImportJobArn',
      nameField: 'jobName',
      status: true,
      failureReason: true,
    },
    {
      kind: 'solution',
      command: ListSolutionsCommand,
      parentField: 'datasetGroupArn',
      listField: 'solutions',
      arnField: 'solutionArn',
      nameField: 'name',
      status: true,
      failureReason: false,
    },
    {
      kind: 'solutionVersion',
      command: ListSolutionVersionsCommand,
      parentField: 'solutionArn',
      listField: 'solutionVersions',
      arnField: 'solutionVersionArn',
      status: true,
      failureReason: true,
    },
    {
      kind: 'campaign',
      command: ListCampaignsCommand,
      parentField: 'solutionArn',
      listField: 'campaigns',
      arnField: 'campaignArn',
      nameField: 'name',
      status: true,
      failureReason: true,
    },
    {
      // The SDK spells this one with a capital F.
      kind: 'filter',
      command: ListFiltersCommand,
      parentField: 'datasetGroupArn',
      listField: 'Filters',
      arnField: 'filterArn',
      nameField: 'name',
      status: true,
      failureReason: true,
    },
    {
      kind: 'eventTracker',
      command: ListEventTrackersCommand,
      parentField: 'datasetGroupArn',
      listField: 'eventTrackers',
      arnField: 'eventTrackerArn',
      nameField: 'name',
      status: true,
      failureReason: false,
    },
    {
      kind: 'metricAttribution',
      command: ListMetricAttributionsCommand,
      parentField: 'datasetGroupArn',
      listField: 'metricAttributions',
      arnField: 'metricAttributionArn',
      nameField: 'name',
      status: true,
      failureReason: true,
    },
    {
      kind: 'batchInferenceJob',
      command: ListBatchInferenceJobsCommand,
      parentField: 'solutionVersionArn',
      listField: 'batchInferenceJobs',
      arnField: 'batchInferenceJobArn',
      nameField: 'jobName',
      status: true,
      failureReason: true,
    },
    {
      kind: 'batchSegmentJob',
      command: ListBatchSegmentJobsCommand,
      parentField: 'solutionVersionArn',
      listField: 'batchSegmentJobs',
      arnField: 'batchSegmentJobArn',
      nameField: 'jobName',
      status: true,
      failureReason: true,
    },
  ];

  test.each(cases)('$kind', async (list) => {
    const { kind, command, parentField, listField, arnField, nameField, status, failureReason } = list;
    const parentArn = parentField ? `arn:parent-of-${kind}` : undefined;
    const first = {
      [arnField]: `arn:${kind}/1`,
      ...(nameField ? { [nameField]: 'P-1' } : {}),
      ...(status ? { status: failureReason ? 'CREATE FAILED' : 'CREATE IN_PROGRESS' } : {}),
      ...(failureReason ? { failureReason: 'quota exceeded' } : {}),
      ...(kind === 'dataset' ? { datasetType: 'Items' } : {}),
      creationDateTime: created,
      lastUpdatedDateTime: updated,
    };
    const second = {
      [arnField]: `arn:${kind}/2`,
      ...(nameField ? { [nameField]: 'P-2' } : {}),
      ...(status ? { status: 'ACTIVE' } : {}),
      creationDateTime: updated,
    };
    personalize
      .on(command)
      .resolvesOnce({ [listField]: [first], nextToken: 'page-2' })
      .resolvesOnce({ [listField]: [second] });

    const states = await port().list(kind, parentArn);

    const parent = parentField ? { [parentField]: parentArn } : {};
    expect(personalize.commandCalls(command)).toHaveLength(2);
    expect(sentInputs()).toStrictEqual([
      { ...parent, nextToken: undefined, maxResults: 100 },
      { ...parent, nextToken: 'page-2', maxResults: 100 },
    ]);
    const expected: ResourceState[] = [
      {
        kind,
        arn: `arn:${kind}/1`,
        name: nameField ? 'P-1' : '',
        status: !status ? 'ACTIVE' : failureReason ? 'CREATE FAILED' : 'CREATE IN_PROGRESS',
        ...(parentArn ? { parentArn } : {}),
        createdAt: created.getTime(),
        lastUpdatedAt: updated.getTime(),
        ...(failureReason ? { failureReason: 'quota exceeded' } : {}),
        ...(kind === 'dataset' ? { datasetType: 'Items' } : {}),
      },
      {
        kind,
        arn: `arn:${kind}/2`,
        name: nameField ? 'P-2' : '',
        status: 'ACTIVE',
        ...(parentArn ? { parentArn } : {}),
        createdAt: updated.getTime(),
      },
    ];
    expect(states).toStrictEqual(expected);
  });

  test('times are epoch milliseconds', async () => {
    personalize.on(ListDatasetGroupsCommand).resolves({
      datasetGroups: [
        {
          datasetGroupArn: 'arn:a',
          name: 'A',
          status: 'ACTIVE',
          creationDateTime: new Date('2026-11-26T10:00:00.250Z'),
          lastUpdatedDateTime: new Date('2026-11-26T10:00:01.500Z'),
        },
      ],
    });
    const [group] = await port().list('datasetGroup');
    expect(group.createdAt).toBe(1795687200250);
    expect(group.lastUpdatedAt).toBe(1795687201500);
  });
});

describe('describe campaign', () => {
  test('status, failure reason, deployed version, TPS and the latest update in full', async () => {
    personalize.on(DescribeCampaignCommand).resolves({
      campaign: {
        campaignArn: 'arn:c',
        name: 'P-recs',
        status: 'ACTIVE',
        failureReason: 'earlier failure',
        creationDateTime: created,
        lastUpdatedDateTime: updated,
        minProvisionedTPS: 2,
        solutionVersionArn: 'arn:v1',
        latestCampaignUpdate: {
          status: 'CREATE FAILED',
          failureReason: 'version not ACTIVE',
          creationDateTime: updated,
          lastUpdatedDateTime: updated,
          minProvisionedTPS: 5,
          solutionVersionArn: 'arn:v2',
        },
      },
    });
    expect(await port().describe('campaign', 'arn:c')).toStrictEqual({
      kind: 'campaign',
      arn: 'arn:c',
      name: 'P-recs',
      status: 'ACTIVE',
      createdAt: created.getTime(),
      lastUpdatedAt: updated.getTime(),
      failureReason: 'earlier failure',
      solutionVersionArn: 'arn:v1',
      minProvisionedTPS: 2,
      updating: false,
      latestUpdate: {
        status: 'CREATE FAILED',
        createdAt: updated.getTime(),
        failureReason: 'version not ACTIVE',
        minProvisionedTPS: 5,
        solutionVersionArn: 'arn:v2',
      },
    });
    expect(sentInputs()).toStrictEqual([{ campaignArn: 'arn:c' }]);
  });

  test.each([
    ['CREATE PENDING', true],
    ['CREATE IN_PROGRESS', true],
    ['ACTIVE', false],
    ['CREATE FAILED', false],
    ['(none)', false],
  ] as const)('latestCampaignUpdate %s: updating is %s', async (update, updating) => {
    personalize.on(DescribeCampaignCommand).resolves({
      campaign: {
        campaignArn: 'arn:c',
        name: 'P-recs',
        status: 'ACTIVE',
        ...(update !== '(none)' ? { latestCampaignUpdate: { status: update, creationDateTime: updated } } : {}),
      },
    });
    const campaign = await port().describe('campaign', 'arn:c');
    expect(campaign?.updating).toBe(updating);
    expect(campaign?.latestUpdate).toStrictEqual(
      update !== '(none)' ? { status: update, createdAt: updated.getTime() } : undefined,
    );
  });
});

describe('describe dataset and schema', () => {
  test('a dataset: its schema and the latest update, with that update’s schema and failure', async () => {
    personalize.on(DescribeDatasetCommand).resolves({
      dataset: {
        datasetArn: 'arn:ds',
        name: 'P-interactions',
        datasetGroupArn: 'arn:dsg',
        datasetType: 'Interactions',
        status: 'ACTIVE',
        creationDateTime: created,
        lastUpdatedDateTime: updated,
        schemaArn: 'arn:schema/1',
        latestDatasetUpdate: {
          schemaArn: 'arn:schema/2',
          status: 'CREATE FAILED',
          failureReason: 'incompatible schema',
          creationDateTime: updated,
          lastUpdatedDateTime: updated,
        },
      },
    });
    expect(await port().describe('dataset', 'arn:ds')).toStrictEqual({
      kind: 'dataset',
      arn: 'arn:ds',
      name: 'P-interactions',
      status: 'ACTIVE',
      createdAt: created.getTime(),
      lastUpdatedAt: updated.getTime(),
      datasetType: 'Interactions',
      schemaArn: 'arn:schema/1',
      latestUpdate: {
        status: 'CREATE FAILED',
        createdAt: updated.getTime(),
        failureReason: 'incompatible schema',
        schemaArn: 'arn:schema/2',
      },
    });
    expect(sentInputs()).toStrictEqual([{ datasetArn: 'arn:ds' }]);
  });

  test('a schema: the Avro text, reported ACTIVE', async () => {
    personalize.on(DescribeSchemaCommand).resolves({
      schema: { schemaArn: 'arn:schema', name: 'P-interactions', schema: avro, creationDateTime: created },
    });
    expect(await port().describe('schema', 'arn:schema')).toStrictEqual({
      kind: 'schema',
      arn: 'arn:schema',
      name: 'P-interactions',
      status: 'ACTIVE',
      createdAt: created.getTime(),
      schema: avro,
    });
    expect(sentInputs()).toStrictEqual([{ schemaArn: 'arn:schema' }]);
  });

  test('an event tracker: its status and the tracking id PutEvents takes (the list lacks it)', async () => {
    personalize.on(DescribeEventTrackerCommand).resolves({
      eventTracker: {
        eventTrackerArn: 'arn:tracker',
        name: 'P-g-events',
        datasetGroupArn: 'arn:group',
        status: 'ACTIVE',
        trackingId: 'b1c2-tracking',
        creationDateTime: created,
      },
    });
    expect(await port().describe('eventTracker', 'arn:tracker')).toMatchObject({
      kind: 'eventTracker',
      arn: 'arn:tracker',
      name: 'P-g-events',
      status: 'ACTIVE',
      parentArn: 'arn:group',
      trackingId: 'b1c2-tracking',
    });
    expect(sentInputs()).toStrictEqual([{ eventTrackerArn: 'arn:tracker' }]);
  });

  test.each([
    ['campaign', DescribeCampaignCommand],
    ['dataset', DescribeDatasetCommand],
    ['schema', DescribeSchemaCommand],
    ['eventTracker', DescribeEventTrackerCommand],
  ] as const)('a %s answered empty is undefined', async (kind, command) => {
    personalize.on(command as AnyCommand).resolves({});
    expect(await port().describe(kind, 'arn:x')).toBeUndefined();
  });
});

describe('remove', () => {
  test.each<[ResourceKind, string, AnyCommand]>([
    ['datasetGroup', 'datasetGroupArn', DeleteDatasetGroupCommand],
    ['schema', 'schemaArn', DeleteSchemaCommand],
    ['dataset', 'datasetArn', DeleteDatasetCommand],
    ['solution', 'solutionArn', DeleteSolutionCommand],
    ['campaign', 'campaignArn', DeleteCampaignCommand],
    ['filter', 'filterArn', DeleteFilterCommand],
    ['eventTracker', 'eventTrackerArn', DeleteEventTrackerCommand],
    ['metricAttribution', 'metricAttributionArn', DeleteMetricAttributionCommand],
  ])('%s: its Delete command with %s', async (kind, field, command) => {
    personalize.on(command).resolves({});
    await port().remove(kind, 'arn:x');
    expect(personalize.commandCalls(command)).toHaveLength(1);
    expect(sentInputs()).toStrictEqual([{ [field]: 'arn:x' }]);
  });

  test.each(['solutionVersion', 'datasetImportJob', 'batchInferenceJob', 'batchSegmentJob'] as const)(
    '%s is not deleted on its own',
    async (kind) => {
      await expect(port().remove(kind, 'arn:x')).rejects.toThrow(/cannot be deleted on its own/);
      expect(sentInputs()).toEqual([]);
    },
  );

  test('service errors reach reconcile as service errors, classified', async () => {
    personalize
      .on(DeleteCampaignCommand)
      .rejects(new ResourceInUseException({ message: 'CREATE IN_PROGRESS', $metadata: {} }));
    const error = await port()
      .remove('campaign', 'arn:c')
      .catch((e: unknown) => e);
    expect(isServiceError(error)).toBe(true);
    expect((error as Error).name).toBe('ResourceInUseException');
    expect(isTransient(error)).toBe(false);
  });
});

describe('the other calls', () => {
  test('stopTraining: StopSolutionVersionCreation with the version', async () => {
    personalize.on(StopSolutionVersionCreationCommand).resolves({});
    await port().stopTraining('arn:v');
    expect(personalize.commandCalls(StopSolutionVersionCreationCommand)[0].args[0].input).toStrictEqual({
      solutionVersionArn: 'arn:v',
    });
    expect(sentInputs()).toHaveLength(1);
  });

  test('updateCampaign: campaign, TPS and version, each in its own field', async () => {
    personalize.on(UpdateCampaignCommand).resolves({ campaignArn: 'arn:c' });
    await port().updateCampaign('arn:c', 4, 'arn:v2');
    expect(personalize.commandCalls(UpdateCampaignCommand)[0].args[0].input).toStrictEqual({
      campaignArn: 'arn:c',
      minProvisionedTPS: 4,
      solutionVersionArn: 'arn:v2',
    });
    expect(sentInputs()).toHaveLength(1);
  });

  test('updateDataset: UpdateDataset with the dataset and the new schema', async () => {
    personalize.on(UpdateDatasetCommand).resolves({ datasetArn: 'arn:ds' });
    await port().updateDataset('arn:ds', 'arn:schema/2');
    expect(personalize.commandCalls(UpdateDatasetCommand)[0].args[0].input).toStrictEqual({
      datasetArn: 'arn:ds',
      schemaArn: 'arn:schema/2',
    });
    expect(sentInputs()).toHaveLength(1);
  });

  test('solutionMetrics: the metrics by name, for the version asked', async () => {
    personalize.on(GetSolutionMetricsCommand).resolves({
      solutionVersionArn: 'arn:v',
      metrics: { normalized_discounted_cumulative_gain_at_10: 0.31, coverage: 0.72 },
    });
    expect(await port().solutionMetrics('arn:v')).toStrictEqual({
      normalized_discounted_cumulative_gain_at_10: 0.31,
      coverage: 0.72,
    });
    expect(sentInputs()).toStrictEqual([{ solutionVersionArn: 'arn:v' }]);
  });

  test('solutionMetrics: none reported is an empty record', async () => {
    personalize.on(GetSolutionMetricsCommand).resolves({ solutionVersionArn: 'arn:v' });
    expect(await port().solutionMetrics('arn:v')).toStrictEqual({});
  });

  test('tags: ListTagsForResource, back as a plain record', async () => {
    personalize.on(ListTagsForResourceCommand).resolves({ tags: sdkTags });
    expect(await port().tags('arn:x')).toStrictEqual(tags);
    expect(sentInputs()).toStrictEqual([{ resourceArn: 'arn:x' }]);
  });

  test('tags: none is an empty record', async () => {
    personalize.on(ListTagsForResourceCommand).resolves({});
    expect(await port().tags('arn:x')).toStrictEqual({});
  });
});
