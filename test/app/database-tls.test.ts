/**
 * TLS to the database as on an instance (RDS for PostgreSQL 15+ forces it): the connection asks
 * for TLS, checks the server's chain against the CA file the bootstrap downloads, and checks the
 * server's name. The server here speaks just enough of the PostgreSQL protocol (SSLRequest, then a
 * TLS handshake, then an error response naming itself) to tell a verified connection from a refused
 * one; certificates are made per run with Debian's openssl.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { connectDatabase, ping } from '../../app-src/db/connect';

const SSL_REQUEST_CODE = 80877103;
const REACHED = 'fake server: TLS verified, startup message received';

interface Pki {
  readonly caCert: string;
  readonly serverKey: string;
  readonly serverCert: string;
}

/** A CA and a server certificate it signs for `name` (an IP address SAN). */
function makePki(dir: string, name: string, label: string): Pki {
  const file = (f: string) => path.join(dir, `${label}-${f}`);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${label} test CA`,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  fs.writeFileSync(file('ext.cnf'), `subjectAltName=IP:${name}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('server.pem'),
  );
  return {
    caCert: fs.readFileSync(file('ca.pem'), 'utf8'),
    serverKey: fs.readFileSync(file('server.key'), 'utf8'),
    serverCert: fs.readFileSync(file('server.pem'), 'utf8'),
  };
}

/** ErrorResponse (FATAL, 28000, message). */
function errorResponse(message: string): Buffer {
  const fields = Buffer.concat([Buffer.from('SFATAL\0C28000\0M' + message + '\0', 'utf8'), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/** Answers SSLRequest with 'S', completes TLS with `pki`, and refuses the startup with REACHED. */
function fakeTlsPostgres(pki: Pki): Promise<{ port: number; close: () => Promise<void>; plainStarts: () => number }> {
  let plain = 0;
  const server = net.createServer((socket) => {
    socket.once('data', (first) => {
      if (first.length >= 8 && first.readInt32BE(4) === SSL_REQUEST_CODE) {
        socket.write('S');
        const secure = new tls.TLSSocket(socket, { isServer: true, key: pki.serverKey, cert: pki.serverCert });
        secure.on('error', () => undefined);
        secure.once('data', () => secure.end(errorResponse(REACHED)));
      } else {
        plain += 1;
        socket.end(errorResponse('fake server: plain-text startup'));
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        port,
        plainStarts: () => plain,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

let dir: string;
let trusted: Pki;
let other: Pki;
let wrongName: Pki;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-tls-'));
  trusted = makePki(dir, '127.0.0.1', 'trusted');
  other = makePki(dir, '127.0.0.1', 'other');
  wrongName = makePki(dir, '10.9.8.7', 'wrong-name');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function pingWith(pki: Pki, ca: string | undefined): Promise<string> {
  const server = await fakeTlsPostgres(pki);
  const handle = connectDatabase({
    url: `postgres://movierecs:pw@127.0.0.1:${server.port}/movierecs`,
    ...(ca === undefined ? {} : { ssl: { ca } }),
  });
  try {
    await ping(handle);
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await handle.close();
    await server.close();
  }
}

describe('TLS to the database with the CA file', () => {
  it('completes the handshake with a server whose certificate the CA file signs for its address', async () => {
    expect(await pingWith(trusted, trusted.caCert)).toBe(REACHED);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    expect(await pingWith(other, trusted.caCert)).toMatch(/self[- ]signed|unable to verify|certificate/i);
  });

  it("refuses a server whose certificate names another host (the RDS endpoint's name is checked)", async () => {
    const message = await pingWith(wrongName, wrongName.caCert);
    expect(message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/i);
  });

  it('without a CA file (npm start, a laptop) it does not ask for TLS', async () => {
    const server = await fakeTlsPostgres(trusted);
    const handle = connectDatabase({ url: `postgres://movierecs:pw@127.0.0.1:${server.port}/movierecs` });
    await expect(ping(handle)).rejects.toThrow('fake server: plain-text startup');
    expect(server.plainStarts()).toBe(1);
    await handle.close();
    await server.close();
  });
});
