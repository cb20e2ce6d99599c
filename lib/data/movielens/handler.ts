/**
 * The MovieLens preparation custom resource (Provider framework `onEvent`): downloads the
 * configured edition from GroupLens inside AWS, streams it through the transform and writes the
 * Personalize CSVs, the web load files and the manifest to the data bucket.
 *
 * Idempotent: the keys derive from the settings (a "revision", `<edition>/<settings id>/`), and
 * when their manifest already exists the work is skipped.
 *
 * Files of other revisions outlive the resource that wrote them. A settings change replaces the
 * resource, and CloudFormation deletes the old one while the Data stack finishes, before the Web
 * and Personalize stacks have moved to the new revision; one of them may still fail and roll back
 * to the old one. So Delete removes nothing (at stack deletion the bucket's auto-delete empties
 * the bucket), and a Create or Update deletes only the revisions nothing uses any more: not its
 * own, not the one it replaces (where the Data stack returns if it rolls back), not one a
 * consumer stack's `DataRevision` output names. When that cannot be known, everything is kept.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CloudFormationClient, DescribeStacksCommand, Stack, StackStatus } from '@aws-sdk/client-cloudformation';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { z } from 'zod';
import { MOVIELENS_EDITIONS, MovieLensEdition } from '../../config';
import { DATA_KEY_PREFIXES } from '../../shared/names';
import { EDITION_LAYOUTS, layoutFiles, maxZipBytes, PUBLISHED_ZIPS, PublishedZip } from './editions';
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
  /**
   * The stacks that read the prepared files, each naming the revision it was deployed with in its
   * `RevisionOutput`. Absent (a template from before revisions were tracked): nothing is deleted.
   */
  ConsumerStacks: z.array(z.string().min(1)).optional(),
  RevisionOutput: z.string().min(1).default('DataRevision'),
});

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string | number>;
}

/** Seams for tests: the AWS clients, the download, the scratch folder and the published zips. */
export interface PreparationDependencies {
  readonly s3: S3Client;
  /** Reads the consumer stacks' revision outputs. */
  readonly cloudFormation: CloudFormationClient;
  /** Streams `url` to `file`, failing once more than `maxBytes` arrive. */
  readonly download: (url: string, file: string, maxBytes: number) => Promise<void>;
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
    // A replacement's cleanup runs before the consumer stacks have moved, and one may roll back
    // to these files; at stack deletion the bucket is emptied and deleted with it.
    const revision = revisionOfPhysicalId(event.PhysicalResourceId);
    if (revision) {
      console.log(
        `kept personalize/${revision} and web/${revision}: a later deployment deletes them once no stack uses them`,
      );
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

  const replaced = event.RequestType === 'Update' ? revisionOfPhysicalId(event.PhysicalResourceId) : undefined;
  const collectGarbage = () =>
    deleteUnusedRevisions(deps, {
      bucket: props.Bucket,
      current: keyBase,
      replaced: replaced !== keyBase ? replaced : undefined,
      consumerStacks: props.ConsumerStacks,
      revisionOutput: props.RevisionOutput,
    });

  const existing = await sink.read(keys.manifest);
  if (existing) {
    const manifest = JSON.parse(existing.toString('utf8')) as Manifest;
    console.log(
      `s3://${props.Bucket}/${keys.manifest} exists: ${props.Edition} is already prepared with these settings`,
    );
    await collectGarbage();
    return response(keyBase, manifest, true);
  }

  const folder = await fs.mkdtemp(path.join(deps.scratch, 'movielens-'));
  const zipPath = path.join(folder, `${props.Edition}.zip`);
  try {
    console.log(`downloading ${url}`);
    const published = (deps.publishedZips ?? PUBLISHED_ZIPS)[props.Edition];
    // A fixed edition's zip is exactly its published size; ml-latest-small's at most 4 times its
    // 2018 release's. Either way a mirror cannot fill the scratch disk.
    await deps.download(url, zipPath, published ? published.bytes : maxZipBytes(props.Edition));
    if (published) await checkPublishedZip(url, zipPath, published);
    const source = await ZipSource.open(zipPath);
    try {
      source.checkLayout(props.Edition, layoutFiles(EDITION_LAYOUTS[props.Edition]));
      const manifest = await prepareMovieLens({ ...settings, source, sourceDescription: url, sink, keyBase });
      console.log(`prepared ${props.Edition}: ${JSON.stringify(manifest.counts)}`);
      await collectGarbage();
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

/** `<edition>/<settings id>/`: the folder of one revision under `personalize/` and `web/`. */
const REVISION = /^[a-z0-9-]+\/[0-9a-f]{16}\/$/;
/** A key of a revision's files: `personalize/<revision>…` or `web/<revision>…`. */
const REVISION_KEY = /^(?:personalize|web)\/([a-z0-9-]+\/[0-9a-f]{16}\/)/;

function revisionOfPhysicalId(physicalId: string | undefined): string | undefined {
  if (!physicalId?.startsWith(PHYSICAL_ID_PREFIX)) return undefined;
  const revision = physicalId.slice(PHYSICAL_ID_PREFIX.length);
  return REVISION.test(revision) ? revision : undefined;
}

/**
 * Statuses in which a stack's outputs name what its resources use. Any other (in progress, failed)
 * may change or hide them (DescribeStacks shows no outputs during a rollback).
 */
const SETTLED: ReadonlySet<string> = new Set<string>([
  StackStatus.CREATE_COMPLETE,
  StackStatus.UPDATE_COMPLETE,
  StackStatus.UPDATE_ROLLBACK_COMPLETE,
  StackStatus.IMPORT_COMPLETE,
  StackStatus.IMPORT_ROLLBACK_COMPLETE,
]);
/** Statuses of a stack that holds no resources: a failed create rolled back, or deleted. */
const EMPTY: ReadonlySet<string> = new Set<string>([StackStatus.ROLLBACK_COMPLETE, StackStatus.DELETE_COMPLETE]);

/** The revisions the consumer stacks use, or why that cannot be known. */
async function revisionsInUse(
  cloudFormation: CloudFormationClient,
  stacks: readonly string[],
  outputKey: string,
): Promise<{ readonly byStack: ReadonlyMap<string, string> } | { readonly unknown: string }> {
  const byStack = new Map<string, string>();
  for (const name of stacks) {
    let stack: Stack | undefined;
    try {
      stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    } catch (error) {
      // CloudFormation answers a stack that does not exist with ValidationError "Stack with id … does not exist".
      if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message ?? ''))
        continue;
      return { unknown: `reading stack ${name} failed: ${(error as Error).name}: ${(error as Error).message}` };
    }
    const status = stack?.StackStatus;
    if (!stack || (status && EMPTY.has(status))) continue;
    if (!status || !SETTLED.has(status)) return { unknown: `stack ${name} is ${status ?? 'in an unknown state'}` };
    const revision = stack.Outputs?.find((output) => output.OutputKey === outputKey)?.OutputValue;
    if (!revision || !REVISION.test(revision)) {
      return { unknown: `stack ${name} has no ${outputKey} output naming the revision it uses` };
    }
    byStack.set(name, revision);
  }
  return { byStack };
}

interface GarbageCollection {
  readonly bucket: string;
  /** This deployment's revision. */
  readonly current: string;
  /** The revision this deployment replaces: where a rollback of the Data stack returns. */
  readonly replaced: string | undefined;
  readonly consumerStacks: readonly string[] | undefined;
  readonly revisionOutput: string;
}

/**
 * Deletes the files of every revision that neither this deployment nor a consumer stack uses.
 * Never fails the deployment: a problem is logged and the rest kept. Each revision's manifest goes
 * first, so a revision cut short is never taken for a complete one (its manifest means complete).
 */
async function deleteUnusedRevisions(deps: PreparationDependencies, gc: GarbageCollection): Promise<void> {
  try {
    if (!gc.consumerStacks) {
      console.log('kept every other revision: the template names no consumer stacks to ask');
      return;
    }
    const inUse = await revisionsInUse(deps.cloudFormation, gc.consumerStacks, gc.revisionOutput);
    if ('unknown' in inUse) {
      console.log(`kept every other revision: ${inUse.unknown}`);
      return;
    }
    const keep = new Set([gc.current, ...(gc.replaced ? [gc.replaced] : []), ...inUse.byStack.values()]);
    const manifests: string[] = [];
    const others: string[] = [];
    const unused = new Set<string>();
    for (const prefix of [DATA_KEY_PREFIXES.personalize, DATA_KEY_PREFIXES.web]) {
      for await (const key of listKeys(deps.s3, gc.bucket, prefix)) {
        const revision = REVISION_KEY.exec(key)?.[1];
        if (!revision || keep.has(revision)) continue;
        unused.add(revision);
        (key === `personalize/${revision}manifest.json` ? manifests : others).push(key);
      }
    }
    const inUseBy = [
      `${gc.current} (this deployment)`,
      ...(gc.replaced ? [`${gc.replaced} (the one it replaces)`] : []),
      ...[...inUse.byStack].map(([stack, revision]) => `${revision} (${stack})`),
    ];
    console.log(`in use: ${inUseBy.join(', ')}`);
    if (unused.size === 0) {
      console.log('no other revision to delete');
      return;
    }
    await deleteKeys(deps.s3, gc.bucket, manifests);
    await deleteKeys(deps.s3, gc.bucket, others);
    console.log(
      `deleted revisions no stack uses: ${[...unused].sort().join(', ')} (${manifests.length + others.length} files)`,
    );
  } catch (error) {
    console.log(
      `deleting unused revisions stopped, the rest is kept: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
}

async function* listKeys(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** DeleteObjects takes at most 1000 keys; a key it could not delete is an error. */
async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) {
    const objects = keys.slice(start, start + 1000).map((Key) => ({ Key }));
    const answer = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
    );
    const failed = answer.Errors ?? [];
    if (failed.length) {
      throw new Error(
        `${failed.length} files not deleted, e.g. ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message}`,
      );
    }
  }
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

/**
 * Streams a URL to a file; a non-200 answer names the URL and the status, and more than
 * `maxBytes` (announced or arriving) stops the download, naming the URL and the limit.
 */
export async function downloadToFile(url: string, file: string, maxBytes = Infinity): Promise<void> {
  const answer = await fetch(url, { signal: AbortSignal.timeout(10 * 60 * 1000) });
  if (!answer.ok || !answer.body)
    throw new Error(`Downloading ${url} failed: HTTP ${answer.status} ${answer.statusText}`);
  const tooLarge = () =>
    new Error(`Downloading ${url} stopped: it is larger than ${maxBytes} bytes, the most this edition's zip can be`);
  const announced = Number(answer.headers.get('content-length') ?? NaN);
  if (announced > maxBytes) {
    await answer.body.cancel();
    throw tooLarge();
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? tooLarge() : null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream),
    counter,
    createWriteStream(file),
  );
}

/** The Lambda entry point. */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  return handlePreparationEvent(event, {
    s3: new S3Client({}),
    cloudFormation: new CloudFormationClient({}),
    download: downloadToFile,
    scratch: os.tmpdir(),
  });
}
