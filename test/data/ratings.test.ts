import { Readable } from 'node:stream';
import { BadLinePolicy, DataFileError } from '../../lib/data/movielens/errors';
import { LineSplitter, splitLines } from '../../lib/data/movielens/lines';
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
    expect(parse('1,307,0.5,1', COMMA)).toMatchObject({ rating: 0.5 });
    expect(parse('1,307,5.0,1', COMMA)).toMatchObject({ rating: 5 });
    expect(parse('1,307,4.0,1', COMMA)).toMatchObject({ rating: 4 });
  });

  test.each(['.5', '5.', '4.75', '4', '10.0', '0.0', '5.5', '3.2', '04.0', `5.${'0'.repeat(400)}`, '4.00'])(
    'ratings.csv: %j is not in the published form d.d (half stars 0.5-5.0)',
    (rating) => {
      expect(parse(`1,307,${rating},1`, COMMA)).toBe(
        `rating ${rating.slice(0, 40)} is not a half star from 0.5 to 5.0 written d.d (as ratings.csv writes them: 0.5, 1.0, … 5.0)`,
      );
    },
  );

  test.each(['0', '6', '4.0', '3.5', '05', `4${'0'.repeat(300)}`])('u.data: %j is not a whole star 1-5', (rating) => {
    expect(parse(`1\t307\t${rating}\t1`)).toBe(
      `rating ${rating.slice(0, 40)} is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)`,
    );
  });

  test('ratings.csv: the field count names commas', () => {
    expect(parse('1,307,3.5', COMMA)).toBe(
      'expected 4 fields separated by commas (user, movie, rating, timestamp), found 3',
    );
  });

  test('only the bytes of the line count, not the separator after it', () => {
    const row = { buffer: Buffer.alloc(0) } as RatingRow;
    const buffer = Buffer.from('196\t242\t3\t');
    expect(parseRatingLine(buffer, 0, buffer.length - 1, TAB, row)).toBe(
      'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 3',
    );
  });

  test('the largest timestamp of 10 digits is accepted', () => {
    expect(parse('1\t2\t3\t9999999999')).toMatchObject({ timestamp: 9999999999 });
  });

  test("the rating's bytes are kept, to copy it as written", () => {
    const row = { buffer: Buffer.alloc(0) } as RatingRow;
    const buffer = Buffer.from('x12,3456,4.5,1260759144y');
    expect(parseRatingLine(buffer, 1, buffer.length - 1, COMMA, row)).toBeUndefined();
    expect(buffer.toString('latin1', row.ratingStart, row.ratingEnd)).toBe('4.5');
    expect(row).toMatchObject({ user: 12, item: 3456, timestamp: 1260759144 });
  });

  test.each([
    ['196\t242\t3', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 3'],
    ['196\t242\t3\t881250949\t7', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 5'],
    ['u196\t242\t3\t881250949', 'user id "u196" is not a whole number'],
    ['196\t-242\t3\t881250949', 'movie id "-242" is not a whole number'],
    ['196\t\t3\t881250949', 'movie id is empty'],
    ['196\t242\tfive\t881250949', 'rating "five" is not a number'],
    ['196\t242\t7\t881250949', 'rating 7 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)'],
    ['196\t242\t0\t881250949', 'rating 0 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)'],
    ['196\t242\t3\t8812e50949', 'timestamp "8812e50949" is not a whole number'],
    ['196,242,3,881250949', 'user id "196,242,3,881250949" is not a whole number'],
    ['196', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 1'],
    ['196\t242', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 2'],
    ['196\t242\t', 'expected 4 fields separated by tabs (user, movie, rating, timestamp), found 3'],
    // An empty field is named, not miscounted.
    ['', 'user id is empty'],
    ['\t242\t3\t881250949', 'user id is empty'],
    ['196\t', 'movie id is empty'],
    ['196\t242\t\t881250949', 'rating is empty'],
    ['196\t242\t3\t', 'timestamp is empty'],
    ['196\t242\t3.5.1\t881250949', 'rating "3.5.1" is not a number'],
    ['196\t242\t-1\t881250949', 'rating "-1" is not a number'],
    ['196\t242\t5.5\t881250949', 'rating 5.5 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)'],
    ['196\t242\t0.4\t881250949', 'rating 0.4 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)'],
    ['196\t242\t14\t881250949', 'rating 14 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)'],
    [
      '196\t242\t3\t10000000000',
      'timestamp 10000000000 is outside 0..9999999999 (seconds since 1970, at most 10 digits)',
    ],
    [
      '196\t242\t3\t9007199254740992',
      'timestamp 9007199254740992 is outside 0..9999999999 (seconds since 1970, at most 10 digits)',
    ],
    ['196\t242\t3\t88125094x', 'timestamp "88125094x" is not a whole number'],
    [`196\t${'9'.repeat(50)}x\t3\t1`, `movie id "${'9'.repeat(40)}" is not a whole number`],
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

  test('a long wrong header is quoted up to 80 characters', async () => {
    const header = `user,movie,${'x'.repeat(100)}`;
    await expect(scan(`${header}\n1,2,3,4\n`, 'latest')).rejects.toThrow(
      new DataFileError(
        'ratings',
        1,
        `expected the header "userId,movieId,rating,timestamp", found "${header.slice(0, 80)}"`,
      ),
    );
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

  test('a message quotes the field of its own line, not the next', async () => {
    await expect(scan('1\t2\t3\tx\n4\t5\t3\t7\n', '100k')).rejects.toThrow(
      /^ratings, line 1: timestamp "x" is not a whole number$/,
    );
  });

  test('a BOM is dropped at the start of u.data too, and only there', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect((await scan([bom, Buffer.from('1\t2\t3\t4\n')], '100k')).rows).toHaveLength(1);
    expect((await scan([bom, Buffer.from('\n1\t2\t3\t4\n')], '100k')).rows.map((r) => r.line)).toEqual([2]);
    await expect(scan([Buffer.from('1\t2\t3\t4\n'), bom, Buffer.from('5\t6\t4\t8')], '100k')).rejects.toThrow(
      /^ratings, line 2: user id "\xef\xbb\xbf5" is not a whole number$/,
    );
  });

  test('a header alone is no rating; a header is not expected in u.data', async () => {
    expect((await scan('userId,movieId,rating,timestamp\r\n', 'latest')).rows).toEqual([]);
    await expect(scan('userId,movieId,rating,timestamp\n', '100k')).rejects.toThrow(/line 1: user id "userId,mov/);
  });

  test('returns the lines read and awaits afterChunk after each chunk and at the end', async () => {
    const events: string[] = [];
    const chunks = [Buffer.from('1\t2\t3\t4\n5\t6'), Buffer.from('\t4\t8\n\n9\t1\t2\t3')];
    const lines = await scanRatings(Readable.from(chunks), {
      format: '100k',
      label: 'u.data',
      badLines: new BadLinePolicy(false),
      onRating: (row) => events.push(`row ${row.lineNumber}`),
      afterChunk: async () => {
        events.push('chunk');
      },
    });
    expect(lines).toBe(4);
    expect(events).toEqual(['row 1', 'chunk', 'row 2', 'chunk', 'row 4', 'chunk']);
  });

  test('blank lines are passed over', async () => {
    const { rows } = await scan('1\t2\t3\t4\n\n5\t6\t4\t8\n\n', '100k');
    expect(rows).toHaveLength(2);
  });
});

describe('LineSplitter', () => {
  const split = (...chunks: string[]) => {
    const seen: string[] = [];
    const splitter = new LineSplitter((b, s, e, n) => seen.push(`${n}:${b.toString('latin1', s, e)}`));
    for (const chunk of chunks) splitter.push(Buffer.from(chunk, 'latin1'));
    const beforeEnd = splitter.lines;
    splitter.end();
    return { seen, beforeEnd, lines: splitter.lines };
  };

  test('a file ending in a newline has no extra last line', () => {
    expect(split('a\nb\n')).toEqual({ seen: ['1:a', '2:b'], beforeEnd: 2, lines: 2 });
    expect(split('a\r\n', 'b\r\n')).toEqual({ seen: ['1:a', '2:b'], beforeEnd: 2, lines: 2 });
  });

  test('a line across three chunks, empty lines, and a last line without newline', () => {
    expect(split('ab', 'c', 'd\n\n', '\r\nlast')).toEqual({
      seen: ['1:abcd', '2:', '3:', '4:last'],
      beforeEnd: 3,
      lines: 4,
    });
    expect(split('\n', 'x')).toEqual({ seen: ['1:', '2:x'], beforeEnd: 1, lines: 2 });
    expect(split('')).toEqual({ seen: [], beforeEnd: 0, lines: 0 });
  });

  test('a CR split from its LF by a chunk boundary is still the line end', () => {
    expect(split('a\r', '\nb\r', '\n').seen).toEqual(['1:a', '2:b']);
  });

  test('the carried tail is a copy: the stream may reuse its chunk', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter((b, s, e) => seen.push(b.toString('latin1', s, e)));
    const chunk = Buffer.from('x\nab');
    splitter.push(chunk);
    chunk.fill(0x7a);
    splitter.push(Buffer.from('c\n'));
    expect(seen).toEqual(['x', 'abc']);
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

test('splitLines gives each line with its number, without its ending', () => {
  const lines = splitLines(Buffer.from('a\r\n\nb'));
  expect(lines.map((l) => [l.text.toString('latin1'), l.lineNumber])).toEqual([
    ['a', 1],
    ['', 2],
    ['b', 3],
  ]);
  expect(splitLines(Buffer.alloc(0))).toEqual([]);
});
