import { Readable } from 'node:stream';
import { BadLinePolicy, DataFileError } from '../../lib/data/movielens/errors';
import { LineSplitter } from '../../lib/data/movielens/lines';
import { parseRatingLine, RatingRow, scanRatings } from '../../lib/data/movielens/ratings';

const TAB = 9;
const COMMA = 44;

function parse(line: string, separator = TAB): RatingRow | string {
  const row = { buffer: Buffer.alloc(0) } as RatingRow;
  const buffer = Buffer.from(line, 'latin1');
  return parseRatingLine(buffer, 0, buffer.length, separator, row) ?? { ...row, buffer: Buffer.alloc(0) };
}

async function scan(bytes: string | Buffer[], format: '100k' | 'latest', skip = false) {
  const rows: { user: number; item: number; rating: number; timestamp: number; line: number }[] = [];
  const badLines = new BadLinePolicy(skip);
  const chunks = typeof bytes === 'string' ? [Buffer.from(bytes, 'latin1')] : bytes;
  await scanRatings(Readable.from(chunks), {
    format,
    label: 'ratings',
    badLines,
    onRating: (r) =>
      rows.push({ user: r.user, item: r.item, rating: r.rating, timestamp: r.timestamp, line: r.lineNumber }),
  });
  return { rows, badLines };
}

describe('parseRatingLine', () => {
  test('u.data: user, item, rating, timestamp separated by tabs', () => {
    expect(parse('196\t242\t3\t881250949')).toMatchObject({ user: 196, item: 242, rating: 3, timestamp: 881250949 });
  });

  test('ratings.csv: half stars', () => {
    expect(parse('1,307,3.5,1256677221', COMMA)).toMatchObject({
      user: 1,
      item: 307,
      rating: 3.5,
      timestamp: 1256677221,
    });
    expect(parse('1,307,.5,1', COMMA)).toMatchObject({ rating: 0.5 });
  });

  test.each([
    ['196\t242\t3', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 3'],
    ['196\t242\t3\t881250949\t7', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 5'],
    ['u196\t242\t3\t881250949', 'user id "u196" is not a whole number'],
    ['196\t-242\t3\t881250949', 'movie id "-242" is not a whole number'],
    ['196\t\t3\t881250949', 'movie id is empty'],
    ['196\t242\tfive\t881250949', 'rating "five" is not a number'],
    ['196\t242\t7\t881250949', 'rating 7 is outside 0.5-5'],
    ['196\t242\t0\t881250949', 'rating 0 is outside 0.5-5'],
    ['196\t242\t3\t8812e50949', 'timestamp "8812e50949" is not a whole number'],
    ['196,242,3,881250949', 'user id "196,242,3,881250949" is not a whole number'],
    ['', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 0'],
  ])('%j is rejected: %s', (line, problem) => {
    expect(parse(line)).toBe(problem);
  });
});

describe('scanRatings', () => {
  test('CRLF endings and a last line without a newline', async () => {
    const { rows } = await scan('1\t2\t3\t4\r\n5\t6\t4\t8\r\n9\t10\t5\t12', '100k');
    expect(rows.map((r) => [r.user, r.timestamp, r.line])).toEqual([
      [1, 4, 1],
      [5, 8, 2],
      [9, 12, 3],
    ]);
  });

  test('lines split across chunks, even byte by byte, read the same', async () => {
    const text = 'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,10,4.0,835355493';
    const whole = await scan(text, 'latest');
    const bytes = [...Buffer.from(text)].map((b) => Buffer.from([b]));
    expect((await scan(bytes, 'latest')).rows).toEqual(whole.rows);
    expect(whole.rows).toHaveLength(3);
  });

  test('ratings.csv must start with its header; a BOM is allowed', async () => {
    await expect(scan('user,movie,rating,time\n1,2,3,4\n', 'latest')).rejects.toThrow(
      new DataFileError(
        'ratings',
        1,
        'expected the header "userId,movieId,rating,timestamp", found "user,movie,rating,time"',
      ),
    );
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('userId,movieId,rating,timestamp\n1,2,3.0,4\n'),
    ]);
    expect((await scan([bom], 'latest')).rows).toHaveLength(1);
  });

  test('a bad line names the file and its line number', async () => {
    await expect(scan('1\t2\t3\t4\n1\t2\tx\t4\n', '100k')).rejects.toThrow(
      /^ratings, line 2: rating "x" is not a number$/,
    );
  });

  test('with skipping, bad lines are counted and the rest is read', async () => {
    const { rows, badLines } = await scan('1\t2\t3\t4\nbad\n1\t3\t9\t4\n2\t2\t4\t5\n', '100k', true);
    expect(rows.map((r) => r.line)).toEqual([1, 4]);
    expect(badLines.count).toBe(2);
    expect(badLines.examples.map((e) => e.line)).toEqual([2, 3]);
  });

  test('blank lines are passed over', async () => {
    const { rows } = await scan('1\t2\t3\t4\n\n5\t6\t4\t8\n\n', '100k');
    expect(rows).toHaveLength(2);
  });
});

test('LineSplitter counts lines and strips CR only at the end', () => {
  const seen: string[] = [];
  const splitter = new LineSplitter((b, s, e, n) => seen.push(`${n}:${b.toString('latin1', s, e)}`));
  splitter.push(Buffer.from('a\r\nb\rc\n'));
  splitter.push(Buffer.from('d'));
  splitter.end();
  expect(seen).toEqual(['1:a', '2:b\rc', '3:d']);
});
