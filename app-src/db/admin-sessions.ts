/**
 * Admin sessions, kept in the database so that every instance knows them and logout ends them.
 * The cookie holds a random token; the table holds its SHA-256 (a leaked table opens no session),
 * the session's CSRF secret, when it expires, and a tag of the admin password it was opened with.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface AdminSession {
  readonly tokenSha256: string;
  readonly csrfSecret: string;
  readonly expiresAt: Date;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export class AdminSessions {
  constructor(
    private readonly db: Kysely<Database>,
    /** The current admin password's tag: sessions opened with another password are not found. */
    private readonly passwordTag: string,
    private readonly lifetimeMs: number,
  ) {}

  /** Opens a session; returns the token for the cookie. Expired sessions are removed meanwhile. */
  async open(now = new Date()): Promise<{ token: string; session: AdminSession }> {
    const token = randomToken();
    const session = {
      tokenSha256: sha256(token),
      csrfSecret: randomToken(),
      expiresAt: new Date(now.getTime() + this.lifetimeMs),
    };
    await this.db.deleteFrom('admin_sessions').where('expires_at', '<=', now).execute();
    await this.db
      .insertInto('admin_sessions')
      .values({
        token_sha256: session.tokenSha256,
        csrf_secret: session.csrfSecret,
        password_tag: this.passwordTag,
        expires_at: session.expiresAt,
      })
      .execute();
    return { token, session };
  }

  /** The live session of a cookie's token, if any. */
  async find(token: string, now = new Date()): Promise<AdminSession | undefined> {
    const row = await this.db
      .selectFrom('admin_sessions')
      .select(['token_sha256', 'csrf_secret', 'expires_at'])
      .where('token_sha256', '=', sha256(token))
      .where('password_tag', '=', this.passwordTag)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && { tokenSha256: row.token_sha256, csrfSecret: row.csrf_secret, expiresAt: new Date(row.expires_at) };
  }

  async close(token: string): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where('token_sha256', '=', sha256(token)).execute();
  }

  /** Ends every session opened with another admin password (run at start, after the password is known). */
  async closeOthers(): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where('password_tag', '<>', this.passwordTag).execute();
  }
}
