/**
 * The offline metrics: exact figures on hand-written lists (one is the worked example of the
 * Personalize Developer Guide), the time-ordered hold-out, and, on the synthetic sample, that
 * they tell a model that knows the planted genre tastes (and item-kNN) from "most popular".
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateMovies, generateUsers } from '../../data/synthetic/generate';
import { Random } from '../../data/synthetic/random';
import { ensureSample, SAMPLE_OPTIONS } from '../../data/synthetic/sample';
import { offlineMetricsSchema } from '../../lib/shared/model-registry';
import { frontPage } from '../../app-src/pages/front';
import { describeLocalModels, LocalModels } from '../../app-src/recommenders/local';
import {
  EVALUATION_PROTOCOL,
  evaluateLocalModels,
  holdOutSplit,
  METRIC_LABELS,
  offlineMetrics,
  RANKING_CANDIDATES,
  RankingQuery,
  rankingQueries,
  ScoredQuery,
  scoreRanking,
  TestUser,
} from '../../app-src/recommenders/metrics';
import type { RatingRow } from '../../app-src/recommenders/port';
import { tempDir } from '../data/helpers';

const dcg = (...positions: number[]) => positions.reduce((sum, p) => sum + 1 / Math.log2(1 + p), 0);

describe('offlineMetrics', () => {
  test("the Developer Guide's example: relevant 2nd and 5th of 5 gives 0.4, 0.6241 and 1/2", () => {
    const metrics = offlineMetrics([{ recommended: [1, 2, 3, 4, 5], relevant: new Set([2, 5]) }], 100);
    expect(metrics.precisionAt5).toBe(0.4);
    expect(metrics.ndcgAt5).toBeCloseTo(0.6241, 4);
    expect(metrics.mrrAt25).toBe(0.5);
  });

  test('two queries by hand: means over queries, K in the denominator, the ideal DCG of min(K, relevant)', () => {
    const queries: ScoredQuery[] = [
      // Relevant at 2 and 5 of 5.
      { recommended: [1, 2, 3, 4, 5], relevant: new Set([2, 5]) },
      // A short list: relevant at 1; two more relevant movies never recommended.
      { recommended: [6, 7], relevant: new Set([6, 9, 10]) },
    ];
    const first = dcg(2, 5) / dcg(1, 2);
    const second = dcg(1) / dcg(1, 2, 3);
    expect(offlineMetrics(queries, 20)).toEqual({
      precisionAt5: (2 / 5 + 1 / 5) / 2,
      precisionAt10: (2 / 10 + 1 / 10) / 2,
      precisionAt25: (2 / 25 + 1 / 25) / 2,
      ndcgAt5: (first + second) / 2,
      ndcgAt10: (first + second) / 2,
      ndcgAt25: (first + second) / 2,
      mrrAt25: (1 / 2 + 1) / 2,
      // Movies 1..7 of a catalog of 20.
      coverage: 7 / 20,
    });
    expect(offlineMetrics(queries, 20).ndcgAt5).toBeCloseTo(0.5467, 4);
  });

  test('K cuts the list: a relevant movie at 7 counts for @10 and @25 only; nothing past 25 counts', () => {
    const list = Array.from({ length: 30 }, (_, i) => i + 1);
    const metrics = offlineMetrics([{ recommended: list, relevant: new Set([7, 28]) }], 100);
    expect(metrics.precisionAt5).toBe(0);
    expect(metrics.ndcgAt5).toBe(0);
    expect(metrics.precisionAt10).toBe(0.1);
    expect(metrics.ndcgAt10).toBeCloseTo(dcg(7) / dcg(1, 2), 12);
    expect(metrics.precisionAt25).toBe(0.04);
    expect(metrics.mrrAt25).toBeCloseTo(1 / 7, 12);
    // Coverage counts the 25 movies a query is scored on.
    expect(metrics.coverage).toBe(0.25);
    const late = offlineMetrics([{ recommended: list, relevant: new Set([26]) }], 100);
    expect(late.mrrAt25).toBe(0);
    expect(late.ndcgAt25).toBe(0);
  });

  test('keys are exactly those of the model registry; no queries, no metrics', () => {
    const metrics = offlineMetrics([{ recommended: [1], relevant: new Set([1]) }], 1);
    expect(Object.keys(metrics).sort()).toEqual(Object.keys(offlineMetricsSchema.shape).sort());
    expect(offlineMetricsSchema.parse(metrics)).toEqual(metrics);
    expect(METRIC_LABELS.map(([key]) => key).sort()).toEqual(Object.keys(offlineMetricsSchema.shape).sort());
    expect(offlineMetrics([], 10)).toEqual({});
  });
});

describe('holdOutSplit', () => {
  const r = (userId: number, movieId: number, rating: number, timestamp: number): RatingRow => ({
    userId,
    movieId,
    rating,
    timestamp,
  });

  test("a test user's latest positives are held out, with everything rated from the first of them on", () => {
    const ratings = [
      // User 1: positives at t1, t2, t4 (and t4 again: tie broken by movie id), a negative at t3 and t5.
      r(1, 104, 5, 4),
      r(1, 101, 5, 1),
      r(1, 103, 2, 3),
      r(1, 102, 4, 2),
      r(1, 105, 1, 5),
      r(1, 106, 5, 4),
      // User 2: one positive only, never a test user.
      r(2, 101, 5, 1),
      r(2, 102, 1, 2),
    ];
    const split = holdOutSplit(ratings, { positiveThreshold: 3, testUserShare: 1, heldOutShare: 0.5 });
    // 4 positives, half held out: 104 and 106 (both t4, 104 first), and the later negative 105.
    expect(split.testUsers).toEqual([{ userId: 1, latestTrainingPositive: 102, relevant: new Set([104, 106]) }]);
    expect(split.training).toEqual([ratings[1], ratings[2], ratings[3], ratings[6], ratings[7]]);
  });

  test('at least one positive is held out and one left in training', () => {
    const ratings = [r(1, 1, 5, 1), r(1, 2, 5, 2), r(2, 1, 5, 1), r(2, 2, 5, 2), r(2, 3, 5, 3)];
    const tenth = holdOutSplit(ratings, { positiveThreshold: 3, testUserShare: 1 });
    expect(tenth.testUsers.map((u) => [...u.relevant])).toEqual([[2], [3]]);
    const all = holdOutSplit(ratings, { positiveThreshold: 3, testUserShare: 1, heldOutShare: 1 });
    expect(all.testUsers.map((u) => [u.latestTrainingPositive, ...u.relevant])).toEqual([
      [1, 2],
      [1, 2, 3],
    ]);
  });

  test('a seeded 10% of the eligible users: the same seed the same users, another seed others', () => {
    const ratings = Array.from({ length: 200 }, (_, u) => [r(u + 1, 1, 5, 1), r(u + 1, 2, 5, 2)]).flat();
    const users = (seed: number) =>
      holdOutSplit(ratings, { positiveThreshold: 3, seed }).testUsers.map((u) => u.userId);
    expect(users(1)).toHaveLength(20);
    expect(users(1)).toEqual(users(1));
    expect(users(2)).not.toEqual(users(1));
    expect(holdOutSplit(ratings, { positiveThreshold: 3, testUserShare: 1 }).training).toHaveLength(200);
    expect(() => holdOutSplit(ratings, { positiveThreshold: 3, testUserShare: 0 })).toThrow(/testUserShare/);
  });
});

describe('ranking metrics on candidate lists', () => {
  const r = (userId: number, movieId: number, rating: number, timestamp = 1): RatingRow => ({
    userId,
    movieId,
    rating,
    timestamp,
  });
  const user = (userId: number, relevant: number[]): TestUser => ({
    userId,
    latestTrainingPositive: 0,
    relevant: new Set(relevant),
  });
  /** Movies 1..n rated once each by user 999, so they are in the catalog. */
  const catalog = (n: number) => Array.from({ length: n }, (_, i) => r(999, i + 1, 1));

  test('a list holds the held-out positives and movies the user never rated, shuffled, the same per seed', () => {
    // User 1 rated 1..10 (held out: 9 and 10, and 8 rated low after the cut); catalog 1..300.
    const ratings = [...catalog(300), ...Array.from({ length: 10 }, (_, i) => r(1, i + 1, i === 7 ? 1 : 5, i))];
    const [query] = rankingQueries(ratings, [user(1, [9, 10])], { seed: 7 });
    expect(query.userId).toBe(1);
    expect(query.candidates).toHaveLength(RANKING_CANDIDATES);
    expect(new Set(query.candidates).size).toBe(RANKING_CANDIDATES);
    expect(query.relevant).toEqual(new Set([9, 10]));
    expect(query.candidates).toEqual(expect.arrayContaining([9, 10]));
    for (const id of query.candidates) {
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(300);
      // Never a movie the user rated, other than the held-out positives.
      if (id <= 10) expect([9, 10]).toContain(id);
    }
    // Not relevant first: the order is shuffled.
    expect([query.candidates.indexOf(9), query.candidates.indexOf(10)].sort()).not.toEqual([0, 1]);
    expect(rankingQueries(ratings, [user(1, [9, 10])], { seed: 7 })).toEqual([query]);
    const other = rankingQueries(ratings, [user(1, [9, 10])], { seed: 8 })[0];
    expect(new Set(other.candidates)).not.toEqual(new Set(query.candidates));
  });

  test('held-out positives fill at most half a list; a small catalog gives a shorter list; no unrated movie, no list', () => {
    const many = Array.from({ length: 80 }, (_, i) => i + 1);
    const ratings = [...catalog(200), ...many.map((id) => r(1, id, 5))];
    const [capped] = rankingQueries(ratings, [user(1, many)], { seed: 1, size: 20 });
    expect(capped.candidates).toHaveLength(20);
    expect(capped.relevant.size).toBe(10);
    expect(capped.candidates.filter((id) => capped.relevant.has(id))).toHaveLength(10);
    expect(capped.candidates.filter((id) => id > 80)).toHaveLength(10);

    const small = [...catalog(6), r(1, 1, 5), r(1, 2, 5)];
    expect([...rankingQueries(small, [user(1, [2])])[0].candidates].sort()).toEqual([2, 3, 4, 5, 6]);
    const everything = [...catalog(3), r(1, 1, 5), r(1, 2, 5), r(1, 3, 5)];
    expect(rankingQueries(everything, [user(1, [3])])).toEqual([]);
    expect(() => rankingQueries(small, [user(1, [2])], { size: 1 })).toThrow(/size/);
  });

  test('the movies never rated are drawn in proportion to their number of ratings', () => {
    // Movies 1..10 rated by 100 users each, 11..200 by one: 1,000 of 1,190 ratings are of 1..10.
    const ratings = [
      ...Array.from({ length: 10 }, (_, m) => Array.from({ length: 100 }, (_, u) => r(1000 + u, m + 1, 1))).flat(),
      ...Array.from({ length: 190 }, (_, m) => r(999, m + 11, 1)),
      r(1, 200, 5),
    ];
    let popular = 0;
    let drawn = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const [query] = rankingQueries(ratings, [user(1, [200])], { seed, size: 11 });
      const others = query.candidates.filter((id) => id !== 200);
      expect(new Set(others).size).toBe(10);
      popular += others.filter((id) => id <= 10).length;
      drawn += others.length;
    }
    // Drawn uniformly, 10 of the 199 unrated movies would be 5%.
    expect(popular / drawn).toBeGreaterThan(0.5);
  });

  test("by hand: the ranker's order is scored like a recommendation list (the Developer Guide's example)", () => {
    const queries: RankingQuery[] = [{ userId: 1, candidates: [5, 4, 3, 2, 1], relevant: new Set([2, 5]) }];
    const asked: [number, readonly number[]][] = [];
    const metrics = scoreRanking(
      queries,
      (userId, candidates) => {
        asked.push([userId, candidates]);
        return [1, 2, 3, 4, 5];
      },
      10,
    );
    expect(asked).toEqual([[1, [5, 4, 3, 2, 1]]]);
    expect(metrics.precisionAt5).toBe(0.4);
    expect(metrics.ndcgAt5).toBeCloseTo(0.6241, 4);
    expect(metrics.mrrAt25).toBe(0.5);
    expect(metrics.coverage).toBe(0.5);
    expect(scoreRanking([], () => [], 10)).toEqual({});
  });
});

test('the protocol for the in-app guide: plain text, 3 to 6 sentences, naming the split and the metrics', () => {
  const sentences = EVALUATION_PROTOCOL.split(/(?<=\.) /);
  expect(sentences.length).toBeGreaterThanOrEqual(3);
  expect(sentences.length).toBeLessThanOrEqual(6);
  expect(EVALUATION_PROTOCOL).not.toMatch(/[<>*`#]/);
  expect(EVALUATION_PROTOCOL).toMatch(/10% of the users/);
  expect(EVALUATION_PROTOCOL).toMatch(/most recent 10%/);
  for (const name of ['Precision@K', 'NDCG@K', 'MRR@25', 'coverage']) expect(EVALUATION_PROTOCOL).toContain(name);
  expect(EVALUATION_PROTOCOL).toMatch(
    /personal ranking model .* candidate list .* not comparable with the recommenders/,
  );
});

describe('on the synthetic sample (600 users, 1000 movies, 50,000 ratings)', () => {
  const THRESHOLD = 3.6;
  const folder = ensureSample(tempDir());
  // u.data: user \t movie \t rating \t timestamp. The catalog and the users come first from the
  // seed, so generating them again gives the files' movies and the users' planted favourites.
  const ratings: RatingRow[] = readFileSync(path.join(folder, 'u.data'), 'latin1')
    .trim()
    .split('\n')
    .map((line) => {
      const [userId, movieId, rating, timestamp] = line.split('\t').map(Number);
      return { userId, movieId, rating, timestamp };
    });
  const random = new Random(SAMPLE_OPTIONS.seed);
  const movies = generateMovies(SAMPLE_OPTIONS, random);
  const users = generateUsers(SAMPLE_OPTIONS, random);

  test('the regenerated users are those of the files', () => {
    const firstUser = readFileSync(path.join(folder, 'u.user'), 'latin1').split('\n')[0];
    expect(firstUser).toBe(`1|${users[0].age}|${users[0].gender}|${users[0].occupation}|${users[0].zip}`);
    expect(ratings).toHaveLength(50000);
  });

  test('a model that knows the planted genre tastes beats "most popular" on every metric', () => {
    const split = holdOutSplit(ratings, { positiveThreshold: THRESHOLD });
    const local = LocalModels.train(split.training, { positiveThreshold: THRESHOLD });
    const rated = new Map<number, Set<number>>();
    for (const r of split.training) rated.set(r.userId, (rated.get(r.userId) ?? new Set()).add(r.movieId));
    // The oracle: unrated movies of the user's favourite genres, most popular first.
    const byPopularity = local.byPopularity(movies.map((m) => m.id));
    const oracle = (userId: number) => {
      const favourites = users[userId - 1].favourites;
      const liked = new Set(movies.filter((m) => m.genres.some((g) => favourites.includes(g))).map((m) => m.id));
      return byPopularity.filter((id) => liked.has(id) && !rated.get(userId)?.has(id)).slice(0, 25);
    };
    const score = (recommend: (userId: number) => number[]) =>
      offlineMetrics(
        split.testUsers.map((u) => ({ recommended: recommend(u.userId), relevant: u.relevant })),
        movies.length,
      );
    const knows = score(oracle);
    const popular = score((userId) => local.recommendPopular(userId, 25));
    expect(split.testUsers).toHaveLength(60);
    for (const [key] of METRIC_LABELS) expect(knows[key]).toBeGreaterThan(popular[key] as number);
    expect(knows.precisionAt10).toBeGreaterThan(2 * (popular.precisionAt10 as number));
  });

  test('item-kNN beats "most popular" clearly; similar items and ranking are reported as documented', () => {
    const evaluation = evaluateLocalModels(ratings, { positiveThreshold: THRESHOLD, catalogSize: movies.length });
    const { 'local:knn': knn, 'local:popular': popular, 'local:similar': similar } = evaluation.metrics;
    expect(evaluation.testUsers).toBe(60);
    expect(evaluation.heldOutPositives).toBeGreaterThan(60);
    for (const key of ['precisionAt5', 'precisionAt10', 'precisionAt25', 'ndcgAt10', 'mrrAt25', 'coverage'] as const) {
      expect(knn[key]).toBeGreaterThan(2 * (popular[key] as number));
    }
    expect(Object.keys(similar).sort()).toEqual(Object.keys(offlineMetricsSchema.shape).sort());
    expect(Object.keys(evaluation.metrics['local:ranking']).sort()).toEqual(
      Object.keys(offlineMetricsSchema.shape).sort(),
    );
    expect(evaluation.rankingLists).toBe(60);
    // The same data and seed give the same figures.
    expect(evaluateLocalModels(ratings, { positiveThreshold: THRESHOLD, catalogSize: movies.length }).metrics).toEqual(
      evaluation.metrics,
    );
  });

  test('personal ranking: a perfect ranker scores 1 where it can, item-kNN beats the given (random) order', () => {
    const split = holdOutSplit(ratings, { positiveThreshold: THRESHOLD });
    const local = LocalModels.train(split.training, { positiveThreshold: THRESHOLD });
    const queries = rankingQueries(ratings, split.testUsers);
    expect(queries).toHaveLength(60);
    const relevantFirst = (query: RankingQuery) => [
      ...query.candidates.filter((id) => query.relevant.has(id)),
      ...query.candidates.filter((id) => !query.relevant.has(id)),
    ];
    const byUser = new Map(queries.map((query) => [query.userId, query]));
    const perfectRanker = (userId: number) => relevantFirst(byUser.get(userId) as RankingQuery);
    const perfect = scoreRanking(queries, perfectRanker, movies.length);
    expect(perfect.ndcgAt5).toBe(1);
    expect(perfect.ndcgAt10).toBe(1);
    expect(perfect.ndcgAt25).toBe(1);
    expect(perfect.mrrAt25).toBe(1);
    // Precision@K is 1 for a user with at least K relevant movies, |relevant| / K below that.
    const mean = (k: number) => queries.reduce((sum, q) => sum + Math.min(q.relevant.size, k) / k, 0) / queries.length;
    expect(perfect.precisionAt5).toBeCloseTo(mean(5), 12);
    expect(perfect.precisionAt25).toBeCloseTo(mean(25), 12);
    const full = queries.filter((q) => q.relevant.size >= 5);
    expect(full.length).toBeGreaterThan(0);
    expect(scoreRanking(full, perfectRanker, movies.length).precisionAt5).toBe(1);

    const random = scoreRanking(queries, (_, candidates) => candidates, movies.length);
    // The movies never rated are as popular as the held-out ones: popularity alone finds few.
    const popularity = scoreRanking(queries, (_, candidates) => local.byPopularity([...candidates]), movies.length);
    const knn = scoreRanking(queries, (userId, candidates) => local.rank(userId, candidates), movies.length);
    for (const key of ['precisionAt5', 'precisionAt10', 'ndcgAt10', 'ndcgAt25', 'mrrAt25'] as const) {
      expect(random[key]).toBeLessThan(perfect[key] as number);
      expect(knn[key]).toBeGreaterThan(random[key] as number);
      expect(knn[key]).toBeGreaterThan(2 * (popularity[key] as number));
    }
    // What evaluateLocalModels reports for the local ranking model is this figure.
    const evaluation = evaluateLocalModels(ratings, { positiveThreshold: THRESHOLD, catalogSize: movies.length });
    expect(evaluation.metrics['local:ranking']).toEqual(knn);
  });
});

describe('the front page', () => {
  const figures = (precision: number) =>
    Object.fromEntries(METRIC_LABELS.map(([key]) => [key, precision])) as Record<
      (typeof METRIC_LABELS)[number][0],
      number
    >;
  const rowOf = (page: string, name: string) => {
    const start = page.indexOf(`<td>${name}`);
    expect(start).toBeGreaterThan(0);
    return page.slice(start, page.indexOf('</tr>', start));
  };
  const front = (models: ReturnType<typeof describeLocalModels>) =>
    frontPage({
      models,
      summary: undefined,
      pipeline: undefined,
      problems: [],
      evaluationProtocol: EVALUATION_PROTOCOL,
    });

  test("the ranking model's figures are shown, marked as from candidate lists, and kept out of the chart", () => {
    const page = front(
      describeLocalModels({
        'local:popular': figures(0.05),
        'local:knn': figures(0.2),
        'local:ranking': figures(0.4321),
      }),
    );
    const ranking = rowOf(page, 'Personal ranking, item-kNN (local)');
    expect(ranking).toContain('<sup>*</sup>');
    expect(ranking).toContain('0.4321');
    expect(ranking).not.toContain('–');
    expect(rowOf(page, 'Item-kNN (local)')).not.toContain('<sup>');
    expect(page).toMatch(/data-note="ranking-metrics">\s*\* Scored by ordering a candidate list/);
    expect(page).toMatch(/not comparable with the recommenders/);
    const chart = /<figure class="bars chart"[\s\S]*?<\/figure>/.exec(page)![0];
    expect(chart).toContain('Item-kNN (local)');
    expect(chart).not.toContain('Personal ranking');
    expect(chart).not.toContain('0.432');
  });

  test('without ranking figures there is no mark and no note', () => {
    const page = front(describeLocalModels({ 'local:knn': figures(0.2) }));
    expect(page).not.toContain('<sup>*</sup>');
    expect(page).not.toContain('data-note="ranking-metrics"');
    expect(rowOf(page, 'Personal ranking, item-kNN (local)')).toContain('–');
  });
});
