/**
 * The local models: baselines trained at start on the loaded ratings, so the site recommends from
 * the moment it is healthy (an hour before the first campaign) and attendees see what Amazon
 * Personalize adds to them.
 *
 * - Popularity: movies by their number of positive ratings, what Personalize's Popularity-Count
 *   recipe recommends and its documentation proposes as the baseline.
 * - Item-kNN: two movies are similar when the same users rate both positively, the cosine of their
 *   co-occurrence co(i,j) / sqrt(n_i * n_j), the top neighbours kept per movie. A user's scores sum
 *   the similarities of the neighbours of their positive history; recommendations, personal
 *   ranking and similar items all read these same neighbour lists.
 *
 * "Positive" means what the preparation sends to Personalize as an interaction: a rating strictly
 * above the positive threshold. The work is bounded for the big editions: each user contributes
 * only their most recent positives, and that cap is lowered until the co-occurrence pair updates
 * fit a budget. Every order is total (score, then popularity, then id): the same ratings give the
 * same answers on every machine.
 */
import type { OfflineMetrics } from '../../lib/shared/model-registry';
import { EaseModel, type EaseOptions } from './ease';
import type { Model, ModelType, MovieFilter, RatingRow, Recommender } from './port';

/** Whether a movie may be shown (the page's Genre control); absent: every movie. */
export type Allows = (movieId: number) => boolean;

export type LocalModelId =
  'local:ease' | 'local:popular' | 'local:knn' | 'local:similar' | 'local:ease-ranking' | 'local:ranking';

export interface LocalModelSpec {
  readonly id: LocalModelId;
  readonly name: string;
  readonly type: ModelType;
  readonly recipe: string;
}

/** After every Personalize model: the site lists campaigns first, baselines after them. */
const FIRST_LOCAL_SORT_ORDER = 1000;

/**
 * In the order the site lists them: EASE first, so that once it is trained it is the default
 * Model 1 (the strongest local recommender), popularity the floor beside it.
 */
export const LOCAL_MODEL_SPECS: readonly LocalModelSpec[] = [
  { id: 'local:ease', name: 'EASE (local)', type: 'recommend', recipe: 'local-ease' },
  { id: 'local:popular', name: 'Most popular (local)', type: 'recommend', recipe: 'local-popularity' },
  { id: 'local:knn', name: 'Item-kNN (local)', type: 'recommend', recipe: 'local-item-knn' },
  { id: 'local:similar', name: 'Similar items, item-kNN (local)', type: 'sims', recipe: 'local-item-knn' },
  { id: 'local:ease-ranking', name: 'Personal ranking, EASE (local)', type: 'ranking', recipe: 'local-ease' },
  { id: 'local:ranking', name: 'Personal ranking, item-kNN (local)', type: 'ranking', recipe: 'local-item-knn' },
];

/** The models EASE answers for: offered once it is trained. */
export const EASE_MODEL_IDS: readonly LocalModelId[] = ['local:ease', 'local:ease-ranking'];

/**
 * EASE's settings, chosen on validation splits cut from the training part of the real ml-100k and
 * ml-latest-small (never their test users): docs/local-models.md has the grid and the figures.
 */
export const EASE_DEFAULTS: EaseOptions = { lambda: 100, maxItems: 2000, minPositives: 1 };

/** Where the training of EASE stands on this instance. */
export type EaseState =
  | { readonly state: 'waiting' }
  | { readonly state: 'training'; readonly since: number }
  | { readonly state: 'ready'; readonly model: EaseModel; readonly trainingMs: number; readonly at: number }
  | { readonly state: 'failed'; readonly reason: string };

export const LOCAL_MODEL_IDS: readonly LocalModelId[] = LOCAL_MODEL_SPECS.map((spec) => spec.id);

export function isLocalModelId(id: string): id is LocalModelId {
  return (LOCAL_MODEL_IDS as readonly string[]).includes(id);
}

/**
 * The Model entries of the local models, with the offline metrics given (by model id) or none.
 * Needs no training: the evaluation CLI names the models without building them for serving.
 */
export function describeLocalModels(metrics: Readonly<Partial<Record<LocalModelId, OfflineMetrics>>> = {}): Model[] {
  return LOCAL_MODEL_SPECS.map((spec, i) => ({
    ...spec,
    source: 'local' as const,
    sortOrder: FIRST_LOCAL_SORT_ORDER + 10 * i,
    metrics: { ...(metrics[spec.id] ?? {}) },
  }));
}

export interface LocalTrainingOptions {
  /** Ratings strictly above it are positives: the manifest's `settings.positiveRatingThreshold`. */
  readonly positiveThreshold: number;
  /**
   * Neighbours kept per movie.
   * @default 50
   */
  readonly neighbours?: number;
  /**
   * Most recent positives of a user that count, in training and as the query of their scores.
   * @default 200
   */
  readonly maxHistory?: number;
  /**
   * Co-occurrence pair updates allowed in training; the history cap is lowered until they fit,
   * which keeps the 25M edition in seconds and leaves the 100k edition untouched.
   * @default 20_000_000
   */
  readonly maxPairUpdates?: number;
  /** Offline metrics to show with the models (from `evaluateLocalModels`), by model id. */
  readonly metrics?: Readonly<Partial<Record<LocalModelId, OfflineMetrics>>>;
}

/**
 * What a user not in training has done, for the live models: the movie ids they rated positively
 * (above the positive threshold), oldest first, and every movie id they rated.
 */
export interface LiveHistory {
  readonly positives: readonly number[];
  readonly rated: readonly number[];
}

/**
 * Whom the local models answer: a user id they were trained on (a MovieLens user; an unknown id
 * has no history), or the live history of a user they were not trained on.
 */
export type LocalUser = number | LiveHistory;

/** A user as the scoring reads them: item indexes, oldest first. */
interface UserItems {
  /** Every positive (EASE's input). */
  readonly positives: ArrayLike<number>;
  /** The latest positives, at most `historyCap` (item-kNN's input). */
  readonly knnHistory: ArrayLike<number>;
  /** Every rated item: never recommended. */
  readonly rated: ArrayLike<number>;
}

const NO_ITEMS: UserItems = { positives: [], knnHistory: [], rated: [] };

/** The live history of a user the local models were not trained on, or undefined for none. */
export type LiveHistoryResolver = (userId: number) => Promise<LiveHistory | undefined>;

/** Offsets into a flat array, one row per index (compressed sparse rows). */
interface Rows {
  readonly start: Int32Array;
  readonly values: Int32Array;
}

/** The trained local models. Immutable after `train`, except for per-call scratch buffers. */
export class LocalModels {
  private metrics: Partial<Record<LocalModelId, OfflineMetrics>>;
  private easeState: EaseState = { state: 'waiting' };
  /** The history cap training used (maxHistory, or lower to fit maxPairUpdates). */
  readonly historyCap: number;

  // Scratch for one call at a time: every method using them is synchronous, so calls never interleave.
  private readonly scores: Float64Array;
  private readonly marks: Uint8Array;

  private constructor(
    private readonly itemIds: Float64Array,
    private readonly itemIndex: ReadonlyMap<number, number>,
    /** Item indexes, most popular first. */
    private readonly popularOrder: Int32Array,
    /** Item index -> its place in popularOrder: the tie-break of every score. */
    private readonly popularRank: Int32Array,
    private readonly userIndex: ReadonlyMap<number, number>,
    /** Per user, every rated item (to leave out of recommendations). */
    private readonly rated: Rows,
    /** Per user, every positive, oldest first (what EASE reads). */
    private readonly positives: Rows,
    /** Per user, the most recent positives (at most maxHistory), oldest first (what item-kNN reads). */
    private readonly history: Rows,
    /** Per item, neighbours by similarity, best first. */
    private readonly neighbours: Rows,
    private readonly similarities: Float64Array,
    historyCap: number,
    metrics: Readonly<Partial<Record<LocalModelId, OfflineMetrics>>>,
  ) {
    this.historyCap = historyCap;
    this.metrics = { ...metrics };
    this.scores = new Float64Array(itemIds.length);
    this.marks = new Uint8Array(itemIds.length);
  }

  /**
   * The Model entries, sortOrder 1000 and up so Personalize models come first. The EASE models
   * are offered once EASE is trained; until then the others answer.
   */
  get models(): Model[] {
    const ready = this.easeState.state === 'ready';
    return describeLocalModels(this.metrics).filter(
      (model) => ready || !EASE_MODEL_IDS.includes(model.id as LocalModelId),
    );
  }

  get ease(): EaseState {
    return this.easeState;
  }

  /** What the front page says about EASE while it trains, once it is ready, or when it failed. */
  get status(): string | undefined {
    const ease = this.easeState;
    switch (ease.state) {
      case 'waiting':
        return undefined;
      case 'training':
        return 'EASE (local), the strongest local recommender, is training in the background; until it is ready, the local recommendations come from item-kNN and popularity.';
      case 'ready':
        return `EASE (local) was trained in ${(ease.trainingMs / 1000).toFixed(1)} s and now answers as the first local model.`;
      case 'failed':
        return `EASE (local) could not be trained (${ease.reason}); the local recommendations come from item-kNN and popularity.`;
    }
  }

  /** Marks EASE as training (the front page says so). */
  easeTraining(now = Date.now()): void {
    this.easeState = { state: 'training', since: now };
  }

  /** Offers EASE: its models join the list, with their offline metrics. */
  useEase(
    model: EaseModel,
    trainingMs: number,
    metrics: Readonly<Partial<Record<LocalModelId, OfflineMetrics>>> = {},
    now = Date.now(),
  ): void {
    this.metrics = { ...this.metrics, ...metrics };
    this.easeState = { state: 'ready', model, trainingMs, at: now };
  }

  easeFailed(reason: string): void {
    this.easeState = { state: 'failed', reason };
  }

  static train(ratings: readonly RatingRow[], options: LocalTrainingOptions): LocalModels {
    const threshold = options.positiveThreshold;
    const neighbourCount = options.neighbours ?? 50;
    const maxHistory = options.maxHistory ?? 200;
    const maxPairUpdates = options.maxPairUpdates ?? 20_000_000;
    if (!Number.isFinite(threshold)) throw new RangeError(`positiveThreshold must be a number, got ${threshold}`);
    for (const [name, value] of [
      ['neighbours', neighbourCount],
      ['maxHistory', maxHistory],
      ['maxPairUpdates', maxPairUpdates],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
    }

    // Dense indexes in id order, so nothing depends on the order of the ratings.
    const movieSet = new Set<number>();
    const userSet = new Set<number>();
    for (const r of ratings) {
      movieSet.add(r.movieId);
      userSet.add(r.userId);
    }
    const itemIds = Float64Array.from(movieSet).sort();
    const userIds = Float64Array.from(userSet).sort();
    const itemIndex = new Map<number, number>();
    itemIds.forEach((id, i) => itemIndex.set(id, i));
    const userIndex = new Map<number, number>();
    userIds.forEach((id, u) => userIndex.set(id, u));
    const items = itemIds.length;
    const users = userIds.length;

    // Popularity: positives, then all ratings, then id.
    const positives = new Int32Array(items);
    const ratingCounts = new Int32Array(items);
    const ratedCounts = new Int32Array(users);
    const positiveCounts = new Int32Array(users);
    const ratingItem = new Int32Array(ratings.length);
    const ratingUser = new Int32Array(ratings.length);
    ratings.forEach((r, k) => {
      const item = itemIndex.get(r.movieId) as number;
      const user = userIndex.get(r.userId) as number;
      ratingItem[k] = item;
      ratingUser[k] = user;
      ratingCounts[item]++;
      ratedCounts[user]++;
      if (r.rating > threshold) {
        positives[item]++;
        positiveCounts[user]++;
      }
    });
    const popularOrder = Int32Array.from(itemIds.keys()).sort(
      (a, b) => positives[b] - positives[a] || ratingCounts[b] - ratingCounts[a] || a - b,
    );
    const popularRank = new Int32Array(items);
    popularOrder.forEach((item, rank) => (popularRank[item] = rank));

    // Per user: rated items, and positives ordered by time (then movie id) to find the most recent.
    const rated = rowsFrom(ratedCounts);
    const positiveRows = rowsFrom(positiveCounts);
    const positiveTimes = new Float64Array(positiveRows.values.length);
    const ratedFill = rated.start.slice(0, users);
    const positiveFill = positiveRows.start.slice(0, users);
    ratings.forEach((r, k) => {
      const user = ratingUser[k];
      rated.values[ratedFill[user]++] = ratingItem[k];
      if (r.rating > threshold) {
        positiveTimes[positiveFill[user]] = r.timestamp;
        positiveRows.values[positiveFill[user]++] = ratingItem[k];
      }
    });
    // Every positive by time (EASE reads them all), and the most recent ones item-kNN reads.
    const timeOrdered = rowsFrom(positiveCounts);
    const historyLengths = new Int32Array(users);
    for (let u = 0; u < users; u++) historyLengths[u] = Math.min(maxHistory, positiveCounts[u]);
    const history = rowsFrom(historyLengths);
    for (let u = 0; u < users; u++) {
      const from = positiveRows.start[u];
      const order = Array.from({ length: positiveCounts[u] }, (_, k) => from + k).sort(
        (a, b) =>
          positiveTimes[a] - positiveTimes[b] || itemIds[positiveRows.values[a]] - itemIds[positiveRows.values[b]],
      );
      order.forEach((k, n) => (timeOrdered.values[timeOrdered.start[u] + n] = positiveRows.values[k]));
      const kept = order.slice(order.length - historyLengths[u]);
      kept.forEach((k, n) => (history.values[history.start[u] + n] = positiveRows.values[k]));
    }

    const historyCap = capHistory(historyLengths, maxPairUpdates);
    const { neighbours, similarities } = itemKnn(history, historyCap, items, neighbourCount, popularRank);
    return new LocalModels(
      itemIds,
      itemIndex,
      popularOrder,
      popularRank,
      userIndex,
      rated,
      timeOrdered,
      history,
      neighbours,
      similarities,
      historyCap,
      options.metrics ?? {},
    );
  }

  /** The most popular movie ids, best first, leaving out `exclude` ("most popular" on the pages). */
  mostPopular(count: number, exclude: Iterable<number> = []): number[] {
    checkCount(count);
    const excluded = new Set(exclude);
    const result: number[] = [];
    for (let k = 0; k < this.popularOrder.length && result.length < count; k++) {
      const id = this.itemIds[this.popularOrder[k]];
      if (!excluded.has(id)) result.push(id);
    }
    return result;
  }

  /** `movieIds` (all of them) ordered by popularity; movies without ratings last, by id. */
  byPopularity(movieIds: readonly number[]): number[] {
    return [...movieIds].sort((a, b) => this.rankOf(a) - this.rankOf(b) || a - b);
  }

  /** "Most popular (local)": the most popular movies the user has not rated (and `allows`, when given). */
  recommendPopular(user: LocalUser, count: number, allows?: Allows): number[] {
    checkCount(count);
    return this.withMarked(this.itemsOf(user).rated, () => this.fillPopular([], count, undefined, allows));
  }

  /** "Item-kNN (local)": the best scores of movies the user has not rated, popular ones after them. */
  recommendKnn(user: LocalUser, count: number, allows?: Allows): number[] {
    checkCount(count);
    const { knnHistory, rated } = this.itemsOf(user);
    return this.withMarked(rated, () => this.bestThenPopular(this.scoreHistory(knnHistory), count, () => true, allows));
  }

  /**
   * Trains EASE on every positive of every user. Synchronous
   * and seconds long for ml-latest-small: the site calls it off the request path (start.ts).
   */
  trainEase(options: EaseOptions = EASE_DEFAULTS): EaseModel {
    return EaseModel.train(this.positives, this.itemIds.length, options);
  }

  /** `trainEase` in steps, for `runInSlices`: the site keeps answering while it trains. */
  trainEaseSteps(options: EaseOptions = EASE_DEFAULTS): Generator<void, EaseModel> {
    return EaseModel.trainSteps(this.positives, this.itemIds.length, options);
  }

  /** "EASE (local)": the best EASE scores of movies the user has not rated, popular ones after them. */
  recommendEase(ease: EaseModel, user: LocalUser, count: number, allows?: Allows): number[] {
    checkCount(count);
    const { positives, rated } = this.itemsOf(user);
    return this.withMarked(rated, () =>
      this.bestThenPopular(ease.score(positives, this.scores), count, (item) => this.scores[item] > 0, allows),
    );
  }

  /** Exactly `movieIds` (those `allows`, when given), by EASE score for the user, then popularity, then id. */
  rankEase(ease: EaseModel, user: LocalUser, movieIds: readonly number[], allows?: Allows): number[] {
    const scored = ease.score(this.itemsOf(user).positives, this.scores);
    return this.rankByScores(scored, allows ? movieIds.filter(allows) : movieIds);
  }

  /** For each of `movieIds` EASE scores, the liked movie with the largest weight towards it. */
  becauseEase(ease: EaseModel, user: LocalUser, movieIds: readonly number[]): Map<number, number> {
    const { positives } = this.itemsOf(user);
    const reasons = new Map<number, number>();
    for (const id of movieIds) {
      const item = this.itemIndex.get(id);
      const from = item === undefined ? -1 : ease.strongest(positives, item);
      if (from >= 0) reasons.set(id, this.itemIds[from]);
    }
    return reasons;
  }

  /**
   * Exactly `movieIds` (duplicates and unknown ids too; only those `allows`, when given), best
   * score first for the user.
   */
  rank(user: LocalUser, movieIds: readonly number[], allows?: Allows): number[] {
    const scored = this.scoreHistory(this.itemsOf(user).knnHistory);
    return this.rankByScores(scored, allows ? movieIds.filter(allows) : movieIds);
  }

  /**
   * For each of `movieIds` the item-kNN scores reach, the movie of the user's history that adds
   * the most to its score (the largest similarity; among equals, the most recent). A movie no
   * history movie reaches (a popular filler) has no reason and is left out.
   */
  because(user: LocalUser, movieIds: readonly number[]): Map<number, number> {
    const { knnHistory } = this.itemsOf(user);
    const wanted = new Set(this.indexesOf(movieIds));
    const best = new Map<number, { from: number; similarity: number }>();
    for (let h = 0; h < knnHistory.length; h++) {
      const from = knnHistory[h];
      for (let k = this.neighbours.start[from]; k < this.neighbours.start[from + 1]; k++) {
        const item = this.neighbours.values[k];
        if (!wanted.has(item)) continue;
        const current = best.get(item);
        // History runs oldest first: >= lets the more recent of two equal contributions win.
        if (!current || this.similarities[k] >= current.similarity) {
          best.set(item, { from, similarity: this.similarities[k] });
        }
      }
    }
    return new Map([...best].map(([item, { from }]) => [this.itemIds[item], this.itemIds[from]]));
  }

  /**
   * Up to `count` movies like `movieId`, never itself: its neighbours, then popular movies; with
   * `allows`, only the movies it allows (the nearest allowed neighbours, then allowed popular ones).
   */
  similar(movieId: number, count: number, allows?: Allows): number[] {
    checkCount(count);
    const base = this.itemIndex.get(movieId);
    const chosen: number[] = [];
    if (base !== undefined) {
      const end = this.neighbours.start[base + 1];
      for (let k = this.neighbours.start[base]; k < end && chosen.length < count; k++) {
        const item = this.neighbours.values[k];
        if (this.allowed(item, allows)) chosen.push(item);
      }
      this.marks[base] = 1;
    }
    chosen.forEach((item) => (this.marks[item] = 1));
    const result = this.fillPopular(
      chosen.map((item) => this.itemIds[item]),
      count,
      movieId,
      allows,
    );
    chosen.forEach((item) => (this.marks[item] = 0));
    if (base !== undefined) this.marks[base] = 0;
    return result;
  }

  /** Whether the user was in training (a MovieLens user); a site user is not. */
  knowsUser(userId: number): boolean {
    return this.userIndex.has(userId);
  }

  /**
   * What the scoring reads of a user, as item indexes: a user the models were trained on (their
   * rows of training), or a live history (issue 18: the attendee's own user, read at each call;
   * unknown movie ids are ignored). Both are scored the same way.
   */
  private itemsOf(user: LocalUser): UserItems {
    if (typeof user !== 'number') {
      const positives = this.indexesOf(user.positives);
      return { positives, knnHistory: positives.slice(-this.historyCap), rated: this.indexesOf(user.rated) };
    }
    const index = this.userIndex.get(user);
    if (index === undefined) return NO_ITEMS;
    const row = (rows: Rows) => rows.values.subarray(rows.start[index], rows.start[index + 1]);
    return { positives: row(this.positives), knnHistory: row(this.history), rated: row(this.rated) };
  }

  /** Item indexes of the movie ids known to training, in order, each once. */
  private indexesOf(movieIds: readonly number[]): number[] {
    const seen = new Set<number>();
    for (const id of movieIds) {
      const item = this.itemIndex.get(id);
      if (item !== undefined) {
        seen.delete(item);
        seen.add(item);
      }
    }
    return [...seen];
  }

  /** Adds item-kNN scores of `positives` (item indexes) into `scores`; returns the items touched. */
  private scoreHistory(positives: ArrayLike<number>): number[] {
    const touched: number[] = [];
    for (let h = 0; h < positives.length; h++) {
      const item = positives[h];
      for (let k = this.neighbours.start[item]; k < this.neighbours.start[item + 1]; k++) {
        const neighbour = this.neighbours.values[k];
        if (this.scores[neighbour] === 0) touched.push(neighbour);
        this.scores[neighbour] += this.similarities[k];
      }
    }
    return touched;
  }

  /** The best-scored unmarked items of `scored` that `keep`, then popular ones; zeroes the scores. */
  private bestThenPopular(
    scored: ArrayLike<number>,
    count: number,
    keep: (item: number) => boolean,
    allows?: Allows,
  ): number[] {
    const candidates: number[] = [];
    for (let k = 0; k < scored.length; k++) {
      const item = scored[k];
      if (!this.marks[item] && keep(item) && this.allowed(item, allows)) candidates.push(item);
    }
    candidates.sort(this.byScore);
    this.zero(scored);
    const chosen = candidates.slice(0, count);
    chosen.forEach((item) => (this.marks[item] = 1));
    try {
      return this.fillPopular(
        chosen.map((item) => this.itemIds[item]),
        count,
        undefined,
        allows,
      );
    } finally {
      chosen.forEach((item) => (this.marks[item] = 0));
    }
  }

  /** Exactly `movieIds` by the scores in `scores`, then popularity, then id; zeroes the scores. */
  private rankByScores(scored: ArrayLike<number>, movieIds: readonly number[]): number[] {
    const score = (id: number) => {
      const item = this.itemIndex.get(id);
      return item === undefined ? 0 : this.scores[item];
    };
    try {
      return [...movieIds].sort((a, b) => score(b) - score(a) || this.rankOf(a) - this.rankOf(b) || a - b);
    } finally {
      this.zero(scored);
    }
  }

  /** Zeroes the scores of `items` (the scratch buffer is left clean for the next call). */
  private zero(items: ArrayLike<number>): void {
    for (let k = 0; k < items.length; k++) this.scores[items[k]] = 0;
  }

  /** Runs `body` with `items` marked (left out of recommendations). */
  private withMarked(items: ArrayLike<number>, body: () => number[]): number[] {
    for (let k = 0; k < items.length; k++) this.marks[items[k]] = 1;
    try {
      return body();
    } finally {
      for (let k = 0; k < items.length; k++) this.marks[items[k]] = 0;
    }
  }

  /** Orders item indexes by score (desc), then popularity. */
  private readonly byScore = (a: number, b: number): number =>
    this.scores[b] - this.scores[a] || this.popularRank[a] - this.popularRank[b];

  private rankOf(movieId: number): number {
    const item = this.itemIndex.get(movieId);
    return item === undefined ? this.popularOrder.length : this.popularRank[item];
  }

  /** Appends popular movies that are neither marked nor `skip` (and that `allows`) until `result` has `count`. */
  private fillPopular(result: number[], count: number, skip?: number, allows?: Allows): number[] {
    for (let k = 0; k < this.popularOrder.length && result.length < count; k++) {
      const item = this.popularOrder[k];
      const id = this.itemIds[item];
      if (!this.marks[item] && id !== skip && (!allows || allows(id))) result.push(id);
    }
    return result;
  }

  /** Whether item index `item` passes `allows` (every item when there is none). */
  private allowed(item: number, allows: Allows | undefined): boolean {
    return !allows || allows(this.itemIds[item]);
  }
}

/** Answers for the local models through the one Recommender port. */
export class LocalRecommender implements Recommender {
  constructor(
    private readonly local: LocalModels,
    /**
     * The live history of a user the models were not trained on (issue 18: the attendee's own
     * user, from the site's ratings, read at each call so that every rating shows in the next
     * page); absent, or undefined for a user, the id is answered as it is.
     */
    private readonly historyOf?: LiveHistoryResolver,
  ) {}

  async recommend(model: Model, userId: number, count: number, filter?: MovieFilter): Promise<number[]> {
    const id = localModel(model, 'recommend');
    const user = await this.user(userId);
    const allows = filter?.allows;
    if (id === 'local:ease') return this.local.recommendEase(this.ease(model), user, count, allows);
    return id === 'local:popular'
      ? this.local.recommendPopular(user, count, allows)
      : this.local.recommendKnn(user, count, allows);
  }

  async rank(model: Model, userId: number, movieIds: readonly number[], filter?: MovieFilter): Promise<number[]> {
    const id = localModel(model, 'ranking');
    const user = await this.user(userId);
    return id === 'local:ease-ranking'
      ? this.local.rankEase(this.ease(model), user, movieIds, filter?.allows)
      : this.local.rank(user, movieIds, filter?.allows);
  }

  async similar(
    model: Model,
    movieId: number,
    count: number,
    _userId?: number,
    filter?: MovieFilter,
  ): Promise<number[]> {
    localModel(model, 'sims');
    return this.local.similar(movieId, count, filter?.allows);
  }

  /** Item-kNN and EASE name the liked movie behind each movie; popularity has no such reason. */
  async explain(model: Model, userId: number, movieIds: readonly number[]): Promise<ReadonlyMap<number, number>> {
    const id = localModel(model, model.type);
    const user = await this.user(userId);
    if (id === 'local:ease' || id === 'local:ease-ranking') {
      return this.local.becauseEase(this.ease(model), user, movieIds);
    }
    return id === 'local:knn' || id === 'local:ranking' ? this.local.because(user, movieIds) : new Map();
  }

  /** A user the models were trained on as their id; another as their live history, where there is one. */
  private async user(userId: number): Promise<LocalUser> {
    if (!this.historyOf || this.local.knowsUser(userId)) return userId;
    return (await this.historyOf(userId)) ?? userId;
  }

  /** The trained EASE model, or an error saying why there is none yet (shown in the row). */
  private ease(model: Model): EaseModel {
    const ease = this.local.ease;
    if (ease.state === 'ready') return ease.model;
    const why =
      ease.state === 'failed' ? `its training failed: ${ease.reason}` : 'it is still training, try again in a minute';
    throw new Error(`"${model.name}" cannot answer yet: ${why}`);
  }
}

/** The local model `model` names, checked to be of `type`; the error says what was asked of what. */
function localModel(model: Model, type: ModelType): LocalModelId {
  const spec = LOCAL_MODEL_SPECS.find((s) => s.id === model.id);
  if (model.source !== 'local' || !spec) {
    throw new Error(
      `"${model.name}" (${model.id}, source ${model.source}) is not a local model; the local recommender answers only for ${LOCAL_MODEL_IDS.join(', ')}`,
    );
  }
  if (spec.type !== type) {
    throw new Error(`"${model.name}" (${model.id}) is a ${spec.type} model and cannot answer a ${type} request`);
  }
  return spec.id;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number >= 0, got ${count}`);
}

/** Empty rows with room for `lengths[i]` values in row i. */
function rowsFrom(lengths: Int32Array): Rows {
  const start = new Int32Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) start[i + 1] = start[i] + lengths[i];
  return { start, values: new Int32Array(start[lengths.length]) };
}

/** The largest cap (at most the longest history) whose co-occurrence pair updates fit `budget`. */
function capHistory(lengths: Int32Array, budget: number): number {
  const pairs = (cap: number) => {
    let sum = 0;
    for (const length of lengths) {
      const m = Math.min(length, cap);
      sum += m * (m - 1);
    }
    return sum;
  };
  let low = 1;
  let high = 1;
  for (const length of lengths) high = Math.max(high, length);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (pairs(middle) <= budget) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Cosine similarity of co-occurring positives, top `keep` neighbours per item (ties: popularity).
 * Goes item by item through an inverted index with a dense accumulator: the work is the pair
 * updates that `capHistory` bounded, and nothing is hashed.
 */
function itemKnn(
  history: Rows,
  cap: number,
  items: number,
  keep: number,
  popularRank: Int32Array,
): { neighbours: Rows; similarities: Float64Array } {
  const users = history.start.length - 1;
  const first = (u: number) => Math.max(history.start[u], history.start[u + 1] - cap);
  const counts = new Int32Array(items);
  for (let u = 0; u < users; u++) {
    for (let h = first(u); h < history.start[u + 1]; h++) counts[history.values[h]]++;
  }
  const itemUsers = rowsFrom(counts);
  const fill = itemUsers.start.slice(0, items);
  for (let u = 0; u < users; u++) {
    for (let h = first(u); h < history.start[u + 1]; h++) itemUsers.values[fill[history.values[h]]++] = u;
  }

  const together = new Int32Array(items);
  const touched = new Int32Array(items);
  const similarity = new Float64Array(items);
  const best = new TopK(keep, similarity, popularRank);
  const lists: Int32Array[] = [];
  const listSims: Float64Array[] = [];
  for (let i = 0; i < items; i++) {
    let size = 0;
    for (let k = itemUsers.start[i]; k < itemUsers.start[i + 1]; k++) {
      const u = itemUsers.values[k];
      for (let h = first(u); h < history.start[u + 1]; h++) {
        const j = history.values[h];
        if (j === i) continue;
        if (together[j] === 0) touched[size++] = j;
        together[j]++;
      }
    }
    best.clear();
    for (let t = 0; t < size; t++) {
      const j = touched[t];
      similarity[j] = together[j] / Math.sqrt(counts[i] * counts[j]);
      together[j] = 0;
      best.offer(j);
    }
    const list = best.sorted();
    lists.push(list);
    listSims.push(Float64Array.from(list, (j) => similarity[j]));
  }
  const neighbours = rowsFrom(Int32Array.from(lists, (list) => list.length));
  const similarities = new Float64Array(neighbours.values.length);
  lists.forEach((list, i) => {
    neighbours.values.set(list, neighbours.start[i]);
    similarities.set(listSims[i], neighbours.start[i]);
  });
  return { neighbours, similarities };
}

/**
 * The best `size` items offered, by score (desc) then popularity rank: a bounded min-heap, so
 * choosing 50 neighbours among thousands of candidates costs about one comparison per candidate.
 */
class TopK {
  private readonly heap: Int32Array;
  private length = 0;

  constructor(
    private readonly size: number,
    private readonly score: Float64Array,
    private readonly rank: Int32Array,
  ) {
    this.heap = new Int32Array(size);
  }

  clear(): void {
    this.length = 0;
  }

  offer(item: number): void {
    if (this.length < this.size) {
      let k = this.length++;
      while (k > 0) {
        const parent = (k - 1) >> 1;
        if (!this.worse(item, this.heap[parent])) break;
        this.heap[k] = this.heap[parent];
        k = parent;
      }
      this.heap[k] = item;
    } else if (this.worse(this.heap[0], item)) {
      this.siftDown(item);
    }
  }

  /** The items kept, best first. */
  sorted(): Int32Array {
    return this.heap.slice(0, this.length).sort((a, b) => (this.worse(a, b) ? 1 : this.worse(b, a) ? -1 : 0));
  }

  /** Whether a ranks below b. */
  private worse(a: number, b: number): boolean {
    const difference = this.score[a] - this.score[b];
    return difference < 0 || (difference === 0 && this.rank[a] > this.rank[b]);
  }

  /** Replaces the root (the worst kept) with `item` and restores the heap. */
  private siftDown(item: number): void {
    let k = 0;
    for (;;) {
      const left = 2 * k + 1;
      if (left >= this.length) break;
      const right = left + 1;
      const child = right < this.length && this.worse(this.heap[right], this.heap[left]) ? right : left;
      if (!this.worse(this.heap[child], item)) break;
      this.heap[k] = this.heap[child];
      k = child;
    }
    this.heap[k] = item;
  }
}
