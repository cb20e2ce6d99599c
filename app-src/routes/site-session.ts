/**
 * The attendee's own user (issue 18), as the site's forms see it: which site user this browser
 * is (a signed cookie holding the user's id and secret), and the CSRF token of the site's forms
 * that change something (Start as a new user, rating). The token is an HMAC of a random secret
 * kept in a signed cookie of its own, as the admin login form's is (routes/admin.ts).
 */
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app';
import { csrfToken, csrfTokenValid } from '../auth';
import { randomToken } from '../db/admin-sessions';
import type { User } from '../db/queries';
import { type Requester, SiteUsers } from '../db/site-users';
import { HttpError } from '../http';

export const SITE_USER_COOKIE = 'movierecs_user';
export const SITE_CSRF_COOKIE = 'movierecs_site_csrf';
/** How long the browser keeps the attendee's user: the workshop and a few weeks after. */
export const SITE_USER_DAYS = 30;

/**
 * Site users allowed per browser, per client address, and in all (AppDeps.siteUsers overrides
 * them). A workshop room usually reaches the site through one address (the venue's NAT): the
 * per-address bound is for a room, the per-browser one for an attendee.
 */
export const SITE_USERS_PER_BROWSER = 5;
export const SITE_USERS_PER_CLIENT = 100;
export const SITE_USERS_TOTAL = 500;
/** Ratings one site user may give. */
export const SITE_RATINGS_PER_USER = 500;

export const SITE_CSRF_MESSAGE =
  'The form has expired or did not come from this site (its CSRF token is missing or wrong). Reload the page and try again.';

/** Movies skipped on the onboarding page, kept per user (in memory, on this instance). */
export const MAX_SKIPS = 1000;

/** What the Start form may ask: the edition's genders and occupations (ml-100k's u.user); none for ml-latest. */
export interface ProfileOptions {
  readonly genders: readonly string[];
  readonly occupations: readonly string[];
}

export class SiteSession {
  readonly users: SiteUsers;
  private readonly skipped = new Map<number, Set<number>>();
  private profiles: { at: number; value: Promise<ProfileOptions | undefined> } | undefined;
  private readonly secrets = new WeakMap<FastifyRequest, string>();
  private readonly current = new WeakMap<FastifyRequest, Promise<User | undefined>>();
  private readonly secure: boolean;

  constructor(private readonly deps: AppDeps) {
    this.users = new SiteUsers(deps.database.db);
    this.secure = deps.https ?? deps.admin.secureCookies ?? false;
  }

  get bounds(): { perBrowser: number; perClient: number; total: number; maxRatings: number } {
    return {
      perBrowser: this.deps.siteUsers?.perBrowser ?? SITE_USERS_PER_BROWSER,
      perClient: this.deps.siteUsers?.perClient ?? SITE_USERS_PER_CLIENT,
      total: this.deps.siteUsers?.total ?? SITE_USERS_TOTAL,
      maxRatings: this.deps.siteUsers?.maxRatings ?? SITE_RATINGS_PER_USER,
    };
  }

  /**
   * Who asks, as tags (HMACs): the browser (its site CSRF secret, which the form's check has just
   * required) and the client's address, for the bounds, without storing either.
   */
  requester(request: FastifyRequest): Requester {
    const tag = (text: string) => createHmac('sha256', this.deps.admin.sessionSecret).update(text).digest('base64url');
    return { browserTag: tag(`browser:${this.csrfSecret(request) ?? ''}`), clientTag: tag(`client:${request.ip}`) };
  }

  private cookieOptions(maxAgeSeconds?: number) {
    return {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.secure,
      signed: true,
      ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
    };
  }

  private signed(request: FastifyRequest, name: string): string | undefined {
    const raw = request.cookies[name];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : undefined;
  }

  /** The token for the site's forms on this page; sets the secret's cookie when there is none yet. */
  formToken(request: FastifyRequest, reply: FastifyReply): string {
    let secret = this.secrets.get(request) ?? this.csrfSecret(request);
    if (!secret) {
      secret = randomToken();
      this.secrets.set(request, secret);
      void reply.setCookie(SITE_CSRF_COOKIE, secret, { ...this.cookieOptions(), sameSite: 'strict' });
    }
    return csrfToken(this.deps.admin.sessionSecret, 'site', secret);
  }

  private csrfSecret(request: FastifyRequest): string | undefined {
    const value = this.signed(request, SITE_CSRF_COOKIE);
    return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
  }

  /** A preValidation hook: the form's `_csrf` must fit this browser's secret, or a 403 page. */
  readonly checkCsrf = async (request: FastifyRequest): Promise<void> => {
    const token = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    const secret = this.csrfSecret(request);
    if (typeof token !== 'string' || !secret || !csrfTokenValid(this.deps.admin.sessionSecret, 'site', secret, token))
      throw new HttpError(403, SITE_CSRF_MESSAGE);
  };

  /** This browser's own site user, or undefined (no cookie, a forged one, a deleted user). */
  user(request: FastifyRequest): Promise<User | undefined> {
    let found = this.current.get(request);
    if (!found) {
      const value = this.signed(request, SITE_USER_COOKIE);
      const match = value === undefined ? null : /^(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(value);
      found = match ? this.users.authenticate(Number(match[1]), match[2]) : Promise.resolve(undefined);
      this.current.set(request, found);
    }
    return found;
  }

  /** Onboarding's Skip: the movie is not offered to the user again (on this instance). */
  skip(userId: number, movieId: number): void {
    const set = this.skipped.get(userId) ?? new Set<number>();
    if (set.size < MAX_SKIPS) set.add(movieId);
    this.skipped.set(userId, set);
  }

  skips(userId: number): ReadonlySet<number> {
    return this.skipped.get(userId) ?? new Set();
  }

  /** Forgets what is kept in memory of a deleted user. */
  forget(userId: number): void {
    this.skipped.delete(userId);
  }

  /** The profile fields the edition has (cached 10 s, as the data summary is); undefined: none. */
  profileOptions(): Promise<ProfileOptions | undefined> {
    if (!this.profiles || Date.now() - this.profiles.at > 10_000) {
      const db = this.deps.database.db;
      const value = Promise.all([
        db.selectFrom('users').select('gender').distinct().where('gender', 'is not', null).orderBy('gender').execute(),
        db
          .selectFrom('users')
          .select('occupation')
          .distinct()
          .where('occupation', 'is not', null)
          .orderBy('occupation')
          .execute(),
      ]).then(([genders, occupations]) =>
        genders.length === 0 && occupations.length === 0
          ? undefined
          : { genders: genders.map((g) => g.gender!), occupations: occupations.map((o) => o.occupation!) },
      );
      this.profiles = { at: Date.now(), value };
      value.catch(() => (this.profiles = undefined));
    }
    return this.profiles.value;
  }

  /** Keeps the new user in this browser. */
  remember(reply: FastifyReply, id: number, secret: string): void {
    void reply.setCookie(SITE_USER_COOKIE, `${id}.${secret}`, this.cookieOptions(SITE_USER_DAYS * 86400));
  }

  /** The user the address names must be this browser's own, or a 403 page. */
  async requireOwn(request: FastifyRequest, userId: number): Promise<User> {
    const own = await this.user(request);
    if (!own || own.id !== userId) {
      throw new HttpError(
        403,
        own
          ? `User ${userId} is not yours: you can rate as your own user, ${own.id}, only.`
          : `User ${userId} is not yours: ratings can be given only by a user you started on this site (Start as a new user on the front page).`,
      );
    }
    return own;
  }
}
