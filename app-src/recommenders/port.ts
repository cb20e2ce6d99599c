/**
 * The one Recommender port of the web app. Two adapters implement it: local models trained at
 * start (recommenders/local.ts) and Amazon Personalize campaigns (recommenders/personalize.ts).
 * Pages never know which one answers; they show the model's name and, for local ones, "local".
 */
import type { OfflineMetrics } from '../../lib/shared/model-registry';

export type ModelType = 'recommend' | 'ranking' | 'sims';
export const MODEL_TYPES: readonly ModelType[] = ['recommend', 'ranking', 'sims'];

/** Where a model comes from: trained here, published by the controller, or added in /admin/. */
export type ModelSource = 'local' | 'registry' | 'admin';

export interface Model {
  /** Stable id used in URLs: `local:knn`, `registry:<campaign name>`, `admin:<row id>`. */
  readonly id: string;
  readonly name: string;
  readonly type: ModelType;
  readonly source: ModelSource;
  /** Recipe name, e.g. `aws-user-personalization-v2` or `local-item-knn`. */
  readonly recipe: string;
  readonly sortOrder: number;
  readonly metrics: OfflineMetrics;
  /** Set for Personalize models. */
  readonly campaignArn?: string;
  /** Registry models: the catalogue (MovieLens edition) whose item ids the model recommends. */
  readonly catalog?: string;
}

/** Asks one model for movie ids. Every method may throw; the page shows the reason in the row. */
export interface Recommender {
  /** Up to `count` movies for the user, best first (type `recommend`). */
  recommend(model: Model, userId: number, count: number): Promise<number[]>;
  /** Exactly `movieIds`, re-ordered for the user (type `ranking`). */
  rank(model: Model, userId: number, movieIds: readonly number[]): Promise<number[]>;
  /** Up to `count` movies like `movieId`, never `movieId` itself (type `sims`). */
  similar(model: Model, movieId: number, count: number, userId?: number): Promise<number[]>;
  /**
   * Why the model put each of `movieIds` in the user's list: the movie of the user's history that
   * contributed most (movie id -> that movie's id); a movie without a reason is left out. Adapters
   * whose models cannot say (Personalize's campaigns) leave the method out; the local popularity
   * baseline gives an empty map.
   */
  explain?(model: Model, userId: number, movieIds: readonly number[]): Promise<ReadonlyMap<number, number>>;
}

/** One rating as the web load file `web/ratings.csv` holds it. */
export interface RatingRow {
  readonly userId: number;
  readonly movieId: number;
  /** 1..5 (ml-100k) or 0.5..5 in half stars (ml-latest). */
  readonly rating: number;
  /** Unix seconds, already shifted by the preparation. */
  readonly timestamp: number;
}
