/**
 * Benchmark: the local models per edition, their training time, peak memory and offline metrics
 * (the protocol of `npm run evaluate`, recommenders/metrics.ts), and EASE's regularisation tuned
 * on validation splits.
 *
 *   npm run bench:models                                      synthetic ml-100k and ml-latest-small
 *   npm run bench:models -- --data prepared/ --runs 10        a folder npm run data prepared
 *   npm run bench:models -- --synthetic ml-25m --runs 0       ml-25m's shape: time and memory only
 *   npm run bench:models -- --data prepared/ --tune           the EASE grid on validation splits
 *
 * Each edition runs in a child process, so its peak RSS is its own. Training times are of the
 * whole data (what `npm start` trains), the metrics are the mean ± standard deviation over the
 * runs (seeds 1..runs). --tune cuts, for each seed, a validation split out of the training part
 * (the same protocol applied again to the training part), so the test users never choose λ.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateMovies, generateRatings, generateUsers, type SyntheticOptions } from '../data/synthetic/generate';
import { Random } from '../data/synthetic/random';
import { FolderLoadSource, parseManifest, readRatings } from '../app-src/db/load-files';
import { LocalModels, EASE_DEFAULTS } from '../app-src/recommenders/local';
import {
  EVALUATED_LIST_LENGTH,
  evaluateRuns,
  holdOutSplit,
  offlineMetrics,
  type Spread,
} from '../app-src/recommenders/metrics';
import type { RatingRow } from '../app-src/recommenders/port';

/** The editions' shapes (users, movies, ratings) as GroupLens publishes them. */
const SYNTHETIC: Record<string, SyntheticOptions> = {
  'ml-100k': { edition: 'ml-100k', users: 943, items: 1682, ratings: 100_000, seed: 7 },
  'ml-latest-small': { edition: 'ml-latest', users: 610, items: 9742, ratings: 100_836, seed: 7 },
  'ml-25m': { edition: 'ml-latest', users: 162_541, items: 62_423, ratings: 25_000_095, seed: 7 },
};
/** Ratings above it are positives: the preparation's default for every edition. */
const THRESHOLD = 3.6;
const LAMBDAS = [25, 50, 100, 200, 400, 800];
const MAX_ITEMS = [1000, 2000, 3000];

interface ChildResult {
  readonly name: string;
  readonly ratings: number;
  readonly loadRssMb: number;
  readonly baselines: { readonly ms: number; readonly peakRssMb: number };
  readonly ease: { readonly ms: number; readonly peakRssMb: number; readonly movies: number };
  readonly metrics?: Record<string, { ndcg10: Spread; precision10: Spread }>;
  readonly tuning?: { lambda: number; maxItems: number; ndcg10: number; precision10: number }[];
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function loadRatings(source: string): Promise<{ name: string; ratings: RatingRow[]; threshold: number }> {
  const synthetic = SYNTHETIC[source];
  if (synthetic) {
    const random = new Random(synthetic.seed);
    const movies = generateMovies(synthetic, random);
    const users = generateUsers(synthetic, random);
    const ratings: RatingRow[] = [];
    generateRatings(synthetic, movies, users, random, (userId, items, values, times) => {
      for (let k = 0; k < items.length; k++) {
        ratings.push({ userId, movieId: items[k], rating: values[k], timestamp: times[k] });
      }
    });
    return { name: `synthetic ${source}`, ratings, threshold: THRESHOLD };
  }
  const folder = new FolderLoadSource(path.resolve(source));
  const text = await folder.readManifest();
  if (text === undefined) throw new Error(`${source}: no personalize/manifest.json (prepare it with npm run data)`);
  const manifest = parseManifest(text, folder.description);
  return {
    name: `${manifest.edition} (${source})`,
    ratings: await readRatings(folder, manifest),
    threshold: manifest.settings.positiveRatingThreshold,
  };
}

/** One edition, in this (child) process. */
async function child(source: string, runs: number, tune: boolean): Promise<ChildResult> {
  const { name, ratings, threshold } = await loadRatings(source);
  const loadRssMb = peakRssMb();
  let started = performance.now();
  const local = LocalModels.train(ratings, { positiveThreshold: threshold });
  const baselines = { ms: Math.round(performance.now() - started), peakRssMb: peakRssMb() };
  started = performance.now();
  const model = local.trainEase(EASE_DEFAULTS);
  const ease = { ms: Math.round(performance.now() - started), peakRssMb: peakRssMb(), movies: model.size };

  let metrics: ChildResult['metrics'];
  if (runs > 0) {
    const { spread } = evaluateRuns(ratings, { positiveThreshold: threshold }, runs);
    metrics = Object.fromEntries(
      Object.entries(spread).map(([id, values]) => [
        id,
        { ndcg10: values!.ndcgAt10!, precision10: values!.precisionAt10! },
      ]),
    );
  }
  return {
    name,
    ratings: ratings.length,
    loadRssMb,
    baselines,
    ease,
    metrics,
    tuning: tune ? tuneEase(ratings, threshold, Math.max(runs, 1)) : undefined,
  };
}

/**
 * For seeds 1..runs: the test users' split, then the same protocol on its training part to cut a
 * validation split; EASE is trained on the validation's training part with each setting of the
 * grid and scored on the validation users. The test users are never looked at.
 */
function tuneEase(ratings: readonly RatingRow[], threshold: number, runs: number): ChildResult['tuning'] {
  const grid = MAX_ITEMS.flatMap((maxItems) => LAMBDAS.map((lambda) => ({ lambda, maxItems, ndcg: 0, precision: 0 })));
  for (let seed = 1; seed <= runs; seed++) {
    const test = holdOutSplit(ratings, { positiveThreshold: threshold, seed });
    const validation = holdOutSplit(test.training, { positiveThreshold: threshold, seed: 1000 + seed });
    const local = LocalModels.train(validation.training, { positiveThreshold: threshold });
    const catalogSize = new Set(test.training.map((r) => r.movieId)).size;
    for (const cell of grid) {
      const ease = local.trainEase({ lambda: cell.lambda, maxItems: cell.maxItems, minPositives: 1 });
      const scored = offlineMetrics(
        validation.testUsers.map((user) => ({
          recommended: local.recommendEase(ease, user.userId, EVALUATED_LIST_LENGTH),
          relevant: user.relevant,
        })),
        catalogSize,
      );
      cell.ndcg += (scored.ndcgAt10 ?? 0) / runs;
      cell.precision += (scored.precisionAt10 ?? 0) / runs;
    }
  }
  return grid.map(({ lambda, maxItems, ndcg, precision }) => ({
    lambda,
    maxItems,
    ndcg10: ndcg,
    precision10: precision,
  }));
}

function print(result: ChildResult, runs: number): void {
  console.log(`\n== ${result.name}: ${result.ratings.toLocaleString('en-US')} ratings`);
  console.log(`   ratings in memory: peak RSS ${result.loadRssMb} MB`);
  console.log(
    `   popularity + item-kNN: trained in ${(result.baselines.ms / 1000).toFixed(2)} s, peak RSS ${result.baselines.peakRssMb} MB`,
  );
  console.log(
    `   EASE (λ ${EASE_DEFAULTS.lambda}, ${result.ease.movies} movies): trained in ${(result.ease.ms / 1000).toFixed(2)} s, peak RSS ${result.ease.peakRssMb} MB`,
  );
  if (result.metrics) {
    console.log(`   metrics, ${runs} run${runs === 1 ? '' : 's'} (mean ± sd):`);
    const f = (s: Spread) => `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}`;
    for (const [id, m] of Object.entries(result.metrics)) {
      console.log(`     ${id.padEnd(20)} ndcg@10 ${f(m.ndcg10)}   precision@10 ${f(m.precision10)}`);
    }
  }
  if (result.tuning) {
    console.log('   EASE on validation splits (cut from the training part; the test users unused):');
    const best = result.tuning.reduce((a, b) => (b.ndcg10 > a.ndcg10 ? b : a));
    for (const cell of result.tuning) {
      const mark = cell === best ? '  <- best' : '';
      console.log(
        `     λ ${String(cell.lambda).padStart(4)}  movies ≤ ${String(cell.maxItems).padStart(4)}  ndcg@10 ${cell.ndcg10.toFixed(4)}  precision@10 ${cell.precision10.toFixed(4)}${mark}`,
      );
    }
  }
}

export interface BenchOptions {
  readonly data: readonly string[];
  readonly synthetic: readonly string[];
  readonly runs: number;
  readonly tune: boolean;
  /** Set in the child process: the one edition it measures. */
  readonly child?: string;
}

/** The command line, checked (unknown options, a bad --runs or edition throw, naming them). */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', multiple: true, default: [] },
      synthetic: { type: 'string', default: '' },
      runs: { type: 'string', default: '3' },
      tune: { type: 'boolean', default: false },
      child: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const runs = Number(values.runs);
  if (!/^\d+$/.test(values.runs ?? '') || runs > 100) {
    throw new Error(`--runs "${values.runs}" must be a whole number from 0 to 100`);
  }
  const data = values.data ?? [];
  const synthetic = values.synthetic ? values.synthetic.split(',') : data.length ? [] : ['ml-100k', 'ml-latest-small'];
  for (const name of synthetic) {
    if (!Object.hasOwn(SYNTHETIC, name)) {
      throw new Error(`--synthetic ${name}: use ${Object.keys(SYNTHETIC).join(', ')}`);
    }
  }
  return { data, synthetic, runs, tune: values.tune ?? false, child: values.child };
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  const { runs } = options;
  if (options.child !== undefined) {
    process.stdout.write(`${JSON.stringify(await child(options.child, runs, options.tune))}\n`);
    return;
  }
  console.log(
    `bench:models on ${process.version}, ${runs} run${runs === 1 ? '' : 's'} per edition; each edition in its own process`,
  );
  for (const source of [...options.synthetic, ...options.data]) {
    const spawned = spawnSync(
      process.execPath,
      [...process.execArgv, __filename, '--child', source, '--runs', String(runs), ...(options.tune ? ['--tune'] : [])],
      { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (spawned.status !== 0) throw new Error(`${source}: the benchmark's child process failed (${spawned.status})`);
    print(JSON.parse(spawned.stdout.trim().split('\n').pop() ?? '{}') as ChildResult, runs);
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`bench:models: ${error.message}`);
    process.exitCode = 1;
  });
}
