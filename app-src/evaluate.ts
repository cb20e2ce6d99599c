/**
 * `npm run evaluate`: the offline metrics of the local models on a prepared folder, computed the
 * way Amazon Personalize computes its own (recommenders/metrics.ts), so a workshop guide can
 * compare the baselines with the campaigns' figures before the site is up.
 *
 * Exit codes: 0 done, 1 a data file is wrong (the message names file and line), 2 a usage error
 * (the message names the option). Neither error prints a stack trace: both are the user's to fix.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DataFileError } from '../lib/data/movielens/errors';
import type { OfflineMetrics } from '../lib/shared/model-registry';
import { FolderLoadSource, parseManifest, readRatings } from './db/load-files';
import { describeLocalModels, type LocalModelId } from './recommenders/local';
import {
  EVALUATION_PROTOCOL,
  METRIC_LABELS,
  RANKING_CANDIDATES,
  evaluateRuns,
  type Spread,
} from './recommenders/metrics';
import type { Model } from './recommenders/port';

/** Enough for a mean worth reading; more only costs time (each run trains every model). */
const MAX_RUNS = 100;

const USAGE = `usage: npm run evaluate -- --data <folder> [--runs <n>] [--json]

Trains the local models on a folder prepared by npm run data and prints their offline metrics
(precision@K, NDCG@K, MRR@25, coverage), computed like Amazon Personalize's.

  --data <folder>  the folder npm run data wrote (it holds personalize/manifest.json and web/)
  --runs <n>       repeat the protocol with seeds 1..n (other test users each time) and print
                   the mean ± standard deviation of each metric (default 1, at most ${MAX_RUNS})
  --json           print a JSON array of {name, type, runs, metrics, sd} instead of a table
  --help           print this help

example:
  npm run data -- --edition ml-100k --source ml-100k.zip --out prepared/
  npm run evaluate -- --data prepared/ --runs 10`;

/** A mistake in the command line: one line naming the option, exit code 2. */
class UsageError extends Error {}

/** A prepared file that cannot be used (the message names it): exit code 1, no stack. */
class DataError extends Error {}

/** The table's columns: name, type, then these metrics. */
const TABLE_METRICS: ReadonlyArray<keyof OfflineMetrics> = [
  'precisionAt5',
  'precisionAt10',
  'precisionAt25',
  'ndcgAt10',
  'coverage',
];
const LABELS = Object.fromEntries(METRIC_LABELS) as Record<keyof OfflineMetrics, string>;

/** Where the command writes (console, or the CLI's streams). */
export type Output = Pick<Console, 'log' | 'error'>;

export async function main(argv: string[], out: Output = console): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options.help) {
      out.log(USAGE);
      return 0;
    }
    await evaluateFolder(options, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`evaluate: ${error.message} (npm run evaluate -- --help)`);
      return 2;
    }
    // A bad or missing file is the user's to fix: its message says which; anything else is a bug.
    const known = error instanceof DataFileError || error instanceof DataError || isFileSystemError(error);
    out.error(known ? (error as Error).message : error instanceof Error ? error.stack : String(error));
    return 1;
  }
}

interface Options {
  readonly help: boolean;
  readonly json: boolean;
  readonly data: string;
  readonly runs: number;
}

function parseOptions(argv: string[]): Options {
  let values: { data?: string; json?: boolean; help?: boolean; runs?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        runs: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(rephrase(error as Error & { code?: string }));
  }
  if (values.help) return { help: true, json: false, data: '', runs: 1 };
  if (values.data === undefined || values.data === '') {
    throw new UsageError('--data <folder> is required: the folder npm run data prepared');
  }
  const runs = values.runs === undefined ? 1 : Number(values.runs);
  if (!/^\d{1,3}$/.test(values.runs ?? '1') || runs < 1 || runs > MAX_RUNS) {
    throw new UsageError(`--runs "${values.runs}" must be a whole number from 1 to ${MAX_RUNS}`);
  }
  return { help: false, json: values.json ?? false, data: values.data, runs };
}

/** parseArgs' messages, said the way the rest of this command speaks (and without its hints). */
function rephrase(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted ?? ''}": give the folder as --data <folder>`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/--runs/.test(error.message)) return '--runs needs a number: --runs <n>';
      return /--data/.test(error.message) ? '--data needs a folder: --data <folder>' : error.message.split('\n')[0];
    default:
      return error.message.split('\n')[0];
  }
}

async function evaluateFolder({ data: folder, json, runs }: Options, out: Output): Promise<void> {
  const resolved = path.resolve(folder);
  const isFolder = await stat(resolved).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new UsageError(`--data ${folder}: there is no folder ${resolved}`);
  const source = new FolderLoadSource(resolved);
  const text = await source.readManifest();
  if (text === undefined) {
    throw new UsageError(
      `--data ${folder}: ${path.join(resolved, 'personalize', 'manifest.json')} is missing; prepare the folder with npm run data`,
    );
  }
  const manifest = (() => {
    try {
      return parseManifest(text, source.description);
    } catch (error) {
      throw new DataError((error as Error).message, { cause: error });
    }
  })();
  const ratings = await readRatings(source, manifest);
  const { spread, evaluations } = evaluateRuns(
    ratings,
    { positiveThreshold: manifest.settings.positiveRatingThreshold, catalogSize: manifest.counts.movies },
    runs,
  );
  const models = describeLocalModels().filter((model) => spread[model.id as LocalModelId] !== undefined);
  const metricsOf = (model: Model) => spread[model.id as LocalModelId] ?? {};

  if (json) {
    const rows = models.map((model) => {
      const metrics = metricsOf(model);
      const present = METRIC_LABELS.filter(([key]) => metrics[key] !== undefined);
      return {
        name: model.name,
        type: model.type,
        runs,
        metrics: Object.fromEntries(present.map(([key, label]) => [label, metrics[key]!.mean])),
        sd: Object.fromEntries(present.map(([key, label]) => [label, metrics[key]!.sd])),
      };
    });
    out.log(JSON.stringify(rows, null, 2));
    return;
  }
  const header = ['model', 'type', ...TABLE_METRICS.map((key) => LABELS[key])];
  const cell = (value: Spread | undefined) =>
    value === undefined
      ? '-'
      : runs === 1
        ? value.mean.toFixed(4)
        : `${value.mean.toFixed(4)} ± ${value.sd.toFixed(4)}`;
  const rows = models.map((model) => [
    model.name,
    model.type,
    ...TABLE_METRICS.map((key) => cell(metricsOf(model)[key])),
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  out.log(line(header));
  for (const row of rows) out.log(line(row));
  const first = evaluations[0];
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  out.log(
    `\n${ratings.length} ratings, positive above ${manifest.settings.positiveRatingThreshold}; ` +
      (runs === 1
        ? `${first.testUsers} test users with ${first.heldOutPositives} held-out positives; `
        : `${runs} runs (seeds 1 to ${runs}, mean ± standard deviation), about ${Math.round(mean(evaluations.map((e) => e.testUsers)))} test users each; `) +
      `the ranking models ordered ${first.rankingLists} candidate lists of up to ${RANKING_CANDIDATES} movies` +
      (runs === 1 ? '' : ' per run') +
      `; the baselines trained in ${seconds(mean(evaluations.map((e) => e.trainingMs)))} s and EASE in ` +
      `${seconds(mean(evaluations.map((e) => e.ease.trainingMs)))} s${runs === 1 ? '' : ' per run'}.`,
  );
  out.log(wrap(EVALUATION_PROTOCOL, 100));
}

function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  return lines.join('\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      console.error(error.stack);
      process.exitCode = 1;
    },
  );
}
