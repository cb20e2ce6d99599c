import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  looksUtf8,
  parseLatestMovies,
  parseMl100kItems,
  parseMl100kUsers,
  splitTitle,
} from '../../lib/data/movielens/catalog';
import { BadLinePolicy, DataFileError } from '../../lib/data/movielens/errors';
import { FIXTURES } from './helpers';

const strict = () => new BadLinePolicy(false);
const fixture = (edition: string, file: string) => readFileSync(path.join(FIXTURES, edition, file));

describe('splitTitle', () => {
  test.each([
    ['Toy Story (1995)', 'Toy Story', 1995],
    ['American President, The (1995)', 'American President, The', 1995],
    ['Babylon 5', 'Babylon 5', undefined],
    ['Fawlty Towers (1975-1979)', 'Fawlty Towers', 1975],
    ['Stranger Things (2016–)', 'Stranger Things', 2016],
    ['Big Dream (1999) ', 'Big Dream', 1999],
    ['(1995)', '(1995)', undefined],
    ['1984 (1984)', '1984', 1984],
  ])('%s', (raw, title, year) => {
    expect(splitTitle(raw)).toEqual({ title, year });
  });
});

describe('u.item (ISO-8859-1, pipes, CRLF)', () => {
  const movies = () => parseMl100kItems(fixture('ml-100k-quirks', 'u.item'), 'u.item', strict());

  test('every quirk is read right', () => {
    expect(movies()).toEqual([
      { id: 1, title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
      { id: 2, title: 'Misérables, Les', year: 1995, genres: ['Drama', 'Musical'] },
      { id: 3, title: 'Til There Was You', year: 1997, genres: ['Drama', 'Romance'] },
      { id: 4, title: 'unknown', year: undefined, genres: [] },
      { id: 6, title: 'Big "Lebowski"', year: 1998, genres: ['Comedy', 'Crime'] },
      { id: 8, title: 'Nowhere Film', year: 1990, genres: ['Documentary'] },
    ]);
  });

  test('UTF-8 text where Latin-1 is expected is named, with its line', () => {
    const utf8 = Buffer.from(fixture('ml-100k-quirks', 'u.item').toString('latin1'), 'utf8');
    expect(() => parseMl100kItems(utf8, 'u.item', strict())).toThrow(
      new DataFileError('u.item', 2, 'the text looks UTF-8 encoded; u.item is published in ISO-8859-1 (Latin-1)'),
    );
  });

  test('a wrong field count names file, line and counts', () => {
    const bad = Buffer.from('1|Toy Story (1995)|01-Jan-1995||url|0|0\n', 'latin1');
    expect(() => parseMl100kItems(bad, 'u.item', strict())).toThrow(
      /^u\.item, line 1: expected 24 fields separated by "\|", found 7$/,
    );
  });

  test('a non-numeric id, a bad flag and a bad date are named', () => {
    const flags = Array(19).fill('0');
    const line = (id: string, date: string, f = flags) => `${id}|T (1990)|${date}||url|${f.join('|')}`;
    expect(() => parseMl100kItems(Buffer.from(line('x1', '')), 'u.item', strict())).toThrow(
      /line 1: movie id "x1" is not a whole number/,
    );
    expect(() => parseMl100kItems(Buffer.from(line('1', '1995-01-01')), 'u.item', strict())).toThrow(
      /release date "1995-01-01"/,
    );
    const two = [...flags];
    two[3] = '2';
    expect(() => parseMl100kItems(Buffer.from(line('1', '', two)), 'u.item', strict())).toThrow(
      /genre flag Animation is "2", expected 0 or 1/,
    );
  });

  test('skipping bad lines counts them and keeps the good ones', () => {
    const policy = new BadLinePolicy(true);
    const text = Buffer.concat([fixture('ml-100k-quirks', 'u.item'), Buffer.from('oops\r\n')]);
    expect(parseMl100kItems(text, 'u.item', policy)).toHaveLength(6);
    expect(policy.count).toBe(1);
    expect(policy.examples).toEqual([
      { file: 'u.item', line: 7, problem: 'expected 24 fields separated by "|", found 1' },
    ]);
  });
});

describe('u.user', () => {
  test('reads id, age, gender, occupation and a zip with letters', () => {
    expect(parseMl100kUsers(fixture('ml-100k-quirks', 'u.user'), 'u.user', strict())).toEqual([
      { id: 1, age: 24, gender: 'M', occupation: 'technician', zip: '85711' },
      { id: 2, age: 53, gender: 'F', occupation: 'other', zip: '94043' },
      { id: 3, age: 23, gender: 'M', occupation: 'writer', zip: 'T8H1N' },
    ]);
  });

  test('bad values are named', () => {
    expect(() => parseMl100kUsers(Buffer.from('1|24|X|writer|1\n'), 'u.user', strict())).toThrow(
      /u\.user, line 1: gender "X" is not M or F/,
    );
    expect(() => parseMl100kUsers(Buffer.from('1|old|M|writer|1\n'), 'u.user', strict())).toThrow(
      /age "old" is not a whole number/,
    );
    expect(() => parseMl100kUsers(Buffer.from('1|24|M\n'), 'u.user', strict())).toThrow(/expected 5 fields/);
  });
});

describe('movies.csv (RFC 4180, UTF-8, CRLF, no final newline)', () => {
  test('every quirk is read right', async () => {
    expect(await parseLatestMovies(fixture('ml-latest-quirks', 'movies.csv'), 'movies.csv', strict())).toEqual([
      { id: 1, title: 'Toy Story', year: 1995, genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] },
      { id: 2, title: 'American President, The', year: 1995, genres: ['Comedy', 'Drama', 'Romance'] },
      { id: 3, title: '"Great Performances" Cats', year: 1998, genres: ['Musical'] },
      { id: 4, title: 'Misérables', year: 2012, genres: ['Drama', 'Musical'] },
      { id: 5, title: 'Babylon 5', year: undefined, genres: ['Sci-Fi'] },
      { id: 6, title: 'Fawlty Towers', year: 1975, genres: ['Comedy'] },
      { id: 7, title: 'Ghost Town', year: 2008, genres: [] },
    ]);
  });

  test('a byte order mark is ignored', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('ml-latest-quirks', 'movies.csv')]);
    expect(await parseLatestMovies(withBom, 'movies.csv', strict())).toHaveLength(7);
  });

  test('Latin-1 bytes where UTF-8 is expected are named, with the line', async () => {
    const latin1 = Buffer.from(fixture('ml-latest-quirks', 'movies.csv').toString('utf8'), 'latin1');
    await expect(parseLatestMovies(latin1, 'movies.csv', strict())).rejects.toThrow(
      /^movies\.csv, line 5: the text is not valid UTF-8/,
    );
  });

  test('a wrong header, an unclosed quote and a bad id are named with their lines', async () => {
    await expect(parseLatestMovies(Buffer.from('id,name,genres\n1,A,B\n'), 'movies.csv', strict())).rejects.toThrow(
      /movies\.csv, line 1: expected the header "movieId,title,genres", found "id,name,genres"/,
    );
    await expect(
      parseLatestMovies(
        Buffer.from('movieId,title,genres\n1,"Open quote (1995),Drama\n2,B,C\n'),
        'movies.csv',
        strict(),
      ),
    ).rejects.toThrow(/movies\.csv, line \d+: .*quote/i);
    await expect(
      parseLatestMovies(Buffer.from('movieId,title,genres\nx,A,B\n'), 'movies.csv', strict()),
    ).rejects.toThrow(/movies\.csv, line 2: movie id "x" is not a whole number/);
    await expect(parseLatestMovies(Buffer.from('movieId,title,genres\n1,A\n'), 'movies.csv', strict())).rejects.toThrow(
      /line 2: expected 3 fields \(movieId, title, genres\), found 2/,
    );
  });
});

test('looksUtf8 tells re-encoded text from Latin-1', () => {
  expect(looksUtf8(Buffer.from('Misérables', 'utf8'))).toBe(true);
  expect(looksUtf8(Buffer.from('Misérables', 'latin1'))).toBe(false);
  expect(looksUtf8(Buffer.from('Plain', 'latin1'))).toBe(false);
});
