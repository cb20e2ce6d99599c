/**
 * /admin/: login (scrypt hash, rate limit, signed httpOnly SameSite cookie), CSRF on every form,
 * and the models an admin adds, which then appear in the user page's dropdowns.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword, verifyPassword } from '../../app-src/auth';
import type { CampaignRecipePort } from '../../app-src/recommenders/arn';
import type { Started } from '../../app-src/start';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const PASSWORD = 'correct horse battery staple';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/attendee-recs';
const SIMS_ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/attendee-sims';

/** Personalize's control plane as the admin check sees it: one recommend and one SIMS campaign. */
const campaigns: CampaignRecipePort = {
  async describeCampaignRecipe(arn) {
    if (arn === ARN) return { recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2', status: 'ACTIVE' };
    if (arn === SIMS_ARN) return { recipeArn: 'arn:aws:personalize:::recipe/aws-sims', status: 'ACTIVE' };
    throw Object.assign(new Error(`Could not find campaign ${arn}`), { name: 'ResourceNotFoundException' });
  },
};

type Cookies = Record<string, string>;

function cookiesOf(res: LightMyRequestResponse, into: Cookies = {}): Cookies {
  for (const c of res.cookies as { name: string; value: string }[]) into[c.name] = c.value;
  return into;
}

function csrfOf(res: LightMyRequestResponse): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

describe.each(DATABASE_KINDS)('admin on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let web: Started;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      // A cheaper scrypt than production's (N = 2^17, auth.ts) keeps forty logins quick; the hash
      // records its parameters, so the check is the real one.
      admin: { passwordHash: await hashPassword(PASSWORD, { N: 2 ** 12, r: 8, p: 1 }) },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      campaigns,
    });
    web = started.web;
    app = web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  /** A browser: keeps cookies, reads the CSRF token of the last page. */
  function browser(ip = '10.0.0.1') {
    const cookies: Cookies = {};
    let token = '';
    return {
      cookies,
      async get(url: string) {
        const res = await app.inject({ method: 'GET', url, cookies, remoteAddress: ip });
        cookiesOf(res, cookies);
        if (/name="_csrf"/.test(res.body)) token = csrfOf(res);
        return res;
      },
      async post(url: string, form: Record<string, string>, options: { csrf?: string | null } = {}) {
        const payload = new URLSearchParams({
          ...(options.csrf === null ? {} : { _csrf: options.csrf ?? token }),
          ...form,
        }).toString();
        const res = await app.inject({
          method: 'POST',
          url,
          cookies,
          remoteAddress: ip,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload,
        });
        cookiesOf(res, cookies);
        if (/name="_csrf"/.test(res.body)) token = csrfOf(res);
        return res;
      },
    };
  }

  async function loggedIn(ip: string) {
    const b = browser(ip);
    await b.get('/admin/');
    const res = await b.post('/admin/login', { username: 'admin', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    return b;
  }

  it('hashes with scrypt at N = 2^17 by default and checks a password against its hash', async () => {
    const hash = await hashPassword('s3cret');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    await expect(verifyPassword('s3cret', hash)).resolves.toBe(true);
    await expect(verifyPassword('s3cret ', hash)).resolves.toBe(false);
    await expect(verifyPassword('s3cret', 'plain text')).rejects.toThrow('not an scrypt hash');
  });

  it('shows a login form with a CSRF token, and logs in with the right password', async () => {
    const b = browser('10.0.1.1');
    const form = await b.get('/admin/');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Log in');
    expect(form.body).not.toContain('Add a model');

    const res = await b.post('/admin/login', { username: 'admin', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const session = (res.cookies as { name: string; httpOnly?: boolean; sameSite?: string; path?: string }[]).find(
      (c) => c.name === 'movierecs_admin',
    );
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    const page = await b.get('/admin/');
    expect(page.body).toContain('Add a model');
  });

  it('refuses a wrong password or user name with 401, and logs nobody in', async () => {
    const b = browser('10.0.2.1');
    await b.get('/admin/');
    const wrong = await b.post('/admin/login', { username: 'admin', password: 'DoNotH@ckMe' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Wrong user name or password.');
    const otherUser = await b.post('/admin/login', { username: 'root', password: PASSWORD });
    expect(otherUser.statusCode).toBe(401);
    expect((await b.get('/admin/')).body).toContain('Log in');
  });

  it('rate-limits login attempts per client: the 11th in a minute gets 429', async () => {
    const b = browser('10.0.3.1');
    await b.get('/admin/');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await b.post('/admin/login', { username: 'admin', password: `guess ${i}` })).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // Even the right password waits now.
    const right = await b.post('/admin/login', { username: 'admin', password: PASSWORD });
    expect(right.statusCode).toBe(429);
    expect(right.body).toContain('Too many attempts');
    // Another client is not affected.
    await loggedIn('10.0.3.2');
  }, 60_000);

  it('refuses forms without a CSRF token or with a forged one (403)', async () => {
    const b = browser('10.0.4.1');
    await b.get('/admin/');
    const missing = await b.post('/admin/login', { username: 'admin', password: PASSWORD }, { csrf: null });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('CSRF token');
    const forged = await b.post('/admin/login', { username: 'admin', password: PASSWORD }, { csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);

    const admin = await loggedIn('10.0.4.2');
    const add = await admin.post(
      '/admin/models',
      { name: 'X', campaignArn: ARN, type: 'recommend', sortOrder: '5' },
      { csrf: 'forged' },
    );
    expect(add.statusCode).toBe(403);
    expect((await admin.get('/admin/')).body).not.toContain(ARN);
  });

  it('ignores a session cookie that is not signed by the server', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/admin/',
      cookies: { movierecs_admin: `admin.${Date.now() + 3_600_000}` },
    });
    expect(res.body).toContain('Log in');
    const post = await app.inject({
      method: 'POST',
      url: '/admin/models/1/delete',
      cookies: { movierecs_admin: `admin.${Date.now() + 3_600_000}.forged` },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '_csrf=x',
    });
    expect(post.statusCode).toBe(403);
  });

  it('adds, lists, edits and deletes a model; it appears in the user page dropdown meanwhile', async () => {
    const admin = await loggedIn('10.0.5.1');
    await admin.get('/admin/');
    const added = await admin.post('/admin/models', {
      name: 'Attendee <b>model</b>',
      campaignArn: ARN,
      type: 'recommend',
      sortOrder: '5',
    });
    expect(added.statusCode).toBe(303);
    const list = await admin.get('/admin/?notice=added');
    expect(list.body).toContain('The model was added.');
    expect(list.body).toContain('Attendee &lt;b&gt;model&lt;/b&gt;');
    expect(list.body).not.toContain('<b>model</b>');
    const id = Number(/\/admin\/models\/(\d+)\/edit/.exec(list.body)![1]);

    const user = await app.inject({ method: 'GET', url: '/recommend/1/' });
    // Listed first (sort order 5); its campaign cannot answer here (no AWS), so it is not the default
    // Model 1 (test/app/model-defaults.test.ts).
    expect(user.body).toMatch(
      new RegExp(
        `<select id="m1" name="m1">\\s*<option value="admin:${id}"\\s*>Attendee &lt;b&gt;model&lt;/b&gt;</option>`,
      ),
    );

    const duplicate = await admin.post('/admin/models', {
      name: 'Again',
      campaignArn: ARN,
      type: 'recommend',
      sortOrder: '1',
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toContain('already exists');

    const edit = await admin.get(`/admin/models/${id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain(`value="${ARN}"`);
    const saved = await admin.post(`/admin/models/${id}`, {
      name: 'Renamed',
      campaignArn: ARN,
      type: 'recommend',
      sortOrder: '7',
    });
    expect(saved.statusCode).toBe(303);
    expect((await admin.get('/admin/')).body).toContain('Renamed');

    const deleted = await admin.post(`/admin/models/${id}/delete`, {});
    expect(deleted.statusCode).toBe(303);
    expect((await admin.get('/admin/')).body).not.toContain('Renamed');
    expect((await app.inject({ method: 'GET', url: '/recommend/1/' })).body).not.toContain(`admin:${id}`);
    expect((await admin.post(`/admin/models/${id}/delete`, {})).statusCode).toBe(404);
  });

  it('Delete asks first: the list links to a confirmation page whose form deletes', async () => {
    const admin = await loggedIn('10.0.5.2');
    await admin.get('/admin/');
    expect(
      (await admin.post('/admin/models', { name: 'To delete', campaignArn: ARN, type: 'recommend' })).statusCode,
    ).toBe(303);
    const list = await admin.get('/admin/');
    const id = Number(/href="\/admin\/models\/(\d+)\/delete">Delete To delete</.exec(list.body)![1]);
    // The list itself has no form that deletes.
    expect(list.body).not.toContain(`action="/admin/models/${id}/delete"`);
    const confirm = await admin.get(`/admin/models/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete <strong>To delete</strong>');
    expect(confirm.body).toContain(`<form method="post" action="/admin/models/${id}/delete">`);
    expect(confirm.body).toContain('<a href="/admin/">Cancel</a>');
    expect(confirm.body).not.toMatch(/<script>|onclick|style="/);
    // Opening the page deletes nothing.
    expect((await admin.get('/admin/')).body).toContain('To delete');
    const deleted = await admin.post(`/admin/models/${id}/delete`, {});
    expect(deleted.statusCode).toBe(303);
    expect((await admin.get('/admin/')).body).not.toContain('To delete');
    expect((await admin.get(`/admin/models/${id}/delete`)).statusCode).toBe(404);
    // Logged out: the confirmation page leads to the login.
    const stranger = await app.inject({ method: 'GET', url: `/admin/models/${id}/delete` });
    expect(stranger.statusCode).toBe(303);
    expect(stranger.headers.location).toBe('/admin/');
  });

  it.each([
    [{ name: '', campaignArn: ARN, type: 'recommend', sortOrder: '1' }, 'Name: enter a name.'],
    [{ name: 'x'.repeat(101), campaignArn: ARN, type: 'recommend', sortOrder: '1' }, 'Name: at most 100 characters.'],
    [{ name: 'Bad ARN', campaignArn: 'arn:aws:s3:::bucket', type: 'recommend', sortOrder: '1' }, 'Campaign ARN:'],
    [{ name: 'Not an ARN', campaignArn: '<script>', type: 'recommend', sortOrder: '1' }, 'A campaign ARN starts with'],
    [{ name: 'Bad type', campaignArn: ARN, type: 'hrnn', sortOrder: '1' }, 'Type: &quot;hrnn&quot; is not one of'],
    [
      { name: 'Bad order', campaignArn: ARN, type: 'recommend', sortOrder: 'first' },
      'Sort order: &quot;first&quot; is not a whole number',
    ],
    [{ name: 'SIMS as recommend', campaignArn: SIMS_ARN, type: 'recommend', sortOrder: '1' }, 'aws-sims'],
    [
      {
        name: 'Unknown campaign',
        campaignArn: 'arn:aws:personalize:us-east-1:123456789012:campaign/nope',
        type: 'recommend',
        sortOrder: '1',
      },
      'Campaign ARN:',
    ],
  ])('refuses a bad model form with 400 and says why: %j', async (form, message) => {
    const admin = await loggedIn(`10.0.6.${Math.floor(Math.random() * 250)}`);
    await admin.get('/admin/');
    const res = await admin.post('/admin/models', form);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
    expect(res.body).not.toContain('<script>');
  });

  it('a SIMS campaign added as sims passes the recipe check', async () => {
    const admin = await loggedIn('10.0.7.1');
    await admin.get('/admin/');
    const res = await admin.post('/admin/models', {
      name: 'Attendee SIMS',
      campaignArn: SIMS_ARN,
      type: 'sims',
      sortOrder: '3',
    });
    expect(res.statusCode).toBe(303);
    const page = await app.inject({ method: 'GET', url: '/recommend/1/?mode=similar' });
    expect(page.body).toContain('Similar Items: Attendee SIMS');
  });

  it('model routes need a session; bad ids are 404 pages', async () => {
    const anonymous = browser('10.0.8.1');
    await anonymous.get('/admin/');
    const add = await anonymous.post('/admin/models', {
      name: 'X',
      campaignArn: ARN,
      type: 'recommend',
      sortOrder: '1',
    });
    expect(add.statusCode).toBe(303);
    expect(add.headers.location).toBe('/admin/');
    const admin = await loggedIn('10.0.8.2');
    expect((await admin.get('/admin/models/abc/edit')).statusCode).toBe(404);
    expect((await admin.get('/admin/models/999/edit')).statusCode).toBe(404);
  });

  it('logging out ends the session', async () => {
    const admin = await loggedIn('10.0.9.1');
    await admin.get('/admin/');
    const res = await admin.post('/admin/logout', {});
    expect(res.statusCode).toBe(303);
    expect((await admin.get('/admin/')).body).toContain('Log in');
  });

  it('a repeated form field is a 400', async () => {
    const admin = await loggedIn('10.0.10.1');
    await admin.get('/admin/');
    const token = csrfOf(await admin.get('/admin/'));
    const res = await app.inject({
      method: 'POST',
      url: '/admin/models',
      cookies: admin.cookies,
      remoteAddress: '10.0.10.1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(token)}&name=a&name=b&campaignArn=${encodeURIComponent(ARN)}&type=recommend&sortOrder=1`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The form field &quot;name&quot; is given more than once.');
  });
});
