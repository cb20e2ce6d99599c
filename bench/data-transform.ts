/**
 * Benchmark: our streaming interactions transform against the seed notebook's pandas transform,
 * on the same synthetic ratings.csv of ml-25m size (25,000,000 rows).
 *
 *   npm run bench:data [-- --ratings 25000000 --keep]
 *
 * Needs Debian's python3-pandas (/usr/bin/python3). Prints rows per second and peak RSS of each,
 * and the ratios. Targets: at least 2x pandas' throughput; peak RSS at most 256 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeSynthetic } from '../data/synthetic/generate';

const { values } = parseArgs({
  options: {
    ratings: { type: 'string', default: '25000000' },
    keep: { type: 'boolean', default: false },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const ratings = Number(values.ratings);
const work = path.join(os.tmpdir(), `movierecs-bench-${ratings}`);
const input = path.join(work, 'ml-25m');
const SHIFT = '660833618';

function run(
  command: string,
  args: string[],
): { rowsRead: number; rowsWritten: number; seconds: number; peakRssBytes: number } {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
}

function main(): void {
  if (!existsSync(path.join(input, 'ratings.csv'))) {
    mkdirSync(input, { recursive: true });
    const started = Date.now();
    // ml-25m's shape: 162,541 users, 62,423 movies.
    writeSynthetic({ edition: 'ml-latest', users: 162541, items: 62423, ratings, seed: 25 }, input);
    console.log(`generated ${ratings} ratings in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const size = statSync(path.join(input, 'ratings.csv')).size;
  console.log(`input: ${path.join(input, 'ratings.csv')} (${(size / 1e6).toFixed(0)} MB, ${ratings} rows)`);

  const oursOut = path.join(work, 'ours');
  const pandasOut = path.join(work, 'pandas.csv');
  // Bundled and run with plain node, as the Lambda handler runs (no TypeScript loader in the process).
  const runner = path.join(work, 'run-transform.js');
  const esbuild = path.join(__dirname, '..', 'node_modules', '.bin', 'esbuild');
  const bundle = [path.join(__dirname, 'run-transform.ts'), '--bundle', '--platform=node', '--target=node22'];
  const built = spawnSync(esbuild, [...bundle, `--outfile=${runner}`, '--log-level=warning'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bundling the runner failed: ${built.stderr}`);
  const ours = run(process.execPath, [runner, '--source', input, '--shift', SHIFT, '--out', oursOut]);
  const twoPass = run(process.execPath, [runner, '--source', input, '--shift', 'newestAt', '--out', `${oursOut}-2`]);
  const pandas = run(values.python ?? '/usr/bin/python3', [
    path.join(__dirname, 'pandas_transform.py'),
    '--input',
    path.join(input, 'ratings.csv'),
    '--format',
    'latest',
    '--shift',
    SHIFT,
    '--output',
    pandasOut,
  ]);
  const identical = readFileSync(path.join(oursOut, 'personalize', 'interactions.csv')).equals(readFileSync(pandasOut));

  const rate = (r: typeof ours) => r.rowsRead / r.seconds;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log('');
  console.log('transform          rows/s        seconds   peak RSS');
  for (const [name, r] of [
    ['ours', ours],
    ['pandas', pandas],
    ['ours, 2 passes*', twoPass],
  ] as const) {
    console.log(
      `${name.padEnd(17)} ${Math.round(rate(r)).toLocaleString('en-US').padStart(12)}  ${r.seconds.toFixed(1).padStart(9)}   ${mb(r.peakRssBytes).padStart(8)}`,
    );
  }
  console.log('');
  console.log(`throughput ratio (ours / pandas): ${(rate(ours) / rate(pandas)).toFixed(2)}x   target >= 2x`);
  console.log(
    `peak RSS ratio (ours / pandas):   ${(ours.peakRssBytes / pandas.peakRssBytes).toFixed(3)}   ours ${mb(ours.peakRssBytes)}, target <= 256 MB`,
  );
  console.log(`outputs identical: ${identical ? 'yes' : 'NO'} (${ours.rowsWritten} interactions)`);
  console.log(
    '* the default shift ("newest review lands on 2019-04-01") reads the ratings twice; the notebook\'s fixed shift once',
  );
  if (!values.keep) rmSync(oursOut, { recursive: true, force: true });
  if (!values.keep) rmSync(`${oursOut}-2`, { recursive: true, force: true });
  if (!values.keep) rmSync(pandasOut, { force: true });
}

main();
