/**
 * Duplicate ids: every edition lists a movie and a user once and a user rates a movie once
 * (MOVIELENS.md: duplicate *titles* are two movies under two ids). A repeat would reach the
 * output as a second row of one key: a bad line naming the first, skippable with skipBadLines.
 */
import { Readable } from 'node:stream';
import { parseLatestMovies, parseMl100kItems, parseMl100kUsers } from '../../lib/data/movielens/catalog';
import { BadLinePolicy, DataFileError, DataWarnings } from '../../lib/data/movielens/errors';
import { scanRatings } from '../../lib/data/movielens/ratings';

async function scan(text: string, format: '100k' | 'latest') {
  const badLines = new BadLinePolicy(true);
  const rows: string[] = [];
  await scanRatings(Readable.from([Buffer.from(text)]), {
    format,
    label: 'ratings',
    badLines,
    onRating: (r) => rows.push(`${r.user}/${r.item}`),
  });
  return { rows, problems: badLines.examples.map((e) => `${e.line}: ${e.problem}`) };
}

describe('duplicate ids', () => {
  test('u.item: a movie id listed twice is a bad line naming the first; the same title under two ids is fine', () => {
    const flags = Array(19).fill('0').join('|');
    const item = (id: number, title: string) => `${id}|${title}|01-Jan-1997||http://x|${flags}`;
    const bytes = Buffer.from(
      [item(246, 'Chasing Amy (1997)'), item(268, 'Chasing Amy (1997)'), item(246, 'Other (1990)')].join('\n'),
      'latin1',
    );
    expect(() => parseMl100kItems(bytes, 'u.item', new BadLinePolicy(false), new DataWarnings())).toThrow(
      new DataFileError('u.item', 3, 'movie id 246 is listed twice (first on line 1)'),
    );
    const skipped = parseMl100kItems(bytes, 'u.item', new BadLinePolicy(true), new DataWarnings());
    expect(skipped.map((m) => [m.id, m.title])).toEqual([
      [246, 'Chasing Amy'],
      [268, 'Chasing Amy'],
    ]);
  });

  test('movies.csv and u.user: an id listed twice (leading zeros spell the same id)', () => {
    const movies = Buffer.from(
      'movieId,title,genres\r\n838,Emma (1996),Drama\r\n26958,Emma (1996),Drama\r\n0838,X,Drama\r\n',
    );
    expect(() => parseLatestMovies(movies, 'movies.csv', new BadLinePolicy(false))).toThrow(
      new DataFileError('movies.csv', 4, 'movie id 838 is listed twice (first on line 2)'),
    );
    const users = Buffer.from('1|24|M|technician|85711\n2|53|F|other|94043\n1|30|F|writer|32067\n');
    expect(() => parseMl100kUsers(users, 'u.user', new BadLinePolicy(false))).toThrow(
      new DataFileError('u.user', 3, 'user id 1 is listed twice (first on line 1)'),
    );
  });

  test('u.data (no order): the same user and movie twice, far apart, is a bad line', async () => {
    const { rows, problems } = await scan('1\t2\t4\t10\n3\t4\t5\t11\n1\t3\t4\t12\n1\t2\t3\t13\n', '100k');
    expect(rows).toEqual(['1/2', '3/4', '1/3']);
    expect(problems).toEqual(['4: user 1 rates movie 2 a second time (first on line 1)']);
  });

  test('ratings.csv (each user together): a repeat, near or far within the user, and a user coming back are bad lines', async () => {
    const { rows, problems } = await scan(
      'userId,movieId,rating,timestamp\n1,2,4.0,10\n1,2,3.5,11\n1,5,4.0,12\n1,3,4.0,13\n1,5,2.0,14\n1,2,1.0,15\n2,1,4.0,16\n1,9,4.0,17\n2,1,3.0,18\n',
      'latest',
    );
    expect(rows).toEqual(['1/2', '1/5', '1/3', '2/1']);
    expect(problems).toEqual([
      '3: user 1 rates movie 2 a second time (first on line 2)',
      '6: user 1 rates movie 5 a second time (first on line 4)',
      '7: user 1 rates movie 2 a second time (first on line 2)',
      "9: user 1's ratings are not together: they ended on line 5, before user 2's (ratings.csv lists each user's ratings together)",
      '10: user 2 rates movie 1 a second time (first on line 8)',
    ]);
  });

  test("ratings.csv re-sorted by time within each user loses nothing: the same rows as GroupLens' order", async () => {
    const published = 'userId,movieId,rating,timestamp\n1,1,4.0,30\n1,7,3.0,10\n1,9,5.0,20\n2,3,4.0,5\n2,4,4.0,1\n';
    const byTime = 'userId,movieId,rating,timestamp\n1,7,3.0,10\n1,9,5.0,20\n1,1,4.0,30\n2,4,4.0,1\n2,3,4.0,5\n';
    const a = await scan(published, 'latest');
    const b = await scan(byTime, 'latest');
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
    expect([...b.rows].sort()).toEqual([...a.rows].sort());
  });
});
