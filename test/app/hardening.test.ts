/**
 * Issue 15 (web): the holes a review found, each pinned. Prototype names in allow-lists, control
 * characters, what /healthz tells strangers, the server's timeouts, and who may reach the embedded
 * database.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import {
  buildApp,
  CONTENT_SECURITY_POLICY,
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  SECURITY_HEADERS,
} from '../../app-src/app';
import { hashPassword } from '../../app-src/auth';
import type { DatabaseHandle } from '../../app-src/db/connect';
import { startEmbeddedDatabase } from '../../app-src/db/embedded';
import type { ModelCatalog } from '../../app-src/recommenders/catalog';
import type { Recommender } from '../../app-src/recommenders/port';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const PASSWORD = 'correct horse battery staple';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/attendee-recs';
const SECRET = 'a test secret that is long enough to sign cookies';

type Cookies = Record<string, string>;

/** A browser against one app: keeps cookies, reads the CSRF token of the last page. */
export function browserOf(app: FastifyInstance, ip = '10.9.0.1') {
  const cookies: Cookies = {};
  let token = '';
  const keep = (res: LightMyRequestResponse) => {
    for (const c of res.cookies as { name: string; value: string }[]) cookies[c.name] = c.value;
    const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (match) token = match[1];
    return res;
  };
  return {
    cookies,
    get token() {
      return token;
    },
    get: async (url: string) => keep(await app.inject({ method: 'GET', url, cookies, remoteAddress: ip })),
    post: async (url: string, form: Record<string, string>, csrf: string = token) =>
      keep(
        await app.inject({
          method: 'POST',
          url,
          cookies,
          remoteAddress: ip,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        }),
      ),
  };
}

/** An app over stand-ins: for what needs no data (health, timeouts, framework errors). */
export async function bareApp(
  options: {
    ping?: () => Promise<unknown>;
    requestLog?: (line: string) => void;
    view?: () => Promise<unknown>;
    trustProxy?: number;
    passwordHash?: string;
  } = {},
): Promise<FastifyInstance> {
  const database = {
    db: {},
    pool: { query: options.ping ?? (async () => ({ rows: [] })) },
    supportsCopy: false,
    description: 'stand-in',
    close: async () => undefined,
  } as unknown as DatabaseHandle;
  const catalog = {
    view: options.view ?? (async () => ({ models: [], problems: [] })),
    invalidate: () => undefined,
  } as unknown as ModelCatalog;
  const recommender: Recommender = {
    recommend: async () => [],
    rank: async (_m, _u, ids) => [...ids],
    similar: async () => [],
  };
  return buildApp({
    database,
    catalog,
    recommender,
    evaluationProtocol: 'none',
    admin: {
      passwordHash: options.passwordHash ?? (await hashPassword(PASSWORD, { N: 2 ** 10, r: 8, p: 1 })),
      sessionSecret: SECRET,
    },
    ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
  });
}

const FUNCTION_TEXT = /native code|function \w*\(|\[object Object\]/;

describe.each(DATABASE_KINDS)('hardening on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { passwordHash: await hashPassword(PASSWORD, { N: 2 ** 10, r: 8, p: 1 }) },
      sessionSecret: SECRET,
    });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  async function admin(ip: string) {
    const b = browserOf(app, ip);
    await b.get('/admin/');
    expect((await b.post('/admin/login', { username: 'admin', password: PASSWORD })).statusCode).toBe(303);
    await b.get('/admin/');
    return b;
  }

  it.each([
    ['/recommend/1/?mode=constructor', 'mode: &quot;constructor&quot; is not a mode'],
    ['/recommend/1/?mode=__proto__', 'mode: &quot;__proto__&quot; is not a mode'],
    ['/recommend/1/?mode=toString', 'mode: &quot;toString&quot; is not a mode'],
    ['/recommend/1/?mode=similar&order=hasOwnProperty', 'order: &quot;hasOwnProperty&quot; is not an ordering'],
    ['/recommend/1/?mode=similar&order=__proto__', 'order: &quot;__proto__&quot; is not an ordering'],
  ])('an inherited name is not in an allow-list: %s -> 400', async (url, message) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
    expect(res.body).not.toMatch(FUNCTION_TEXT);
  });

  it('/admin/?notice=constructor shows no notice, and no function text', async () => {
    const b = await admin('10.9.1.1');
    for (const notice of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await b.get(`/admin/?notice=${notice}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Add a model');
      expect(res.body).not.toMatch(FUNCTION_TEXT);
      expect(res.body).not.toContain('role="status"');
    }
    expect((await b.get('/admin/?notice=added')).body).toContain('The model was added.');
  });

  it.each([
    ['a NUL', 'Model\u0000one'],
    ['a line feed', 'Model\none'],
    ['an escape', 'Model\u001b[31mone'],
    ['a C1 control', 'Model\u0085one'],
  ])('a model name holding %s is a 400 naming the field, and nothing is stored', async (_what, name) => {
    const b = await admin(`10.9.2.${name.charCodeAt(5)}`);
    const res = await b.post('/admin/models', { name, campaignArn: ARN, type: 'recommend', sortOrder: '1' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The form field &quot;name&quot; holds control characters');
    expect((await b.get('/admin/')).body).not.toContain(ARN);
  });

  it('every page carries the Content-Security-Policy and no inline style or script it would block', async () => {
    const b = await admin('10.9.3.1');
    const urls = [
      '/recommend/',
      '/recommend/1/',
      '/recommend/1/?mode=ranking',
      '/recommend/1/?mode=similar',
      '/admin/',
    ];
    for (const url of urls) {
      const res = await b.get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.body).not.toMatch(/\sstyle=|<style|<script>|\son[a-z]+=/);
    }
  });

  it('control characters in a query parameter are a 400', async () => {
    const res = await app.inject({ method: 'GET', url: '/recommend/1/?mode=ranking&genre=Hor%00ror' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The query parameter &quot;genre&quot; holds control characters');
  });
});

describe('/healthz', () => {
  it('answers 503 with no detail when the database fails; the reason is only logged', async () => {
    const lines: string[] = [];
    const app = await bareApp({
      ping: async () => {
        throw new Error('password authentication failed for user "movierecs" at db.internal.example:5432');
      },
      requestLog: (line) => lines.push(line),
    });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('database unavailable');
    expect(res.body).not.toContain('movierecs');
    expect(lines.join('\n')).toContain('password authentication failed');
    await app.close();
  });
});

describe('server timeouts', () => {
  it('a request must arrive within 30 s, its headers within 20 s; keep-alive outlasts the load balancer', async () => {
    const app = await bareApp();
    expect(REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(app.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(app.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(HEADERS_TIMEOUT_MS).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(app.server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(app.server.timeout).toBeGreaterThan(app.server.keepAliveTimeout);
    await app.close();
  });
});

describe('the embedded database', () => {
  it('listens on a unix socket in a 0700 directory, not on a TCP port, and removes it on close', async () => {
    const handle = await startEmbeddedDatabase();
    let dir: string | undefined;
    try {
      const client = await handle.pool.connect();
      const host = (client as unknown as { connectionParameters: { host: string } }).connectionParameters.host;
      client.release();
      expect(path.isAbsolute(host)).toBe(true);
      dir = host;
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dir, '.s.PGSQL.5432')).isSocket()).toBe(true);
      expect((await handle.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      expect(handle.description).not.toMatch(/127\.0\.0\.1|localhost:/);
    } finally {
      await handle.close();
    }
    expect(dir && existsSync(dir)).toBe(false);
  }, 60_000);
});

describe('the request log', () => {
  it('one line per request: client, method, path with the query names only, status, milliseconds', async () => {
    const lines: string[] = [];
    const app = await bareApp({ requestLog: (line) => lines.push(line) });
    await app.inject({ method: 'GET', url: '/admin/?notice=s3cret&token=x', remoteAddress: '10.1.2.3' });
    await app.inject({ method: 'GET', url: '/no/such%0Apage' });
    await app.inject({ method: 'GET', url: '/healthz' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^10\.1\.2\.3 GET \/admin\/\?notice=…&token=… 200 \d+ ms$/);
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[1]).toMatch(/ GET \/no\/such%0Apage 404 \d+ ms$/);
    await app.close();
  });

  it('a 5xx is logged with its error and stack; the page says only that the log has the details', async () => {
    const lines: string[] = [];
    const app = await bareApp({
      requestLog: (line) => lines.push(line),
      view: async () => {
        throw new Error('the registry exploded');
      },
    });
    const res = await app.inject({ method: 'GET', url: '/recommend/' });
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('The details are in the server log.');
    expect(res.body).not.toContain('exploded');
    const log = lines.join('\n');
    expect(log).toContain('error GET /recommend/: Error: the registry exploded');
    expect(log).toMatch(/\n\s+at /);
    expect(lines.at(-1)).toMatch(/GET \/recommend\/ 500 \d+ ms$/);
    await app.close();
  });
});

/** Every answer's security headers, and the app's HTML error page rather than Fastify's JSON. */
function expectHtmlErrorPage(res: LightMyRequestResponse, status: number, message: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()]).toBe(value);
  expect(res.body).toContain('<!doctype html>');
  expect(res.body).toContain(message);
  expect(res.body).not.toMatch(/"statusCode"|"error":|FST_|at \w+ \(/);
}

describe('framework errors get the app error page, with the security headers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await bareApp();
  });
  afterAll(async () => app.close());

  it('a malformed percent-encoding -> 400, without echoing the address', async () => {
    for (const url of ['/admin/%ZZ', '/recommend/%E0%A4%A/', '/posters/%']) {
      const res = await app.inject({ method: 'GET', url });
      expectHtmlErrorPage(res, 400, 'malformed percent-encoding');
      expect(res.body).not.toContain('%ZZ');
    }
  });

  it.each([
    ['application/json', '{"username":"admin"}'],
    ['text/plain', 'username=admin'],
    ['application/xml', '<a/>'],
  ])('a %s body -> 415', async (type, payload) => {
    const res = await app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': type }, payload });
    expectHtmlErrorPage(res, 415, 'This site accepts forms only');
  });

  it('a form over 16 KiB -> 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${'a'.repeat(20_000)}`,
    });
    expectHtmlErrorPage(res, 413, 'The form is larger than 16 KiB.');
  });

  it('an unknown method or page -> the 404 page with the headers', async () => {
    expectHtmlErrorPage(await app.inject({ method: 'DELETE', url: '/recommend/' }), 404, 'There is no page');
  });

  it('pages carry the Content-Security-Policy too, and no inline style or script', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/' });
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(res.body).not.toMatch(/\sstyle=|<style|<script>|\son\w+=/);
  });

  it("Node's parser errors (headers too large, not HTTP) get the same page over a raw socket", async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
    const big = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain(`Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`);
    expect(big).toContain('The request headers are too large.');
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain('text/html; charset=utf-8');
    expect(garbage).not.toContain('"statusCode"');
  });
});

describe('the login rate limit behind the load balancer', () => {
  /** A client behind the load balancer (10.0.0.2) that writes its own X-Forwarded-For. */
  async function attempts(app: FastifyInstance, count: number, forwardedFor: (i: number) => string) {
    const statuses: number[] = [];
    const b = browserOf(app, '10.0.0.2');
    await b.get('/admin/');
    for (let i = 0; i < count; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/admin/login',
        cookies: b.cookies,
        remoteAddress: '10.0.0.2',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor(i) },
        payload: new URLSearchParams({ _csrf: b.token, username: 'admin', password: `guess ${i}` }).toString(),
      });
      statuses.push(res.statusCode);
    }
    return statuses;
  }

  it('keys on the address the load balancer appended, not on what the client wrote before it', async () => {
    const app = await bareApp({ trustProxy: 1 });
    // The client sends "X-Forwarded-For: <anything>"; the load balancer appends the real address.
    const statuses = await attempts(app, 25, (i) => `198.51.100.${i}, 203.0.113.7`);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(15).fill(429));
    // Another real client is not affected.
    const other = await attempts(app, 1, () => '203.0.113.8');
    expect(other).toEqual([401]);
    await app.close();
  }, 60_000);

  it('one trusted hop: request.ip is the last X-Forwarded-For entry (the instance sets 1: instance.test.ts)', async () => {
    const app = await bareApp({ trustProxy: 1 });
    app.get('/ip', async (request) => request.ip);
    const res = await app.inject({
      method: 'GET',
      url: '/ip',
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-for': '1.2.3.4, 203.0.113.7' },
    });
    expect(res.body).toBe('203.0.113.7');
    await app.close();
  });
});

describe('password checks are bounded process-wide', () => {
  it('two run, eight wait, the rest get a 503 page at once; nothing runs the check for them', async () => {
    // A real scrypt at 64 MiB: slow enough that the twenty requests below overlap.
    const app = await bareApp({ passwordHash: await hashPassword(PASSWORD, { N: 2 ** 16, r: 8, p: 1 }) });
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const b = browserOf(app, `10.7.0.${i + 1}`);
        await b.get('/admin/');
        return b;
      }),
    );
    const started = Date.now();
    const answers = await Promise.all(
      clients.map((b) => b.post('/admin/login', { username: 'admin', password: 'wrong password' })),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 503)).toHaveLength(10);
    const busy = answers.find((r) => r.statusCode === 503)!;
    expect(busy.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.body).toContain('The server is busy checking other log-ins.');
    expect(Date.now() - started).toBeLessThan(30_000);
    // Afterwards the slots are free again.
    expect((await clients[0].post('/admin/login', { username: 'admin', password: 'wrong again' })).statusCode).toBe(
      401,
    );
    await app.close();
  }, 60_000);
});
