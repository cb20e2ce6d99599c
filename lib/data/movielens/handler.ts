/**
 * The MovieLens preparation custom resource (Provider framework `onEvent`): downloads the
 * configured edition from GroupLens inside AWS, streams it through the transform and writes the
 * Personalize CSVs, the web load files and the manifest to the data bucket.
 *
 * Idempotent: the keys derive from the settings, and when their manifest already exists the
 * work is skipped. On delete, the files of that physical id are removed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { z } from 'zod';
import { MOVIELENS_EDITIONS, MovieLensEdition } from '../../config';
import { EDITION_LAYOUTS, layoutFiles, PUBLISHED_ZIPS, PublishedZip } from './editions';
import { Manifest, prepareMovieLens, preparedKeys, PrepareSettings, settingsId, TRANSFORM_VERSION } from './prepare';
import { S3Sink } from './s3-sink';
import { ZipSource } from './source';

/** The custom resource's properties (CloudFormation passes every value as text). */
export const preparationPropertiesSchema = z.object({
  Bucket: z.string().min(3),
  Edition: z.enum(MOVIELENS_EDITIONS),
  BaseUrl: z.url(),
  PositiveRatingThreshold: z.coerce.number().min(0).max(5),
  TimestampShift: z.string().transform((text, ctx) => {
    try {
      const parsed = JSON.parse(text);
      if (parsed?.kind === 'seconds' && Number.isInteger(parsed.seconds))
        return parsed as { kind: 'seconds'; seconds: number };
      if (parsed?.kind === 'newestAt' && !Number.isNaN(Date.parse(parsed.newestAt)))
        return parsed as { kind: 'newestAt'; newestAt: string };
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: `TimestampShift must be {"kind":"seconds"|"newestAt",...}, got ${text}` });
    return z.NEVER;
  }),
  SkipBadLines: z.enum(['true', 'false']).default('false'),
  TransformVersion: z.coerce.number().int(),
});

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string | number>;
}

/** Seams for tests: the S3 client, the download, the scratch folder and the published zips. */
export interface PreparationDependencies {
  readonly s3: S3Client;
  readonly download: (url: string, file: string) => Promise<void>;
  readonly scratch: string;
  /** @default PUBLISHED_ZIPS, the published sizes and checksums */
  readonly publishedZips?: Readonly<Partial<Record<MovieLensEdition, PublishedZip>>>;
}

const PHYSICAL_ID_PREFIX = 'movielens/';

export async function handlePreparationEvent(
  event: CloudFormationCustomResourceEvent,
  deps: PreparationDependencies,
): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    const keyBase = event.PhysicalResourceId.startsWith(PHYSICAL_ID_PREFIX)
      ? event.PhysicalResourceId.slice(PHYSICAL_ID_PREFIX.length)
      : undefined;
    const bucket = (event.ResourceProperties as { Bucket?: string }).Bucket;
    if (keyBase && /^[a-z0-9-]+\/[0-9a-f]{16}\/$/.test(keyBase) && bucket) {
      await deletePrefix(deps.s3, bucket, `personalize/${keyBase}`);
      await deletePrefix(deps.s3, bucket, `web/${keyBase}`);
    }
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  const parsed = preparationPropertiesSchema.safeParse(event.ResourceProperties);
  if (!parsed.success) {
    throw new Error(
      `Invalid MovieLens preparation properties: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const props = parsed.data;
  if (props.TransformVersion !== TRANSFORM_VERSION) {
    throw new Error(
      `The template asks for transform version ${props.TransformVersion}; this handler is version ${TRANSFORM_VERSION}`,
    );
  }
  const settings: PrepareSettings = {
    edition: props.Edition,
    positiveRatingThreshold: props.PositiveRatingThreshold,
    timestampShift: props.TimestampShift,
    skipBadLines: props.SkipBadLines === 'true',
  };
  const url = `${props.BaseUrl.replace(/\/+$/, '')}/${props.Edition}.zip`;
  const keyBase = `${props.Edition}/${settingsId(settings, url)}/`;
  const keys = preparedKeys(keyBase);
  const sink = new S3Sink(deps.s3, props.Bucket);

  const existing = await sink.read(keys.manifest);
  if (existing) {
    const manifest = JSON.parse(existing.toString('utf8')) as Manifest;
    console.log(
      `s3://${props.Bucket}/${keys.manifest} exists: ${props.Edition} is already prepared with these settings`,
    );
    return response(keyBase, manifest, true);
  }

  const folder = await fs.mkdtemp(path.join(deps.scratch, 'movielens-'));
  const zipPath = path.join(folder, `${props.Edition}.zip`);
  try {
    console.log(`downloading ${url}`);
    await deps.download(url, zipPath);
    const published = (deps.publishedZips ?? PUBLISHED_ZIPS)[props.Edition];
    if (published) await checkPublishedZip(url, zipPath, published);
    const source = await ZipSource.open(zipPath);
    try {
      source.checkLayout(props.Edition, layoutFiles(EDITION_LAYOUTS[props.Edition]));
      const manifest = await prepareMovieLens({ ...settings, source, sourceDescription: url, sink, keyBase });
      console.log(`prepared ${props.Edition}: ${JSON.stringify(manifest.counts)}`);
      return response(keyBase, manifest, false);
    } finally {
      await source.close();
    }
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

function response(keyBase: string, manifest: Manifest, skipped: boolean): OnEventResponse {
  const keys = preparedKeys(keyBase);
  return {
    PhysicalResourceId: `${PHYSICAL_ID_PREFIX}${keyBase}`,
    Data: {
      KeyBase: keyBase,
      InteractionsKey: keys.interactions,
      ItemsKey: keys.items,
      UsersKey: manifest.files.users ? keys.users : '',
      ManifestKey: keys.manifest,
      WebMoviesKey: keys.webMovies,
      WebUsersKey: manifest.files.webUsers ? keys.webUsers : '',
      WebRatingsKey: keys.webRatings,
      RatingsRead: manifest.counts.ratingsRead,
      Interactions: manifest.counts.interactions,
      UsersKept: manifest.counts.usersKept,
      ItemsKept: manifest.counts.itemsKept,
      ShiftSeconds: manifest.settings.shiftSeconds,
      Skipped: skipped ? 'true' : 'false',
    },
  };
}

async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (objects.length)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Refuses a download whose size or SHA-256 is not the published one: another release, a partial
 * download or a mirror serving other bytes would otherwise be prepared without a word.
 */
export async function checkPublishedZip(url: string, file: string, published: PublishedZip): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  const sha256 = hash.digest('hex');
  if (bytes === published.bytes && sha256 === published.sha256) return;
  throw new Error(
    `${url} is not the published zip: expected ${published.bytes} bytes with SHA-256 ${published.sha256}, ` +
      `got ${bytes} bytes with SHA-256 ${sha256}. The fixed editions never change, and a mirror must serve the same bytes.`,
  );
}

/** Streams a URL to a file; a non-200 answer names the URL and the status. */
export async function downloadToFile(url: string, file: string): Promise<void> {
  const answer = await fetch(url, { signal: AbortSignal.timeout(10 * 60 * 1000) });
  if (!answer.ok || !answer.body)
    throw new Error(`Downloading ${url} failed: HTTP ${answer.status} ${answer.statusText}`);
  await pipeline(Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream), createWriteStream(file));
}

/** The Lambda entry point. */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  return handlePreparationEvent(event, { s3: new S3Client({}), download: downloadToFile, scratch: os.tmpdir() });
}
