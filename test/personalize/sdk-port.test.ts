import {
  CreateDatasetCommand,
  CreateDatasetImportJobCommand,
  CreateSolutionVersionCommand,
  DeleteCampaignCommand,
  DescribeCampaignCommand,
  ListDatasetGroupsCommand,
  ListFiltersCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  ResourceInUseException,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import { isServiceError, isTransient } from '../../lib/personalize/controller/port';
import { SdkPersonalizePort } from '../../lib/personalize/controller/sdk-port';

const personalize = mockClient(PersonalizeClient);
const port = () => new SdkPersonalizePort(new PersonalizeClient({ region: 'us-east-1' }));

beforeEach(() => personalize.reset());

test('lists follow every page and keep status, times and failure reasons', async () => {
  const created = new Date('2026-11-26T10:00:00Z');
  personalize
    .on(ListDatasetGroupsCommand, { nextToken: undefined, maxResults: 100 })
    .resolves({
      datasetGroups: [{ name: 'A-movies', datasetGroupArn: 'arn:a', status: 'ACTIVE', creationDateTime: created }],
      nextToken: 'page-2',
    })
    .on(ListDatasetGroupsCommand, { nextToken: 'page-2', maxResults: 100 })
    .resolves({
      datasetGroups: [
        {
          name: 'B-movies',
          datasetGroupArn: 'arn:b',
          status: 'CREATE FAILED',
          failureReason: 'quota',
          creationDateTime: created,
        },
      ],
    });
  expect(await port().list('datasetGroup')).toEqual([
    { kind: 'datasetGroup', arn: 'arn:a', name: 'A-movies', status: 'ACTIVE', createdAt: created.getTime() },
    {
      kind: 'datasetGroup',
      arn: 'arn:b',
      name: 'B-movies',
      status: 'CREATE FAILED',
      createdAt: created.getTime(),
      failureReason: 'quota',
    },
  ]);
});

test("filters come back under the SDK's capitalised Filters field", async () => {
  personalize
    .on(ListFiltersCommand)
    .resolves({ Filters: [{ name: 'unwatched', filterArn: 'arn:f', status: 'ACTIVE' }] });
  expect((await port().list('filter', 'arn:dsg')).map((f) => [f.name, f.parentArn])).toEqual([
    ['unwatched', 'arn:dsg'],
  ]);
});

test('creates map our request to the SDK: dataset type, tags, FULL training, import role', async () => {
  personalize.on(CreateDatasetCommand).resolves({ datasetArn: 'arn:dataset' });
  personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: 'arn:job' });
  personalize.on(CreateSolutionVersionCommand).resolves({ solutionVersionArn: 'arn:version' });
  const p = port();
  await p.create({
    kind: 'dataset',
    name: 'P-items',
    parentArn: 'arn:dsg',
    datasetType: 'items',
    schemaArn: 'arn:schema',
    tags: { 'movierecs:prefix': 'P' },
  });
  await p.create({
    kind: 'datasetImportJob',
    name: 'P-items-1',
    parentArn: 'arn:dataset',
    dataLocation: 's3://b/k.csv',
    roleArn: 'arn:role',
  });
  expect(await p.create({ kind: 'solutionVersion', parentArn: 'arn:solution' })).toBe('arn:version');
  expect(personalize.commandCalls(CreateDatasetCommand)[0].args[0].input).toEqual({
    name: 'P-items',
    datasetGroupArn: 'arn:dsg',
    schemaArn: 'arn:schema',
    datasetType: 'Items',
    tags: [{ tagKey: 'movierecs:prefix', tagValue: 'P' }],
  });
  expect(personalize.commandCalls(CreateDatasetImportJobCommand)[0].args[0].input).toMatchObject({
    jobName: 'P-items-1',
    dataSource: { dataLocation: 's3://b/k.csv' },
    roleArn: 'arn:role',
    importMode: 'FULL',
  });
  expect(personalize.commandCalls(CreateSolutionVersionCommand)[0].args[0].input).toMatchObject({
    solutionArn: 'arn:solution',
    trainingMode: 'FULL',
  });
});

test('a campaign describe reports TPS, the deployed version and an update in progress', async () => {
  personalize.on(DescribeCampaignCommand).resolves({
    campaign: {
      campaignArn: 'arn:c',
      name: 'P-recs',
      status: 'ACTIVE',
      minProvisionedTPS: 2,
      solutionVersionArn: 'arn:v',
      latestCampaignUpdate: { status: 'CREATE IN_PROGRESS' },
    },
  });
  expect(await port().describe('campaign', 'arn:c')).toMatchObject({
    status: 'ACTIVE',
    minProvisionedTPS: 2,
    solutionVersionArn: 'arn:v',
    updating: true,
  });
});

test('tags come back as a plain record', async () => {
  personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: 'movierecs:prefix', tagValue: 'P' }] });
  expect(await port().tags('arn:x')).toEqual({ 'movierecs:prefix': 'P' });
});

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

test('solution versions and import jobs are not deleted on their own', async () => {
  await expect(port().remove('solutionVersion', 'arn:v')).rejects.toThrow(/goes with its parent/);
});
