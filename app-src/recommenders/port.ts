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
  /** Registry models: the dataset group's filters the controller made (model registry `filters`). */
  readonly filters?: PersonalizeFilters;
}

/**
 * Filter ARNs by purpose: `genre` takes the parameter $GENRE, `excludeRated` leaves out what the
 * user rated, `promotion` (no parameter) chooses the items of the Recommendations rows' promotion.
 */
export interface PersonalizeFilters {
  readonly genre?: string;
  readonly excludeRated?: string;
  readonly promotion?: string;
}

/**
 * The page's Genre control, as both kinds of model need it: Personalize gets the genre's name (the
 * value of its filter's $GENRE), local models test each movie with `allows` (the page reads the
 * genre's movies from the database). Every row of the page answers the same question.
 */
export interface MovieFilter {
  /** A genre of the loaded data, spelt as the data spell it ("Horror", "Children's"). */
  readonly genre: string;
  /** Whether the movie is of the genre. */
  readonly allows: (movieId: number) => boolean;
}

/** A recommendation list with what the service said about it, beyond the ids. */
export interface DetailedRecommendations {
  readonly ids: number[];
  /** Per movie, why the model put it there, in the service's words ("Exploration", "Popular item"). */
  readonly reasons: ReadonlyMap<number, string>;
  /** Movies placed by a promotion (labelled "Promoted" on their tiles). */
  readonly promoted: ReadonlySet<number>;
}

/** Asks one model for movie ids. Every method may throw; the page shows the reason in the row. */
export interface Recommender {
  /**
   * Up to `count` movies for the user, best first (type `recommend`), never one the user rated
   * where the model can tell; with `filter`, only movies it allows.
   */
  recommend(model: Model, userId: number, count: number, filter?: MovieFilter): Promise<number[]>;
  /**
   * The same, with the reasons and promotions the model gives. Adapters that have none leave it
   * out (callers fall back on `recommend`).
   */
  recommendDetailed?(
    model: Model,
    userId: number,
    count: number,
    filter?: MovieFilter,
  ): Promise<DetailedRecommendations>;
  /** Exactly `movieIds` (those `filter` allows, when given), re-ordered for the user (type `ranking`). */
  rank(model: Model, userId: number, movieIds: readonly number[], filter?: MovieFilter): Promise<number[]>;
  /** Up to `count` movies like `movieId`, never `movieId` itself (type `sims`); with `filter`, only movies it allows. */
  similar(model: Model, movieId: number, count: number, userId?: number, filter?: MovieFilter): Promise<number[]>;
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
