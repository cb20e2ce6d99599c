/**
 * The embedded PostgreSQL of the local workshop: PGlite (Postgres compiled to WebAssembly,
 * in-process, nothing to install) served over the wire protocol, so the app talks to it with `pg`
 * exactly as to RDS. In memory unless a folder is given.
 *
 * The wire server has no authentication (any user, any password). So it listens on a unix socket
 * in a directory only this user may enter (0700, removed on close), never on a TCP port, where any
 * local process could connect and read or change the database, or take its connection slot.
 *
 * One connection: pglite-socket 0.2 accepts several (`maxConnections`) but queues them message
 * by message onto PGlite's one session, so the extended-protocol steps (parse, bind, execute) of
 * two connections could interleave; the server is kept at its default of one, and the pool too.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connectDatabase, DatabaseHandle } from './connect';

/** libpq's socket name: `<directory>/.s.PGSQL.<port>`; the port is only a name here. */
const SOCKET_PORT = 5432;

export async function startEmbeddedDatabase(options: { dataDir?: string } = {}): Promise<DatabaseHandle> {
  // pg finds a unix socket only under a path starting with "/": not on Windows, which keeps TCP on
  // 127.0.0.1 (with the server's one connection held by the app's pool from the start).
  if (process.platform === 'win32') return startOnLoopback(options);
  const socketDir = mkdtempSync(path.join(tmpdir(), 'movierecs-db-'));
  chmodSync(socketDir, 0o700);
  const removeSocketDir = () => rmSync(socketDir, { recursive: true, force: true });
  let pglite: PGlite | undefined;
  try {
    pglite = await PGlite.create(options.dataDir);
    const server = new PGLiteSocketServer({
      db: pglite,
      path: path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections: 1,
    });
    await server.start();
    const db = pglite;
    return connectDatabase({
      url: `postgres://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`,
      description: `embedded PGlite (${options.dataDir ?? 'in memory'}, socket in ${socketDir})`,
      maxConnections: 1,
      // The one connection is kept: released, its slot would be free for another local process.
      keepIdleConnections: true,
      supportsCopy: false,
      onClose: async () => {
        await server.stop();
        await db.close();
        removeSocketDir();
      },
    });
  } catch (error) {
    await pglite?.close().catch(() => undefined);
    removeSocketDir();
    throw error;
  }
}

async function startOnLoopback(options: { dataDir?: string }): Promise<DatabaseHandle> {
  const pglite = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return connectDatabase({
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    maxConnections: 1,
    keepIdleConnections: true,
    supportsCopy: false,
    onClose: async () => {
      await server.stop();
      await pglite.close();
    },
  });
}
