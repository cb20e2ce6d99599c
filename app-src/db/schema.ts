/**
 * The web database, as Kysely sees it. Tables are created by the frozen migrations in
 * migrations.ts; this interface must match what they create.
 */
import type { ColumnType, Generated } from 'kysely';

export interface MoviesTable {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  /** Ratings of the movie, and those above the positive threshold (popularity), set at load. */
  rating_count: number;
  positive_count: number;
}

export interface UsersTable {
  id: number;
  /** Null for editions without u.user (ml-latest): the user is known only from ratings. */
  age: number | null;
  gender: string | null;
  occupation: string | null;
  zip: string | null;
}

export interface RatingsTable {
  user_id: number;
  movie_id: number;
  rating: number;
  /** Unix seconds (int8: pg hands it over as a string, hence the select type). */
  rated_at: ColumnType<string, number, number>;
}

export interface GenresTable {
  name: string;
  movie_count: number;
}

/** Models an admin added in /admin/; merged with the local ones and the registry's. */
export interface ModelsTable {
  id: Generated<number>;
  name: string;
  campaign_arn: string;
  type: 'recommend' | 'ranking' | 'sims';
  sort_order: number;
  created_at: Generated<Date>;
}

/** One row (id 1): which manifest the data came from, and its counts, written with the data. */
export interface DataLoadTable {
  id: number;
  manifest_sha256: string;
  edition: string;
  source: string;
  positive_threshold: number;
  users: number;
  movies: number;
  ratings: number;
  loaded_at: Generated<Date>;
}

/** An admin's session (migration 0002): only the SHA-256 of the cookie's token is stored. */
export interface AdminSessionsTable {
  token_sha256: string;
  /** The session's CSRF secret: forms of this session carry an HMAC of it, no other session's. */
  csrf_secret: string;
  /** Which admin password the session was opened with (an HMAC): a new password ends older sessions. */
  password_tag: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

/** A user an attendee created on the site (migration 0004); ids above the loaded users'. */
export interface SiteUsersTable {
  id: number;
  secret_sha256: string;
  client_tag: string;
  browser_tag: string;
  age: number | null;
  gender: string | null;
  occupation: string | null;
  created_at: Generated<Date>;
  last_view: string | null;
}

/** A site user's rating (one per movie; rating again replaces it). */
export interface SiteRatingsTable {
  user_id: number;
  movie_id: number;
  rating: number;
  /** Unix milliseconds (a finer order than the loaded ratings' seconds: several ratings a minute). */
  rated_at: ColumnType<string, number, number>;
}

export interface Database {
  movies: MoviesTable;
  users: UsersTable;
  ratings: RatingsTable;
  genres: GenresTable;
  models: ModelsTable;
  data_load: DataLoadTable;
  admin_sessions: AdminSessionsTable;
  site_users: SiteUsersTable;
  site_ratings: SiteRatingsTable;
}
