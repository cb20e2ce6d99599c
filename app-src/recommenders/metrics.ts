/**
 * Offline metrics of the local models, computed the way Amazon Personalize documents its own, so
 * the site can show both side by side:
 *
 *   https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html
 *     (the split, and the definitions of coverage, mean_reciprocal_rank_at_25,
 *     normalized_discounted_cumulative_gain_at_K and precision_at_K, with a worked example)
 *   https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-popularity.html
 *     (Popularity-Count, the baseline that page recommends)
 *
 * Personalize holds out 10% of users; each of them gives the oldest 90% of their interactions as
 * input and the most recent 10% are what the recommendations are scored against. Interactions
 * are the positive ratings (above the threshold), as the preparation sends them to Personalize.
 * One difference, forced by what the local models are: they read a user's history from their
 * training data, so the test users' older ratings are part of training (Personalize trains on the
 * other 90% of users and gives the test users' older interactions as input at query time).
 *
 * Similar items are scored by querying with the test user's most recent positive rating left in
 * training and comparing the 25 movies returned with the held-out ones.
 *
 * Personal ranking orders a list it is given, so it needs one per test user. The first page above
 * applies the same split to every recipe type except USER_SEGMENTATION, Personalized-Ranking
 * included, but it does not say which list a ranking solution version orders during evaluation;
 * the recipe and the GetPersonalizedRanking reference say only that it re-ranks an input list
 * of at most 500 items:
 *
 *   https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-search.html
 *   https://docs.aws.amazon.com/personalize/latest/dg/rankings.html
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetPersonalizedRanking.html
 *
 * So the local ranking model gets the same split, the same test users and the same metrics, on a
 * candidate list per test user: their held-out positives (at most half the list, a seeded sample
 * when there are more) and a seeded sample of movies they never rated (drawn in proportion to their
 * number of ratings, so popularity alone does not single out the held-out ones), 100 in all. Its
 * figures measure an easier task (finding the held-out movies among 100, not among thousands)
 * and are not comparable with the recommenders'; EVALUATION_PROTOCOL and the front page say so.
 */
import type { OfflineMetrics } from '../../lib/shared/model-registry';
import { drain, type EaseOptions } from './ease';
import { EASE_DEFAULTS, LocalModelId, LocalModels, LocalTrainingOptions } from './local';
import type { RatingRow } from './port';

/**
 * Movies in a ranking candidate list (Personalize's GetPersonalizedRanking takes at most 500), and
 * at most this share of them held-out positives, so every list has movies the user never rated.
 */
export const RANKING_CANDIDATES = 100;
const MAX_RELEVANT_SHARE = 0.5;

/** What the in-app guide shows under the metrics: plain text. */
export const EVALUATION_PROTOCOL =
  'The metrics are computed the way Amazon Personalize computes its offline metrics. ' +
  'A random 10% of the users (with at least two positive ratings) are test users: the most recent 10% of ' +
  "each test user's positive ratings are held out, together with everything they rated after the first of them. " +
  'The models are trained on all other ratings, then asked for 25 movies per test user; a recommendation is relevant ' +
  "when it is one of that user's held-out movies. Precision@K is the share of the top K that is relevant, NDCG@K " +
  'weighs each relevant movie by 1/log(1 + position) against the best possible order, MRR@25 is the mean of ' +
  '1/position of the first relevant movie, and coverage is the share of the catalog that appears in any list. ' +
  `The personal ranking model instead orders a candidate list per test user, up to ${RANKING_CANDIDATES} movies: ` +
  'their held-out movies mixed with a random sample of movies they never rated, drawn in proportion to how often ' +
  'each movie was rated; its figures come from those ' +
  "candidate lists, an easier task, and are not comparable with the recommenders' figures.";

/** Personalize's numbers: 10% of users, and the latest 10% of each one's interactions. */
const DEFAULT_TEST_USER_SHARE = 0.1;
const DEFAULT_HELD_OUT_SHARE = 0.1;
/** The longest list any metric looks at (precision@25, NDCG@25, MRR@25). */
export const EVALUATED_LIST_LENGTH = 25;

/** The metrics in the order tables show them, with the labels of `npm run evaluate -- --json`. */
export const METRIC_LABELS: ReadonlyArray<readonly [keyof OfflineMetrics, string]> = [
  ['precisionAt5', 'precision@5'],
  ['precisionAt10', 'precision@10'],
  ['precisionAt25', 'precision@25'],
  ['ndcgAt5', 'ndcg@5'],
  ['ndcgAt10', 'ndcg@10'],
  ['ndcgAt25', 'ndcg@25'],
  ['mrrAt25', 'mrr@25'],
  ['coverage', 'coverage'],
];

export interface SplitOptions {
  /** Ratings strictly above it are positives (interactions, in Personalize's terms). */
  readonly positiveThreshold: number;
  /** @default 0.1 (Personalize's 10% of users) */
  readonly testUserShare?: number;
  /** @default 0.1 (the most recent 10% of each test user's interactions) */
  readonly heldOutShare?: number;
  /** Seed of the choice of test users: the same seed gives the same figures. @default 1 */
  readonly seed?: number;
}

export interface TestUser {
  readonly userId: number;
  /** The user's most recent positive left in training: the query for similar items. */
  readonly latestTrainingPositive: number;
  /** The held-out positives: a recommendation of one of them is relevant. */
  readonly relevant: ReadonlySet<number>;
}

export interface HoldOutSplit {
  /** Every rating except the held-out ones, in input order. */
  readonly training: RatingRow[];
  /** By user id. */
  readonly testUsers: TestUser[];
}

/**
 * Holds out, for a seeded random sample of users with at least two positives, their most recent
 * positives (at least one, always leaving one in training) and every rating they gave from the
 * first held-out one on, so nothing after the cut in time leaks into training. Time ties are
 * broken by movie id.
 */
export function holdOutSplit(ratings: readonly RatingRow[], options: SplitOptions): HoldOutSplit {
  const threshold = options.positiveThreshold;
  const testUserShare = options.testUserShare ?? DEFAULT_TEST_USER_SHARE;
  const heldOutShare = options.heldOutShare ?? DEFAULT_HELD_OUT_SHARE;
  for (const [name, share] of [
    ['testUserShare', testUserShare],
    ['heldOutShare', heldOutShare],
  ] as const) {
    if (!(share > 0 && share <= 1)) throw new RangeError(`${name} must be above 0 and at most 1, got ${share}`);
  }

  const byUser = new Map<number, number[]>();
  ratings.forEach((rating, k) => {
    const list = byUser.get(rating.userId);
    if (list) list.push(k);
    else byUser.set(rating.userId, [k]);
  });
  const candidates = [...byUser.keys()]
    .filter((user) => countPositives(ratings, byUser.get(user) as number[], threshold) >= 2)
    .sort((a, b) => a - b);
  const chosen = seededShuffle(candidates, options.seed ?? 1)
    .slice(0, candidates.length === 0 ? 0 : Math.max(1, Math.round(testUserShare * candidates.length)))
    .sort((a, b) => a - b);

  const heldOut = new Uint8Array(ratings.length);
  const testUsers = chosen.map((userId): TestUser => {
    const order = (byUser.get(userId) as number[]).sort(
      (a, b) => ratings[a].timestamp - ratings[b].timestamp || ratings[a].movieId - ratings[b].movieId,
    );
    const positions = order.flatMap((k, position) => (ratings[k].rating > threshold ? [position] : []));
    const held = Math.min(positions.length - 1, Math.max(1, Math.ceil(heldOutShare * positions.length)));
    const cut = positions[positions.length - held];
    const relevant = new Set<number>();
    for (const k of order.slice(cut)) {
      heldOut[k] = 1;
      if (ratings[k].rating > threshold) relevant.add(ratings[k].movieId);
    }
    const latestTrainingPositive = ratings[order[positions[positions.length - held - 1]]].movieId;
    return { userId, latestTrainingPositive, relevant };
  });
  return { training: ratings.filter((_, k) => !heldOut[k]), testUsers };
}

/** One query's answer and the truth it is scored against. */
export interface ScoredQuery {
  readonly recommended: readonly number[];
  readonly relevant: ReadonlySet<number>;
}

/**
 * Personalize's offline metrics over queries, as that page defines them: means over queries of
 * precision@K (relevant in the top K, divided by K), NDCG@K (weights 1/log(1 + position), over
 * the DCG of the relevant movies in the best order) and the reciprocal rank of the first relevant
 * movie in the top 25; coverage is the distinct movies of all lists over `catalogSize`.
 * No queries, no metrics.
 */
export function offlineMetrics(queries: readonly ScoredQuery[], catalogSize: number): OfflineMetrics {
  if (queries.length === 0) return {};
  if (!(catalogSize > 0)) throw new RangeError(`catalogSize must be above 0, got ${catalogSize}`);
  const sums = { p5: 0, p10: 0, p25: 0, n5: 0, n10: 0, n25: 0, mrr: 0 };
  const recommended = new Set<number>();
  for (const { recommended: list, relevant } of queries) {
    const top = list.slice(0, EVALUATED_LIST_LENGTH);
    top.forEach((id) => recommended.add(id));
    sums.p5 += precisionAt(top, relevant, 5);
    sums.p10 += precisionAt(top, relevant, 10);
    sums.p25 += precisionAt(top, relevant, 25);
    sums.n5 += ndcgAt(top, relevant, 5);
    sums.n10 += ndcgAt(top, relevant, 10);
    sums.n25 += ndcgAt(top, relevant, 25);
    const first = top.findIndex((id) => relevant.has(id));
    if (first >= 0) sums.mrr += 1 / (first + 1);
  }
  const n = queries.length;
  return {
    precisionAt5: sums.p5 / n,
    precisionAt10: sums.p10 / n,
    precisionAt25: sums.p25 / n,
    ndcgAt5: sums.n5 / n,
    ndcgAt10: sums.n10 / n,
    ndcgAt25: sums.n25 / n,
    mrrAt25: sums.mrr / n,
    coverage: recommended.size / catalogSize,
  };
}

function precisionAt(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  for (let i = 0; i < Math.min(k, list.length); i++) if (relevant.has(list[i])) hits++;
  return hits / k;
}

function ndcgAt(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, list.length); i++) if (relevant.has(list[i])) dcg += 1 / Math.log2(2 + i);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(2 + i);
  return ideal === 0 ? 0 : dcg / ideal;
}

export interface EvaluationOptions extends SplitOptions, Omit<LocalTrainingOptions, 'positiveThreshold' | 'metrics'> {
  /**
   * Movies in the catalog, the denominator of coverage (Personalize counts the items of the Items
   * and Interactions datasets): the manifest's `counts.movies`.
   * @default the distinct movies of the ratings
   */
  readonly catalogSize?: number;
}

export interface LocalEvaluation {
  /**
   * By local model id; personal ranking's from candidate lists (`rankingQueries`). EASE's come
   * from `evaluateEase` (or `evaluateEaseSteps`) on this evaluation's basis.
   */
  readonly metrics: Readonly<Record<Exclude<LocalModelId, 'local:ease' | 'local:ease-ranking'>, OfflineMetrics>>;
  readonly testUsers: number;
  /** Held-out positives over all test users (the relevant movies). */
  readonly heldOutPositives: number;
  /** Candidate lists the ranking model ordered (one per test user who left movies unrated). */
  readonly rankingLists: number;
  /** Time to train on the training part, in milliseconds. */
  readonly trainingMs: number;
  /** What EASE's evaluation reuses: the split, the models trained on it, the candidate lists. */
  readonly basis: EvaluationBasis;
}

export interface EvaluationBasis {
  readonly split: HoldOutSplit;
  readonly local: LocalModels;
  readonly rankingLists: readonly RankingQuery[];
  readonly catalogSize: number;
}

/** EASE's metrics on an evaluation's split, and its training time there. */
export interface EaseEvaluation {
  readonly metrics: Readonly<Partial<Record<LocalModelId, OfflineMetrics>>>;
  readonly trainingMs: number;
}

/** Splits, trains the local models on the training part, and scores them on the held-out part. */
export function evaluateLocalModels(ratings: readonly RatingRow[], options: EvaluationOptions): LocalEvaluation {
  const split = holdOutSplit(ratings, options);
  const started = performance.now();
  const local = LocalModels.train(split.training, options);
  const trainingMs = performance.now() - started;
  const catalogSize = options.catalogSize ?? new Set(ratings.map((r) => r.movieId)).size;
  const rankingLists = rankingQueries(ratings, split.testUsers, { seed: options.seed });
  const score = (recommend: (user: TestUser) => number[]) => scoreUsers(split, recommend, catalogSize);
  return {
    metrics: {
      'local:popular': score((user) => local.recommendPopular(user.userId, EVALUATED_LIST_LENGTH)),
      'local:knn': score((user) => local.recommendKnn(user.userId, EVALUATED_LIST_LENGTH)),
      'local:similar': score((user) => local.similar(user.latestTrainingPositive, EVALUATED_LIST_LENGTH)),
      'local:ranking': scoreRanking(rankingLists, (userId, candidates) => local.rank(userId, candidates), catalogSize),
    },
    rankingLists: rankingLists.length,
    testUsers: split.testUsers.length,
    heldOutPositives: split.testUsers.reduce((sum, user) => sum + user.relevant.size, 0),
    trainingMs,
    basis: { split, local, rankingLists, catalogSize },
  };
}

/**
 * EASE trained on the evaluation's training part and scored like the others (recommendations on
 * the test users, ranking on the same candidate lists), in steps for `runInSlices`.
 */
export function* evaluateEaseSteps(
  basis: EvaluationBasis,
  options: EaseOptions = EASE_DEFAULTS,
): Generator<void, EaseEvaluation> {
  const started = performance.now();
  const ease = yield* basis.local.trainEaseSteps(options);
  const trainingMs = performance.now() - started;
  const { split, local, rankingLists, catalogSize } = basis;
  return {
    metrics: {
      'local:ease': scoreUsers(
        split,
        (user) => local.recommendEase(ease, user.userId, EVALUATED_LIST_LENGTH),
        catalogSize,
      ),
      'local:ease-ranking': scoreRanking(
        rankingLists,
        (userId, candidates) => local.rankEase(ease, userId, candidates),
        catalogSize,
      ),
    },
    trainingMs,
  };
}

/** `evaluateEaseSteps` at once (the evaluation command and the benchmark). */
export function evaluateEase(basis: EvaluationBasis, options: EaseOptions = EASE_DEFAULTS): EaseEvaluation {
  return drain(evaluateEaseSteps(basis, options));
}

/** A metric over several runs (seeds): the mean and the sample standard deviation. */
export interface Spread {
  readonly mean: number;
  readonly sd: number;
  readonly runs: number;
}

/**
 * The protocol repeated with seeds 1..runs (each its own test users and candidate lists), every
 * local model including EASE: per model and metric, the mean and standard deviation.
 */
export function evaluateRuns(
  ratings: readonly RatingRow[],
  options: Omit<EvaluationOptions, 'seed'> & { readonly ease?: EaseOptions },
  runs: number,
): {
  readonly spread: Partial<Record<LocalModelId, Partial<Record<keyof OfflineMetrics, Spread>>>>;
  readonly evaluations: readonly (LocalEvaluation & { readonly ease: EaseEvaluation })[];
} {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a whole number >= 1, got ${runs}`);
  const evaluations = Array.from({ length: runs }, (_, k) => {
    const evaluation = evaluateLocalModels(ratings, { ...options, seed: k + 1 });
    return { ...evaluation, ease: evaluateEase(evaluation.basis, options.ease) };
  });
  return { spread: spreadOf(evaluations.map((e) => ({ ...e.metrics, ...e.ease.metrics }))), evaluations };
}

/** Mean and sample standard deviation of each model's each metric over the runs that have it. */
export function spreadOf(
  runs: readonly Readonly<Partial<Record<LocalModelId, OfflineMetrics>>>[],
): Partial<Record<LocalModelId, Partial<Record<keyof OfflineMetrics, Spread>>>> {
  const result: Partial<Record<LocalModelId, Partial<Record<keyof OfflineMetrics, Spread>>>> = {};
  for (const run of runs) {
    for (const id of Object.keys(run) as LocalModelId[]) result[id] ??= {};
  }
  for (const id of Object.keys(result) as LocalModelId[]) {
    for (const [key] of METRIC_LABELS) {
      const values = runs.flatMap((run) => (run[id]?.[key] === undefined ? [] : [run[id]![key] as number]));
      if (values.length === 0) continue;
      const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
      const sd =
        values.length < 2 ? 0 : Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
      result[id]![key] = { mean, sd, runs: values.length };
    }
  }
  return result;
}

function scoreUsers(split: HoldOutSplit, recommend: (user: TestUser) => number[], catalogSize: number): OfflineMetrics {
  return offlineMetrics(
    split.testUsers.map((user) => ({ recommended: recommend(user), relevant: user.relevant })),
    catalogSize,
  );
}

/** One test user's candidate list for a ranking model, and the relevant movies in it. */
export interface RankingQuery {
  readonly userId: number;
  /** In a seeded random order: the order given tells nothing about relevance. */
  readonly candidates: readonly number[];
  /** The held-out positives in `candidates`. */
  readonly relevant: ReadonlySet<number>;
}

/**
 * A candidate list per test user: their held-out positives (a seeded sample when there are more
 * than half of `size`) and a seeded sample of the movies of `ratings` that they never rated, `size`
 * movies in all (fewer when the catalog runs out), shuffled. A user who has rated every other
 * movie gets no list: with nothing to rank against, any order would be perfect.
 *
 * The movies never rated are drawn in proportion to their number of ratings, as the held-out
 * movies come: drawn uniformly they would be mostly obscure, and ordering by popularity alone would
 * find the held-out ones. Measured on the synthetic sample, NDCG@10 of ordering by popularity was
 * 0.25 with uniform draws and is 0.12 with these, against 0.09 for the order given; item-kNN 0.61.
 */
export function rankingQueries(
  ratings: readonly RatingRow[],
  testUsers: readonly TestUser[],
  options: { readonly seed?: number; readonly size?: number } = {},
): RankingQuery[] {
  const size = options.size ?? RANKING_CANDIDATES;
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`size must be a whole number >= 2, got ${size}`);
  const seed = options.seed ?? 1;
  const rated = new Map<number, Set<number>>(testUsers.map((user) => [user.userId, new Set<number>()]));
  for (const r of ratings) rated.get(r.userId)?.add(r.movieId);
  const catalog = weightedCatalog(ratings);
  return testUsers.flatMap((user): RankingQuery[] => {
    const random = mulberry32(Math.imul(seed >>> 0, 0x9e3779b1) ^ user.userId);
    const seen = rated.get(user.userId) as Set<number>;
    const relevant = shuffle(
      [...user.relevant].sort((a, b) => a - b),
      random,
    ).slice(0, Math.floor(size * MAX_RELEVANT_SHARE));
    const others = sampleUnrated(catalog, seen, size - relevant.length, random);
    if (others.length === 0) return [];
    return [
      { userId: user.userId, candidates: shuffle([...relevant, ...others], random), relevant: new Set(relevant) },
    ];
  });
}

/**
 * The offline metrics of a ranking model over candidate lists: `rank` orders each list for its
 * user, and the order is scored like a recommendation list (`offlineMetrics`).
 */
export function scoreRanking(
  queries: readonly RankingQuery[],
  rank: (userId: number, candidates: readonly number[]) => readonly number[],
  catalogSize: number,
): OfflineMetrics {
  return offlineMetrics(
    queries.map((query) => ({ recommended: rank(query.userId, query.candidates), relevant: query.relevant })),
    catalogSize,
  );
}

/** The movies of the ratings by id, and their numbers of ratings cumulated: the sample's weights. */
interface WeightedCatalog {
  readonly ids: readonly number[];
  readonly cumulative: Float64Array;
}

function weightedCatalog(ratings: readonly RatingRow[]): WeightedCatalog {
  const counts = new Map<number, number>();
  for (const r of ratings) counts.set(r.movieId, (counts.get(r.movieId) ?? 0) + 1);
  const ids = [...counts.keys()].sort((a, b) => a - b);
  const cumulative = new Float64Array(ids.length);
  ids.forEach((id, i) => (cumulative[i] = (i > 0 ? cumulative[i - 1] : 0) + (counts.get(id) as number)));
  return { ids, cumulative };
}

/**
 * Up to `count` movies of the catalog not in `except` (a subset of it), without repeats, each
 * drawn with a chance in proportion to its number of ratings. When draws keep hitting `except`
 * (a user who rated most popular movies), the rest come by weight, heaviest first.
 */
function sampleUnrated(
  { ids, cumulative }: WeightedCatalog,
  except: ReadonlySet<number>,
  count: number,
  random: () => number,
): number[] {
  const wanted = Math.min(count, ids.length - except.size);
  const chosen = new Set<number>();
  const total = cumulative[ids.length - 1];
  for (let attempt = 0; chosen.size < wanted && attempt < 20 * count; attempt++) {
    const target = random() * total;
    let low = 0;
    let high = ids.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    if (!except.has(ids[low])) chosen.add(ids[low]);
  }
  if (chosen.size < wanted) {
    const weight = (i: number) => cumulative[i] - (i > 0 ? cumulative[i - 1] : 0);
    const rest = [...ids.keys()]
      .filter((i) => !except.has(ids[i]) && !chosen.has(ids[i]))
      .sort((a, b) => weight(b) - weight(a) || a - b);
    for (const i of rest.slice(0, wanted - chosen.size)) chosen.add(ids[i]);
  }
  return [...chosen];
}

function countPositives(ratings: readonly RatingRow[], indexes: readonly number[], threshold: number): number {
  let count = 0;
  for (const k of indexes) if (ratings[k].rating > threshold) count++;
  return count;
}

/** A copy of `items` in a seeded random order (mulberry32 and Fisher-Yates): same seed, same order. */
function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  return shuffle(items, mulberry32(seed));
}

/** A copy of `items` in the order `random` gives (Fisher-Yates). */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** A seeded generator of numbers in [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
