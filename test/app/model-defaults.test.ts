/**
 * Issue 16, point 2: a deleted or broken model never breaks the pages that name it or everyone's
 * defaults. A model in the address that is gone falls back to the default with a notice (200, not
 * 400); the default Model 1 and Model 2 are the first models in the configured order (sort order)
 * that answer, so a new model whose campaign fails does not become everyone's Model 1.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword } from '../../app-src/auth';
import { ModelHealth } from '../../app-src/recommenders/health';
import type { Model, Recommender } from '../../app-src/recommenders/port';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const PASSWORD = 'correct horse battery staple';
const WORKING = 'arn:aws:personalize:us-east-1:123456789012:campaign/working';
const BROKEN = 'arn:aws:personalize:us-east-1:123456789012:campaign/broken';

/** Stands in for Amazon Personalize: the working campaign answers, the broken one fails. */
const calls: string[] = [];
const personalize: Recommender = {
  async recommend(model: Model) {
    calls.push(model.campaignArn ?? model.id);
    if (model.campaignArn === WORKING) return [3, 9, 10];
    // Any other campaign (BROKEN and its variants) fails as an inactive one does.
    throw new Error('the campaign is not ACTIVE');
  },
  async rank() {
    throw new Error('not expected');
  },
  async similar() {
    throw new Error('not expected');
  },
};

type Cookies = Record<string, string>;

describe.each(DATABASE_KINDS)('default models on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { passwordHash: await hashPassword(PASSWORD, { N: 2 ** 12, r: 8, p: 1 }) },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      personalize,
    });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  /** An admin: logs in, adds and deletes models through the forms. */
  async function admin() {
    const cookies: Cookies = {};
    let token = '';
    const keep = (res: LightMyRequestResponse) => {
      for (const c of res.cookies as { name: string; value: string }[]) cookies[c.name] = c.value;
      const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
      if (match) token = match[1];
      return res;
    };
    const post = async (url: string, form: Record<string, string>) =>
      keep(
        await app.inject({
          method: 'POST',
          url,
          cookies,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: token, ...form }).toString(),
        }),
      );
    keep(await app.inject({ method: 'GET', url: '/admin/', cookies }));
    expect((await post('/admin/login', { username: 'admin', password: PASSWORD })).statusCode).toBe(303);
    keep(await app.inject({ method: 'GET', url: '/admin/', cookies }));
    return {
      async add(name: string, campaignArn: string, sortOrder: number): Promise<string> {
        const res = await post('/admin/models', { name, campaignArn, type: 'recommend', sortOrder: String(sortOrder) });
        expect(res.statusCode).toBe(303);
        const list = keep(await app.inject({ method: 'GET', url: '/admin/', cookies })).body;
        const id = new RegExp(`href="/admin/models/(\\d+)/edit">Edit ${name}<`).exec(list);
        if (!id) throw new Error(`no edit link for ${name} in the admin page`);
        return `admin:${id[1]}`;
      },
      async remove(modelId: string) {
        const res = await post(`/admin/models/${modelId.slice('admin:'.length)}/delete`, {});
        expect(res.statusCode).toBe(303);
      },
    };
  }

  const heading = (body: string, row: string) =>
    new RegExp(`<section class="row" id="${row}"[^>]*>\\s*<div class="row-header"><h2>([^<]*)</h2>`).exec(body)?.[1];

  it('a model in the address that does not exist falls back to the default, with a notice (200)', async () => {
    const body = await get('/recommend/1/?mode=recommend&m1=registry:nope&m2=local:knn');
    expect(body).toContain('Model 1: there is no recommendation model &quot;registry:nope&quot;');
    expect(heading(body, 'model-1')).toBe('Personalization: Most popular (local)');
    expect(heading(body, 'model-2')).toBe('Personalization: Item-kNN (local)');
    expect(body).toMatch(/<option value="local:popular" selected>/);
    // The page's links carry the model shown, not the missing one.
    expect(body).not.toContain('registry:nope&amp;');
    expect(body).toMatch(/href="[^"]*m1=local%3Apopular|name="m1" value="local:popular"/);

    const m2 = await get('/recommend/1/?m2=local:similar');
    expect(m2).toContain('Model 2: there is no recommendation model &quot;local:similar&quot;');
    expect(heading(m2, 'model-2')).toBe('Personalization: Item-kNN (local)');
  });

  it('a page naming a model that admin then deletes still answers, with the default and a notice', async () => {
    const a = await admin();
    const id = await a.add('Attendee recs', WORKING, 5);
    const url = `/recommend/1/?mode=recommend&m1=${id}&m2=local:knn`;
    expect(heading(await get(url), 'model-1')).toBe('Personalization: Attendee recs');
    await a.remove(id);
    const after = await app.inject({ method: 'GET', url });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain(`Model 1: there is no recommendation model &quot;${id}&quot;`);
    expect(heading(after.body, 'model-1')).toBe('Personalization: Most popular (local)');
    // Next User, as every open tab would press it, from the URL before the delete.
    const next =
      /<form method="get" action="(\/recommend\/\d+\/)"[^>]*>((?:(?!<form)[\s\S])*?)<button type="submit"[^>]*>Next User/.exec(
        after.body,
      )!;
    const fields = [...next[2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map(
      (m) => [m[1], m[2]] as [string, string],
    );
    const nextPage = await app.inject({ method: 'GET', url: `${next[1]}?${new URLSearchParams(fields)}` });
    expect(nextPage.statusCode).toBe(200);
    const stale = await app.inject({ method: 'GET', url: url.replace('/recommend/1/', '/recommend/2/') });
    expect(stale.statusCode).toBe(200);
  });

  it('a new model whose campaign fails does not become the default Model 1; a working one first in the order does', async () => {
    const a = await admin();
    const broken = await a.add('Broken campaign', BROKEN, -10);
    calls.length = 0;
    const first = await get('/recommend/1/');
    expect(heading(first, 'model-1')).toBe('Personalization: Most popular (local)');
    expect(heading(first, 'model-2')).toBe('Personalization: Item-kNN (local)');
    expect(first).toContain('“Broken campaign” did not answer (the campaign is not ACTIVE)');
    expect(calls).toEqual([BROKEN]);
    // Listed still, first in the configured order, and it can be chosen: its row says why it is empty.
    const options = /<select id="m1"[\s\S]*?<\/select>/.exec(first)![0];
    expect([...options.matchAll(/value="([^"]+)"/g)].map((m) => m[1])[0]).toBe(broken);
    const chosen = await get(`/recommend/1/?mode=recommend&m1=${broken}&m2=local:knn`);
    expect(chosen).toContain('recommendations unavailable: the campaign is not ACTIVE');

    // Next visitors: the failed model is passed over without being asked again.
    calls.length = 0;
    const second = await get('/recommend/2/');
    expect(heading(second, 'model-1')).toBe('Personalization: Most popular (local)');
    expect(calls).toEqual([]);

    // A working model placed first in the order (sort order) is the default Model 1.
    const working = await a.add('Working campaign', WORKING, -5);
    const third = await get('/recommend/3/');
    expect(heading(third, 'model-1')).toBe('Personalization: Working campaign');
    expect(heading(third, 'model-2')).toBe('Personalization: Most popular (local)');
    expect(third).toContain('“Broken campaign” did not answer');
    await a.remove(working);
    await a.remove(broken);
  });

  it('Model 2 offers "No model": then one row only, and the links keep it', async () => {
    const body = await get('/recommend/1/?mode=recommend&m1=local:knn&m2=none');
    expect(heading(body, 'model-1')).toBe('Personalization: Item-kNN (local)');
    expect(body).not.toContain('id="model-2"');
    const m2 = /<select id="m2"[\s\S]*?<\/select>/.exec(body)![0];
    expect(m2).toMatch(/<option value="none" selected>No model<\/option>/);
    expect(/<select id="m1"[\s\S]*?<\/select>/.exec(body)![0]).not.toContain('value="none"');
    expect(body).toContain('name="m2" value="none"');
    // The default Model 1 with no Model 2; and m1=none is not a model.
    const defaults = await get('/recommend/1/?m2=none');
    expect(heading(defaults, 'model-1')).toBe('Personalization: Most popular (local)');
    expect(defaults).not.toContain('id="model-2"');
    const m1 = await get('/recommend/1/?m1=none');
    expect(m1).toContain('Model 1: there is no recommendation model &quot;none&quot;');
  });

  it('in the other modes the links carry the defaults that answer, and no model is asked', async () => {
    const a = await admin();
    const broken = await a.add('Broken again', `${BROKEN}-again`, -20);
    await get('/recommend/1/'); // learns that it fails
    calls.length = 0;
    const body = await get('/recommend/1/?mode=ranking');
    expect(calls).toEqual([]);
    expect(body).toContain('name="m1" value="local:popular"');
    expect(body).toContain('name="m2" value="local:knn"');
    await a.remove(broken);
  });
});

describe('ModelHealth', () => {
  const model = (campaignArn?: string): Model => ({
    id: 'admin:1',
    name: 'A',
    type: 'recommend',
    source: 'admin',
    recipe: 'added in admin',
    sortOrder: 0,
    metrics: {},
    campaignArn,
  });

  it('passes a failed model over for a while, then tries it again; an answer clears it at once', () => {
    let now = 0;
    const health = new ModelHealth(() => now, 60_000);
    health.failed(model(BROKEN), 'timeout');
    expect(health.failing(model(BROKEN))).toBe('timeout');
    now = 59_999;
    expect(health.failing(model(BROKEN))).toBe('timeout');
    now = 60_000;
    expect(health.failing(model(BROKEN))).toBeUndefined();
    health.failed(model(BROKEN), 'timeout');
    health.answered(model(BROKEN));
    expect(health.failing(model(BROKEN))).toBeUndefined();
  });

  it('a new campaign ARN for the same model gets a fresh chance', () => {
    const health = new ModelHealth(() => 0);
    health.failed(model(BROKEN), 'timeout');
    expect(health.failing(model(WORKING))).toBeUndefined();
  });
});
