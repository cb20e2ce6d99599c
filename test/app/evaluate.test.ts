/**
 * `npm run evaluate`: help, usage errors (exit 2, one line naming the option), data errors (exit 1,
 * file and line), and the figures of a folder prepared from the synthetic sample.
 */
import { mkdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import * as path from 'node:path';
import { ensureSample } from '../../data/synthetic/sample';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { main } from '../../app-src/evaluate';
import { tempDir } from '../data/helpers';

/** Runs the command; returns its exit code and what it printed. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts) => void out.push(parts.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...parts) => void err.push(parts.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** One line, no stack trace. */
const expectOneLine = (text: string) => {
  expect(text.split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
};

let prepared: string;
beforeAll(async () => {
  const sample = ensureSample(tempDir());
  prepared = tempDir();
  const source = await openSource(sample);
  try {
    await prepareMovieLens({
      edition: 'ml-100k',
      source,
      sourceDescription: sample,
      sink: new FolderSink(prepared),
      positiveRatingThreshold: 3.6,
      timestampShift: { kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' },
    });
  } finally {
    await source.close();
  }
});

test('--help prints the usage with an example and exits 0', async () => {
  const { code, out, err } = await run('--help');
  expect(code).toBe(0);
  expect(out).toMatch(/^usage: npm run evaluate -- --data <folder> \[--runs <n>\] \[--json\]/);
  expect(out).toContain('npm run evaluate -- --data prepared/');
  expect(err).toBe('');
});

test.each([
  [['--data', 'x', '--bogus'], /^evaluate: unknown option --bogus \(npm run evaluate -- --help\)$/],
  [[], /^evaluate: --data <folder> is required/],
  [['--json'], /^evaluate: --data <folder> is required/],
  [['--data'], /^evaluate: --data needs a folder/],
  [['prepared/'], /^evaluate: unexpected argument "prepared\/": give the folder as --data <folder>/],
])('usage error %j: one line naming the option, exit 2', async (argv, message) => {
  const { code, out, err } = await run(...argv);
  expect(code).toBe(2);
  expect(out).toBe('');
  expect(err).toMatch(message);
  expectOneLine(err);
});

test('a folder that does not exist, or has no manifest, is a usage error naming --data', async () => {
  const missing = path.join(tempDir(), 'nowhere');
  const noFolder = await run('--data', missing);
  expect(noFolder.code).toBe(2);
  expect(noFolder.err).toMatch(new RegExp(`^evaluate: --data ${missing}: there is no folder`));
  expectOneLine(noFolder.err);

  const empty = tempDir();
  const noManifest = await run('--data', empty);
  expect(noManifest.code).toBe(2);
  expect(noManifest.err).toMatch(/^evaluate: --data .*personalize\/manifest\.json is missing; prepare the folder/);
  expectOneLine(noManifest.err);
});

test('a bad ratings file exits 1 naming the file and the line', async () => {
  const broken = tempDir();
  cpSync(prepared, broken, { recursive: true });
  const file = path.join(broken, 'web', 'ratings.csv');
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[2] = '1,2,seven,3';
  writeFileSync(file, lines.join('\n'));
  const { code, err } = await run('--data', broken);
  expect(code).toBe(1);
  expect(err).toBe(`${file}, line 3: rating "seven" is not between 0.5 and 5`);
});

test('a manifest that is not JSON exits 1 naming it', async () => {
  const folder = tempDir();
  mkdirSync(path.join(folder, 'personalize'));
  writeFileSync(path.join(folder, 'personalize', 'manifest.json'), '{ not json');
  const { code, err } = await run('--data', folder);
  expect(code).toBe(1);
  expect(err).toMatch(/manifest\.json is not JSON/);
  expectOneLine(err);
});

test('--json: every local model with its metrics under Personalize-style labels; item-kNN beats popularity', async () => {
  const { code, out, err } = await run('--data', prepared, '--json');
  expect(code).toBe(0);
  expect(err).toBe('');
  const rows = JSON.parse(out) as { name: string; type: string; metrics: Record<string, number> }[];
  expect(rows.map((row) => [row.name, row.type])).toEqual([
    ['EASE (local)', 'recommend'],
    ['Most popular (local)', 'recommend'],
    ['Item-kNN (local)', 'recommend'],
    ['Similar items, item-kNN (local)', 'sims'],
    ['Personal ranking, EASE (local)', 'ranking'],
    ['Personal ranking, item-kNN (local)', 'ranking'],
  ]);
  const labels = ['precision@5', 'precision@10', 'precision@25', 'ndcg@5', 'ndcg@10', 'ndcg@25', 'mrr@25', 'coverage'];
  for (const row of rows) {
    expect(Object.keys(row.metrics)).toEqual(labels);
    for (const value of Object.values(row.metrics)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  }
  const [ease, popular, knn] = rows;
  expect(ease.metrics['ndcg@10']).toBeGreaterThan(2 * popular.metrics['ndcg@10']);
  expect(knn.metrics['precision@10']).toBeGreaterThan(2 * popular.metrics['precision@10']);
  expect(knn.metrics['ndcg@10']).toBeGreaterThan(2 * popular.metrics['ndcg@10']);
});

test('the table: a header, one row per model, the split and the protocol', async () => {
  const { code, out } = await run('--data', prepared);
  expect(code).toBe(0);
  const lines = out.split('\n');
  expect(lines[0]).toMatch(/^model\s+type\s+precision@5\s+precision@10\s+precision@25\s+ndcg@10\s+coverage$/);
  expect(lines[1]).toMatch(/^EASE \(local\)\s+recommend(\s+0\.\d{4}){5}$/);
  expect(lines[2]).toMatch(/^Most popular \(local\)\s+recommend(\s+0\.\d{4}){5}$/);
  expect(lines[3]).toMatch(/^Item-kNN \(local\)\s+recommend(\s+0\.\d{4}){5}$/);
  expect(lines[5]).toMatch(/^Personal ranking, EASE \(local\)\s+ranking(\s+0\.\d{4}){5}$/);
  expect(lines[6]).toMatch(/^Personal ranking, item-kNN \(local\)\s+ranking(\s+0\.\d{4}){5}$/);
  expect(out).toMatch(
    /50000 ratings, positive above 3\.6; 60 test users with \d+ held-out positives; the ranking models ordered 60 candidate lists of up to 100 movies; the baselines trained in \d+\.\d s and EASE in \d+\.\d s\./,
  );
  expect(out).toMatch(/not\scomparable\swith\sthe\srecommenders/);
  expect(out).toContain('Amazon Personalize');
});

test('--runs 3: mean ± standard deviation per metric; the JSON has the runs, the means and the deviations', async () => {
  const table = await run('--data', prepared, '--runs', '3');
  expect(table.code).toBe(0);
  const lines = table.out.split('\n');
  expect(lines[1]).toMatch(/^EASE \(local\)\s+recommend(\s+0\.\d{4} ± 0\.\d{4}){5}$/);
  expect(table.out).toMatch(/3 runs \(seeds 1 to 3, mean ± standard deviation\), about \d+ test users each/);

  const json = await run('--data', prepared, '--runs', '3', '--json');
  const rows = JSON.parse(json.out) as {
    name: string;
    runs: number;
    metrics: Record<string, number>;
    sd: Record<string, number>;
  }[];
  const one = JSON.parse((await run('--data', prepared, '--json')).out) as typeof rows;
  for (const row of rows) {
    expect(row.runs).toBe(3);
    expect(Object.keys(row.sd)).toEqual(Object.keys(row.metrics));
  }
  // The seeds differ, so the figures spread; a single run has no spread.
  expect(rows.some((row) => row.sd['ndcg@10'] > 0)).toBe(true);
  expect(one.every((row) => row.sd['ndcg@10'] === 0 && row.runs === 1)).toBe(true);
});

test.each([['0'], ['101'], ['2.5'], ['many']])('--runs %s is a usage error naming --runs', async (runs) => {
  const { code, err } = await run('--data', prepared, '--runs', runs);
  expect(code).toBe(2);
  expect(err).toMatch(new RegExp(`^evaluate: --runs "${runs}" must be a whole number from 1 to 100`));
  expectOneLine(err);
});
