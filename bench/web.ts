/**
 * Benchmark: the web app under load, with Amazon Personalize stood in by a local server that
 * answers after a fixed 50 ms (bench/runtime-stand-in.ts), on a 100,000-rating synthetic edition
 * of ml-100k's shape (943 users, 1682 movies), prepared once into os.tmpdir() and reused.
 *
 *   npm run bench:web [-- --duration 10 --connections 10 --database-url postgres://…]
 *
 * Four processes, all on 127.0.0.1: this one (autocannon, the report), the app (startWebApp on the
 * embedded PGlite, or the --database-url PostgreSQL), the runtime stand-in, and a bare Fastify
 * hello route (the ceiling of this machine for one Node process). Targets, each loaded for
 * --duration seconds after a --warmup:
 *   - hello route;  front page /recommend/;
 *   - user page with two local models (m1=local:popular, m2=local:knn): the page without the wait
 *     for Personalize, i.e. the database part ("DB time");
 *   - user page with two Personalize models (registry campaigns served by the stand-in), user ids
 *     rotating over every user; and the same with the stand-in answering at once (0 ms), for
 *     information: the cost of the SDK calls without the wait.
 * Every response must be a 200 whose page shows both rows (no "recommendations unavailable").
 * Then ratings (issue 18): one attendee's own user rating movies as fast as the connections allow
 * (POST /recommend/<id>/ratings, each a 303), PutEvents stood in by a sink that answers after 50 ms;
 * then 30 times a rating followed by the user page (Item-kNN local and a Personalize model), the
 * page's latency right after a rating. Events sent and still queued are reported.
 * Targets: Personalize user page median <= 1.2 x 50 ms + DB-time median (the two calls overlap);
 * no control-plane call; front page >= 25% of the hello route's throughput; a rating's median below
 * the 50 ms of PutEvents (the page never waits for it); the user page right after a rating within
 * the Personalize user page's target.
 *
 * Exit 0 after a complete run (PASS or MISS alike), 1 when the figures are not valid (a non-200,
 * an error, a page with an unavailable row) or the run failed, 2 on a bad option.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { tracingChannel } from 'node:diagnostics_channel';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import Fastify from 'fastify';
import { type SyntheticOptions, writeSynthetic } from '../data/synthetic/generate';
import { prepareMovieLens } from '../lib/data/movielens/prepare';
import { FolderSink } from '../lib/data/movielens/sink';
import { openSource } from '../lib/data/movielens/source';
import { MODEL_REGISTRY_SCHEMA_VERSION, type ModelRegistry } from '../lib/shared/model-registry';
import { workshopPreparationSettings } from '../app-src/local-data';
import { PersonalizeRecommender, personalizeRuntimeClientConfig } from '../app-src/recommenders/personalize';
import { StaticRegistry } from '../app-src/recommenders/registry';
import { startWebApp, type Started } from '../app-src/start';
import type { AnswerTimes, StandInReply, StandInRequest } from './runtime-stand-in';

/** The Personalize answer time the targets are about. */
const DELAY_MS = 50;

const USAGE = `Usage: npm run bench:web [-- options]   (or: npx tsx bench/web.ts [options])

Loads the web app with autocannon on 127.0.0.1, Amazon Personalize stood in by a local server
answering after ${DELAY_MS} ms, and prints latency, throughput, RSS and start-up time, with PASS/MISS
beside the targets.

Options:
  --duration <s>       seconds of load per target (default 10, 1..600)
  --warmup <s>         seconds of unreported load before each target (default 2, 0..60)
  --connections <n>    concurrent connections of autocannon (default 10, 1..1000)
  --timeout-ms <ms>    deadline of one Personalize call in the app (default 1000, 100..60000)
  --database-url <u>   a PostgreSQL URL (postgres://…) instead of the embedded PGlite; the
                       benchmark data is loaded into it, replacing its web data
  --help               this text

The data (100,000 synthetic ratings, 943 users, 1682 movies) is generated and prepared once into
${path.join(os.tmpdir(), 'movierecs-bench-web-…')} and reused.
Exit 0 after a complete run, 1 if the figures are not valid or the run failed, 2 on a bad option.`;

const EDITION: SyntheticOptions & { readonly edition: 'ml-100k' } = {
  edition: 'ml-100k',
  users: 943,
  items: 1682,
  ratings: 100_000,
  seed: 1,
};
const REGION = 'us-east-1';
const CAMPAIGNS = [
  { campaign: 'bench-recommend-one', name: 'Bench recommendations one' },
  { campaign: 'bench-recommend-two', name: 'Bench recommendations two' },
] as const;
const UNAVAILABLE = 'recommendations unavailable';

// ---- options ----

interface Options {
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly databaseUrl?: string;
}

class UsageError extends Error {}
/** An expected failure of the run: its message says it all (no stack trace). */
class BenchError extends Error {}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

function parseOptions(args: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '2' },
        connections: { type: 'string', default: '10' },
        'timeout-ms': { type: 'string', default: '1000' },
        'database-url': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      throw new UsageError('--database-url: give a PostgreSQL URL, postgres://user:password@host:port/database');
    }
  }
  return {
    duration: wholeNumber('duration', values.duration, 1, 600),
    warmup: wholeNumber('warmup', values.warmup, 0, 60),
    connections: wholeNumber('connections', values.connections, 1, 1000),
    timeoutMs: wholeNumber('timeout-ms', values['timeout-ms'], 100, 60_000),
    databaseUrl,
  };
}

// ---- messages between this process and its children ----

interface AppSettings {
  readonly databaseUrl?: string;
  readonly folder: string;
  readonly standInPort: number;
  readonly timeoutMs: number;
}

interface RequestCounts {
  readonly front: number;
  readonly user: number;
  readonly other: number;
}

type AppRequest =
  | { readonly type: 'start'; readonly settings: AppSettings }
  | { readonly type: 'stats'; readonly mark: boolean }
  | { readonly type: 'close' };
type AppReply =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'ready';
      readonly port: number;
      readonly startupMs: number;
      readonly listenMs: number;
      readonly timings: Started['timings'];
      readonly load: { readonly status: string; readonly ratings: number; readonly users: number };
      readonly database: string;
      readonly userIds: readonly number[];
    }
  | {
      readonly type: 'stats';
      /** Bytes: the peak of the 100 ms samples over the whole life, since the last mark, and now. */
      readonly rss: { readonly peak: number; readonly sincePeak: number; readonly now: number };
      /** process.resourceUsage().maxRSS, in kilobytes. */
      readonly maxRssKb: number;
      /** Route handlers started, by page. */
      readonly requests: RequestCounts;
      /** Route handlers still running. */
      readonly inFlight: number;
      /** The rating events (recommenders/events.ts): sent, failed calls, still queued. */
      readonly events: { readonly sent: number; readonly failedCalls: number; readonly waiting: number };
      /** PutEvents calls the stand-in sink answered. */
      readonly eventCalls: number;
    }
  | { readonly type: 'done' };
type HelloRequest = { readonly type: 'close' };
type HelloReply = { readonly type: 'ready'; readonly port: number } | { readonly type: 'done' };

/** A forked process of this benchmark, spoken to over IPC; one question at a time. */
class Child<In, Out extends { readonly type: string }> {
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
  ) {
    process.once('exit', () => (this.exited = true));
  }

  static async fork<In, Out extends { readonly type: string }>(
    name: string,
    file: string,
    args: string[],
    onMessage: (message: Out) => void = () => undefined,
    first?: In,
    readyTimeoutMs = 60_000,
  ): Promise<{ child: Child<In, Out>; ready: Out }> {
    const process = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const child = new Child<In, Out>(name, process);
    process.on('message', (message: Out) => onMessage(message));
    if (first !== undefined) child.send(first);
    const ready = await child.next('ready', readyTimeoutMs);
    return { child, ready };
  }

  send(message: In): void {
    if (!this.exited && this.process.connected) this.process.send(message as object);
  }

  /** The next message of `type`; a `failed` message, an exit or the timeout is an error. */
  next<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    return new Promise((resolve, reject) => {
      const done = (action: () => void) => {
        clearTimeout(timer);
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
        action();
      };
      const onMessage = (message: Out) => {
        if (message.type === type) done(() => resolve(message as Extract<Out, { type: T }>));
        else if (message.type === 'failed') {
          done(() => reject(new Error(`${this.name}: ${(message as unknown as { message: string }).message}`)));
        }
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(() => reject(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before answering "${type}"`)));
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name} did not answer "${type}" within ${timeoutMs / 1000} s`))),
        timeoutMs,
      );
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
    });
  }

  async ask<T extends Out['type']>(message: In, type: T, timeoutMs = 30_000): Promise<Extract<Out, { type: T }>> {
    const answer = this.next(type, timeoutMs);
    this.send(message);
    return answer;
  }

  /** Asks the child to close, waits up to 15 s for it to exit, then kills it. */
  async close(closeMessage: In): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.send(closeMessage);
    const timer = setTimeout(() => this.kill(), 15_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.process.kill('SIGKILL');
  }
}

// ---- the app process ----

/** The registry document: two recommend models whose campaigns the stand-in answers for. */
function registryDocument(): ModelRegistry {
  return {
    schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
    pipeline: { status: 'done', updatedAt: new Date().toISOString(), resources: [] },
    models: CAMPAIGNS.map((c, i) => ({
      name: c.name,
      type: 'recommend' as const,
      campaignArn: `arn:aws:personalize:${REGION}:123456789012:campaign/${c.campaign}`,
      recipe: 'aws-user-personalization-v2',
      sortOrder: i - CAMPAIGNS.length,
      catalog: 'ml-100k',
      metrics: {},
    })),
    eventTracker: {
      arn: `arn:aws:personalize:${REGION}:123456789012:event-tracker/bench`,
      trackingId: 'bench-tracking-id',
    },
  };
}

/** What fastify publishes on its `fastify.request.handler` tracing channel (fastify/lib/handle-request.js). */
interface HandlerStore {
  readonly async?: boolean;
  readonly route?: { readonly url: string; readonly method: string };
}

function kindOf(route: string | undefined): keyof RequestCounts {
  if (route === '/recommend/') return 'front';
  if (route === '/recommend/:userId/') return 'user';
  return 'other';
}

async function serveApp(): Promise<void> {
  const send = (message: AppReply) => process.send?.(message);
  // RSS sampled every 100 ms from before startWebApp to the end.
  const rss = { peak: 0, sincePeak: 0, now: 0 };
  const sample = () => {
    rss.now = process.memoryUsage().rss;
    rss.peak = Math.max(rss.peak, rss.now);
    rss.sincePeak = Math.max(rss.sincePeak, rss.now);
  };
  sample();
  const sampler = setInterval(sample, 100);
  const requests = { front: 0, user: 0, other: 0 };
  let inFlight = 0;
  let eventCalls = 0;
  let started: Started | undefined;

  const start = async (settings: AppSettings) => {
    const client = new PersonalizeRuntimeClient({
      ...personalizeRuntimeClientConfig(REGION, settings.timeoutMs),
      endpoint: `http://127.0.0.1:${settings.standInPort}`,
      credentials: { accessKeyId: 'AKIDBENCHSTANDIN', secretAccessKey: 'not-a-secret-the-stand-in-ignores-it' },
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
    });
    const clock = performance.now();
    started = await startWebApp({
      database: settings.databaseUrl ? { url: settings.databaseUrl } : { embedded: {} },
      data: { folder: settings.folder },
      registry: new StaticRegistry(registryDocument()),
      personalize: new PersonalizeRecommender({ client, timeoutMs: settings.timeoutMs }),
      // PutEvents stood in: answers after the same delay as the runtime stand-in.
      eventSink: {
        send: async () => {
          await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
          eventCalls++;
        },
      },
      logger: false,
      log: (line) => send({ type: 'log', line }),
    });
    const startupMs = performance.now() - clock;
    // Counted outside the app, on Fastify's diagnostics channel: handlers started per route, and
    // those still running. A handler runs on after its client has gone (autocannon ends by
    // closing its sockets), and may still call the stand-in then: a run is over when none runs.
    tracingChannel<string, HandlerStore>('fastify.request.handler').subscribe({
      start: (store) => {
        requests[kindOf(store.route?.url)]++;
        inFlight++;
      },
      end: (store) => {
        if (!store.async) inFlight--;
      },
      asyncStart: () => undefined,
      asyncEnd: () => {
        inFlight--;
      },
      error: () => undefined,
    });
    const listenClock = performance.now();
    await started.app.listen({ host: '127.0.0.1', port: 0 });
    const listenMs = performance.now() - listenClock;
    const { rows } = await started.database.pool.query<{ id: number }>('select id from users order by id');
    send({
      type: 'ready',
      port: (started.app.server.address() as AddressInfo).port,
      startupMs,
      listenMs,
      timings: started.timings,
      load: { status: started.load.status, ratings: started.load.counts.ratings, users: started.load.counts.users },
      database: started.database.description,
      userIds: rows.map((r) => r.id),
    });
  };

  const close = async () => {
    clearInterval(sampler);
    await started?.close();
  };
  process.on('message', (message: AppRequest) => {
    if (message.type === 'start') {
      start(message.settings).catch((error: unknown) =>
        send({ type: 'failed', message: (error as Error).stack ?? String(error) }),
      );
    } else if (message.type === 'stats') {
      sample();
      send({
        type: 'stats',
        rss: { ...rss },
        maxRssKb: process.resourceUsage().maxRSS,
        requests: { ...requests },
        inFlight,
        events: started?.events.totals ?? { sent: 0, failedCalls: 0, waiting: 0 },
        eventCalls,
      });
      if (message.mark) rss.sincePeak = rss.now;
    } else if (message.type === 'close') {
      void close().then(() => {
        send({ type: 'done' });
        process.disconnect();
      });
    }
  });
  process.once('disconnect', () => void close().finally(() => process.exit(0)));
}

async function serveHello(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const send = (message: HelloReply) => process.send?.(message);
  process.on('message', (message: HelloRequest) => {
    if (message.type === 'close') {
      void app.close().then(() => {
        send({ type: 'done' });
        process.disconnect();
      });
    }
  });
  process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
  send({ type: 'ready', port: (app.server.address() as AddressInfo).port });
}

// ---- the data ----

async function ensurePreparedData(): Promise<{ folder: string; reused: boolean; seconds: number }> {
  const work = path.join(os.tmpdir(), `movierecs-bench-web-${EDITION.edition}-${EDITION.ratings}-seed${EDITION.seed}`);
  const folder = path.join(work, 'prepared');
  const manifest = path.join(folder, 'personalize', 'manifest.json');
  if (existsSync(manifest)) return { folder, reused: true, seconds: 0 };
  const clock = performance.now();
  mkdirSync(work, { recursive: true });
  // Written aside and renamed into place, so an interrupted run never leaves half a folder to reuse.
  const scratch = mkdtempSync(path.join(work, 'partial-'));
  try {
    const raw = path.join(scratch, 'raw');
    writeSynthetic(EDITION, raw);
    const source = await openSource(raw);
    try {
      await prepareMovieLens({
        edition: EDITION.edition,
        source,
        sourceDescription: `synthetic ${EDITION.edition}: ${EDITION.ratings} ratings, ${EDITION.users} users, ${EDITION.items} items, seed ${EDITION.seed} (bench/web.ts)`,
        sink: new FolderSink(path.join(scratch, 'prepared')),
        ...workshopPreparationSettings(),
      });
    } finally {
      await source.close();
    }
    try {
      renameSync(path.join(scratch, 'prepared'), folder);
    } catch (error) {
      if (!existsSync(manifest)) throw error; // else another run got there first: use theirs
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { folder, reused: false, seconds: (performance.now() - clock) / 1000 };
}

// ---- autocannon (no type declarations ship with it: the part used here) ----

interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly total: number;
}
interface AutocannonResult {
  readonly latency: Histogram;
  readonly requests: Histogram & { readonly sent: number };
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly mismatches: number;
  readonly non2xx: number;
  readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly timeout: number;
  readonly requests?: readonly {
    readonly method?: string;
    readonly path?: string;
    readonly setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  }[];
  readonly verifyBody?: (body: string) => boolean;
}
const autocannon = createRequire(__filename)('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

// ---- ratings (issue 18) ----

interface RatingFigures {
  readonly result: AutocannonResult;
  /** Status codes of the load other than 303. */
  readonly bad: number;
  /** The user page right after a rating, ms, sorted. */
  readonly afterRating: readonly number[];
  /** Pages right after a rating that did not count the rating just given. */
  readonly stalePages: number;
  readonly events: { readonly sent: number; readonly waiting: number; readonly failedCalls: number };
  readonly eventCalls: number;
  /** Seconds from the end of the load until no event was queued. */
  readonly drainS: number;
}

type AppStats = Extract<AppReply, { type: 'stats' }>;

/** Cookies as a browser keeps them, for fetch (which keeps none). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  keep(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }
  get header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const FORM = 'application/x-www-form-urlencoded';

/** Starts an attendee's own user, as the Start form does; its id, cookies and CSRF token. */
async function startSiteUser(base: string): Promise<{ id: number; jar: CookieJar; token: string }> {
  const jar = new CookieJar();
  const front = await jar.keep(await fetch(`${base}/recommend/`)).text();
  const token = /action="\/site-users"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(front)?.[1];
  if (!token) throw new BenchError('the front page has no Start as a new user form');
  const created = jar.keep(
    await fetch(`${base}/site-users`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header, 'content-type': FORM },
      body: new URLSearchParams({ _csrf: token }).toString(),
    }),
  );
  const id = Number(/^\/recommend\/(\d+)\/rate$/.exec(created.headers.get('location') ?? '')?.[1]);
  if (created.status !== 303 || !id) throw new BenchError(`Start as a new user answered ${created.status}`);
  return { id, jar, token };
}

async function measureRatings(
  base: string,
  options: Options,
  stats: () => Promise<AppStats>,
  settle: () => Promise<AppStats>,
  modelIds: { readonly personalize: string },
): Promise<RatingFigures> {
  const { id, jar, token } = await startSiteUser(base);
  // Movies 1..400 in turn: a user may give 500 ratings; rating a movie again replaces its stars.
  let movie = 0;
  const form = () =>
    new URLSearchParams({
      _csrf: token,
      movie: String((movie++ % 400) + 1),
      stars: String((movie % 5) + 1),
      back: `/recommend/${id}/`,
    }).toString();
  const load = (duration: number) =>
    autocannon({
      url: base,
      connections: options.connections,
      duration,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: `/recommend/${id}/ratings`,
          setupRequest: (request) => ({
            ...request,
            headers: { cookie: jar.header, 'content-type': FORM },
            body: form(),
          }),
        },
      ],
    });
  if (options.warmup > 0) await load(options.warmup);
  await settle();
  const result = await load(options.duration);
  await settle();
  const drainClock = performance.now();
  let after = await stats();
  while (after.events.waiting > 0 && performance.now() - drainClock < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await stats();
  }
  const drainS = (performance.now() - drainClock) / 1000;
  // The user page right after a rating: the rating counted at once, Personalize asked as usual.
  const afterRating: number[] = [];
  let stalePages = 0;
  let previousCount: number | undefined;
  const url = `${base}/recommend/${id}/?mode=recommend&m1=local:knn&m2=${encodeURIComponent(modelIds.personalize)}`;
  for (let i = 0; i < 30; i++) {
    const rated = await fetch(`${base}/recommend/${id}/ratings`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header, 'content-type': FORM },
      body: new URLSearchParams({ _csrf: token, movie: String(401 + i), stars: '5', back: `/recommend/${id}/` }),
    });
    if (rated.status !== 303) throw new BenchError(`a rating answered ${rated.status}`);
    const clock = performance.now();
    const page = await fetch(url, { headers: { cookie: jar.header } });
    const body = await page.text();
    afterRating.push(performance.now() - clock);
    // Each rating is of a movie not rated before: the local row counts one more each time.
    const count = Number(/From (\d+) ratings?, the latest/.exec(body)?.[1]);
    if (
      page.status !== 200 ||
      body.includes(UNAVAILABLE) ||
      (previousCount !== undefined && count !== previousCount + 1)
    )
      stalePages++;
    previousCount = count;
  }
  const bad = Object.entries(result.statusCodeStats)
    .filter(([code]) => code !== '303')
    .reduce((sum, [, v]) => sum + v.count, 0);
  return {
    result,
    bad,
    afterRating: afterRating.sort((a, b) => a - b),
    stalePages,
    events: after.events,
    eventCalls: after.eventCalls,
    drainS,
  };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// ---- the run ----

interface Target {
  readonly key: 'hello' | 'front' | 'local' | 'personalize' | 'personalize0';
  readonly label: string;
  readonly port: () => number;
  /** A fixed path, or the next path on each request. */
  readonly path: string | (() => string);
  readonly verifyBody?: (body: string) => boolean;
  /** The stand-in's delay during this target. */
  readonly delayMs: number;
}

interface Measured {
  readonly target: Target;
  readonly result: AutocannonResult;
  /** Route handlers the app started during the run (every one finished when measured). */
  readonly received: RequestCounts;
  readonly standIn: { readonly recommendations: number; readonly ranking: number; readonly other: number };
  readonly answerTimes: AnswerTimes;
  readonly rssPeak: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function diff(after: RequestCounts, before: RequestCounts): RequestCounts {
  return { front: after.front - before.front, user: after.user - before.user, other: after.other - before.other };
}

async function runBenchmark(options: Options): Promise<number> {
  const children: { child: Child<unknown, { type: string }>; close: unknown }[] = [];
  const budgetS = 900 + 5 * (options.warmup + options.duration + 30);
  const watchdog = setTimeout(() => {
    console.error(`bench:web: still running after ${budgetS} s; stopping its processes`);
    for (const { child } of children) child.kill();
    process.exit(1);
  }, budgetS * 1000);

  try {
    const cpus = os.cpus().length;
    const loadAtStart = os.loadavg()[0];
    console.log(
      `machine: ${cpus} CPUs, load average ${loadAtStart.toFixed(1)}; Node ${process.version}; ` +
        `${options.connections} connections, ${options.duration} s per target after a ${options.warmup} s warm-up`,
    );

    const data = await ensurePreparedData();
    console.log(
      `data: ${EDITION.ratings.toLocaleString('en-US')} synthetic ratings (${EDITION.users} users, ${EDITION.items} movies), ` +
        (data.reused
          ? `prepared earlier, reused: ${data.folder}`
          : `generated and prepared in ${data.seconds.toFixed(1)} s: ${data.folder}`),
    );

    const standInFile = path.join(__dirname, 'runtime-stand-in.ts');
    const standInStarted = await Child.fork<StandInRequest, StandInReply>('runtime stand-in', standInFile, [
      '--delay-ms',
      String(DELAY_MS),
    ]);
    const standIn = standInStarted.child;
    children.push({ child: standIn as Child<unknown, { type: string }>, close: { type: 'close' } });
    const standInPort = (standInStarted.ready as Extract<StandInReply, { type: 'ready' }>).port;

    const helloStarted = await Child.fork<HelloRequest, HelloReply>('hello server', __filename, ['--role', 'hello']);
    children.push({ child: helloStarted.child as Child<unknown, { type: string }>, close: { type: 'close' } });
    const helloPort = (helloStarted.ready as Extract<HelloReply, { type: 'ready' }>).port;

    const appStarted = await Child.fork<AppRequest, AppReply>(
      'app server',
      __filename,
      ['--role', 'app'],
      (message) => {
        if (message.type === 'log') console.log(`  app: ${message.line}`);
      },
      {
        type: 'start',
        settings: { databaseUrl: options.databaseUrl, folder: data.folder, standInPort, timeoutMs: options.timeoutMs },
      },
      600_000,
    );
    const app = appStarted.child;
    children.push({ child: app as Child<unknown, { type: string }>, close: { type: 'close' } });
    const ready = appStarted.ready as Extract<AppReply, { type: 'ready' }>;
    const t = ready.timings;
    console.log(
      `startWebApp: ${(ready.startupMs / 1000).toFixed(2)} s (database ${t.database} ms, migrate ${t.migrate} ms, ` +
        `load ${t.load} ms [${ready.load.status}], train ${t.train} ms); listen ${ms(ready.listenMs)}; ` +
        `database ${ready.database}`,
    );
    if (ready.userIds.length === 0) throw new BenchError('the app has no users loaded');

    const counts = async () =>
      (await standIn.ask({ type: 'counts' }, 'counts')) as Extract<StandInReply, { type: 'counts' }>;
    const stats = async (mark = false) =>
      (await app.ask({ type: 'stats', mark }, 'stats')) as Extract<AppReply, { type: 'stats' }>;
    /** Waits until no route handler of the app runs (the load's in-flight requests are done). */
    const settle = async () => {
      const until = performance.now() + options.timeoutMs + 10_000;
      for (;;) {
        const s = await stats();
        if (s.inFlight === 0) return s;
        if (performance.now() > until) throw new BenchError(`the app still has ${s.inFlight} requests in flight`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    const users = ready.userIds;
    let turn = 0;
    const userPath = (m1: string, m2: string) => () =>
      `/recommend/${users[turn++ % users.length]}/?mode=recommend&m1=${encodeURIComponent(m1)}&m2=${encodeURIComponent(m2)}`;
    const pageShows =
      (...headings: string[]) =>
      (body: string) =>
        !body.includes(UNAVAILABLE) && headings.every((h) => body.includes(`Personalization: ${h}`));
    const [one, two] = CAMPAIGNS.map((c) => `registry:${c.campaign}`);
    const [nameOne, nameTwo] = CAMPAIGNS.map((c) => c.name);
    const appPort = () => ready.port;
    const targets: Target[] = [
      { key: 'hello', label: 'hello route (bare Fastify)', port: () => helloPort, path: '/', delayMs: DELAY_MS },
      {
        key: 'front',
        label: 'front page /recommend/',
        port: appPort,
        path: '/recommend/',
        verifyBody: (body) => body.includes('</html>'),
        delayMs: DELAY_MS,
      },
      {
        key: 'local',
        label: 'user page, 2 local models',
        port: appPort,
        path: userPath('local:popular', 'local:knn'),
        verifyBody: pageShows('Most popular (local)', 'Item-kNN (local)'),
        delayMs: DELAY_MS,
      },
      {
        key: 'personalize',
        label: `user page, 2 Personalize (${DELAY_MS} ms)`,
        port: appPort,
        path: userPath(one, two),
        verifyBody: pageShows(nameOne, nameTwo),
        delayMs: DELAY_MS,
      },
      {
        key: 'personalize0',
        label: 'user page, 2 Personalize (0 ms)*',
        port: appPort,
        path: userPath(one, two),
        verifyBody: pageShows(nameOne, nameTwo),
        delayMs: 0,
      },
    ];

    // One request of each, checked, before any load.
    const before = await counts();
    for (const target of targets) {
      const url = `http://127.0.0.1:${target.port()}${typeof target.path === 'string' ? target.path : target.path()}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      const body = await response.text();
      if (response.status !== 200 || (target.verifyBody && !target.verifyBody(body))) {
        const unavailable = body.match(/recommendations unavailable:[^<]*/g) ?? [];
        throw new BenchError(
          `check before the load: ${url} answered ${response.status}` +
            (unavailable.length ? `: ${unavailable.join('; ')}` : `: ${body.slice(0, 300)}`),
        );
      }
    }
    const afterCheck = await counts();
    const checkCalls = afterCheck.counts.recommendations - before.counts.recommendations;
    if (checkCalls !== 4) {
      throw new BenchError(`check before the load: 2 Personalize user pages made ${checkCalls} stand-in calls, not 4`);
    }
    console.log(
      'checked: one request of each target answered 200 with the rows expected (4 stand-in calls for 2 pages)',
    );

    const measured: Measured[] = [];
    await stats(true);
    for (const target of targets) {
      standIn.send({ type: 'delay', ms: target.delayMs });
      await counts(); // IPC is ordered: the stand-in has the new delay once it answers
      const load = (duration: number) =>
        autocannon({
          url: `http://127.0.0.1:${target.port()}`,
          connections: options.connections,
          duration,
          timeout: 10,
          requests: [
            typeof target.path === 'string'
              ? { method: 'GET', path: target.path }
              : { method: 'GET', setupRequest: (request) => ({ ...request, path: (target.path as () => string)() }) },
          ],
          ...(target.verifyBody ? { verifyBody: target.verifyBody } : {}),
        });
      if (options.warmup > 0) await load(options.warmup);
      const appBefore = await settle();
      const standInBefore = await counts();
      standIn.send({ type: 'reset' });
      await stats(true);
      const result = await load(options.duration);
      const appAfter = await settle();
      const standInAfter = await counts();
      measured.push({
        target,
        result,
        received: diff(appAfter.requests, appBefore.requests),
        standIn: {
          recommendations: standInAfter.counts.recommendations - standInBefore.counts.recommendations,
          ranking: standInAfter.counts.ranking - standInBefore.counts.ranking,
          other: standInAfter.counts.other - standInBefore.counts.other,
        },
        answerTimes: standInAfter.answerTimes,
        rssPeak: appAfter.rss.sincePeak,
      });
      const r = result;
      console.log(
        `  ran ${target.label}: ${int(r.requests.total)} responses in ${r.duration.toFixed(1)} s, ` +
          `non-2xx ${r.non2xx}, errors ${r.errors}, bad pages ${r.mismatches}`,
      );
    }
    standIn.send({ type: 'delay', ms: DELAY_MS });
    await counts();
    const ratings = await measureRatings(`http://127.0.0.1:${ready.port}`, options, stats, settle, {
      personalize: one,
    });
    console.log(
      `  ran ratings: ${int(ratings.result.requests.total)} responses in ${ratings.result.duration.toFixed(1)} s, ` +
        `not 303 ${ratings.bad}, errors ${ratings.result.errors}`,
    );
    const final = await stats();
    const finalCounts = await counts();

    // ---- the report ----
    const by = (key: Target['key']) => {
      const found = measured.find((m) => m.target.key === key);
      if (!found) throw new Error(`no result for ${key}`);
      return found;
    };
    const rps = (m: Measured) => m.result.requests.total / m.result.duration;
    console.log('');
    console.log(
      'target                                 req/s     p50     p90     p99   responses  non-2xx errors bad pages  stand-in calls/req',
    );
    for (const m of measured) {
      const r = m.result;
      const received = m.received.front + m.received.user + m.received.other;
      const perRequest =
        m.target.key === 'hello'
          ? '-'
          : received
            ? ((m.standIn.recommendations + m.standIn.ranking) / received).toFixed(2)
            : '?';
      console.log(
        `${m.target.label.padEnd(36)} ${int(rps(m)).padStart(7)} ${ms(r.latency.p50).padStart(7)} ${ms(r.latency.p90).padStart(7)} ${ms(r.latency.p99).padStart(7)}` +
          `  ${int(r.requests.total).padStart(10)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(6)} ${String(r.mismatches).padStart(9)}  ${perRequest.padStart(18)}`,
      );
    }
    console.log(
      `* for information: the stand-in answering at once, i.e. the app and SDK cost without the ${DELAY_MS} ms wait`,
    );

    const invalid = measured.filter(
      (m) => m.result.non2xx || m.result.errors || m.result.mismatches || !m.result.requests.total,
    );
    console.log('');
    if (invalid.length === 0) {
      console.log(
        `responses: every one a 200 with the page expected (${int(measured.reduce((s, m) => s + m.result.requests.total, 0))} in all)`,
      );
    } else {
      for (const m of invalid) {
        const codes = Object.entries(m.result.statusCodeStats)
          .map(([code, s]) => `${code}: ${s.count}`)
          .join(', ');
        console.log(
          `responses NOT VALID for ${m.target.label}: status codes {${codes}}, non-2xx ${m.result.non2xx}, ` +
            `errors ${m.result.errors} (timeouts ${m.result.timeouts}), pages without both rows ${m.result.mismatches}`,
        );
      }
    }

    const hello = by('hello');
    const front = by('front');
    const local = by('local');
    const personalize = by('personalize');
    const p = personalize.result.latency.p50;
    const dbTime = local.result.latency.p50;
    const limit = 1.2 * DELAY_MS + dbTime;
    const userRequests = personalize.received.user;
    const callsPerPage = userRequests
      ? (personalize.standIn.recommendations + personalize.standIn.ranking) / userRequests
      : NaN;
    const controlPlane = finalCounts.counts.other;
    const frontShare = rps(front) / rps(hello);
    const at = personalize.answerTimes;

    console.log(
      `stand-in calls per Personalize user-page request: ${callsPerPage.toFixed(3)} ` +
        `(GetRecommendations ${int(personalize.standIn.recommendations)}, GetPersonalizedRanking ${personalize.standIn.ranking}, ` +
        `over ${int(userRequests)} user pages the app handled)   should be 2`,
    );
    console.log(
      `control-plane calls (anything but the two runtime calls, whole run): ${controlPlane}` +
        (controlPlane ? ` ${JSON.stringify(finalCounts.counts.otherCalls)}` : '') +
        `; runtime calls with a bad body: ${finalCounts.counts.badBodies}`,
    );
    console.log(
      `stand-in answer time during the Personalize run: p50 ${at.p50.toFixed(1)} ms, p99 ${at.p99.toFixed(1)} ms, max ${at.max.toFixed(1)} ms (${int(at.count)} calls)`,
    );
    console.log('');
    console.log('ratios');
    console.log(
      `  user page median / (${DELAY_MS} ms + DB-time median): ${ms(p)} / (${DELAY_MS} + ${ms(dbTime)}) = ${(p / (DELAY_MS + dbTime)).toFixed(2)}x`,
    );
    console.log(
      `  user page median, Personalize at 0 ms / local models: ${ms(by('personalize0').result.latency.p50)} / ${ms(dbTime)}`,
    );
    console.log(`  front page / hello throughput: ${int(rps(front))} / ${int(rps(hello))} req/s = ${pct(frontShare)}`);
    console.log('');
    console.log(
      `app server RSS with ${EDITION.ratings.toLocaleString('en-US')} ratings: peak of 100 ms samples ${mb(final.rss.peak)} ` +
        `(start-up included), during the load ${mb(Math.max(...measured.map((m) => m.rssPeak)))}; ` +
        `resourceUsage().maxRSS ${mb(final.maxRssKb * 1024)}; now ${mb(final.rss.now)}`,
    );
    console.log(
      `startWebApp start-up: ${(ready.startupMs / 1000).toFixed(2)} s (${ready.load.status === 'loaded' ? 'data loaded' : 'data already loaded'})`,
    );
    console.log('');
    console.log('targets');
    console.log(
      `  ${verdict(p <= limit)}  Personalize user page median ${ms(p)} <= 1.2 x ${DELAY_MS} ms + DB-time median ${ms(dbTime)} = ${ms(limit)}`,
    );
    console.log(`  ${verdict(controlPlane === 0)}  control-plane calls ${controlPlane} (target 0)`);
    console.log(
      `  ${verdict(frontShare >= 0.25)}  front page ${int(rps(front))} req/s = ${pct(frontShare)} of the hello route's ${int(rps(hello))} req/s (target >= 25%)`,
    );
    const ratingRps = ratings.result.requests.total / ratings.result.duration;
    const ratingP50 = ratings.result.latency.p50;
    const afterP50 = percentile(ratings.afterRating, 50);
    console.log(
      `  ${verdict(ratingP50 < DELAY_MS)}  rating (POST, 303) median ${ms(ratingP50)} < PutEvents' ${DELAY_MS} ms: the page never waits for the event ` +
        `(${int(ratingRps)} ratings/s, p99 ${ms(ratings.result.latency.p99)})`,
    );
    console.log(
      `  ${verdict(afterP50 <= limit)}  user page right after a rating (Item-kNN local from the ratings + a Personalize model) median ${ms(afterP50)}, ` +
        `p90 ${ms(percentile(ratings.afterRating, 90))} <= ${ms(limit)}`,
    );
    console.log(
      `  events: ${int(ratings.events.sent)} sent in ${int(ratings.eventCalls)} PutEvents calls ` +
        `(${(ratings.events.sent / Math.max(1, ratings.eventCalls)).toFixed(1)} a call, at most 10), ` +
        `${ratings.events.waiting} still queued ${ratings.drainS.toFixed(1)} s after the load, failed calls ${ratings.events.failedCalls}`,
    );
    const loadAtEnd = os.loadavg()[0];
    console.log('');
    console.log(
      `note: ${cpus} CPUs, load average ${loadAtStart.toFixed(1)} at the start and ${loadAtEnd.toFixed(1)} at the end; ` +
        'on a shared machine the absolute figures are noisy: compare the ratios, measured in the same run.',
    );

    const validCalls = Math.abs(callsPerPage - 2) < 1e-9;
    if (!validCalls) console.log(`NOT VALID: ${callsPerPage.toFixed(3)} stand-in calls per user page, not 2`);
    const validRatings =
      ratings.bad === 0 && ratings.result.errors === 0 && ratings.stalePages === 0 && ratings.events.waiting === 0;
    if (!validRatings)
      console.log(
        `NOT VALID: ratings answered ${ratings.bad} times other than 303 (errors ${ratings.result.errors}); ` +
          `${ratings.stalePages} pages right after a rating did not count it; ${ratings.events.waiting} events still queued`,
      );
    return invalid.length === 0 && validCalls && validRatings ? 0 : 1;
  } finally {
    for (const { child, close } of children.reverse()) await child.close(close);
    clearTimeout(watchdog);
  }
}

async function main(): Promise<void> {
  const role = process.argv[2] === '--role' ? process.argv[3] : undefined;
  if (role !== undefined && process.send === undefined) {
    console.error('bench:web: --role is internal: the benchmark forks its servers with it');
    process.exit(2);
  }
  if (role === 'app') return serveApp();
  if (role === 'hello') return serveHello();
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench:web: ${error.message} (see --help)`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const code = await runBenchmark(options);
  process.exit(code);
}

main().catch((error: unknown) => {
  const text = error instanceof BenchError ? error.message : ((error as Error).stack ?? String(error));
  console.error(`bench:web failed: ${text}`);
  process.exit(1);
});
