/**
 * Which prepared revisions the MovieLens handler keeps: a data change must never delete files a
 * deployed stack still uses, even when that stack's update fails and rolls back.
 *
 * The stacks deploy in order Data, then Personalize and Web. A settings change replaces the
 * preparation resource (Update with the old physical id, answered with a new one), and
 * CloudFormation deletes the old resource while the Data stack finishes, before the others move.
 */
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handlePreparationEvent, OnEventResponse } from '../../lib/data/movielens/handler';
import { preparedKeys, TRANSFORM_VERSION } from '../../lib/data/movielens/prepare';
import { writeSynthetic, zipFolder } from '../../data/synthetic/generate';
import { tempDir } from './helpers';

const s3 = mockClient(S3Client);
const cloudFormation = mockClient(CloudFormationClient);

const WEB = 'MovieRecs-Web';
const PERSONALIZE = 'MovieRecs-Personalize';
const BASE_URL = 'https://files.example.com/movielens';
/** Keys per ListObjectsV2 page: small, so every listing takes several pages. */
const PAGE = 3;

let zip: string;
let downloads: string[];
/** The data bucket: key -> body. */
let bucket: Map<string, Buffer>;
/** The consumer stacks as DescribeStacks sees them; an Error is what it throws. */
let stacks: Record<string, { status: string; revision?: string } | Error>;
let log: jest.SpyInstance;

beforeAll(async () => {
  const folder = tempDir();
  const files = writeSynthetic({ edition: 'ml-100k', users: 120, items: 300, ratings: 8000, seed: 8 }, folder);
  zip = path.join(tempDir(), 'ml-100k.zip');
  await zipFolder(folder, files, 'ml-100k', zip);
});

beforeEach(() => {
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  downloads = [];
  bucket = new Map();
  stacks = { [PERSONALIZE]: missing(PERSONALIZE), [WEB]: missing(WEB) };
  s3.reset();
  cloudFormation.reset();
  s3.on(GetObjectCommand).callsFake(async (input) => {
    const body = bucket.get(input.Key);
    if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    return { Body: { transformToByteArray: async () => body } };
  });
  s3.on(PutObjectCommand).callsFake(async (input) => {
    bucket.set(input.Key, Buffer.from(input.Body as Uint8Array));
    return { ETag: '"etag"' };
  });
  s3.on(ListObjectsV2Command).callsFake(async (input) => {
    const keys = [...bucket.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).sort();
    const start = Number(input.ContinuationToken ?? 0);
    const more = start + PAGE < keys.length;
    return {
      Contents: keys.slice(start, start + PAGE).map((Key) => ({ Key })),
      IsTruncated: more,
      NextContinuationToken: more ? String(start + PAGE) : undefined,
    };
  });
  s3.on(DeleteObjectsCommand).callsFake(async (input) => {
    for (const object of input.Delete.Objects) bucket.delete(object.Key);
    return {};
  });
  cloudFormation.on(DescribeStacksCommand).callsFake(async (input) => {
    const stack = stacks[input.StackName];
    if (stack instanceof Error) throw stack;
    return {
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: stack.status,
          CreationTime: new Date(0),
          Outputs: stack.revision ? [{ OutputKey: 'DataRevision', OutputValue: stack.revision }] : [],
        },
      ],
    };
  });
});

/** CloudFormation's answer for a stack that does not exist. */
function missing(name: string): Error {
  return Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
}

function deployed(revision: string, status: string = StackStatus.UPDATE_COMPLETE) {
  return { status, revision };
}

/** The physical id the handler gives a revision. */
const physicalId = (revision: string) => `movielens/${revision}`;

function event(
  type: 'Create' | 'Update' | 'Delete',
  threshold: string,
  physical?: string,
  over: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/MovieRecs-Data/1',
    RequestId: 'request-1',
    LogicalResourceId: 'MovieLens',
    ResourceType: 'Custom::MovieLensPreparation',
    ...(physical ? { PhysicalResourceId: physical } : {}),
    ...(type === 'Update' ? { OldResourceProperties: {} } : {}),
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
      Bucket: 'data-bucket',
      Edition: 'ml-100k',
      BaseUrl: BASE_URL,
      PositiveRatingThreshold: threshold,
      TimestampShift: JSON.stringify({ kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' }),
      SkipBadLines: 'false',
      TransformVersion: String(TRANSFORM_VERSION),
      ConsumerStacks: [PERSONALIZE, WEB],
      RevisionOutput: 'DataRevision',
      ...over,
    },
  } as CloudFormationCustomResourceEvent;
}

const deps = () => ({
  s3: new S3Client({ region: 'us-east-1' }),
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  download: async (url: string, file: string) => {
    downloads.push(url);
    copyFileSync(zip, file);
  },
  scratch: tempDir(),
  // The synthetic zip is not the published ml-100k.
  publishedZips: {},
});

const revisionOf = (result: OnEventResponse) => String(result.Data?.KeyBase);

/**
 * The Data stack deploys with a positive-rating threshold: a first Create, or (`from` a revision)
 * a settings change, which CloudFormation runs as an Update and then, in the stack's cleanup, a
 * Delete of the resource it replaced.
 */
async function dataStackDeploys(threshold: string, from?: { revision: string; threshold: string }): Promise<string> {
  if (!from) return revisionOf(await handlePreparationEvent(event('Create', threshold), deps()));
  const revision = revisionOf(
    await handlePreparationEvent(event('Update', threshold, physicalId(from.revision)), deps()),
  );
  if (revision !== from.revision) {
    await handlePreparationEvent(event('Delete', from.threshold, physicalId(from.revision)), deps());
  }
  return revision;
}

/** Every file of a prepared ml-100k revision, manifest included. */
function filesOf(revision: string): string[] {
  return Object.values(preparedKeys(revision)).sort();
}

/** The revisions that have files in the bucket. */
function revisionsInBucket(): string[] {
  const revisions = new Set(
    [...bucket.keys()].flatMap((key) => /^(?:personalize|web)\/(ml-100k\/[0-9a-f]{16}\/)/.exec(key)?.[1] ?? []),
  );
  return [...revisions].sort();
}

function expectComplete(revision: string): void {
  for (const key of filesOf(revision)) expect([key, bucket.has(key)]).toEqual([key, true]);
}

/** Files of a revision that was never prepared here (an old one): fake bodies under the real keys. */
function seed(revision: string): void {
  for (const key of filesOf(revision)) bucket.set(key, Buffer.from('old\n'));
}

const deleted = () =>
  s3.commandCalls(DeleteObjectsCommand).flatMap((call) => call.args[0].input.Delete?.Objects?.map((o) => o.Key) ?? []);

describe('a data change keeps what the deployed stacks use', () => {
  test('the Web stack rolls back to the old revision: its files stay until no stack names them', async () => {
    const A = await dataStackDeploys('3.6');
    stacks = {
      [PERSONALIZE]: deployed(A, StackStatus.CREATE_COMPLETE),
      [WEB]: deployed(A, StackStatus.CREATE_COMPLETE),
    };

    // The data settings change: the Data stack moves to B and its cleanup deletes the resource of A.
    const B = await dataStackDeploys('3', { revision: A, threshold: '3.6' });
    expect(B).not.toBe(A);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expectComplete(A);

    // Personalize moves to B; the Web stack's update fails and rolls back: it still runs on A, and
    // its instances (new ones too) load A's manifest and files.
    stacks = { [PERSONALIZE]: deployed(B), [WEB]: deployed(A, StackStatus.UPDATE_ROLLBACK_COMPLETE) };
    expectComplete(A);
    const manifest = JSON.parse(bucket.get(preparedKeys(A).manifest)!.toString('utf8'));
    expect(manifest.settings.positiveRatingThreshold).toBe(3.6);

    // Another data change before the Web stack has moved: A is still what the site runs on.
    const C = await dataStackDeploys('2.5', { revision: B, threshold: '3' });
    expect(revisionsInBucket()).toEqual([A, B, C].sort());
    expectComplete(A);
    expect(log).toHaveBeenCalledWith(expect.stringContaining(`${A} (${WEB})`));

    // Both consumer stacks deploy C; the next data change deletes what no stack uses any more.
    stacks = { [PERSONALIZE]: deployed(C), [WEB]: deployed(C) };
    const D = await dataStackDeploys('2', { revision: C, threshold: '2.5' });
    expect(revisionsInBucket()).toEqual([C, D].sort());
    expectComplete(C);
    expectComplete(D);
    expect(deleted().sort()).toEqual([...filesOf(A), ...filesOf(B)].sort());
  });

  test('a later deployment with both stacks on B deletes A but keeps B and the new C', async () => {
    const A = await dataStackDeploys('3.6');
    stacks = { [PERSONALIZE]: deployed(A), [WEB]: deployed(A) };
    const B = await dataStackDeploys('3', { revision: A, threshold: '3.6' });
    stacks = { [PERSONALIZE]: deployed(B), [WEB]: deployed(B) };
    const C = await dataStackDeploys('2.5', { revision: B, threshold: '3' });
    expect(revisionsInBucket()).toEqual([B, C].sort());
    expectComplete(B);
    expectComplete(C);
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(new RegExp(`^deleted revisions no stack uses: ${A} \\(7 files\\)$`)),
    );
  });

  test('a rollback of the Data stack finds the revision it returns to, and does not prepare it again', async () => {
    // The Data stack alone moved to B (`cdk deploy MovieRecs-Data`): the consumers are still on A.
    const A = await dataStackDeploys('3.6');
    stacks = { [PERSONALIZE]: deployed(A), [WEB]: deployed(A) };
    const B = await dataStackDeploys('3', { revision: A, threshold: '3.6' });

    // The next change moves the preparation to C, then a later resource of the Data stack fails:
    // CloudFormation rolls the preparation back with an Update to B's settings, then deletes C.
    const C = revisionOf(await handlePreparationEvent(event('Update', '2.5', physicalId(B)), deps()));
    expect(revisionsInBucket()).toEqual([A, B, C].sort());
    downloads = [];
    const back = await handlePreparationEvent(event('Update', '3', physicalId(C)), deps());
    expect(back.PhysicalResourceId).toBe(physicalId(B));
    expect(back.Data?.Skipped).toBe('true');
    expect(downloads).toEqual([]);
    await handlePreparationEvent(event('Delete', '2.5', physicalId(C)), deps());
    expectComplete(B);
  });
});

describe('what the consumer stacks use', () => {
  const OLD = 'ml-100k/00000000000000a1/';
  const USED = 'ml-100k/00000000000000b2/';

  test('a stack that does not exist uses nothing', async () => {
    seed(OLD);
    seed(USED);
    stacks = { [PERSONALIZE]: deployed(USED), [WEB]: missing(WEB) };
    const current = await dataStackDeploys('3.6');
    expect(revisionsInBucket()).toEqual([USED, current].sort());
    expect(deleted().sort()).toEqual(filesOf(OLD));
  });

  test('a stack whose creation failed and rolled back (ROLLBACK_COMPLETE) holds nothing and uses nothing', async () => {
    seed(OLD);
    stacks = { [PERSONALIZE]: missing(PERSONALIZE), [WEB]: { status: StackStatus.ROLLBACK_COMPLETE } };
    const current = await dataStackDeploys('3.6');
    expect(revisionsInBucket()).toEqual([current]);
  });

  test('DescribeStacks refused (AccessDenied): nothing is deleted, the deployment goes on, the log says why', async () => {
    seed(OLD);
    stacks = {
      [PERSONALIZE]: deployed(USED),
      [WEB]: Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), {
        name: 'AccessDenied',
      }),
    };
    const current = await dataStackDeploys('3.6');
    expect(revisionsInBucket()).toEqual([OLD, current].sort());
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(log).toHaveBeenCalledWith(
      `kept every other revision: reading stack ${WEB} failed: AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks`,
    );
  });

  test.each([
    StackStatus.UPDATE_IN_PROGRESS,
    StackStatus.UPDATE_ROLLBACK_IN_PROGRESS,
    StackStatus.UPDATE_ROLLBACK_FAILED,
    StackStatus.UPDATE_COMPLETE_CLEANUP_IN_PROGRESS,
    StackStatus.DELETE_FAILED,
    StackStatus.REVIEW_IN_PROGRESS,
  ])('a stack that is %s may change what it uses (or shows no outputs): nothing is deleted', async (status) => {
    seed(OLD);
    stacks = { [PERSONALIZE]: deployed(USED), [WEB]: { status, revision: USED } };
    const current = await dataStackDeploys('3.6');
    expect(revisionsInBucket()).toEqual([OLD, current].sort());
    expect(log).toHaveBeenCalledWith(`kept every other revision: stack ${WEB} is ${status}`);
  });

  test('a stack without the DataRevision output (deployed before it existed): nothing is deleted', async () => {
    seed(OLD);
    stacks = { [PERSONALIZE]: deployed(USED), [WEB]: { status: StackStatus.UPDATE_COMPLETE } };
    const current = await dataStackDeploys('3.6');
    expect(revisionsInBucket()).toEqual([OLD, current].sort());
    expect(log).toHaveBeenCalledWith(
      `kept every other revision: stack ${WEB} has no DataRevision output naming the revision it uses`,
    );
  });

  test('a deployment that finds its revision already prepared deletes the unused ones too', async () => {
    const current = await dataStackDeploys('3.6');
    seed(OLD);
    stacks = { [PERSONALIZE]: deployed(current), [WEB]: deployed(current) };
    downloads = [];
    // An update that changes no setting (here: the consumer stacks now carry DataRevision outputs).
    const again = await handlePreparationEvent(event('Update', '3.6', physicalId(current)), deps());
    expect(again.Data?.Skipped).toBe('true');
    expect(downloads).toEqual([]);
    expect(revisionsInBucket()).toEqual([current]);
  });

  test('a template that names no consumer stacks: nothing is deleted and no stack is read', async () => {
    seed(OLD);
    const result = await handlePreparationEvent(
      event('Create', '3.6', undefined, { ConsumerStacks: undefined }),
      deps(),
    );
    expect(revisionsInBucket()).toEqual([OLD, revisionOf(result)].sort());
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});

describe('deleting unused revisions', () => {
  const old = (i: number) => `ml-100k/${i.toString(16).padStart(16, '0')}/`;

  test('reads every page of the listing and deletes each revision manifest first', async () => {
    for (let i = 1; i <= 4; i++) seed(old(i));
    stacks = { [PERSONALIZE]: deployed(old(4)), [WEB]: deployed(old(4)) };
    const current = await dataStackDeploys('3.6');
    expect(revisionsInBucket()).toEqual([old(4), current].sort());
    const lists = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(lists.filter((input) => input.ContinuationToken).length).toBeGreaterThan(2);
    // A revision cut short must not look complete: its manifest (written last) goes first.
    const [first] = s3.commandCalls(DeleteObjectsCommand);
    expect(first.args[0].input.Delete?.Objects?.map((o) => o.Key)).toEqual(
      [1, 2, 3].map((i) => preparedKeys(old(i)).manifest),
    );
  });

  test('leaves every key outside a revision alone', async () => {
    const others = ['personalize/schemas/items.json', 'personalize/ml-100k/not-a-settings-id/x.csv', 'web/notes.txt'];
    for (const key of others) bucket.set(key, Buffer.from('x'));
    seed(old(1));
    stacks = { [PERSONALIZE]: missing(PERSONALIZE), [WEB]: missing(WEB) };
    await dataStackDeploys('3.6');
    for (const key of others) expect(bucket.has(key)).toBe(true);
    expect(deleted().sort()).toEqual(filesOf(old(1)));
  });

  test('an S3 failure while deleting never fails the deployment', async () => {
    seed(old(1));
    stacks = { [PERSONALIZE]: missing(PERSONALIZE), [WEB]: missing(WEB) };
    s3.on(DeleteObjectsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const result = await handlePreparationEvent(event('Create', '3.6'), deps());
    expect(result.PhysicalResourceId).toMatch(/^movielens\/ml-100k\/[0-9a-f]{16}\/$/);
    expect(log).toHaveBeenCalledWith(
      'deleting unused revisions stopped, the rest is kept: AccessDenied: Access Denied',
    );
  });

  test('files S3 reports it could not delete stop the collection, and the deployment goes on', async () => {
    seed(old(1));
    stacks = { [PERSONALIZE]: missing(PERSONALIZE), [WEB]: missing(WEB) };
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: preparedKeys(old(1)).manifest, Code: 'AccessDenied', Message: 'Access Denied' }],
    });
    await expect(handlePreparationEvent(event('Create', '3.6'), deps())).resolves.toBeDefined();
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
    expect(log).toHaveBeenCalledWith(
      `deleting unused revisions stopped, the rest is kept: Error: 1 files not deleted, e.g. ${preparedKeys(old(1)).manifest}: AccessDenied Access Denied`,
    );
  });
});
