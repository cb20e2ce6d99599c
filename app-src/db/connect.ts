/**
 * The database connection: `pg` under Kysely, for a real PostgreSQL (RDS, Debian's, a laptop's)
 * and for the embedded one alike. The embedded PGlite is served over the wire protocol by
 * @electric-sql/pglite-socket, so the app has one database code path. Two differences remain, both
 * measured: PGlite is one session, so the pool holds one connection; and its socket server does
 * not speak COPY FROM STDIN ("protocol synchronization was lost"), so the loader inserts batches
 * there instead of COPY.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly pool: pg.Pool;
  /** False for the embedded database (see above). */
  readonly supportsCopy: boolean;
  /** For messages: the URL without its password. */
  readonly description: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly url: string;
  readonly maxConnections?: number;
  readonly supportsCopy?: boolean;
  /** TLS with this certificate bundle (RDS: its CA bundle); the server's name and chain are checked. */
  readonly ssl?: { readonly ca: string };
  /** For messages, instead of the URL without its password. */
  readonly description?: string;
  /** Never close idle connections (pg's default closes them after 10 s). */
  readonly keepIdleConnections?: boolean;
  /** Run when the handle closes (stops an embedded server). */
  readonly onClose?: () => Promise<void>;
}

export function connectDatabase(options: ConnectOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(options.keepIdleConnections ? { idleTimeoutMillis: 0 } : {}),
    ...(options.ssl ? { ssl: { ca: options.ssl.ca, rejectUnauthorized: true } } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query fails instead.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;
  return {
    db,
    pool,
    supportsCopy: options.supportsCopy ?? true,
    description: options.description ?? redactUrl(options.url),
    close() {
      closed ??= (async () => {
        await db.destroy();
        await options.onClose?.();
      })();
      return closed;
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a database URL that does not parse)';
  }
}

/** A database ping for /healthz. */
export async function ping(handle: DatabaseHandle): Promise<void> {
  await handle.pool.query('select 1');
}
