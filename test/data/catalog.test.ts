import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  looksUtf8,
  parseLatestMovies,
  parseMl100kItems,
  parseMl100kUsers,
  splitTitle,
} from '../../lib/data/movielens/catalog';
import { parseCsvLine } from '../../lib/data/movielens/csv-line';
import { BadLinePolicy, DataFileError, DataWarnings } from '../../lib/data/movielens/errors';
import { FIXTURES } from './helpers';

const strict = () => new BadLinePolicy(false);
const fixture = (edition: string, file: string) => readFileSync(path.join(FIXTURES, edition, file));

/*
 * What a title becomes, quirk by quirk (the fixtures imitate each one by hand; MOVIELENS.md lists
 * the real cases). The rule: the year in parentheses comes out, wherever it stands before other
 * parenthesised text, and what a reader sees as the title stays; no year in parentheses, no year.
 */
describe('splitTitle', () => {
  test.each([
    ['Toy Story (1995)', 'Toy Story', 1995],
    ['American President, The (1995)', 'American President, The', 1995],
    // No year at all (ml-latest: 12 in small, 409 in 25m).
    ['Babylon 5', 'Babylon 5', undefined],
    // A bare year is not taken: a trailing number may be the name ("Blade Runner 2049").
    ['Irwin & Fran 2013', 'Irwin & Fran 2013', undefined],
    ['Blade Runner 2049', 'Blade Runner 2049', undefined],
    // Ranges: the first year; an EN DASH as in "Death Note: Desu nôto (2006–2007)".
    ['Fawlty Towers (1975-1979)', 'Fawlty Towers', 1975],
    ['Death Note: Desu nôto (2006–2007)', 'Death Note: Desu nôto', 2006],
    ['Stranger Things (2016–)', 'Stranger Things', 2016],
    ['Spaced Out (1999 – 2001)', 'Spaced Out', 1999],
    ['Spaced Out (1999 -)', 'Spaced Out', 1999],
    ['Two Dashes (1999--2001)', 'Two Dashes (1999--2001)', undefined],
    ['Short Range (1999-01)', 'Short Range (1999-01)', undefined],
    // Spaces after the year (u.item 1128, 1201, 1635; movies.csv); spaces inside stay as written.
    ['Big Dream (1999) ', 'Big Dream', 1999],
    ['Big Dream (1999)  \t', 'Big Dream', 1999],
    ['  Big  Dream (1999)', 'Big  Dream', 1999],
    ['Big Dream', 'Big Dream', undefined],
    [' Big Dream ', 'Big Dream', undefined],
    // A stray ")" after the year (ml-25m "… (1983))") is a typo: dropped.
    ['Night Moves (1983))', 'Night Moves', 1983],
    ['Night Moves (1983) ) ', 'Night Moves', 1983],
    // Parentheses that belong to the title stay.
    ['Smile :) (2018)', 'Smile :)', 2018],
    [
      'Double vie de Véronique, La (Double Life of Veronique, The) (1991)',
      'Double vie de Véronique, La (Double Life of Veronique, The)',
      1991,
    ],
    // The year not last: taken out, the rest of the title kept (it is an alternative title or a
    // format mark such as "(V)", direct to video).
    ['The Naked Truth (1957) (Your Past Is Showing)', 'The Naked Truth (Your Past Is Showing)', 1957],
    [
      'Land Before Time III: The Time of the Great Giving (1995) (V)',
      'Land Before Time III: The Time of the Great Giving (V)',
      1995,
    ],
    ['Two Marks (1995) (V) (TV) ', 'Two Marks (V) (TV)', 1995],
    ['Tight (1995)(V)', 'Tight (V)', 1995],
    // Free text after the year is not a known form: the title is kept whole, without a year.
    ["Year (1990) Director's Cut", "Year (1990) Director's Cut", undefined],
    // The last year wins.
    ['Sequel (1990) (1991)', 'Sequel (1990)', 1991],
    // An apostrophe first is part of the title.
    ["'Til There Was You (1997)", "'Til There Was You", 1997],
    ["'71 (2014)", "'71", 2014],
    // A year alone is a title, not a year.
    ['(1995)', '(1995)', undefined],
    [' (1995) (V)', '(1995) (V)', undefined],
    ['1984 (1984)', '1984', 1984],
    ['Unclosed (1995', 'Unclosed (1995', undefined],
    ['Five digits (19955)', 'Five digits (19955)', undefined],
  ])('%j', (raw, title, year) => {
    expect(splitTitle(raw)).toEqual({ title, year });
  });
});

describe('u.item (ISO-8859-1, pipes)', () => {
  const read = (bytes: Buffer, badLines = strict(), warnings = new DataWarnings()) =>
    parseMl100kItems(bytes, 'u.item', badLines, warnings);
  const flags = Array(19).fill('0');
  const line = (id: string, title: string, date: string, f = flags) => `${id}|${title}|${date}||url|${f.join('|')}`;

  test('every quirk of the fixture is read as a user expects', () => {
    const warnings = new DataWarnings();
    expect(read(fixture('ml-100k-quirks', 'u.item'), strict(), warnings)).toEqual([
      { id: 1, title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
      { id: 2, title: 'Misérables, Les', year: 1995, genres: ['Drama', 'Musical'] },
      { id: 3, title: "'Til There Was You", year: 1997, genres: ['Drama', 'Romance'] },
      // Item 267 of the real file: "unknown", empty dates, only the unknown flag.
      { id: 4, title: 'unknown', year: undefined, genres: [] },
      { id: 6, title: 'Big "Lebowski"', year: 1998, genres: ['Comedy', 'Crime'] },
      // No year in the title: the release date's.
      { id: 8, title: 'Nowhere Film', year: 1990, genres: ['Documentary'] },
      // The one-digit day of item 1373 ("4-Feb-1971").
      { id: 9, title: 'Quiet Morning', year: 1971, genres: ['Drama'] },
      // An unknown date form is a missing date, with a warning.
      { id: 10, title: 'Odd Date Film', year: undefined, genres: ['Comedy'] },
      { id: 11, title: 'Quiet Hollywood Days', year: 1995, genres: ['Documentary'] },
      { id: 12, title: 'Dino Valley III: The Big Trek (V)', year: 1995, genres: ['Animation', "Children's"] },
      { id: 13, title: 'Vie rêvée, La (Dreamed Life, The)', year: 1991, genres: ['Drama'] },
      // The same title under two ids: two movies.
      { id: 14, title: 'Chasing Sam', year: 1997, genres: ['Drama', 'Romance'] },
      { id: 15, title: 'Chasing Sam', year: 1997, genres: ['Comedy', 'Drama', 'Romance'] },
    ]);
    expect(warnings.count).toBe(1);
    expect(warnings.examples).toEqual([
      { file: 'u.item', line: 8, problem: 'release date "1971-02-04" is not like 01-Jan-1995; taken as missing' },
    ]);
  });

  test.each([
    ['4-Feb-1971', 1971],
    ['01-Jan-1995', 1995],
    ['31-Dec-1999', 1999],
    ['10-Oct-1980', 1980],
    ['20-Sep-1960', 1960],
    ['9-May-1977', 1977],
  ])('the GroupLens date form %s gives the year of a title without one', (date, year) => {
    const warnings = new DataWarnings();
    expect(read(Buffer.from(line('1', 'No Year', date)), strict(), warnings)[0].year).toBe(year);
    expect(warnings.count).toBe(0);
  });

  test.each([
    '1995-01-01',
    '00-Jan-1995',
    '32-Jan-1995',
    '4-Feb-71',
    '04-feb-1971',
    '4-Foo-1971',
    '004-Feb-1971',
    ' 01-Jan-1995',
    '01-Jan-1995x',
    'x01-Jan-1995',
  ])('any other date (%j) is missing and warned about, even when bad lines fail', (date) => {
    const warnings = new DataWarnings();
    expect(read(Buffer.from(`\n${line('1', 'No Year', date)}\n`), strict(), warnings)).toEqual([
      { id: 1, title: 'No Year', year: undefined, genres: [] },
    ]);
    expect(warnings.examples).toEqual([
      { file: 'u.item', line: 2, problem: `release date "${date}" is not like 01-Jan-1995; taken as missing` },
    ]);
  });

  test("the title's year wins over the release date's (190 rows of the real file differ)", () => {
    expect(read(Buffer.from(line('1', 'Some Film (1994)', '01-Jan-1996')))[0].year).toBe(1994);
  });

  test('an empty release date is no warning', () => {
    const warnings = new DataWarnings();
    read(Buffer.from(line('1', 'unknown', '')), strict(), warnings);
    expect(warnings.count).toBe(0);
  });

  test('the warnings keep the first 20 examples and count them all', () => {
    const warnings = new DataWarnings();
    const lines = Array.from({ length: 25 }, (_, i) => line(String(i + 1), 'T', 'soon')).join('\n');
    expect(read(Buffer.from(lines), strict(), warnings)).toHaveLength(25);
    expect(warnings.count).toBe(25);
    expect(warnings.examples.map((e) => e.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('UTF-8 text where Latin-1 is expected is named, with its line', () => {
    const utf8 = Buffer.from(fixture('ml-100k-quirks', 'u.item').toString('latin1'), 'utf8');
    expect(() => read(utf8)).toThrow(
      new DataFileError('u.item', 2, 'the text looks UTF-8 encoded; u.item is published in ISO-8859-1 (Latin-1)'),
    );
  });

  test('a wrong field count names file, line and counts', () => {
    expect(() => read(Buffer.from('1|Toy Story (1995)|01-Jan-1995||url|0|0\n', 'latin1'))).toThrow(
      /^u\.item, line 1: expected 24 fields separated by "\|", found 7$/,
    );
    expect(() => read(Buffer.from(`${line('1', 'T', '')}|0`))).toThrow(/found 25$/);
  });

  test('a non-numeric id and a bad flag are named', () => {
    expect(() => read(Buffer.from(line('x1', 'T (1990)', '')))).toThrow(
      /^u\.item, line 1: movie id "x1" is not a whole number$/,
    );
    expect(() => read(Buffer.from(line('1x', 'T (1990)', '')))).toThrow(/movie id "1x"/);
    expect(() => read(Buffer.from(line('', 'T (1990)', '')))).toThrow(/movie id ""/);
    const two = [...flags];
    two[3] = '2';
    expect(() => read(Buffer.from(line('1', 'T', '', two)))).toThrow(
      /^u\.item, line 1: genre flag Animation is "2", expected 0 or 1$/,
    );
    const empty = [...flags];
    empty[18] = '';
    expect(() => read(Buffer.from(line('1', 'T', '', empty)))).toThrow(/genre flag Western is ""/);
  });

  test('skipping bad lines counts them and keeps the good ones', () => {
    const policy = new BadLinePolicy(true);
    const text = Buffer.concat([fixture('ml-100k-quirks', 'u.item'), Buffer.from('oops\r\n')]);
    expect(read(text, policy)).toHaveLength(13);
    expect(policy.count).toBe(1);
    expect(policy.examples).toEqual([
      { file: 'u.item', line: 14, problem: 'expected 24 fields separated by "|", found 1' },
    ]);
  });
});

describe('u.user', () => {
  test('the zip is text: Canadian postal codes and leading zeros as written', () => {
    expect(parseMl100kUsers(fixture('ml-100k-quirks', 'u.user'), 'u.user', strict())).toEqual([
      { id: 1, age: 24, gender: 'M', occupation: 'technician', zip: '85711' },
      { id: 2, age: 53, gender: 'F', occupation: 'other', zip: '94043' },
      { id: 3, age: 23, gender: 'M', occupation: 'writer', zip: 'T8H1N' },
      { id: 4, age: 33, gender: 'F', occupation: 'librarian', zip: '05201' },
    ]);
  });

  test('bad values are named', () => {
    const read = (text: string) => parseMl100kUsers(Buffer.from(text), 'u.user', strict());
    expect(() => read('1|24|X|writer|1\n')).toThrow(/^u\.user, line 1: gender "X" is not M or F$/);
    expect(() => read('1|old|M|writer|1\n')).toThrow(
      /^u\.user, line 1: age "old" is not a whole number from 0 to 150$/,
    );
    expect(() => read('x|24|M|writer|1\n')).toThrow(/^u\.user, line 1: user id "x" is not a whole number$/);
    expect(() => read('\n1|24|M\n')).toThrow(
      /^u\.user, line 2: expected 5 fields separated by "\|" \(id, age, gender, occupation, zip\), found 3$/,
    );
    expect(() => read('1|24|M|writer|1|x\n')).toThrow(/found 6$/);
  });

  test('skipping bad lines keeps the others', () => {
    const policy = new BadLinePolicy(true);
    const users = parseMl100kUsers(Buffer.from('1|24|X|writer|1\n2|30|F|other|05201\n'), 'u.user', policy);
    expect(users).toEqual([{ id: 2, age: 30, gender: 'F', occupation: 'other', zip: '05201' }]);
    expect(policy.count).toBe(1);
  });
});

describe('movies.csv (RFC 4180, UTF-8, CRLF)', () => {
  const read = (text: string | Buffer, badLines = strict()) =>
    parseLatestMovies(typeof text === 'string' ? Buffer.from(text) : text, 'movies.csv', badLines);

  test('the fixture keeps the CRLF endings of the real file, header included', () => {
    // Guards the fixture itself: an editor or git normalising it to LF would hide the quirk.
    const lines = fixture('ml-latest-quirks', 'movies.csv').toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(line.endsWith('\r')).toBe(true);
  });

  test('every quirk of the fixture is read as a user expects', () => {
    expect(read(fixture('ml-latest-quirks', 'movies.csv'))).toEqual([
      // "Children", never the README's "Children's".
      { id: 1, title: 'Toy Story', year: 1995, genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] },
      { id: 2, title: 'American President, The', year: 1995, genres: ['Comedy', 'Drama', 'Romance'] },
      { id: 3, title: '"Great Performances" Cats', year: 1998, genres: ['Musical'] },
      { id: 4, title: 'Misérables', year: 2012, genres: ['Drama', 'Musical'] },
      { id: 5, title: 'Babylon 5', year: undefined, genres: ['Sci-Fi'] },
      { id: 6, title: 'Fawlty Towers', year: 1975, genres: ['Comedy'] },
      { id: 7, title: 'Ghost Town', year: 2008, genres: [] },
      { id: 8, title: 'Jack & Jill 2013', year: undefined, genres: ['Documentary'] },
      { id: 9, title: 'Kira Note: Desu nôto', year: 2006, genres: ['Drama', 'Mystery'] },
      { id: 10, title: 'Sunny  Days', year: 2001, genres: ['Comedy'] },
      { id: 11, title: "'82", year: 2014, genres: ['Drama', 'War'] },
      { id: 12, title: 'Night Moves', year: 1983, genres: ['Thriller'] },
      { id: 13, title: 'Smile :)', year: 2018, genres: ['Comedy'] },
      { id: 14, title: 'The Naked Lie (Your Past Is Showing)', year: 1957, genres: ['Comedy'] },
      { id: 15, title: 'Anna', year: 1996, genres: ['Comedy', 'Drama'] },
      { id: 16, title: '12\'10"02 - October 12', year: 2002, genres: ['Drama'] },
      { id: 17, title: 'Sky Giants', year: 2014, genres: ['Action', 'Documentary', 'IMAX'] },
      { id: 26958, title: 'Anna', year: 1996, genres: ['Romance'] },
    ]);
  });

  test('LF endings, a last line without newline and blank lines read the same', () => {
    expect(read('movieId,title,genres\n1,A (1990),Drama\n\n2,C,War')).toEqual([
      { id: 1, title: 'A', year: 1990, genres: ['Drama'] },
      { id: 2, title: 'C', year: undefined, genres: ['War'] },
    ]);
  });

  test('an empty genres field is no genre', () => {
    expect(read('movieId,title,genres\r\n1,A,\r\n')).toEqual([{ id: 1, title: 'A', year: undefined, genres: [] }]);
  });

  test('a byte order mark before the header is ignored, and only there', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const withBom = Buffer.concat([bom, fixture('ml-latest-quirks', 'movies.csv')]);
    expect(read(withBom)).toHaveLength(18);
    const inData = Buffer.concat([Buffer.from('movieId,title,genres\n'), bom, Buffer.from('1,A,B\n')]);
    expect(() => read(inData)).toThrow(/^movies\.csv, line 2: movie id "\ufeff1" is not a whole number$/);
  });

  test('Latin-1 bytes where UTF-8 is expected are named, with the line', () => {
    const latin1 = Buffer.from(fixture('ml-latest-quirks', 'movies.csv').toString('utf8'), 'latin1');
    expect(() => read(latin1)).toThrow(
      new DataFileError('movies.csv', 5, 'the text is not valid UTF-8 (movies.csv is published in UTF-8)'),
    );
    expect(() => read(Buffer.concat([Buffer.from([0xe9]), Buffer.from(',title,genres\n')]))).toThrow(/line 1: .*UTF-8/);
  });

  test('a wrong or missing header is named', () => {
    expect(() => read('id,name,genres\n1,A,B\n')).toThrow(
      new DataFileError('movies.csv', 1, 'expected the header "movieId,title,genres", found "id,name,genres"'),
    );
    expect(() => read('')).toThrow(
      new DataFileError('movies.csv', 1, 'the file is empty; expected the header "movieId,title,genres"'),
    );
    // A header is never skipped as a bad line: a wrong one means the wrong file.
    expect(() => read('movieId,title\n1,A,B\n', new BadLinePolicy(true))).toThrow(/line 1: expected the header/);
  });

  test('a bad id or field count is named with its line', () => {
    expect(() => read('movieId,title,genres\nx,A,B\n')).toThrow(
      new DataFileError('movies.csv', 2, 'movie id "x" is not a whole number'),
    );
    expect(() => read('movieId,title,genres\n1,A\n')).toThrow(
      new DataFileError('movies.csv', 2, 'expected 3 fields (movieId, title, genres), found 2'),
    );
    expect(() => read('movieId,title,genres\n1,A,B,C\n')).toThrow(/line 2: expected 3 fields .*found 4$/);
  });

  // A streaming CSV parser reads on past an unclosed or stray quote and swallows the records after
  // it; here each line is its own record, so a bad quote costs that line only.
  describe.each([
    ['a stray quote', '2,"Open" quote,C', 'a quoted field goes on after its closing quote at column 8 (a stray " ?)'],
    ['an unclosed quote', '2,"Open quote,C', 'the quote opened at column 3 is never closed'],
    [
      'a quote inside an unquoted field',
      '2,Open "quote",C',
      'a " at column 8 inside an unquoted field (RFC 4180 quotes such a field)',
    ],
  ])('%s', (_name, bad, problem) => {
    const text = `movieId,title,genres\r\n1,First (1999),Drama\r\n${bad}\r\n3,Third (2000),Comedy\r\n4,"Fourth, The (2001)",War\r\n`;

    test('costs exactly its own line when skipping', () => {
      const policy = new BadLinePolicy(true);
      expect(read(text, policy)).toEqual([
        { id: 1, title: 'First', year: 1999, genres: ['Drama'] },
        { id: 3, title: 'Third', year: 2000, genres: ['Comedy'] },
        { id: 4, title: 'Fourth, The', year: 2001, genres: ['War'] },
      ]);
      expect(policy.count).toBe(1);
      expect(policy.examples).toEqual([{ file: 'movies.csv', line: 3, problem }]);
    });

    test('fails naming the file and line 3 otherwise', () => {
      expect(() => read(text)).toThrow(new DataFileError('movies.csv', 3, problem));
    });
  });
});

describe('parseCsvLine', () => {
  test.each([
    ['1,Toy Story (1995),Comedy', ['1', 'Toy Story (1995)', 'Comedy']],
    ['2,"American President, The (1995)",Drama', ['2', 'American President, The (1995)', 'Drama']],
    ['7789,"11\'09""01 - September 11 (2002)",Drama', ['7789', '11\'09"01 - September 11 (2002)', 'Drama']],
    ['"""a""",""""', ['"a"', '"']],
    ['1,,', ['1', '', '']],
    [',', ['', '']],
    ['', ['']],
    ['"",x', ['', 'x']],
    ['x,""', ['x', '']],
    ['"a,b"', ['a,b']],
    ["'Til,'71", ["'Til", "'71"]],
    ['a\rb,c', ['a\rb', 'c']],
  ])('%j', (line, fields) => {
    expect(parseCsvLine(line)).toEqual({ fields });
  });

  test.each([
    ['"a', 'the quote opened at column 1 is never closed'],
    ['x,"a""', 'the quote opened at column 3 is never closed'],
    ['"a"b', 'a quoted field goes on after its closing quote at column 3 (a stray " ?)'],
    ['x,"a" ,y', 'a quoted field goes on after its closing quote at column 5 (a stray " ?)'],
    ['a"', 'a " at column 2 inside an unquoted field (RFC 4180 quotes such a field)'],
    ['x,y,a"b', 'a " at column 6 inside an unquoted field (RFC 4180 quotes such a field)'],
  ])('%j is refused', (line, problem) => {
    expect(parseCsvLine(line)).toEqual({ problem });
  });
});

describe('looksUtf8', () => {
  test.each([
    ['Misérables in UTF-8', Buffer.from('Misérables', 'utf8'), true],
    ['a 3-byte character', Buffer.from('Desu nôto (2006–2007)', 'utf8'), true],
    ['a 4-byte character', Buffer.from('Smile \u{1f600}', 'utf8'), true],
    ['Misérables in Latin-1', Buffer.from('Misérables', 'latin1'), false],
    ['Latin-1 that starts like a sequence (Ã©)', Buffer.from([0x4d, 0xc3, 0x41]), false],
    ['a sequence cut short at the end', Buffer.from([0x41, 0xe2, 0x80]), false],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf]), false],
    ['plain ASCII', Buffer.from('Plain', 'latin1'), false],
    ['nothing', Buffer.alloc(0), false],
  ])('%s: %s', (_name, bytes, expected) => {
    expect(looksUtf8(bytes)).toBe(expected);
  });
});
