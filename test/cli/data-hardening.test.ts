/**
 * Issue 15 (data part) through the real CLI: planted links in --out, option ranges, formula-like
 * titles. Crafted inputs are written here; no MovieLens data.
 */
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import { once } from 'node:events';
import * as yazl from 'yazl';
import * as path from 'node:path';
import { ensureSample } from '../../data/synthetic/sample';
import { binary, cli } from './helpers';

const STACK_TRACE = /\n\s+at /;

function tmp(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `movierecs-${name}-`));
}

describe('movierecs data and links planted in --out', () => {
  it('a planted web/movies.csv.partial -> victim: exit 1 naming the link, the victim untouched', async () => {
    const out = tmp('out');
    const victim = path.join(tmp('victim'), 'victim.txt');
    writeFileSync(victim, 'precious');
    mkdirSync(path.join(out, 'web'));
    symlinkSync(victim, path.join(out, 'web', 'movies.csv.partial'));
    const run = await cli(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `movierecs data: ${path.join(out, 'web', 'movies.csv.partial')}: exists and is a symbolic link`,
    );
    expect(run.stderr).not.toContain('unexpected error');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('a planted web -> elsewhere folder link: exit 1, nothing written elsewhere', async () => {
    const out = tmp('out');
    const elsewhere = tmp('elsewhere');
    symlinkSync(elsewhere, path.join(out, 'web'));
    const run = binary(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${path.join(out, 'web')}: is a symbolic link where the output writes a folder`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(path.join(out, 'personalize', 'manifest.json'))).toBe(false);
  });
});

describe('every numeric and path option has a range: exit 2 naming the option and the range', () => {
  const sample = () => ensureSample();
  test.each([
    // The three.
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', ''],
      '--out must name a file or folder (a non-empty path), got ""',
    ],
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', 'O', '--shift', '-99999999999'],
      '--shift must be an ISO instant from 1970-01-01T00:00:00Z to 2286-11-20T17:46:39Z (e.g. 2019-04-01T00:00:00Z) or whole seconds from -9999999999 to 9999999999 (e.g. 660833618), got "-99999999999"',
    ],
    [
      ['synthetic', '--users', '99999999999999999999'],
      '--users must be a whole number from 1 to 100000, got "99999999999999999999"',
    ],
    // The rest of data's.
    [
      ['data', '--edition', 'ml-100k', '--source', '', '--out', 'O'],
      '--source must name a file or folder (a non-empty path), got ""',
    ],
    [['data', '--edition', 'ml-100k', '--source', 'S', '--out', '  '], '--out must name a file or folder'],
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', 'O', '--threshold', '5.5'],
      '--threshold must be a number from 0 to 5, got "5.5"',
    ],
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', 'O', '--threshold', '-1'],
      '--threshold must be a number from 0 to 5, got "-1"',
    ],
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', 'O', '--shift', '0001-01-01T00:00:00Z'],
      '--shift must be an ISO instant from 1970',
    ],
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', 'O', '--shift', '9'.repeat(400)],
      '--shift must be an ISO instant from 1970',
    ],
    [
      ['data', '--edition', 'ml-100k', '--source', 'S', '--out', 'O', '-c', 'timestampShift=-99999999999'],
      'timestampShift',
    ],
    // synthetic and sample.
    [
      ['synthetic', '--edition', 'ml-latest', '--items', '1000001'],
      '--items must be a whole number from 1 to 1000000, got "1000001"',
    ],
    [
      ['synthetic', '--edition', 'ml-latest', '--ratings', '30000001'],
      '--ratings must be a whole number from 1 to 30000000',
    ],
    [['synthetic', '--ratings', '2000001'], '--ratings must be a whole number from 1 to 2000000'],
    [['synthetic', '--ratings', '0'], '--ratings must be a whole number from 1 to 2000000, got "0"'],
    [['synthetic', '--seed', '2147483648'], '--seed must be a whole number from 1 to 2147483647'],
    [['synthetic', '--seed', '1e3'], '--seed must be a whole number from 1 to 2147483647, got "1e3"'],
    [['synthetic', '--out', ''], '--out must name a file or folder (a non-empty path), got ""'],
    [['sample', '--out', ''], '--out must name a file or folder (a non-empty path), got ""'],
    // try, status, cost.
    [['try', '--user', '2147483648'], '--user must be a whole number from 1 to 2147483647, got "2147483648"'],
    [['try', '--item', '0'], '--item must be a whole number from 1 to 2147483647, got "0"'],
    [['try', '--user', '1', '--count', '101'], '--count must be a whole number from 1 to 100, got "101"'],
    [['try', '--user', '1', '--data', ''], '--data must name a file or folder (a non-empty path), got ""'],
    [['status', '--interval', '99999999999999999999'], '--interval must be a number from 5 to 3600'],
    [['status', '--speed', '0'], '--speed must be a number from 1 to 100000, got "0"'],
    [['cost', '--hours', '99999999999999999999'], '--hours must be a number of hours above 0 (at most 10000)'],
  ])('%j', async (args, message) => {
    const run = await cli(args.map((a) => (a === 'S' ? sample() : a === 'O' ? tmp('o') : a)));
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it("through bin/movierecs.js: the issue's three exit 2 with the message on stderr, nothing written", () => {
    const cwd = tmp('cwd');
    const out = binary(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', '']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('movierecs data: --out must name a file or folder');
    const shift = binary([
      'data',
      '--edition',
      'ml-100k',
      '--source',
      ensureSample(),
      '--out',
      cwd,
      '--shift',
      '-99999999999',
    ]);
    expect(shift.code).toBe(2);
    expect(shift.stderr).toContain('movierecs data: --shift must be');
    expect(readdirSync(cwd)).toEqual([]);
    const users = binary(['synthetic', '--users', '99999999999999999999', '--out', path.join(cwd, 'syn')]);
    expect(users.code).toBe(2);
    expect(users.stderr).toContain('movierecs synthetic: --users must be a whole number from 1 to 100000');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('movierecs data on crafted files: exit 1 naming file and line, quickly, never "unexpected"', () => {
  /** The synthetic sample, copied, with one file changed. */
  function craftedSample(file: string, change: (text: string) => string): string {
    const folder = tmp('crafted');
    for (const name of ['u.data', 'u.item', 'u.user']) {
      const text = readFileSync(path.join(ensureSample(), name), 'latin1');
      writeFileSync(path.join(folder, name), name === file ? change(text) : text, 'latin1');
    }
    return folder;
  }

  it.each([
    [
      'a 400-digit movie id',
      'u.data',
      (t: string) => t.replace(/^(\d+)\t\d+\t/, `$1\t${'9'.repeat(400)}\t`),
      /u\.data, line 1: movie id 9{40} is outside 1\.\.2,147,483,647/,
    ],
    [
      'a 300-digit user id',
      'u.data',
      (t: string) => t.replace(/^\d+\t/, `${'9'.repeat(300)}\t`),
      /u\.data, line 1: user id 9{40} is outside 1\.\.2,147,483,647/,
    ],
    [
      'a user id of 2^53 + 1',
      'u.data',
      (t: string) => t.replace(/^\d+\t/, '9007199254740993\t'),
      /u\.data, line 1: user id 9007199254740993 is outside/,
    ],
    // 20 MB is over u.data's size cap (4 × 1,979,173 bytes), so the line bound is shown with 5 MB.
    [
      'one 20 MB line',
      'u.data',
      (t: string) => `${'1'.repeat(20_000_000)}\n${t}`,
      /u\.data: holds 20\d{6} bytes, more than its cap of 7916692 bytes/,
    ],
    [
      'one 5 MB line',
      'u.data',
      (t: string) => `${t}${'1'.repeat(5_000_000)}\n`,
      /u\.data, line \d+: the line is longer than 65536 bytes/,
    ],
    // The 96 KB title is longer than a line may be; one of 60 KB is read, in no time.
    [
      'a 96 KB crafted title',
      'u.item',
      (t: string) => t.replace(/^1\|[^|]*\|/, `1|${'(1995)'.repeat(16_000)}x|`),
      /u\.item, line 1: the line is longer than 65536 bytes/,
    ],
    [
      'a 60 KB crafted title',
      'u.item',
      (t: string) => t.replace(/^1\|[^|]*\|/, `1|${'(1995)'.repeat(10_000)}x|`),
      /prepared ml-100k/,
    ],
  ])('%s', (_name, file, change, expected) => {
    const folder = craftedSample(file, change);
    const started = Date.now();
    const run = binary(['data', '--edition', 'ml-100k', '--source', folder, '--out', tmp('out')]);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(expected);
    expect(run.code).toBe(String(expected).includes('prepared') ? 0 : 1);
    expect(run.stderr).not.toContain('unexpected error');
    // Seconds at most (the node start included); the old code spun forever or for minutes.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("the issue's zip bomb: exit 1 naming the entry and the cap, not an unexpected error", async () => {
    const zipPath = path.join(tmp('bomb'), 'ml-latest-small.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.alloc(100_000_000, 0x61), 'ml-latest-small/movies.csv');
    zip.addBuffer(Buffer.from('userId,movieId,rating,timestamp\r\n1,1,4.0,1\r\n'), 'ml-latest-small/ratings.csv');
    zip.end();
    const out = createWriteStream(zipPath);
    zip.outputStream.pipe(out);
    await once(out, 'finish');
    const run = binary(['data', '--edition', 'ml-latest-small', '--source', zipPath, '--out', tmp('out')]);
    expect(run.stderr).toContain(
      `movierecs data: ${zipPath}:ml-latest-small/movies.csv: holds 100000000 bytes, more than its cap of 1977724 bytes`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('unexpected error');
  });
});
