/**
 * Benchmark: how long the web app takes to start, per MovieLens edition. This is the figure the
 * instance's health wait and the Auto Scaling group's grace period must cover (lib/web/start-time.ts).
 *
 *   npx tsx bench/first-start.ts --database-url postgres://me:secret@127.0.0.1/postgres \
 *     [--editions ml-100k,ml-latest-small,ml-25m] [--scenarios first,restart,new-revision] [--work-dir DIR]
 *
 * Per edition, synthetic data of the edition's shape (users, movies and ratings as GroupLens
 * publishes them, seed 1) is generated and prepared once into --work-dir, then reused. The app bundle
 * the instances run (app-src/build.ts) is started with plain node and the heap the instance gets
 * (three quarters of the smallest instance the config allows for the edition), against a new
 * database on the --database-url server, and timed until /healthz answers, as the bootstrap waits:
 *   first         an empty database: migrate, load (COPY), train. A new stack's first instance.
 *   restart       the same database and data: nothing to load, train only. A replaced instance.
 *   new-revision  the same database, a new manifest: the old rows deleted and the new loaded in one
 *                 transaction, then train. A replacing update with new data.
 * It prints the load and train times the app logs, the time until /healthz answers, the app's peak
 * RSS and the database's size. The role needs CREATEDB; each database is dropped afterwards.
 *
 * Exit 0 after a complete run, 1 when a start failed or timed out, 2 on a bad option.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { buildAppBundle } from '../app-src/build';
import { workshopPreparationSettings } from '../app-src/local-data';
import { type SyntheticOptions, writeSynthetic } from '../data/synthetic/generate';
import { DEFAULT_CONFIG, MOVIELENS_EDITIONS, type MovieLensEdition } from '../lib/config';
import { prepareMovieLens } from '../lib/data/movielens/prepare';
import { FolderSink } from '../lib/data/movielens/sink';
import { openSource } from '../lib/data/movielens/source';
import { heapMegabytes, instanceMemoryGiB, WEB_MEMORY_GIB_BY_EDITION } from '../lib/shared/instance-memory';

/** The editions' sizes as GroupLens publishes them (each edition's README). */
const SHAPES: Readonly<Record<MovieLensEdition, SyntheticOptions>> = {
  'ml-100k': { edition: 'ml-100k', users: 943, items: 1682, ratings: 100_000, seed: 1 },
  'ml-latest-small': { edition: 'ml-latest', users: 610, items: 9742, ratings: 100_836, seed: 1 },
  'ml-25m': { edition: 'ml-latest', users: 162_541, items: 62_423, ratings: 25_000_095, seed: 1 },
};

const SCENARIOS = ['first', 'restart', 'new-revision'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `Usage: npx tsx bench/first-start.ts --database-url <url> [options]

Times the web app's start per MovieLens edition against a real PostgreSQL, on synthetic data of
each edition's shape, as an instance starts it (the bundle, plain node, the instance's heap).

Options:
  --database-url <u>   a PostgreSQL server and a role with CREATEDB (postgres://user:pw@host/db);
                       each run gets a new database there, dropped afterwards
  --editions <list>    comma-separated, from ${MOVIELENS_EDITIONS.join(', ')} (default: all)
  --scenarios <list>   comma-separated, from ${SCENARIOS.join(', ')} (default: all)
  --work-dir <dir>     where the prepared data is kept between runs
                       (default: ${path.join(os.tmpdir(), 'movierecs-first-start')}; ml-25m takes about 2 GB)
  --timeout-min <n>    give up on one start after this many minutes (default 60)
  --help               this text`;

class UsageError extends Error {}

interface Options {
  readonly databaseUrl: string;
  readonly editions: readonly MovieLensEdition[];
  readonly scenarios: readonly Scenario[];
  readonly workDir: string;
  readonly timeoutMs: number;
}

function listOf<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length || items.length === 0) {
    throw new UsageError(`--${name}: ${unknown.join(', ') || '(empty)'} not one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

function parseOptions(args: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'database-url': { type: 'string' },
        editions: { type: 'string', default: MOVIELENS_EDITIONS.join(',') },
        scenarios: { type: 'string', default: SCENARIOS.join(',') },
        'work-dir': { type: 'string', default: path.join(os.tmpdir(), 'movierecs-first-start') },
        'timeout-min': { type: 'string', default: '60' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const databaseUrl = values['database-url'];
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError('--database-url: a postgres:// URL is required');
  }
  const minutes = values['timeout-min'];
  if (!/^\d+$/.test(minutes) || Number(minutes) < 1 || Number(minutes) > 720) {
    throw new UsageError(`--timeout-min: "${minutes}" is not a whole number from 1 to 720`);
  }
  return {
    databaseUrl,
    editions: listOf('editions', values.editions, MOVIELENS_EDITIONS),
    scenarios: listOf('scenarios', values.scenarios, SCENARIOS),
    workDir: path.resolve(values['work-dir']),
    timeoutMs: Number(minutes) * 60_000,
  };
}

/** The heap of the smallest instance the config accepts for the edition (the default type, or bigger). */
function instanceHeapMegabytes(edition: MovieLensEdition): { heap: number; memoryGiB: number } {
  const defaultMemory = instanceMemoryGiB(DEFAULT_CONFIG.instanceType) ?? 0;
  const memoryGiB = Math.max(defaultMemory, WEB_MEMORY_GIB_BY_EDITION[edition] ?? 0);
  return { heap: heapMegabytes(memoryGiB), memoryGiB };
}

/** The edition's prepared folder in the work dir, generated and prepared on first use. */
async function preparedData(edition: MovieLensEdition, workDir: string): Promise<string> {
  const folder = path.join(workDir, edition, 'prepared');
  if (existsSync(path.join(folder, 'personalize', 'manifest.json'))) return folder;
  mkdirSync(path.dirname(folder), { recursive: true });
  const scratch = mkdtempSync(path.join(path.dirname(folder), 'scratch-'));
  try {
    const shape = SHAPES[edition];
    const started = performance.now();
    console.log(`${edition}: generating ${shape.ratings.toLocaleString('en')} synthetic ratings into ${scratch}…`);
    const raw = path.join(scratch, 'raw');
    writeSynthetic(shape, raw);
    const source = await openSource(raw);
    try {
      await prepareMovieLens({
        edition,
        source,
        sourceDescription: `synthetic ${edition}: ${shape.ratings} ratings, ${shape.users} users, ${shape.items} movies, seed ${shape.seed} (bench/first-start.ts)`,
        sink: new FolderSink(path.join(scratch, 'prepared')),
        ...workshopPreparationSettings(),
      });
    } finally {
      await source.close();
    }
    renameSync(path.join(scratch, 'prepared'), folder);
    console.log(`${edition}: prepared in ${seconds(performance.now() - started)} s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return folder;
}

/**
 * The same files under a new manifest (another source text, so another SHA-256): to the loader a
 * new data revision, which it loads again over the old one.
 */
function newRevisionOf(folder: string, workDir: string): string {
  const revision = mkdtempSync(path.join(workDir, 'revision-'));
  mkdirSync(path.join(revision, 'personalize'));
  symlinkSync(path.join(folder, 'web'), path.join(revision, 'web'));
  const manifest = JSON.parse(readFileSync(path.join(folder, 'personalize', 'manifest.json'), 'utf8'));
  manifest.source = `${manifest.source} (revision 2)`;
  writeFileSync(path.join(revision, 'personalize', 'manifest.json'), JSON.stringify(manifest, null, 2));
  return revision;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

interface StartFigures {
  readonly scenario: Scenario;
  /** From the app's own log lines (start.ts). */
  readonly loadMs?: number;
  readonly trainMs?: number;
  readonly loaded?: 'loaded' | 'unchanged';
  /** From the process's start until /healthz answered 200. */
  readonly healthyMs: number;
  readonly peakRssMb?: number;
}

/** Starts the bundle, waits for /healthz, stops it; the figures of that start. */
async function timeStart(
  scenario: Scenario,
  bundle: string,
  heap: number,
  databaseUrl: string,
  data: string,
  timeoutMs: number,
): Promise<StartFigures> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      `--max-old-space-size=${heap}`,
      bundle,
      '--database-url',
      databaseUrl,
      '--data',
      data,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MOVIERECS_ADMIN_PASSWORD: randomBytes(18).toString('base64url') },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`the app exited (${exited}) before /healthz answered:\n${output}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`/healthz did not answer within ${timeoutMs / 60_000} min`);
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (healthy) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const healthyMs = performance.now() - started;
    // VmHWM: the process's peak resident set so far (Linux).
    const status = existsSync(`/proc/${child.pid}/status`) ? readFileSync(`/proc/${child.pid}/status`, 'utf8') : '';
    const peakKb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    const load = /(already loaded:|loaded) .* in (\d+) ms/.exec(output);
    const train = /trained in (\d+) ms/.exec(output);
    return {
      scenario,
      healthyMs,
      loadMs: load ? Number(load[2]) : undefined,
      loaded: load ? (load[1] === 'loaded' ? 'loaded' : 'unchanged') : undefined,
      trainMs: train ? Number(train[1]) : undefined,
      peakRssMb: peakKb ? Math.round(Number(peakKb) / 1024) : undefined,
    };
  } finally {
    if (exited === undefined) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function withDatabase<T>(adminUrl: string, name: string, use: (url: string) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return await use(url.toString());
    } finally {
      await dropDatabase(admin, name);
    }
  } finally {
    await admin.end();
  }
}

/** Drops the database once the stopped app's sessions are gone (the server ends them just after the process). */
async function dropDatabase(admin: Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`drop database if exists ${name}`);
      return;
    } catch (error) {
      if (attempt === 20) {
        console.error(`could not drop database ${name}, drop it yourself: ${(error as Error).message}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function databaseSizeMb(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes');
    return Math.round(Number(result.rows[0].bytes) / 1024 / 1024);
  } finally {
    await client.end();
  }
}

async function main(args: string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench/first-start.ts: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  mkdirSync(options.workDir, { recursive: true });
  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'movierecs-first-start-bundle-'));
  const bundle = await buildAppBundle(bundleDir);
  const server = await (async () => {
    const client = new Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      return (await client.query<{ server_version: string }>('show server_version')).rows[0].server_version;
    } finally {
      await client.end();
    }
  })();
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; node ${process.version}; PostgreSQL ${server}`,
  );

  const results: {
    edition: MovieLensEdition;
    memoryGiB: number;
    heap: number;
    figures: StartFigures[];
    dbMb?: number;
  }[] = [];
  let failed = false;
  try {
    for (const edition of options.editions) {
      const data = await preparedData(edition, options.workDir);
      const { heap, memoryGiB } = instanceHeapMegabytes(edition);
      const figures: StartFigures[] = [];
      let dbMb: number | undefined;
      const name = `movierecs_first_start_${edition.replace(/-/g, '_')}_${process.pid}`;
      try {
        await withDatabase(options.databaseUrl, name, async (url) => {
          for (const scenario of options.scenarios) {
            // `restart` and `new-revision` start from whatever the previous scenario left.
            const revision = scenario === 'new-revision' ? newRevisionOf(data, options.workDir) : undefined;
            try {
              const result = await timeStart(scenario, bundle, heap, url, revision ?? data, options.timeoutMs);
              figures.push(result);
              console.log(
                `${edition} ${scenario}: healthy after ${seconds(result.healthyMs)} s ` +
                  `(load ${result.loadMs === undefined ? '?' : seconds(result.loadMs)} s ${result.loaded ?? ''}, ` +
                  `train ${result.trainMs === undefined ? '?' : seconds(result.trainMs)} s, peak RSS ${result.peakRssMb ?? '?'} MB)`,
              );
            } finally {
              if (revision) rmSync(revision, { recursive: true, force: true });
            }
          }
          dbMb = await databaseSizeMb(url);
        });
      } catch (error) {
        failed = true;
        console.error(`${edition}: ${(error as Error).message}`);
      }
      results.push({ edition, memoryGiB, heap, figures, dbMb });
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }

  console.log(
    '\nedition          scenario      load s  train s  healthy s  peak RSS MB  heap MB (instance GiB)  db MB',
  );
  for (const { edition, memoryGiB, heap, figures, dbMb } of results) {
    for (const f of figures) {
      console.log(
        [
          edition.padEnd(16),
          f.scenario.padEnd(12),
          (f.loadMs === undefined ? '?' : seconds(f.loadMs)).padStart(7),
          (f.trainMs === undefined ? '?' : seconds(f.trainMs)).padStart(8),
          seconds(f.healthyMs).padStart(10),
          String(f.peakRssMb ?? '?').padStart(12),
          `${heap} (${memoryGiB})`.padStart(23),
          String(dbMb ?? '?').padStart(6),
        ].join(' '),
      );
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench/first-start.ts failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
