/**
 * Frozen migrations: once released, a migration is never edited; a change is a new one. Kysely's
 * Migrator records what ran in its own table and takes its own lock, so two instances starting
 * together migrate once.
 */
import { Kysely, sql } from 'kysely';
import { Migration, MigrationProvider, Migrator } from 'kysely/migration';
import type { Database } from './schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('movies')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('year', 'integer')
        .addColumn('genres', sql`text[]`, (c) => c.notNull())
        .addColumn('rating_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('positive_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // "Most popular" (All) and "most popular in <genre>": the genre filter uses the GIN index.
      await db.schema.createIndex('movies_popularity').on('movies').columns(['positive_count desc', 'id']).execute();
      await db.schema.createIndex('movies_genres').on('movies').using('gin').column('genres').execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('age', 'integer')
        .addColumn('gender', 'text')
        .addColumn('occupation', 'text')
        .addColumn('zip', 'text')
        .execute();

      await db.schema
        .createTable('ratings')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('movie_id', 'integer', (c) => c.notNull())
        .addColumn('rating', 'real', (c) => c.notNull())
        .addColumn('rated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The user page: top reviews, review summary, the base movie of Similar Items.
      await db.schema
        .createIndex('ratings_by_user')
        .on('ratings')
        .columns(['user_id', 'rating desc', 'rated_at desc', 'movie_id'])
        .execute();

      await db.schema
        .createTable('genres')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('movie_count', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('models')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('campaign_arn', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('recommend', 'ranking', 'sims')`))
        .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('data_load')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('manifest_sha256', 'text', (c) => c.notNull())
        .addColumn('edition', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('positive_threshold', 'real', (c) => c.notNull())
        .addColumn('users', 'integer', (c) => c.notNull())
        .addColumn('movies', 'integer', (c) => c.notNull())
        .addColumn('ratings', 'integer', (c) => c.notNull())
        .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['data_load', 'models', 'genres', 'ratings', 'users', 'movies']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  '0002_admin_sessions': {
    async up(db: Kysely<any>) {
      // Server-side admin sessions: shared by every instance, ended by logout or a new password.
      await db.schema
        .createTable('admin_sessions')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('csrf_secret', 'text', (c) => c.notNull())
        .addColumn('password_tag', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('admin_sessions_expiry').on('admin_sessions').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('admin_sessions').execute();
    },
  },
  '0003_ratings_by_movie': {
    async up(db: Kysely<any>) {
      // The movie page: its star counts and the users who rated it highest, newest first among
      // equals, read from the index alone (without it, a scan of every rating: 25 million on ml-25m).
      await db.schema
        .createIndex('ratings_by_movie')
        .on('ratings')
        .columns(['movie_id', 'rating desc', 'rated_at desc', 'user_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('ratings_by_movie').execute();
    },
  },
  '0004_site_users': {
    async up(db: Kysely<any>) {
      // Users created on the site by attendees (issue 18), apart from the loaded users and ratings:
      // a data load deletes and reloads those, and MovieLens users stay as the data has them.
      await db.schema
        .createTable('site_users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        // The cookie holds the id and a random secret; only the secret's SHA-256 is stored.
        .addColumn('secret_sha256', 'text', (c) => c.notNull())
        // An HMAC of the client's address: the per-address bound, without storing the address.
        .addColumn('client_tag', 'text', (c) => c.notNull())
        // An HMAC of the browser's site cookie secret: the per-browser bound.
        .addColumn('browser_tag', 'text', (c) => c.notNull())
        .addColumn('age', 'integer')
        .addColumn('gender', 'text')
        .addColumn('occupation', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        // The movie ids each row showed at the user's previous view (JSON), to mark what changed.
        .addColumn('last_view', 'text')
        .execute();
      await db.schema.createIndex('site_users_by_client').on('site_users').column('client_tag').execute();
      await db.schema.createIndex('site_users_by_browser').on('site_users').column('browser_tag').execute();
      await db.schema
        .createTable('site_ratings')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('site_users.id').onDelete('cascade'))
        .addColumn('movie_id', 'integer', (c) => c.notNull())
        .addColumn('rating', 'real', (c) => c.notNull())
        .addColumn('rated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('site_ratings_pkey', ['user_id', 'movie_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('site_ratings').execute();
      await db.schema.dropTable('site_users').execute();
    },
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the database to the latest migration; the error names the migration that failed. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(
      `database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${(error as Error).message ?? error}`,
      { cause: error },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
