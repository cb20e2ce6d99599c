/**
 * "Nothing a request holds can make a 500" (app.ts), fuzzed: every route the app registers, every
 * path segment, query parameter and form field it reads (and one it does not), each given hostile
 * values one at a time (NUL and control characters, prototype names, malformed percent-encodings,
 * 100 KB, unicode, negative and huge numbers, repeated parameters), then random combinations from
 * a seeded generator until the time budget is spent. Every answer must be below 500, an HTML page
 * for errors, with the security headers, and show no stack trace or function text.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { routesOf, SECURITY_HEADERS } from '../../app-src/app';
import { hashPassword } from '../../app-src/auth';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const PASSWORD = 'fuzz admin password';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/fuzz';
const SEED = 0x15_0f_22;
/** Random combinations run until this much time has passed (the one-at-a-time cases always run). */
const RANDOM_BUDGET_MS = 2_000;

/** Raw text goes into the URL or body as it is (malformed encodings); the rest is percent-encoded. */
type Value = { text: string; raw?: boolean };

const HOSTILE: Value[] = [
  { text: '' },
  { text: '\u0000' },
  { text: 'a\u0000b' },
  { text: '\u0001\u0008\u001b[31m\u007f\u0085' },
  { text: '\r\nSet-Cookie: x=y' },
  { text: '__proto__' },
  { text: 'constructor' },
  { text: 'hasOwnProperty' },
  { text: 'toString' },
  { text: 'valueOf' },
  { text: '%ZZ', raw: true },
  { text: '%', raw: true },
  { text: '%E0%A4%A', raw: true },
  { text: '%C0%AF', raw: true },
  { text: '%uD800', raw: true },
  { text: 'x'.repeat(100 * 1024) },
  { text: '🎬 Ünïcødé ﷽ \u202e' },
  { text: '%ED%A0%80', raw: true },
  { text: '%FF%FE', raw: true },
  { text: '-1' },
  { text: '0' },
  { text: '2147483648' },
  { text: '99999999999999999999' },
  { text: '1e308' },
  { text: 'NaN' },
  { text: '0x10' },
  { text: ' 1 ' },
  { text: '<script>alert(1)</script>' },
  { text: "'; drop table movies; --" },
  { text: '../../etc/passwd' },
  { text: 'local:popular' },
  { text: 'admin:1' },
];

/** What each route reads, with a valid value each (the fuzz replaces one or more). */
const USER_QUERY = {
  mode: 'similar',
  m1: 'local:popular',
  m2: 'local:knn',
  genre: 'Horror',
  base: '1',
  order: 'personalized',
  reviews: 'show',
};
const QUERY: Record<string, Record<string, string>> = {
  '/recommend/:userId/': USER_QUERY,
  '/admin/': { notice: 'added' },
  '/movies/': { q: 'toy story 1995' },
  '/movies': { q: 'toy' },
  '/recommend/go': { ...USER_QUERY, user: '1' },
};
const PATH: Record<string, string> = { userId: '1', id: '1', file: '1.svg', movieId: '1' };
const FORMS: Record<string, Record<string, string>> = {
  '/admin/login': { username: 'admin', password: PASSWORD },
  '/admin/logout': {},
  '/admin/models': { name: 'Fuzz', campaignArn: ARN, type: 'recommend', sortOrder: '1' },
  '/admin/models/:id': { name: 'Fuzz', campaignArn: ARN, type: 'recommend', sortOrder: '1' },
  '/admin/models/:id/delete': {},
};

/** mulberry32: a small seeded generator, the same sequence on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encode = (value: Value) => (value.raw ? value.text : encodeURIComponent(value.text));
const pairs = (fields: Record<string, Value[]>) =>
  Object.entries(fields).flatMap(([key, values]) => values.map((v) => `${encodeURIComponent(key)}=${encode(v)}`));

interface Case {
  readonly method: string;
  readonly route: string;
  readonly path: Record<string, Value>;
  readonly query: Record<string, Value[]>;
  readonly form: Record<string, Value[]>;
  readonly what: string;
}

const plain = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, [{ text: v }]]));

function baseCase(method: string, route: string): Case {
  const names = [...route.matchAll(/:(\w+)/g)].map((m) => m[1]);
  return {
    method,
    route,
    path: Object.fromEntries(names.map((n) => [n, { text: PATH[n] ?? '1' }])),
    query: plain(method === 'GET' ? (QUERY[route] ?? {}) : {}),
    form: plain(method === 'POST' ? (FORMS[route] ?? {}) : {}),
    what: 'valid',
  };
}

/** Every (route, place, name) once with every hostile value, and once repeated. */
function oneAtATime(routes: readonly { method: string; url: string }[]): Case[] {
  const cases: Case[] = [];
  for (const { method, url } of routes) {
    const base = baseCase(method, url);
    const places: ['path' | 'query' | 'form', string][] = [
      ...Object.keys(base.path).map((n) => ['path', n] as ['path', string]),
      ...Object.keys(base.query).map((n) => ['query', n] as ['query', string]),
      ...Object.keys(base.form).map((n) => ['form', n] as ['form', string]),
      // One the route does not read, and the CSRF token of a form.
      [method === 'GET' ? 'query' : 'form', 'unexpected'],
      ...(method === 'POST' ? [['form', '_csrf'] as ['form', string]] : []),
    ];
    for (const [place, name] of places) {
      for (const value of HOSTILE) {
        if (place === 'path')
          cases.push({ ...base, path: { ...base.path, [name]: value }, what: `${name}=${short(value)}` });
        else cases.push({ ...base, [place]: { ...base[place], [name]: [value] }, what: `${name}=${short(value)}` });
      }
      if (place !== 'path') {
        const repeated = [{ text: 'a' }, { text: 'b' }];
        cases.push({ ...base, [place]: { ...base[place], [name]: repeated }, what: `${name} repeated` });
      }
    }
  }
  return cases;
}

function randomCase(routes: readonly { method: string; url: string }[], next: () => number): Case {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const { method, url } = pick(routes);
  const base = baseCase(method, url);
  const value = () => pick(HOSTILE);
  const mutate = (record: Record<string, Value[]>) =>
    Object.fromEntries(
      Object.entries(record).map(([k, v]) =>
        next() < 0.5 ? [k, next() < 0.15 ? [value(), value()] : [value()]] : [k, v],
      ),
    );
  return {
    ...base,
    path: Object.fromEntries(Object.entries(base.path).map(([k, v]) => [k, next() < 0.5 ? value() : v])),
    query: mutate({ ...base.query, ...(next() < 0.3 ? { [pick(['x', '__proto__', 'constructor'])]: [value()] } : {}) }),
    form: mutate(base.form),
    what: 'random',
  };
}

function short(value: Value): string {
  return JSON.stringify(value.text.length > 20 ? `${value.text.slice(0, 12)}…(${value.text.length})` : value.text);
}

describe.each(DATABASE_KINDS)('fuzzing every route on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { passwordHash: await hashPassword(PASSWORD, { N: 2 ** 10, r: 8, p: 1 }) },
      sessionSecret: 'a fuzz test secret that is long enough to sign cookies',
    });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  let ips = 0;
  /** A fresh admin session (each from its own address: the login rate limit stays out of the way). */
  async function session(): Promise<{ cookies: Record<string, string>; token: string; ip: string }> {
    const ip = `10.${(ips >> 16) & 255}.${(ips >> 8) & 255}.${ips++ & 255}`;
    const cookies: Record<string, string> = {};
    const keep = (res: LightMyRequestResponse) => {
      for (const c of res.cookies as { name: string; value: string }[]) cookies[c.name] = c.value;
      return res;
    };
    const form = keep(await app.inject({ method: 'GET', url: '/admin/', remoteAddress: ip }));
    const loginToken = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    keep(
      await app.inject({
        method: 'POST',
        url: '/admin/login',
        cookies,
        remoteAddress: ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: loginToken, username: 'admin', password: PASSWORD }).toString(),
      }),
    );
    const page = await app.inject({ method: 'GET', url: '/admin/', cookies, remoteAddress: ip });
    expect(page.body).toContain('Add a model');
    return { cookies, token: /name="_csrf" value="([^"]+)"/.exec(page.body)![1], ip };
  }

  async function send(c: Case, admin: { cookies: Record<string, string>; token: string; ip: string }) {
    const url =
      c.route.replace(/:(\w+)/g, (_, name: string) => encode(c.path[name])) +
      (Object.keys(c.query).length ? `?${pairs(c.query).join('&')}` : '');
    const form = { _csrf: [{ text: admin.token }], ...c.form };
    const res = await app.inject({
      method: c.method as 'GET' | 'POST',
      url,
      cookies: admin.cookies,
      remoteAddress: admin.ip,
      ...(c.method === 'POST'
        ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: pairs(form).join('&') }
        : {}),
    });
    return { url, res };
  }

  function problemsOf(c: Case, url: string, res: LightMyRequestResponse): string[] {
    const problems: string[] = [];
    const where = `${c.method} ${url.slice(0, 120)} (${c.what})`;
    if (res.statusCode >= 500) problems.push(`${where}: ${res.statusCode}`);
    for (const name of Object.keys(SECURITY_HEADERS))
      if (!res.headers[name.toLowerCase()]) problems.push(`${where}: no ${name}`);
    if (res.statusCode >= 400 && res.headers['content-type'] !== 'text/html; charset=utf-8')
      problems.push(`${where}: ${res.statusCode} as ${res.headers['content-type']}`);
    // Pages only: the site's script is function text by design.
    const page = String(res.headers['content-type']).startsWith('text/');
    const script = String(res.headers['content-type']).startsWith('text/javascript');
    if (
      page &&
      !script &&
      /\n\s+at |node_modules|[A-Za-z]*Error: |native code|function \w*\(|\[object Object\]/.test(res.body)
    )
      problems.push(`${where}: the body shows a stack trace or function text`);
    return problems;
  }

  it('answers every hostile value of every parameter of every route below 500, as a page with the headers', async () => {
    const routes = routesOf(app);
    // The routes are the app's own list, not one written here: a new route is fuzzed too.
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['GET /recommend/:userId/', 'POST /admin/models/:id', 'GET /posters/:file']),
    );
    expect(routes.length).toBeGreaterThanOrEqual(16);

    const admin = await session();
    const problems: string[] = [];
    const cases = oneAtATime(routes);
    let count = 0;
    for (const c of cases) {
      // Logging out ends the session: those cases get one of their own.
      const who = c.route === '/admin/logout' && c.what !== 'valid' ? await session() : admin;
      const { url, res } = await send(c, who);
      problems.push(...problemsOf(c, url, res));
      count++;
    }
    // Then random combinations, the same on every run, until the budget is spent.
    const next = random(SEED);
    const until = Date.now() + RANDOM_BUDGET_MS;
    let randomCount = 0;
    while (Date.now() < until) {
      const c = randomCase(routes, next);
      const who = c.route === '/admin/logout' ? await session() : admin;
      const { url, res } = await send(c, who);
      problems.push(...problemsOf(c, url, res));
      randomCount++;
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(count).toBeGreaterThan(1000);
    expect(randomCount).toBeGreaterThan(50);
  }, 120_000);
});
