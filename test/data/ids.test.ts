/**
 * Issue 15, point 8: ids outside what the web database (PostgreSQL integer) and every MovieLens
 * edition allow (1..2,147,483,647) are bad lines naming file and line, and the CSV writer cannot
 * write past its buffer or write a number it cannot write exactly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CsvOutput, ByteSink } from '../../lib/data/movielens/csv-output';
import { BadLinePolicy, DataFileError, DataWarnings } from '../../lib/data/movielens/errors';
import { parseLatestMovies, parseMl100kItems, parseMl100kUsers } from '../../lib/data/movielens/catalog';
import { MAX_ID, parseId } from '../../lib/data/movielens/ids';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { scanRatings } from '../../lib/data/movielens/ratings';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { tempDir, TINY_MINIMUMS } from './helpers';

class MemorySink implements ByteSink {
  readonly chunks: Buffer[] = [];
  async write(chunk: Buffer) {
    this.chunks.push(Buffer.from(chunk));
  }
  async close() {}
  async abort() {}
  text() {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

async function ratingProblems(lines: string[], format: '100k' | 'latest') {
  const badLines = new BadLinePolicy(true);
  const ids: number[][] = [];
  const header = format === 'latest' ? 'userId,movieId,rating,timestamp\n' : '';
  await scanRatings(Readable.from([Buffer.from(header + lines.join('\n'))]), {
    format,
    label: 'ratings',
    badLines,
    onRating: (r) => ids.push([r.user, r.item]),
  });
  return { problems: badLines.examples.map((e) => `${e.line}: ${e.problem}`), ids };
}

describe('ids are 1..2,147,483,647', () => {
  test('parseId: the bounds, leading zeros, and digits far too many for a number', () => {
    expect(parseId('movie id', '1')).toBe(1);
    expect(parseId('movie id', '2147483647')).toBe(MAX_ID);
    expect(parseId('movie id', '007')).toBe(7);
    expect(parseId('movie id', '0')).toEqual({ problem: 'movie id 0 is outside 1..2,147,483,647' });
    expect(parseId('movie id', '2147483648')).toEqual({ problem: 'movie id 2147483648 is outside 1..2,147,483,647' });
    expect(parseId('user id', '9'.repeat(400))).toEqual({
      problem: `user id ${'9'.repeat(40)}… (400 characters) is outside 1..2,147,483,647`,
    });
    expect(parseId('user id', '-1')).toEqual({ problem: 'user id "-1" is not a whole number' });
  });

  test.each(['100k', 'latest'] as const)(
    '%s ratings: 0, 2^31, 2^53+1, 300 and 400 digits are bad lines',
    async (format) => {
      const sep = format === '100k' ? '\t' : ',';
      const rating = format === '100k' ? '4' : '4.0';
      const row = (user: string, item: string) => [user, item, rating, '881250949'].join(sep);
      const { problems, ids } = await ratingProblems(
        [
          row('1', '2147483647'),
          row('0', '5'),
          row('5', '2147483648'),
          row('9007199254740993', '5'),
          row('5', '9'.repeat(300)),
          row('9'.repeat(400), '5'),
        ],
        format,
      );
      const first = format === 'latest' ? 2 : 1;
      expect(ids).toEqual([[1, 2147483647]]);
      expect(problems).toEqual([
        `${first + 1}: user id 0 is outside 1..2,147,483,647`,
        `${first + 2}: movie id 2147483648 is outside 1..2,147,483,647`,
        `${first + 3}: user id 9007199254740993 is outside 1..2,147,483,647`,
        `${first + 4}: movie id ${'9'.repeat(40)} is outside 1..2,147,483,647`,
        `${first + 5}: user id ${'9'.repeat(40)} is outside 1..2,147,483,647`,
      ]);
    },
  );

  test('catalogue ids: u.item, u.user and movies.csv name file and line', () => {
    const flags = Array(19).fill('0').join('|');
    const item = (id: string) => `${id}|Film (1995)|01-Jan-1995||http://x|${flags}`;
    const items = Buffer.from([item('1'), item('0'), item('9'.repeat(400))].join('\n'), 'latin1');
    expect(() => parseMl100kItems(items, 'u.item', new BadLinePolicy(false), new DataWarnings())).toThrow(
      new DataFileError('u.item', 2, 'movie id 0 is outside 1..2,147,483,647'),
    );
    const itemBad = new BadLinePolicy(true);
    expect(parseMl100kItems(items, 'u.item', itemBad, new DataWarnings()).map((m) => m.id)).toEqual([1]);
    expect(itemBad.examples.map((e) => e.line)).toEqual([2, 3]);

    const users = Buffer.from(
      `1|24|M|technician|85711\n2147483648|53|F|other|94043\n3|${'9'.repeat(300)}|M|writer|32067\n`,
    );
    const userBad = new BadLinePolicy(true);
    expect(parseMl100kUsers(users, 'u.user', userBad).map((u) => u.id)).toEqual([1]);
    expect(userBad.examples).toEqual([
      { file: 'u.user', line: 2, problem: 'user id 2147483648 is outside 1..2,147,483,647' },
      {
        file: 'u.user',
        line: 3,
        problem: `age "${'9'.repeat(40)}… (300 characters)" is not a whole number from 0 to 150`,
      },
    ]);

    const movies = Buffer.from(`movieId,title,genres\r\n1,A (1995),Drama\r\n${'9'.repeat(400)},B (1995),Drama\r\n`);
    expect(() => parseLatestMovies(movies, 'movies.csv', new BadLinePolicy(false))).toThrow(
      new DataFileError('movies.csv', 3, `movie id ${'9'.repeat(40)}… (400 characters) is outside 1..2,147,483,647`),
    );
  });

  test('movierecs data path: a 300-digit movie id in u.data is a bad line, never bytes in web/ratings.csv', async () => {
    const folder = tempDir();
    const flags = Array(19).fill('0').join('|');
    writeFileSync(path.join(folder, 'u.item'), `1|Film (1995)|01-Jan-1995||http://x|${flags}\n`, 'latin1');
    writeFileSync(path.join(folder, 'u.user'), '1|24|M|technician|85711\n');
    writeFileSync(path.join(folder, 'u.data'), `1\t1\t5\t881250949\n1\t${'9'.repeat(300)}\t5\t881250949\n`);
    const out = tempDir();
    mkdirSync(out, { recursive: true });
    const source = await openSource(folder);
    await expect(
      prepareMovieLens({
        edition: 'ml-100k',
        source,
        sourceDescription: folder,
        sink: new FolderSink(out),
        positiveRatingThreshold: 3.6,
        timestampShift: { kind: 'seconds', seconds: 0 },
        minimums: TINY_MINIMUMS,
      }),
    ).rejects.toThrow(`${path.join(folder, 'u.data')}, line 2: movie id ${'9'.repeat(40)} is outside 1..2,147,483,647`);
    await source.close();
  });

  test('a shift that takes a timestamp below 0 fails naming the line, before any file appears', async () => {
    const folder = tempDir();
    const flags = Array(19).fill('0').join('|');
    writeFileSync(path.join(folder, 'u.item'), `1|Film (1995)|01-Jan-1995||http://x|${flags}\n`, 'latin1');
    writeFileSync(path.join(folder, 'u.user'), '1|24|M|technician|85711\n');
    writeFileSync(path.join(folder, 'u.data'), '1\t1\t5\t881250949\n');
    const out = tempDir();
    const source = await openSource(folder);
    await expect(
      prepareMovieLens({
        edition: 'ml-100k',
        source,
        sourceDescription: folder,
        sink: new FolderSink(out),
        positiveRatingThreshold: 3.6,
        timestampShift: { kind: 'seconds', seconds: -99999999999 },
        minimums: TINY_MINIMUMS,
      }),
    ).rejects.toThrow(`line 1: timestamp 881250949 shifted by -99999999999 s is -99118749050, outside 0..9999999999`);
    await source.close();
  });
});

describe('CsvOutput writes numbers exactly or not at all', () => {
  test.each([Infinity, -Infinity, NaN, 1e300, 2 ** 53, 1.5, -(2 ** 53)])('int(%p) throws', (value) => {
    const output = new CsvOutput('k', new MemorySink(), ['a']);
    expect(() => output.int(value)).toThrow(RangeError);
  });

  test('safe integers, negative ones and the extremes are written digit for digit', async () => {
    const sink = new MemorySink();
    const output = new CsvOutput('k', sink, ['a', 'b', 'c']);
    output.int(Number.MAX_SAFE_INTEGER).int(-Number.MAX_SAFE_INTEGER).int(0).endRow();
    await output.close();
    expect(sink.text()).toBe('a,b,c\n9007199254740991,-9007199254740991,0\n');
  });

  test('rows that cross the buffer size are all written, with no byte left unwritten', async () => {
    const sink = new MemorySink();
    const output = new CsvOutput('k', sink, ['a', 'b']);
    const expected = ['a,b'];
    // 1 MiB initial buffer, no flushIfFull: ensure() must grow it for every int.
    for (let i = 0; i < 80_000; i++) {
      const a = Number.MAX_SAFE_INTEGER - i;
      output.int(a).int(-i).endRow();
      expected.push(`${a},${-i}`);
    }
    const written = await output.close();
    expect(sink.text()).toBe(`${expected.join('\n')}\n`);
    expect(written.bytes).toBe(Buffer.byteLength(sink.text()));
  });
});
