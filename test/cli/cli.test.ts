/**
 * The `movierecs` CLI as a user meets it: every command's --help (with an example), a usage error
 * (exit 2, the option named, no stack), and one run that does the job (exit 0). Most runs go
 * through runCli in this process (the program the binary runs); a few start bin/movierecs.js.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureSample } from '../../data/synthetic/sample';
import { binary, cli } from './helpers';

const tmp = (name: string) => mkdtempSync(path.join(tmpdir(), `movierecs-cli-${name}-`));
const STACK_TRACE = /\n\s+at .+\(.+:\d+:\d+\)/;

describe('the program', () => {
  it('lists every command with examples, exit 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of [
      'start',
      'evaluate',
      'data',
      'synthetic',
      'sample',
      'simulate',
      'status',
      'cost',
      'leftovers',
      'try',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(run.stdout).toContain('Examples:');
  });

  it('an unknown command or no command is a usage error (exit 2) that says what to do', async () => {
    const unknown = await cli(['stats']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("movierecs: unknown command 'stats'");
    expect(unknown.stderr).toContain('(Did you mean status?)');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage: movierecs');
  });

  it('the binary runs as npx runs it: help 0, usage error 2 without a stack, a job 0', () => {
    const help = binary(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: movierecs');
    const usage = binary(['data', '--edition', 'ml-1m', '--source', 'x', '--out', 'y']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      "movierecs data: option '--edition <edition>' argument 'ml-1m' is invalid. Allowed choices are ml-100k, ml-latest-small, ml-25m.",
    );
    expect(usage.stderr).not.toMatch(STACK_TRACE);
    const cost = binary(['cost', '--hours', '2']);
    expect(cost.code).toBe(0);
    expect(cost.stdout).toContain('A 2-hour workshop:');
  });
});

describe.each([
  ['data', 'npx movierecs data --edition ml-100k --source ml-100k.zip --out prepared/'],
  ['synthetic', 'npx movierecs synthetic --edition ml-100k --out synthetic/ --zip'],
  ['sample', 'npx movierecs sample'],
  ['simulate', 'npx movierecs simulate'],
  ['status', 'npx movierecs status --simulate --speed 120'],
  ['cost', 'npx movierecs cost'],
  ['leftovers', 'npx movierecs leftovers -c prefix=Demo --delete'],
  ['try', 'npx movierecs try --user 42'],
  ['start', 'npm start -- --data prepared/ --port 8080'],
  ['evaluate', 'npm run evaluate -- --data prepared/'],
])('movierecs %s --help', (command, example) => {
  it('describes the options and shows an example, exit 0', async () => {
    const run = await cli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^usage: |Usage: (movierecs ${command}|npm start|npm run evaluate)`, 'i'));
    expect(run.stdout).toContain(example);
  });
});

describe('usage errors name the option, the value and what is allowed (exit 2, no stack)', () => {
  it.each([
    [['data', '--source', 'x', '--out', 'y'], "movierecs data: required option '--edition <edition>' not specified"],
    [
      ['data', '--edition', 'ml-100k', '--source', 'x', '--out', 'y', '--threshold', '7'],
      '--threshold must be a number from 0 to 5, got "7"',
    ],
    [
      ['synthetic', '--users', 'many'],
      'movierecs synthetic: --users must be a whole number from 1 to 100000, got "many"',
    ],
    [['synthetic', '--users', '2', '--items', '2', '--ratings', '5'], '--ratings 5 is more than users x items (4)'],
    [['sample', '--colour'], "movierecs sample: unknown option '--colour'"],
    [['simulate', '-c', 'natGateways'], 'movierecs simulate: -c takes key=value (as for cdk), got "natGateways"'],
    [['status', '--speed', 'fast'], 'movierecs status: --speed must be a number from 1 to 100000, got "fast"'],
    [['cost', '--hours', '0'], 'movierecs cost: --hours must be a number of hours above 0 (at most 10000), got "0"'],
    [['cost', '-c', 'instanceType=huge'], 'instanceType'],
    [['start', '--port', 'eighty'], 'npm start: --port must be a whole number from 1 to 65535, got "eighty"'],
    [['evaluate'], 'evaluate: --data <folder> is required'],
  ])('%j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it('a failure the user can fix is exit 1 with the file named, and --debug adds the stack', async () => {
    const missing = path.join(tmp('missing'), 'ml-100k.zip');
    const run = await cli(['data', '--edition', 'ml-100k', '--source', missing, '--out', tmp('out')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`movierecs data: ${missing}: no such file or folder`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    const debug = await cli(['data', '--edition', 'ml-100k', '--source', missing, '--out', tmp('out'), '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_TRACE);
  });
});

describe('each command does its job', () => {
  it('data prepares the sample into personalize/ and web/, quiet on stderr when not a terminal', async () => {
    const out = tmp('data');
    const run = await cli(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^prepared ml-100k in \d+\.\d s into /);
    expect(run.stdout).toMatch(/interactions\s+\d+ rows {2}personalize\/interactions\.csv/);
    expect(run.stderr).toBe('');
    expect(existsSync(path.join(out, 'personalize', 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(out, 'web', 'ratings.csv'))).toBe(true);
  });

  it('data shows bytes, rows, rate and ETA on a terminal, ending with a cleared line', async () => {
    const run = await cli(
      ['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', tmp('tty')],
      {},
      {
        tty: true,
      },
    );
    expect(run.code).toBe(0);
    const size = statSync(path.join(ensureSample(), 'u.data')).size;
    const lines = readFileSync(path.join(ensureSample(), 'u.data'), 'latin1').split('\n').length - 1;
    // The last drawing of the ratings file's first pass: every byte and every row counted.
    expect(run.stderr).toContain(
      `u.data  ${(size / 1024).toFixed(1)} KB of ${(size / 1024).toFixed(1)} KB  100%  ${lines.toLocaleString('en-US')} rows`,
    );
    expect(run.stderr.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('synthetic writes the files (and the zip) GroupLens-style', async () => {
    const out = path.join(tmp('synthetic'), 'small');
    const run = await cli(['synthetic', '--users', '30', '--items', '40', '--ratings', '300', '--out', out, '--zip']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${out}.zip`);
    expect(readFileSync(path.join(out, 'u.data'), 'latin1').trim().split('\n')).toHaveLength(300);
  });

  it('sample writes the sample once, then says it is there', async () => {
    const out = path.join(tmp('sample'), 'ml-100k');
    expect((await cli(['sample', '--out', out])).stdout).toContain(
      `wrote the synthetic sample (u.data, u.item, u.user) to ${out}`,
    );
    expect((await cli(['sample', '--out', out])).stdout).toContain(`synthetic sample already in ${out}`);
  });

  it('simulate times the pipeline: under 10% over the critical path, far ahead of the notebook', async () => {
    const run = await cli(['simulate', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { makespanMs: number; criticalPathMs: number; sequentialMs: number };
    expect(report.makespanMs / report.criticalPathMs).toBeLessThanOrEqual(1.1);
    expect(report.sequentialMs / report.makespanMs).toBeGreaterThan(2);
  });

  it('evaluate trains the local models on a prepared folder and prints their metrics', async () => {
    const out = tmp('evaluate');
    expect((await cli(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', out])).code).toBe(0);
    const run = await cli(['evaluate', '--data', out, '--json']);
    expect(run.code).toBe(0);
    const models = JSON.parse(run.stdout) as { name: string }[];
    expect(models.map((m) => m.name)).toContain('Item-kNN (local)');
  }, 60_000);
});
