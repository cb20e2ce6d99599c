/**
 * Every query the pages run, each served by an index of migrations.ts (named beside it).
 * `count(*)` is a string in pg: counts are cast to int in SQL.
 */
import { Kysely, sql } from 'kysely';
import type { Database } from './schema';

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

function toMovie(row: {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  positive_count: number;
}): Movie {
  return { id: row.id, title: row.title, year: row.year, genres: row.genres, positiveCount: row.positive_count };
}

export class Queries {
  constructor(private readonly db: Kysely<Database>) {}

  /** The counts written with the data in the load transaction (data_load, primary key). */
  async dataSummary(): Promise<DataSummary | undefined> {
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
  async genres(): Promise<string[]> {
    const rows = await this.db.selectFrom('genres').select('name').orderBy('name').execute();
    return rows.map((r) => r.name);
  }

  /** A user chosen uniformly (users primary key: count, then one row at an offset). */
  async randomUserId(random = Math.random): Promise<number | undefined> {
    const { count } = await this.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('count'))
      .executeTakeFirstOrThrow();
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
    const [previous, next, first, last] = await Promise.all([
      this.db.selectFrom('users').select('id').where('id', '<', id).orderBy('id', 'desc').limit(1).executeTakeFirst(),
      this.db.selectFrom('users').select('id').where('id', '>', id).orderBy('id').limit(1).executeTakeFirst(),
      this.db.selectFrom('users').select('id').orderBy('id').limit(1).executeTakeFirst(),
      this.db.selectFrom('users').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst(),
    ]);
    return { previous: previous?.id ?? last?.id ?? id, next: next?.id ?? first?.id ?? id };
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
