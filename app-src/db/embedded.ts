/**
 * The embedded PostgreSQL of the local workshop: PGlite (Postgres compiled to WebAssembly,
 * in-process, nothing to install) served on 127.0.0.1 over the wire protocol, so the app talks
 * to it with `pg` exactly as to RDS. In memory unless a folder is given.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { AddressInfo } from 'node:net';
import { connectDatabase, DatabaseHandle } from './connect';

export async function startEmbeddedDatabase(options: { dataDir?: string } = {}): Promise<DatabaseHandle> {
  const pglite = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return connectDatabase({
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    // PGlite is a single session: two connections would interleave their transactions.
    maxConnections: 1,
    supportsCopy: false,
    onClose: async () => {
      await server.stop();
      await pglite.close();
    },
  });
}
