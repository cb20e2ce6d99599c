import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseLatestMovies, parseMl100kItems, parseMl100kUsers } from '../../lib/data/movielens/catalog';
import { BadLinePolicy, DataWarnings } from '../../lib/data/movielens/errors';
import { ML100K_GENRES, ML_LATEST_GENRES } from '../../lib/data/movielens/editions';
import { writeSynthetic } from '../../data/synthetic/generate';
import { tempDir } from './helpers';

const strict = () => new BadLinePolicy(false);

describe('layouts, exactly as GroupLens publishes them', () => {
  const folder = tempDir();
  const files = writeSynthetic({ edition: 'ml-100k', users: 50, items: 300, ratings: 3000, seed: 5 }, folder);

  test('ml-100k: u.data, u.item, u.user', () => {
    expect(files.sort()).toEqual(['u.data', 'u.item', 'u.user']);
    const data = readFileSync(path.join(folder, 'u.data'), 'latin1').trimEnd().split('\n');
    expect(data).toHaveLength(3000);
    for (const line of data) expect(line).toMatch(/^\d+\t\d+\t[1-5]\t\d{9}$/);
    const items = readFileSync(path.join(folder, 'u.item'));
    expect(items.toString('latin1').split('\n')[0].split('|')).toHaveLength(5 + ML100K_GENRES.length);
    expect(parseMl100kItems(items, 'u.item', strict(), new DataWarnings())).toHaveLength(300);
    expect(parseMl100kUsers(readFileSync(path.join(folder, 'u.user')), 'u.user', strict())).toHaveLength(50);
  });

  test('ml-100k titles include Latin-1 accents, written as single bytes', () => {
    const big = tempDir();
    writeSynthetic({ edition: 'ml-100k', users: 30, items: 2000, ratings: 1000, seed: 7 }, big);
    const bytes = readFileSync(path.join(big, 'u.item'));
    expect(bytes.includes(Buffer.from('Mis\xe9rables', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('Misérables', 'utf8'))).toBe(false);
  });

  test('ml-latest: movies.csv with quoted titles, ratings.csv sorted by user then movie, half stars', () => {
    const latest = tempDir();
    writeSynthetic({ edition: 'ml-latest', users: 40, items: 2000, ratings: 4000, seed: 9 }, latest);
    const movies = readFileSync(path.join(latest, 'movies.csv'));
    const text = movies.toString('utf8');
    expect(text.startsWith('movieId,title,genres\n')).toBe(true);
    expect(text).toMatch(/\n\d+,"[^"\n]*, [^\n]*",/); // a comma inside a quoted title
    expect(text).toMatch(/\n\d+,"The ""\w+"" /); // doubled quotes
    const parsed = parseLatestMovies(movies, 'movies.csv', strict());
    expect(parsed).toHaveLength(2000);
    expect(new Set(parsed.flatMap((m) => m.genres)).size).toBeLessThanOrEqual(ML_LATEST_GENRES.length);
    const rows = readFileSync(path.join(latest, 'ratings.csv'), 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('userId,movieId,rating,timestamp');
    const pairs = rows.slice(1).map((r) => r.split(',').map(Number));
    expect(pairs).toHaveLength(4000);
    for (let i = 1; i < pairs.length; i++) {
      const [u0, m0] = pairs[i - 1];
      const [u1, m1] = pairs[i];
      expect(u1 > u0 || (u1 === u0 && m1 > m0)).toBe(true);
    }
    for (const [, , rating] of pairs) expect(rating * 2).toBe(Math.round(rating * 2));
    expect(rows.slice(1).some((r) => r.split(',')[2].endsWith('.0'))).toBe(true);
  });
});

describe('determinism', () => {
  const files = (seed: number) => {
    const folder = tempDir();
    writeSynthetic({ edition: 'ml-100k', users: 40, items: 100, ratings: 1500, seed }, folder);
    return ['u.data', 'u.item', 'u.user'].map((f) => readFileSync(path.join(folder, f)).toString('base64'));
  };

  test('the same seed writes the same bytes; another seed, other data', () => {
    expect(files(1)).toEqual(files(1));
    expect(files(2)[0]).not.toEqual(files(1)[0]);
  });
});

test('no user rates a movie twice, and every requested count is met', () => {
  const folder = tempDir();
  writeSynthetic({ edition: 'ml-100k', users: 30, items: 40, ratings: 1000, seed: 4 }, folder);
  const rows = readFileSync(path.join(folder, 'u.data'), 'latin1')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  expect(rows).toHaveLength(1000);
  expect(new Set(rows.map(([u, m]) => `${u}/${m}`)).size).toBe(1000);
  expect(new Set(rows.map(([u]) => u)).size).toBe(30);
});

/**
 * The planted structure: a recommender that learns each user's genres beats "most popular" on
 * held-out positives, as on the real MovieLens.
 */
test('a personalised recommender beats popularity on it', () => {
  const folder = tempDir();
  writeSynthetic({ edition: 'ml-100k', users: 300, items: 600, ratings: 24000, seed: 21 }, folder);
  const items = parseMl100kItems(readFileSync(path.join(folder, 'u.item')), 'u.item', strict(), new DataWarnings());
  const genresOf = new Map(items.map((m) => [m.id, m.genres]));
  const positives = readFileSync(path.join(folder, 'u.data'), 'latin1')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t').map(Number))
    .filter(([, , rating]) => rating > 3.6)
    .sort((a, b) => a[3] - b[3]);
  const byUser = new Map<number, number[]>();
  for (const [user, item] of positives) byUser.set(user, [...(byUser.get(user) ?? []), item]);

  // Hold out each user's last positive; train on the rest.
  const popularity = new Map<number, number>();
  const heldOut = new Map<number, number>();
  for (const [user, list] of byUser) {
    if (list.length < 3) continue;
    heldOut.set(user, list[list.length - 1]);
    for (const item of list.slice(0, -1)) popularity.set(item, (popularity.get(item) ?? 0) + 1);
  }
  const topN = (score: (item: number) => number, seen: Set<number>) =>
    items
      .map((m) => m.id)
      .filter((id) => !seen.has(id))
      .sort((a, b) => score(b) - score(a))
      .slice(0, 10);

  let popularHits = 0;
  let personalHits = 0;
  for (const [user, target] of heldOut) {
    const train = byUser.get(user)!.slice(0, -1);
    const seen = new Set(train);
    const taste = new Map<string, number>();
    for (const item of train) for (const g of genresOf.get(item) ?? []) taste.set(g, (taste.get(g) ?? 0) + 1);
    const pop = (item: number) => popularity.get(item) ?? 0;
    const personal = (item: number) =>
      Math.log1p(pop(item)) *
      (1 + (genresOf.get(item) ?? []).reduce((s, g) => s + (taste.get(g) ?? 0), 0) / train.length);
    if (topN(pop, seen).includes(target)) popularHits++;
    if (topN(personal, seen).includes(target)) personalHits++;
  }
  expect(heldOut.size).toBeGreaterThan(250);
  expect(personalHits).toBeGreaterThan(popularHits * 1.2);
});
