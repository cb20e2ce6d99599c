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
import { describeLocalModels } from './recommenders/local';
import { EVALUATION_PROTOCOL, METRIC_LABELS, RANKING_CANDIDATES, evaluateLocalModels } from './recommenders/metrics';

const USAGE = `usage: npm run evaluate -- --data <folder> [--json]

Trains the local models on a folder prepared by npm run data and prints their offline metrics
(precision@K, NDCG@K, MRR@25, coverage), computed like Amazon Personalize's.

  --data <folder>  the folder npm run data wrote (it holds personalize/manifest.json and web/)
  --json           print a JSON array of {name, type, metrics} instead of a table
  --help           print this help

example:
  npm run data -- --edition ml-100k --source ml-100k.zip --out prepared/
  npm run evaluate -- --data prepared/`;

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
    await evaluateFolder(options.data, options.json, out);
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

function parseOptions(argv: string[]): { help: boolean; json: boolean; data: string } {
  let values: { data?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(rephrase(error as Error & { code?: string }));
  }
  if (values.help) return { help: true, json: false, data: '' };
  if (values.data === undefined || values.data === '') {
    throw new UsageError('--data <folder> is required: the folder npm run data prepared');
  }
  return { help: false, json: values.json ?? false, data: values.data };
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
      return /--data/.test(error.message) ? '--data needs a folder: --data <folder>' : error.message.split('\n')[0];
    default:
      return error.message.split('\n')[0];
  }
}

async function evaluateFolder(folder: string, json: boolean, out: Output): Promise<void> {
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
  const evaluation = evaluateLocalModels(ratings, {
    positiveThreshold: manifest.settings.positiveRatingThreshold,
    catalogSize: manifest.counts.movies,
  });
  const models = describeLocalModels(evaluation.metrics);

  if (json) {
    const rows = models.map((model) => ({
      name: model.name,
      type: model.type,
      metrics: Object.fromEntries(
        METRIC_LABELS.flatMap(([key, label]) =>
          model.metrics[key] === undefined ? [] : [[label, model.metrics[key]]],
        ),
      ),
    }));
    out.log(JSON.stringify(rows, null, 2));
    return;
  }
  const header = ['model', 'type', ...TABLE_METRICS.map((key) => LABELS[key])];
  const rows = models.map((model) => [
    model.name,
    model.type,
    ...TABLE_METRICS.map((key) => (model.metrics[key] === undefined ? '-' : (model.metrics[key] as number).toFixed(4))),
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  out.log(line(header));
  for (const row of rows) out.log(line(row));
  out.log(
    `\n${ratings.length} ratings, positive above ${manifest.settings.positiveRatingThreshold}; ` +
      `${evaluation.testUsers} test users with ${evaluation.heldOutPositives} held-out positives; ` +
      `the ranking model ordered ${evaluation.rankingLists} candidate lists of up to ${RANKING_CANDIDATES} movies; ` +
      `trained in ${(evaluation.trainingMs / 1000).toFixed(1)} s.`,
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
