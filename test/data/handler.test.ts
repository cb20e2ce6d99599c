import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { PUBLISHED_ZIPS, PublishedZip } from '../../lib/data/movielens/editions';
import {
  checkPublishedZip,
  downloadToFile,
  handlePreparationEvent,
  PreparationDependencies,
} from '../../lib/data/movielens/handler';
import { S3Sink } from '../../lib/data/movielens/s3-sink';
import { TRANSFORM_VERSION } from '../../lib/data/movielens/prepare';
import { writeSynthetic, zipFolder } from '../../data/synthetic/generate';
import { tempDir } from './helpers';

const s3 = mockClient(S3Client);
const cloudFormation = mockClient(CloudFormationClient);
let server: Server;
let baseUrl: string;
let requests: string[] = [];
/** The served zips by URL path; the synthetic ml-100k's digest stands in for the published one. */
const served = new Map<string, Buffer>();
let syntheticMl100k: PublishedZip;

/** A synthetic edition zipped as GroupLens does, or with the files under another top folder. */
async function syntheticZip(edition: 'ml-100k' | 'ml-latest', topFolder: string, leaveOut?: string): Promise<Buffer> {
  const folder = tempDir();
  const files = writeSynthetic({ edition, users: 120, items: 300, ratings: 8000, seed: 8 }, folder);
  const zip = path.join(tempDir(), 'edition.zip');
  await zipFolder(
    folder,
    files.filter((file) => file !== leaveOut),
    topFolder,
    zip,
  );
  return readFileSync(zip);
}

beforeAll(async () => {
  const ml100k = await syntheticZip('ml-100k', 'ml-100k');
  syntheticMl100k = { bytes: ml100k.length, sha256: createHash('sha256').update(ml100k).digest('hex') };
  served.set('/movielens/ml-100k.zip', ml100k);
  served.set('/chunked/ml-100k.zip', ml100k);
  served.set('/movielens/ml-latest-small.zip', await syntheticZip('ml-latest', 'ml-latest-small'));
  served.set('/other-folder/ml-latest-small.zip', await syntheticZip('ml-latest', 'ml-latest'));
  served.set('/no-movies/ml-latest-small.zip', await syntheticZip('ml-latest', 'ml-latest-small', 'movies.csv'));
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const bytes = served.get(request.url ?? '');
    if (bytes && request.url?.startsWith('/chunked/')) {
      // No content-length: the size is only known as the bytes arrive.
      response.writeHead(200, { 'content-type': 'application/zip' });
      for (let at = 0; at < bytes.length; at += 16_384) response.write(bytes.subarray(at, at + 16_384));
      response.end();
    } else if (bytes) {
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length });
      response.end(bytes);
    } else {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/movielens`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  // The handlers log what they do for CloudWatch; keep the test output to the results.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  s3.reset();
  cloudFormation.reset();
  requests = [];
});

/** Records what the handler uploads: key -> body text. */
function recordUploads(): Map<string, string> {
  const uploads = new Map<string, string>();
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'not found', $metadata: {} }));
  s3.on(PutObjectCommand).callsFake((input) => {
    uploads.set(input.Key, Buffer.from(input.Body as Uint8Array).toString('utf8'));
    return { ETag: '"etag"' };
  });
  return uploads;
}

function event(
  type: 'Create' | 'Update' | 'Delete',
  over: Record<string, unknown> = {},
  physicalId?: string,
): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/MovieRecs-Data/1',
    RequestId: 'request-1',
    LogicalResourceId: 'MovieLens',
    ResourceType: 'Custom::MovieLensPreparation',
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ...(type === 'Update' ? { OldResourceProperties: {} } : {}),
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
      Bucket: 'data-bucket',
      Edition: 'ml-100k',
      BaseUrl: baseUrl,
      PositiveRatingThreshold: '3.6',
      TimestampShift: JSON.stringify({ kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' }),
      SkipBadLines: 'false',
      TransformVersion: String(TRANSFORM_VERSION),
      ...over,
    },
  } as CloudFormationCustomResourceEvent;
}

const deps = (publishedZips: PreparationDependencies['publishedZips'] = { 'ml-100k': syntheticMl100k }) => ({
  s3: new S3Client({ region: 'us-east-1' }),
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  download: downloadToFile,
  scratch: tempDir(),
  publishedZips,
});
const host = () => baseUrl.slice(0, -'/movielens'.length);

describe('the download is the published one', () => {
  test('the default table holds the published sizes and checksums of the fixed editions, and no ml-latest-small', () => {
    expect(PUBLISHED_ZIPS).toEqual({
      'ml-100k': { bytes: 4_924_029, sha256: '50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229' },
      'ml-25m': { bytes: 261_978_986, sha256: '8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa' },
    });
  });

  test('by default, another ml-100k zip is refused naming the URL, the expected and the actual size and hash', async () => {
    recordUploads();
    const { bytes, sha256 } = syntheticMl100k;
    const run = handlePreparationEvent(event('Create'), { ...deps(), publishedZips: undefined });
    await expect(run).rejects.toThrow(
      `${baseUrl}/ml-100k.zip is not the published zip: expected 4924029 bytes with SHA-256 ` +
        `50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229, got ${bytes} bytes with SHA-256 ${sha256}. ` +
        'The fixed editions never change, and a mirror must serve the same bytes.',
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test.each([
    ['the size', (zip: PublishedZip) => ({ ...zip, bytes: zip.bytes + 1 })],
    ['the hash', (zip: PublishedZip) => ({ ...zip, sha256: '0'.repeat(64) })],
  ])('a zip that differs only in %s is refused too', async (_what, change) => {
    const file = path.join(tempDir(), 'ml-100k.zip');
    await downloadToFile(`${baseUrl}/ml-100k.zip`, file);
    await expect(checkPublishedZip('https://x/ml-100k.zip', file, syntheticMl100k)).resolves.toBeUndefined();
    await expect(checkPublishedZip('https://x/ml-100k.zip', file, change(syntheticMl100k))).rejects.toThrow(
      /^https:\/\/x\/ml-100k\.zip is not the published zip/,
    );
  });

  test.each(['movielens', 'chunked'])(
    'a download larger than the edition allows stops, naming the URL and the limit (%s)',
    async (folder) => {
      const url = `${host()}/${folder}/ml-100k.zip`;
      const file = path.join(tempDir(), 'ml-100k.zip');
      const limit = syntheticMl100k.bytes - 1;
      await expect(downloadToFile(url, file, limit)).rejects.toThrow(
        `Downloading ${url} stopped: it is larger than ${limit} bytes, the most this edition's zip can be`,
      );
      await expect(downloadToFile(url, file, syntheticMl100k.bytes)).resolves.toBeUndefined();
    },
  );

  test("the handler downloads at most the published size, or 4 × ml-latest-small's", async () => {
    const limits: number[] = [];
    recordUploads();
    const download = (url: string, file: string, maxBytes: number) => {
      limits.push(maxBytes);
      return downloadToFile(url, file, maxBytes);
    };
    await handlePreparationEvent(event('Create'), { ...deps(), download });
    await handlePreparationEvent(event('Create', { Edition: 'ml-latest-small' }), { ...deps({}), download });
    expect(limits).toEqual([syntheticMl100k.bytes, 4 * 978_202]);
  });

  test('ml-latest-small changes between releases: any zip with its layout is prepared', async () => {
    const uploads = recordUploads();
    const result = await handlePreparationEvent(event('Create', { Edition: 'ml-latest-small' }), deps({}));
    expect(result.Data).toMatchObject({ RatingsRead: 8000, UsersKey: '' });
    expect([...uploads.keys()].some((key) => key.endsWith('manifest.json'))).toBe(true);
  });

  test.each([
    [
      'other-folder',
      'expected one top folder "ml-latest-small/" holding ratings.csv, movies.csv; its top level holds "ml-latest"',
    ],
    ['no-movies', 'expected one top folder "ml-latest-small/" holding ratings.csv, movies.csv; missing movies.csv'],
  ])('a zip laid out otherwise (%s) is refused, naming what was expected', async (folder, problem) => {
    recordUploads();
    const run = handlePreparationEvent(
      event('Create', { Edition: 'ml-latest-small', BaseUrl: `${host()}/${folder}` }),
      deps({}),
    );
    await expect(run).rejects.toThrow(problem);
    await expect(run).rejects.toThrow(/ml-latest-small\.zip: expected/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('create', () => {
  test('downloads the zip over HTTP, writes every file under its settings id, and reports keys and counts', async () => {
    const uploads = recordUploads();
    const result = await handlePreparationEvent(event('Create'), deps());

    expect(requests).toEqual(['/movielens/ml-100k.zip']);
    expect(result.PhysicalResourceId).toMatch(/^movielens\/ml-100k\/[0-9a-f]{16}\/$/);
    const base = result.PhysicalResourceId.slice('movielens/'.length);
    expect([...uploads.keys()].sort()).toEqual(
      [
        `personalize/${base}interactions.csv`,
        `personalize/${base}items.csv`,
        `personalize/${base}manifest.json`,
        `personalize/${base}users.csv`,
        `web/${base}movies.csv`,
        `web/${base}ratings.csv`,
        `web/${base}users.csv`,
      ].sort(),
    );
    const manifest = JSON.parse(uploads.get(`personalize/${base}manifest.json`)!);
    expect(manifest.source).toBe(`${baseUrl}/ml-100k.zip`);
    expect(result.Data).toMatchObject({
      KeyBase: base,
      InteractionsKey: `personalize/${base}interactions.csv`,
      UsersKey: `personalize/${base}users.csv`,
      RatingsRead: 8000,
      Interactions: manifest.counts.interactions,
      UsersKept: manifest.counts.usersKept,
      Skipped: 'false',
    });
    const interactions = uploads.get(`personalize/${base}interactions.csv`)!.trimEnd().split('\n');
    expect(interactions[0]).toBe('USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE');
    expect(interactions).toHaveLength(manifest.counts.interactions + 1);
    // The manifest is written last: its presence means everything else is complete.
    const putKeys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(putKeys[putKeys.length - 1]).toBe(`personalize/${base}manifest.json`);
  });

  test('a repeat with the same settings finds the manifest and does nothing', async () => {
    const uploads = recordUploads();
    const first = await handlePreparationEvent(event('Create'), deps());
    const manifest = uploads.get(`personalize/${first.PhysicalResourceId.slice('movielens/'.length)}manifest.json`)!;
    s3.reset();
    s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => Buffer.from(manifest) } as never });
    requests = [];

    const again = await handlePreparationEvent(event('Update'), deps());
    expect(again).toEqual({ ...first, Data: { ...first.Data, Skipped: 'true' } });
    expect(requests).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('other settings give other keys', async () => {
    recordUploads();
    const a = await handlePreparationEvent(event('Create'), deps());
    const b = await handlePreparationEvent(event('Create', { PositiveRatingThreshold: '4' }), deps());
    expect(b.PhysicalResourceId).not.toBe(a.PhysicalResourceId);
  });

  test('a download that fails names the URL and the HTTP status, and uploads nothing', async () => {
    recordUploads();
    await expect(handlePreparationEvent(event('Create', { Edition: 'ml-25m' }), deps())).rejects.toThrow(
      `Downloading ${baseUrl}/ml-25m.zip failed: HTTP 404`,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('data below the minimums fails before anything is uploaded', async () => {
    recordUploads();
    await expect(handlePreparationEvent(event('Create', { PositiveRatingThreshold: '5' }), deps())).rejects.toThrow(
      /below Amazon Personalize's minimum: interactions/,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('invalid properties are named', async () => {
    recordUploads();
    await expect(
      handlePreparationEvent(event('Create', { Edition: 'ml-1m', PositiveRatingThreshold: 'high' }), deps()),
    ).rejects.toThrow(/Invalid MovieLens preparation properties: Edition: .*; PositiveRatingThreshold: /);
    await expect(handlePreparationEvent(event('Create', { TransformVersion: '999' }), deps())).rejects.toThrow(
      /transform version 999; this handler is version/,
    );
  });
});

describe('delete', () => {
  test("keeps the files of that physical id: a replacement's cleanup comes before the consumer stacks have moved", async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'personalize/ml-100k/0123456789abcdef/interactions.csv' },
        { Key: 'personalize/ml-100k/0123456789abcdef/manifest.json' },
        { Key: 'web/ml-100k/0123456789abcdef/ratings.csv' },
      ],
    });
    s3.on(DeleteObjectsCommand).resolves({});
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const result = await handlePreparationEvent(event('Delete', {}, 'movielens/ml-100k/0123456789abcdef/'), deps());
    expect(result.PhysicalResourceId).toBe('movielens/ml-100k/0123456789abcdef/');
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(cloudFormation.calls()).toHaveLength(0);
    expect(log).toHaveBeenCalledWith(
      'kept personalize/ml-100k/0123456789abcdef/ and web/ml-100k/0123456789abcdef/: ' +
        'a later deployment deletes them once no stack uses them',
    );
  });

  test('a physical id that is not ours (a create that failed) touches nothing', async () => {
    await handlePreparationEvent(event('Delete', {}, 'request-1'), deps());
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('S3Sink', () => {
  const FIVE_MB = 5 * 1024 * 1024;

  test('streams a large file as a multipart upload', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    const parts: number[] = [];
    s3.on(UploadPartCommand).callsFake((input) => {
      parts.push((input.Body as Uint8Array).length);
      return { ETag: `"part-${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const sink = new S3Sink(new S3Client({ region: 'us-east-1' }), 'data-bucket', FIVE_MB);
    const file = await sink.create('web/big.csv', 'text/csv');
    for (let i = 0; i < 11; i++) await file.write(Buffer.alloc(1024 * 1024, 97));
    await file.close();
    expect(parts).toEqual([FIVE_MB, FIVE_MB, 1024 * 1024]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input).toMatchObject({
      Bucket: 'data-bucket',
      Key: 'web/big.csv',
      UploadId: 'upload-1',
    });
  });

  test('an aborted file is never completed', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3.on(UploadPartCommand).resolves({ ETag: '"x"' });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const sink = new S3Sink(new S3Client({ region: 'us-east-1' }), 'data-bucket', FIVE_MB);
    const file = await sink.create('web/partial.csv', 'text/csv');
    for (let i = 0; i < 6; i++) await file.write(Buffer.alloc(1024 * 1024, 98));
    await file.abort();
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('an upload failure surfaces on write or close', async () => {
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const sink = new S3Sink(new S3Client({ region: 'us-east-1' }), 'data-bucket', FIVE_MB);
    const file = await sink.create('web/denied.csv', 'text/csv');
    await file.write(Buffer.from('a,b\n'));
    await expect(file.close()).rejects.toThrow('AccessDenied');
  });
});
