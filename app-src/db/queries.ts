/**
 * Every query the pages run, each served by an index of migrations.ts (named beside it).
 * `count(*)` is a string in pg: counts are cast to int in SQL.
 */
import { Kysely, sql } from 'kysely';
import type { Database } from './schema';
import { displayTitle } from '../titles';

export interface Movie {
  readonly id: number;
  readonly title: string;
  readonly year: number | null;
  readonly genres: readonly string[];
  readonly positiveCount: number;
}

export interface User {
  readonly id: number;
  readonly age: number | null;
  readonly gender: string | null;
  readonly occupation: string | null;
}

export interface Review {
  readonly movie: Movie;
  readonly rating: number;
}

export interface DataSummary {
  readonly edition: string;
  readonly users: number;
  readonly movies: number;
  readonly ratings: number;
  readonly positiveThreshold: number;
  readonly loadedAt: Date;
}

const movieColumns = ['movies.id', 'movies.title', 'movies.year', 'movies.genres', 'movies.positive_count'] as const;

export function toMovie(row: {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  positive_count: number;
}): Movie {
  return {
    id: row.id,
    title: displayTitle(row.title),
    year: row.year,
    genres: row.genres,
    positiveCount: row.positive_count,
  };
}

/** How long what changes only with a data load (summary, genres, user bounds) is kept. */
export const DATA_CACHE_MS = 10_000;

export class Queries {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * What only a data load changes is read once per DATA_CACHE_MS, not on every page: a new data
   * revision loaded by another instance shows within that time. A failed read is not kept.
   */
  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < DATA_CACHE_MS) return hit.value as Promise<T>;
    const value = read();
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** The counts written with the data in the load transaction (data_load, primary key). */
  dataSummary(): Promise<DataSummary | undefined> {
    return this.cached('summary', () => this.readDataSummary());
  }

  private async readDataSummary(): Promise<DataSummary | undefined> {
    const row = await this.db.selectFrom('data_load').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!row) return undefined;
    return {
      edition: row.edition,
      users: row.users,
      movies: row.movies,
      ratings: row.ratings,
      positiveThreshold: row.positive_threshold,
      loadedAt: row.loaded_at,
    };
  }

  /** Genres of the loaded edition, by name (genres, primary key). */
  genres(): Promise<string[]> {
    return this.cached('genres', async () => {
      const rows = await this.db.selectFrom('genres').select('name').orderBy('name').execute();
      return rows.map((r) => r.name);
    });
  }

  /** How many users, and the first and last id (users primary key). */
  private userBounds(): Promise<{ count: number; first: number | null; last: number | null }> {
    return this.cached('users', () =>
      this.db
        .selectFrom('users')
        .select([
          sql<number>`count(*)::int`.as('count'),
          sql<number | null>`min(id)`.as('first'),
          sql<number | null>`max(id)`.as('last'),
        ])
        .executeTakeFirstOrThrow(),
    );
  }

  /** A user chosen uniformly (users primary key: one row at a random offset). */
  async randomUserId(random = Math.random): Promise<number | undefined> {
    const { count } = await this.userBounds();
    if (count === 0) return undefined;
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .orderBy('id')
      .offset(Math.floor(random() * count))
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  async user(id: number): Promise<User | undefined> {
    return this.db
      .selectFrom('users')
      .select(['id', 'age', 'gender', 'occupation'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The users before and after `id`, wrapping around at the ends (users primary key). */
  async neighbourUsers(id: number): Promise<{ previous: number; next: number }> {
    const [row, bounds] = await Promise.all([
      this.db
        .selectNoFrom([
          sql<number | null>`(select max(id) from users where id < ${id})`.as('previous'),
          sql<number | null>`(select min(id) from users where id > ${id})`.as('next'),
        ])
        .executeTakeFirstOrThrow(),
      this.userBounds(),
    ]);
    return { previous: row.previous ?? bounds.last ?? id, next: row.next ?? bounds.first ?? id };
  }

  /** How many reviews the user gave at each rating value (ratings_by_user). */
  async ratingCounts(userId: number): Promise<{ rating: number; count: number }[]> {
    return this.db
      .selectFrom('ratings')
      .select(['rating', sql<number>`count(*)::int`.as('count')])
      .where('user_id', '=', userId)
      .groupBy('rating')
      .execute();
  }

  /** The user's highest-rated movies, newest first among equals (ratings_by_user). */
  async topReviews(userId: number, limit: number): Promise<Review[]> {
    const rows = await this.db
      .selectFrom('ratings')
      .innerJoin('movies', 'movies.id', 'ratings.movie_id')
      .select([...movieColumns, 'ratings.rating'])
      .where('ratings.user_id', '=', userId)
      .orderBy('ratings.rating', 'desc')
      .orderBy('ratings.rated_at', 'desc')
      .orderBy('ratings.movie_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ movie: toMovie(row), rating: row.rating }));
  }

  /** The most-rated-positive movies, in a genre or all (movies_popularity, movies_genres). */
  async popularMovies(genre: string | undefined, limit: number): Promise<Movie[]> {
    let query = this.db.selectFrom('movies').select(movieColumns);
    if (genre !== undefined) query = query.where('genres', '@>', sql<string[]>`array[${genre}]::text[]`);
    const rows = await query.orderBy('positive_count', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toMovie);
  }

  /** The ids of a genre's movies (movies_genres), read once per DATA_CACHE_MS: the Genre control's filter. */
  movieIdsInGenre(genre: string): Promise<ReadonlySet<number>> {
    return this.cached(`genre:${genre}`, async () => {
      const rows = await this.db
        .selectFrom('movies')
        .select('id')
        .where('genres', '@>', sql<string[]>`array[${genre}]::text[]`)
        .execute();
      return new Set(rows.map((row) => row.id));
    });
  }

  async movie(id: number): Promise<Movie | undefined> {
    const row = await this.db.selectFrom('movies').select(movieColumns).where('id', '=', id).executeTakeFirst();
    return row && toMovie(row);
  }

  /** Movies by id, in the order asked; unknown ids are left out (movies primary key). */
  async moviesInOrder(ids: readonly number[]): Promise<Movie[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('movies')
      .select(movieColumns)
      .where('id', '=', sql<number>`any(${[...ids]}::int[])`)
      .execute();
    const byId = new Map(rows.map((row) => [row.id, toMovie(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
}
