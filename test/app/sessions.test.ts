/**
 * Admin sessions kept in the database (issue 15, point 3): two app instances sharing one database
 * and one session secret, as behind the load balancer; logout, expiry and a new password end a
 * session everywhere; a CSRF token is bound to its session.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app-src/app';
import { hashPassword, passwordTag } from '../../app-src/auth';
import { sha256 } from '../../app-src/db/admin-sessions';
import type { ModelCatalog } from '../../app-src/recommenders/catalog';
import type { Started } from '../../app-src/start';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const PASSWORD = 'correct horse battery staple';
const SECRET = 'one session secret for every instance of the deployment';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/shared-session';

type Cookies = Record<string, string>;

/** A browser whose requests may go to either instance, as the load balancer sends them. */
function browser(ip: string) {
  const cookies: Cookies = {};
  let token = '';
  const keep = (res: LightMyRequestResponse) => {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) delete cookies[c.name];
      else cookies[c.name] = c.value;
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (match) token = match[1];
    return res;
  };
  return {
    cookies,
    get token() {
      return token;
    },
    get: async (app: FastifyInstance, url: string, jar: Cookies = cookies) =>
      keep(await app.inject({ method: 'GET', url, cookies: jar, remoteAddress: ip })),
    post: async (
      app: FastifyInstance,
      url: string,
      form: Record<string, string>,
      options: { csrf?: string; jar?: Cookies } = {},
    ) =>
      keep(
        await app.inject({
          method: 'POST',
          url,
          cookies: options.jar ?? cookies,
          remoteAddress: ip,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: options.csrf ?? token, ...form }).toString(),
        }),
      ),
  };
}

describe.each(DATABASE_KINDS)('admin sessions on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let web: Started;
  let a: FastifyInstance;
  let b: FastifyInstance;

  /** Another instance: the same database and secret, its own salted hash of the same password. */
  async function instance(password = PASSWORD, https = false): Promise<FastifyInstance> {
    return buildApp({
      database: web.database,
      catalog: {
        view: async () => ({ models: [], problems: [] }),
        invalidate: () => undefined,
      } as unknown as ModelCatalog,
      recommender: { recommend: async () => [], rank: async () => [], similar: async () => [] },
      evaluationProtocol: 'none',
      admin: {
        passwordHash: await hashPassword(password, { N: 2 ** 10, r: 8, p: 1 }),
        sessionSecret: SECRET,
        passwordTag: passwordTag(SECRET, password),
      },
      https,
    });
  }

  beforeAll(async () => {
    started = await startFixtureApp(kind, { admin: { password: PASSWORD }, sessionSecret: SECRET });
    web = started.web;
    a = web.app;
    b = await instance();
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await started?.close();
  });

  async function loggedInOn(app: FastifyInstance, ip: string) {
    const user = browser(ip);
    await user.get(app, '/admin/');
    expect((await user.post(app, '/admin/login', { username: 'admin', password: PASSWORD })).statusCode).toBe(303);
    return user;
  }

  it('a session opened on one instance works on the other: its page and a form post', async () => {
    const admin = await loggedInOn(a, '10.20.0.1');
    const page = await admin.get(b, '/admin/');
    expect(page.body).toContain('Add a model');
    const added = await admin.post(b, '/admin/models', {
      name: 'Shared',
      campaignArn: ARN,
      type: 'recommend',
      sortOrder: '1',
    });
    expect(added.statusCode).toBe(303);
    expect((await admin.get(a, '/admin/')).body).toContain(ARN);
    const id = /\/admin\/models\/(\d+)\/edit/.exec((await admin.get(a, '/admin/')).body)![1];
    expect((await admin.post(a, `/admin/models/${id}/delete`, {})).statusCode).toBe(303);
  });

  it('only a hash of the token is stored', async () => {
    const admin = await loggedInOn(a, '10.20.0.2');
    const signed = admin.cookies.movierecs_admin;
    const token = a.unsignCookie(signed).value!;
    const rows = await web.database.db.selectFrom('admin_sessions').select('token_sha256').execute();
    expect(rows.map((r) => r.token_sha256)).toContain(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('logout on one instance ends the session on both; the old cookie and token then fail', async () => {
    const admin = await loggedInOn(a, '10.20.0.3');
    await admin.get(a, '/admin/');
    const oldCookies = { ...admin.cookies };
    const oldToken = admin.token;
    expect((await admin.post(b, '/admin/logout', {})).statusCode).toBe(303);
    for (const app of [a, b]) {
      expect((await admin.get(app, '/admin/', oldCookies)).body).toContain('Log in');
      const post = await admin.post(
        app,
        '/admin/models',
        { name: 'After logout', campaignArn: ARN, type: 'recommend', sortOrder: '1' },
        { csrf: oldToken, jar: oldCookies },
      );
      // Refused: the session is gone, so the session's token fits nothing.
      expect(post.statusCode).toBe(403);
    }
    const rows = await web.database.db.selectFrom('models').select('name').execute();
    expect(rows.map((r) => r.name)).not.toContain('After logout');
  });

  it("a CSRF cookie and token from another visit are refused with the admin's session", async () => {
    const admin = await loggedInOn(a, '10.20.0.4');
    await admin.get(a, '/admin/');
    // The attacker's own visit to the login form: a CSRF cookie and a token that fit each other.
    const attacker = browser('10.20.0.5');
    await attacker.get(a, '/admin/');
    const jar = { ...attacker.cookies, movierecs_admin: admin.cookies.movierecs_admin };
    const form = { name: 'Forged', campaignArn: ARN, type: 'recommend', sortOrder: '1' };
    for (const app of [a, b]) {
      const res = await admin.post(app, '/admin/models', form, { csrf: attacker.token, jar });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('CSRF token');
    }
    // Nor does another admin session's token fit this one.
    const other = await loggedInOn(b, '10.20.0.6');
    await other.get(b, '/admin/');
    expect((await admin.post(a, '/admin/models', form, { csrf: other.token })).statusCode).toBe(403);
    // The session's own token does.
    const own = await admin.post(a, '/admin/models', form);
    expect(own.statusCode).toBe(303);
    const id = /\/admin\/models\/(\d+)\/edit/.exec((await admin.get(a, '/admin/')).body)![1];
    expect((await admin.post(a, `/admin/models/${id}/delete`, {})).statusCode).toBe(303);
  });

  it('the CSRF secret changes at login and at logout', async () => {
    const user = browser('10.20.0.7');
    await user.get(a, '/admin/');
    const loginToken = user.token;
    await user.post(a, '/admin/login', { username: 'admin', password: PASSWORD });
    await user.get(a, '/admin/');
    const sessionToken = user.token;
    expect(sessionToken).not.toBe(loginToken);
    await user.post(a, '/admin/logout', {});
    await user.get(a, '/admin/');
    expect(user.token).not.toBe(loginToken);
    expect(user.token).not.toBe(sessionToken);
    // The login form's token from before the session no longer logs in.
    const stale = await user.post(a, '/admin/login', { username: 'admin', password: PASSWORD }, { csrf: loginToken });
    expect(stale.statusCode).toBe(403);
  });

  it('an expired session is gone; a new admin password ends older sessions', async () => {
    const admin = await loggedInOn(a, '10.20.0.8');
    const token = a.unsignCookie(admin.cookies.movierecs_admin).value!;
    await web.database.db
      .updateTable('admin_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_sha256', '=', sha256(token))
      .execute();
    expect((await admin.get(a, '/admin/')).body).toContain('Log in');

    const again = await loggedInOn(a, '10.20.0.9');
    const renewed = await instance('a new admin password, after a rotation');
    try {
      expect((await again.get(renewed, '/admin/')).body).toContain('Log in');
    } finally {
      await renewed.close();
    }
  });

  it('behind HTTPS every cookie is Secure and every answer says Strict-Transport-Security; over HTTP neither', async () => {
    const secure = await instance(PASSWORD, true);
    try {
      const user = browser('10.20.1.1');
      const form = await user.get(secure, '/admin/');
      const login = await user.post(secure, '/admin/login', { username: 'admin', password: PASSWORD });
      expect(login.statusCode).toBe(303);
      const cookies = [...form.cookies, ...login.cookies] as { name: string; secure?: boolean }[];
      expect(cookies.map((c) => c.name).sort()).toEqual(['movierecs_admin', 'movierecs_csrf', 'movierecs_csrf']);
      for (const cookie of cookies) expect(cookie).toMatchObject({ secure: true });
      for (const res of [form, login, await user.get(secure, '/no/such/page'), await user.get(secure, '/admin/%ZZ')])
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000');

      const plain = browser('10.20.1.2');
      const plainForm = await plain.get(b, '/admin/');
      expect(plainForm.headers['strict-transport-security']).toBeUndefined();
      for (const cookie of plainForm.cookies as { secure?: boolean }[]) expect(cookie.secure).toBeFalsy();
    } finally {
      await secure.close();
    }
  });
});
