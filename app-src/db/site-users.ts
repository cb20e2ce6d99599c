/**
 * Users created on the site by attendees and their ratings (issue 18, migration 0004). Their ids
 * start above SITE_USER_ID_BASE (1,000,000) and above every loaded user's: the largest MovieLens
 * edition (ml-32m) has about 200,000 users, so even after a load of another edition no MovieLens
 * user is one of them, and an id says at a glance whose it is. A data load leaves them alone (it
 * deletes and reloads the loaded tables only).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import type { Database } from './schema';
import { toMovie, type Movie, type User } from './queries';
import type { LiveHistory } from '../recommenders/local';

/** One rating of a site user. */
export interface SiteRating {
  readonly movieId: number;
  readonly rating: number;
  /** Unix milliseconds. */
  readonly ratedAt: number;
}

/** A site user as the admin page lists them. */
export interface SiteUserSummary {
  readonly id: number;
  readonly createdAt: Date;
  readonly ratings: number;
  /** Unix milliseconds of the latest rating, or null. */
  readonly latestRating: number | null;
}

export interface SiteUserProfile {
  readonly age?: number;
  readonly gender?: string;
  readonly occupation?: string;
}

/** Why no user was created: this browser or this address has its share, or the site has all it allows. */
export type CreateRefusal = { readonly full: 'browser' | 'client' | 'site'; readonly limit: number };

/** Who asks: tags (HMACs) of the browser's cookie secret and of the client's address. */
export interface Requester {
  readonly browserTag: string;
  readonly clientTag: string;
}

export interface CreateBounds {
  readonly perBrowser: number;
  readonly perClient: number;
  readonly total: number;
}

/** Site users' ids are above this one (and above every loaded user's). */
export const SITE_USER_ID_BASE = 1_000_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class SiteUsers {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * A new site user for `requester` within the bounds, with the next id above every
   * loaded and site user; its secret (for the cookie) is returned once and stored hashed. Two
   * instances creating at once may pick the same id: the loser tries again with the next one.
   */
  async create(
    requester: Requester,
    bounds: CreateBounds,
    profile: SiteUserProfile = {},
  ): Promise<{ id: number; secret: string } | CreateRefusal> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const counts = await trx
            .selectFrom('site_users')
            .select([
              sql<number>`count(*)::int`.as('total'),
              sql<number>`(count(*) filter (where client_tag = ${requester.clientTag}))::int`.as('client'),
              sql<number>`(count(*) filter (where browser_tag = ${requester.browserTag}))::int`.as('browser'),
              sql<number | null>`max(id)`.as('last'),
            ])
            .executeTakeFirstOrThrow();
          if (counts.total >= bounds.total) return { full: 'site' as const, limit: bounds.total };
          if (counts.browser >= bounds.perBrowser) return { full: 'browser' as const, limit: bounds.perBrowser };
          if (counts.client >= bounds.perClient) return { full: 'client' as const, limit: bounds.perClient };
          const loaded = await trx
            .selectFrom('users')
            .select(sql<number | null>`max(id)`.as('last'))
            .executeTakeFirstOrThrow();
          const id = Math.max(SITE_USER_ID_BASE, loaded.last ?? 0, counts.last ?? 0) + 1;
          const secret = randomBytes(32).toString('base64url');
          await trx
            .insertInto('site_users')
            .values({
              id,
              secret_sha256: sha256(secret),
              client_tag: requester.clientTag,
              browser_tag: requester.browserTag,
              age: profile.age ?? null,
              gender: profile.gender ?? null,
              occupation: profile.occupation ?? null,
            })
            .execute();
          return { id, secret };
        });
      } catch (error) {
        // 23505: unique violation (another instance took the id first).
        if ((error as { code?: string }).code !== '23505' || attempt >= 3) throw error;
      }
    }
  }

  /** The site user the cookie's id and secret name, or undefined (unknown id, wrong secret, deleted). */
  async authenticate(id: number, secret: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('site_users')
      .select(['id', 'age', 'gender', 'occupation', 'secret_sha256'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const expected = Buffer.from(row.secret_sha256);
    const actual = Buffer.from(sha256(secret));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { id: row.id, age: row.age, gender: row.gender, occupation: row.occupation };
  }

  /** The site user `id` as the user page shows them, or undefined. */
  async user(id: number): Promise<User | undefined> {
    return this.db
      .selectFrom('site_users')
      .select(['id', 'age', 'gender', 'occupation'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Rates (or rates again) a movie; false when the user has `maxRatings` other ratings already. */
  async rate(userId: number, movieId: number, rating: number, ratedAt: number, maxRatings: number): Promise<boolean> {
    const { count } = await this.db
      .selectFrom('site_ratings')
      .select(sql<number>`count(*)::int`.as('count'))
      .where('user_id', '=', userId)
      .where('movie_id', '<>', movieId)
      .executeTakeFirstOrThrow();
    if (count >= maxRatings) return false;
    await this.db
      .insertInto('site_ratings')
      .values({ user_id: userId, movie_id: movieId, rating, rated_at: ratedAt })
      .onConflict((c) => c.columns(['user_id', 'movie_id']).doUpdateSet({ rating, rated_at: ratedAt }))
      .execute();
    return true;
  }

  /** Every rating of the user, oldest first (then by movie id). */
  async ratings(userId: number): Promise<SiteRating[]> {
    const rows = await this.db
      .selectFrom('site_ratings')
      .select(['movie_id', 'rating', 'rated_at'])
      .where('user_id', '=', userId)
      .orderBy('rated_at')
      .orderBy('movie_id')
      .execute();
    return rows.map((r) => ({ movieId: r.movie_id, rating: r.rating, ratedAt: Number(r.rated_at) }));
  }

  /** How many ratings the user gave at each value (the user page's summary). */
  async ratingCounts(userId: number): Promise<{ rating: number; count: number }[]> {
    return this.db
      .selectFrom('site_ratings')
      .select(['rating', sql<number>`count(*)::int`.as('count')])
      .where('user_id', '=', userId)
      .groupBy('rating')
      .execute();
  }

  /** The user's ratings with their movies, latest first (the user page's reviews row). */
  async reviews(userId: number, limit: number): Promise<{ movie: Movie; rating: number }[]> {
    const rows = await this.db
      .selectFrom('site_ratings')
      .innerJoin('movies', 'movies.id', 'site_ratings.movie_id')
      .select([
        'movies.id',
        'movies.title',
        'movies.year',
        'movies.genres',
        'movies.positive_count',
        'site_ratings.rating',
      ])
      .where('site_ratings.user_id', '=', userId)
      .orderBy('site_ratings.rated_at', 'desc')
      .orderBy('site_ratings.movie_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ movie: toMovie(row), rating: row.rating }));
  }

  /**
   * What the live local models read: the positives (above `positiveThreshold`) oldest first, and
   * every rated movie; undefined when `userId` is no site user.
   */
  async history(userId: number, positiveThreshold: number): Promise<LiveHistory | undefined> {
    if (!(await this.user(userId))) return undefined;
    const ratings = await this.ratings(userId);
    return {
      positives: ratings.filter((r) => r.rating > positiveThreshold).map((r) => r.movieId),
      rated: ratings.map((r) => r.movieId),
    };
  }

  /** Every site user, newest first, with their rating count (the admin page). */
  async list(): Promise<SiteUserSummary[]> {
    const rows = await this.db
      .selectFrom('site_users')
      .leftJoin('site_ratings', 'site_ratings.user_id', 'site_users.id')
      .select([
        'site_users.id',
        'site_users.created_at',
        sql<number>`count(site_ratings.movie_id)::int`.as('ratings'),
        sql<string | null>`max(site_ratings.rated_at)`.as('latest'),
      ])
      .groupBy(['site_users.id', 'site_users.created_at'])
      .orderBy('site_users.id', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      ratings: r.ratings,
      latestRating: r.latest === null ? null : Number(r.latest),
    }));
  }

  /** Deletes the user and their ratings; false when there was none. */
  async remove(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('site_ratings').where('user_id', '=', id).execute();
      const result = await trx.deleteFrom('site_users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /**
   * Onboarding: per genre (by name), the `perGenre` most-rated movies the user has not rated yet,
   * most rated first: the well-known ones, which an attendee is likely to have seen.
   */
  async wellKnownByGenre(userId: number, perGenre: number): Promise<{ genre: string; movies: Movie[] }[]> {
    const rows = await this.db
      .selectFrom((eb) =>
        eb
          .selectFrom('genres')
          .innerJoin('movies', (join) => join.on(sql<boolean>`movies.genres @> array[genres.name]::text[]`))
          .select([
            'genres.name as genre',
            'movies.id',
            'movies.title',
            'movies.year',
            'movies.genres',
            'movies.positive_count',
            sql<number>`row_number() over (partition by genres.name order by movies.rating_count desc, movies.id)`.as(
              'place',
            ),
          ])
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('site_ratings')
                  .select('site_ratings.movie_id')
                  .where('site_ratings.user_id', '=', userId)
                  .whereRef('site_ratings.movie_id', '=', 'movies.id'),
              ),
            ),
          )
          .as('ranked'),
      )
      .selectAll()
      .where('place', '<=', perGenre)
      .orderBy('genre')
      .orderBy('place')
      .execute();
    const byGenre = new Map<string, Movie[]>();
    for (const row of rows) {
      const list = byGenre.get(row.genre) ?? [];
      list.push(toMovie(row));
      byGenre.set(row.genre, list);
    }
    return [...byGenre].map(([genre, movies]) => ({ genre, movies }));
  }

  /** The movie ids each row showed at the previous view (point 4), or {}. */
  async lastView(id: number): Promise<Record<string, number[]>> {
    const row = await this.db.selectFrom('site_users').select('last_view').where('id', '=', id).executeTakeFirst();
    if (!row?.last_view) return {};
    try {
      const parsed = JSON.parse(row.last_view) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return {};
      // Only lists of movie ids: anything else (a hand edit) is as if there were no previous view.
      return Object.fromEntries(
        Object.entries(parsed).filter(([, ids]) => Array.isArray(ids) && ids.every((id) => Number.isInteger(id))) as [
          string,
          number[],
        ][],
      );
    } catch {
      return {};
    }
  }

  async saveView(id: number, view: Record<string, number[]>): Promise<void> {
    await this.db
      .updateTable('site_users')
      .set({ last_view: JSON.stringify(view) })
      .where('id', '=', id)
      .execute();
  }
}
