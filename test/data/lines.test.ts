/**
 * Issue 15, point 9: a line is at most 64 KiB (LineTooLongError naming file and line), and
 * splitting is linear in the input however the chunks fall.
 */
import { Readable } from 'node:stream';
import { parseLatestMovies, parseMl100kUsers } from '../../lib/data/movielens/catalog';
import { BadLinePolicy } from '../../lib/data/movielens/errors';
import { LineSplitter, LineTooLongError, MAX_LINE_BYTES, splitLines } from '../../lib/data/movielens/lines';
import { scanRatings } from '../../lib/data/movielens/ratings';

describe('line length bound', () => {
  test('a line of exactly 64 KiB is read, with or without CR; one byte more is refused naming the line', () => {
    const ok = 'a'.repeat(MAX_LINE_BYTES);
    expect(splitLines(Buffer.from(`x\n${ok}\r\n${ok}`)).map((l) => l.text.length)).toEqual([
      1,
      MAX_LINE_BYTES,
      MAX_LINE_BYTES,
    ]);
    const error = (() => {
      try {
        splitLines(Buffer.from(`x\ny\n${ok}a\nz\n`), { label: 'movies.csv' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LineTooLongError);
    expect((error as LineTooLongError).message).toBe(
      'movies.csv, line 3: the line is longer than 65536 bytes (64 KiB); no line of a MovieLens file comes near that (is this the right file?)',
    );
  });

  test('a long line without a newline, fed in small chunks, is refused once it passes the bound', () => {
    const seen: number[] = [];
    const splitter = new LineSplitter((_b, _s, _e, n) => seen.push(n), { label: 'u.data' });
    splitter.push(Buffer.from('1\t2\t3\t4\n'));
    const chunk = Buffer.alloc(1000, 0x31);
    let pushed = 0;
    expect(() => {
      while (pushed < 4 * MAX_LINE_BYTES) {
        splitter.push(chunk);
        pushed += chunk.length;
      }
    }).toThrow(new LineTooLongError('u.data', 2, MAX_LINE_BYTES));
    // Refused within one chunk of the bound: the rest of a 20 MB line is never gathered.
    expect(pushed).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
    expect(seen).toEqual([1]);
  });

  test('the last line without a newline counts too', () => {
    expect(() => splitLines(Buffer.alloc(MAX_LINE_BYTES + 2, 0x61), { label: 'f' })).toThrow(
      new LineTooLongError('f', 1, MAX_LINE_BYTES),
    );
  });

  test('the stream readers name the file: ratings, movies.csv, u.user', async () => {
    const long = 'x'.repeat(200_000);
    await expect(
      scanRatings(Readable.from([Buffer.from(`1\t2\t3\t4\n${long}\n`)]), {
        format: '100k',
        label: 'ml-100k/u.data',
        badLines: new BadLinePolicy(true),
        onRating: () => {},
      }),
    ).rejects.toThrow(/^ml-100k\/u\.data, line 2: the line is longer than 65536 bytes/);
    expect(() =>
      parseLatestMovies(
        Buffer.from(`movieId,title,genres\n1,"${long}",Drama\n`),
        'movies.csv',
        new BadLinePolicy(true),
      ),
    ).toThrow(/^movies\.csv, line 2: the line is longer/);
    expect(() => parseMl100kUsers(Buffer.from(`1|2|M|x|${long}\n`), 'u.user', new BadLinePolicy(true))).toThrow(
      /^u\.user, line 1: the line is longer/,
    );
  });

  test('splitting is linear: a line across 60,000 one-byte chunks copies each byte a bounded number of times', () => {
    // Counted, not timed: Buffer.concat's work is the bytes it copies.
    const concat = Buffer.concat;
    let copied = 0;
    const spy = jest.spyOn(Buffer, 'concat').mockImplementation((list: readonly Uint8Array[], total?: number) => {
      for (const part of list) copied += part.length;
      return concat(list, total);
    });
    try {
      const lines: number[] = [];
      const splitter = new LineSplitter((_b, s, e) => lines.push(e - s));
      const bytes = Buffer.alloc(60_000, 0x61);
      for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
      splitter.push(Buffer.from('\n'));
      expect(lines).toEqual([60_000]);
      // A quadratic carry (join at every chunk) copies about 60,000^2 / 2 = 1.8e9 bytes.
      expect(copied).toBeLessThanOrEqual(2 * 60_000);
    } finally {
      spy.mockRestore();
    }
  });
});
