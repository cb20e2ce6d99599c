/**
 * The admin's password and session. The password is compared against a memory-hard scrypt hash
 * (Node's own: no native build, so the same bundle runs on arm64 instances), in constant time.
 * Sessions are kept in the database (db/admin-sessions.ts); app.ts sets the cookies' flags.
 */
import { createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, ScryptOptions } from 'node:crypto';

/**
 * OWASP's Password Storage Cheat Sheet minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, a
 * few hundred milliseconds per check; logins are rate-limited). The hash records its parameters.
 */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$<N>$<r>$<p>$<salt b64>$<key b64>` */
export async function hashPassword(
  password: string,
  params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt')
    throw new Error('the stored admin password hash is not an scrypt hash');
  const [, n, r, p, salt, key] = parts;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password for the local workshop, printed at start: 20 characters, no look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A password check refused because too many are running and waiting already. */
export class BusyError extends Error {
  constructor() {
    super('too many password checks are running');
    this.name = 'BusyError';
  }
}

/**
 * At most `maxRunning` tasks at once and `maxQueued` waiting; more are refused at once (BusyError).
 * Each password check holds 128 MiB for a few hundred milliseconds: unbounded, a burst of logins
 * from many addresses (each within its rate limit) would exhaust memory and CPU.
 */
export class Bounded {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    readonly maxRunning: number,
    readonly maxQueued: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.maxRunning) this.running++;
    else if (this.waiting.length < this.maxQueued) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new BusyError();
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Process-wide: every app in this process shares the two running checks and the queue of eight. */
export const PASSWORD_CHECKS = new Bounded(2, 8);

export const SESSION_COOKIE = 'movierecs_admin';
export const SESSION_HOURS = 8;

export const CSRF_COOKIE = 'movierecs_csrf';

/** Whose secret a CSRF token is made of: the admin session's, the login form's, the site forms' (issue 18). */
export type CsrfPurpose = 'session' | 'login' | 'site';

/** A form's CSRF token: an HMAC of the secret it belongs to (the session's, or the login form's). */
export function csrfToken(key: string, purpose: CsrfPurpose, secret: string): string {
  return createHmac('sha256', key).update(`csrf:${purpose}:${secret}`).digest('base64url');
}

export function csrfTokenValid(key: string, purpose: CsrfPurpose, secret: string, token: string): boolean {
  const expected = Buffer.from(csrfToken(key, purpose, secret));
  const actual = Buffer.from(token);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Which admin password sessions were opened with: an HMAC keyed by the session secret, so the
 * database alone gives nothing to guess the password from. Every instance computes the same tag.
 */
export function passwordTag(sessionSecret: string, password: string): string {
  return createHmac('sha256', sessionSecret).update(`admin-password:${password}`).digest('hex');
}
