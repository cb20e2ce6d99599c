/**
 * The attendee's own user (issue 18), through Fastify's inject on PGlite and (in CI) PostgreSQL:
 * Start as a new user (CSRF, cookie, bounds), the onboarding page, rating (own user only), the
 * local rows recomputed from the user's ratings at once with what changed, and the events sent to
 * a stand-in of PutEvents (and not sent without an event tracker).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SITE_USER_ID_BASE } from '../../app-src/db/site-users';
import { SimulatedEventSink } from './event-sink';
import type { Model, Recommender } from '../../app-src/recommenders/port';
import { StaticRegistry } from '../../app-src/recommenders/registry';
import { MODEL_REGISTRY_SCHEMA_VERSION, type ModelRegistry } from '../../lib/shared/model-registry';
import { DATABASE_KINDS, FIXTURE_MOVIES, startFixtureApp } from './helpers';

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/mrw-personal';
const TRACKED: ModelRegistry = {
  schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
  pipeline: { status: 'done', updatedAt: null, resources: [] },
  models: [
    {
      name: 'Personal Recommendations',
      type: 'recommend',
      campaignArn: CAMPAIGN,
      recipe: 'aws-user-personalization-v2',
      sortOrder: 1,
      catalog: 'ml-100k',
      metrics: {},
    },
  ],
  eventTracker: {
    arn: 'arn:aws:personalize:us-east-1:123456789012:event-tracker/mrw-tracker',
    trackingId: 'tracking-123',
  },
};

/** Personalize's campaign, standing in: the most popular Horror movie whoever asks. */
const campaign: Recommender = {
  async recommend() {
    return [3, 9];
  },
  async rank(_model: Model, _user: number, ids: readonly number[]) {
    return [...ids];
  },
  async similar() {
    return [];
  },
};

/** A browser: keeps the cookies the app sets, from one address. */
class Browser {
  readonly cookies: Record<string, string> = {};
  constructor(
    private readonly app: FastifyInstance,
    readonly ip = '10.0.0.1',
  ) {}
  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string }[]) this.cookies[c.name] = c.value;
    return res;
  }
  async get(url: string) {
    return this.keep(await this.app.inject({ method: 'GET', url, cookies: this.cookies, remoteAddress: this.ip }));
  }
  async post(url: string, form: Record<string, string>) {
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        cookies: this.cookies,
        remoteAddress: this.ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }
  /** The CSRF token of the site's forms on the page at `url`. */
  async token(url = '/recommend/'): Promise<string> {
    const page = await this.get(url);
    const match = /action="\/site-users"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!match) throw new Error(`no Start form on ${url}`);
    return match[1];
  }
  /** Starts a new user; returns its id. */
  async start(): Promise<number> {
    const res = await this.post('/site-users', { _csrf: await this.token() });
    expect(res.statusCode).toBe(303);
    return Number(/^\/recommend\/(\d+)\/rate$/.exec(String(res.headers.location))![1]);
  }
  async rate(userId: number, movieId: number, stars: number | 'skip', back = `/recommend/${userId}/rate`) {
    return this.post(`/recommend/${userId}/ratings`, {
      _csrf: await this.token(),
      movie: String(movieId),
      stars: String(stars),
      back,
    });
  }
}

/** The movie ids of a row's tiles, in order. */
function rowIds(body: string, rowId: string): number[] {
  const section = new RegExp(`<section class="row" id="${rowId}"[\\s\\S]*?</section>`).exec(body);
  if (!section) throw new Error(`no row ${rowId} in the page`);
  return [...section[0].matchAll(/<li class="tile" data-movie-id="(\d+)"/g)].map((m) => Number(m[1]));
}

function rowText(body: string, rowId: string): string {
  return new RegExp(`<section class="row" id="${rowId}"[\\s\\S]*?</section>`).exec(body)![0];
}

describe.each(DATABASE_KINDS)('the attendee’s own user on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;
  const sink = new SimulatedEventSink();

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { password: 'correct horse battery staple' },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      registry: new StaticRegistry(TRACKED),
      personalize: campaign,
      eventSink: sink,
      eventOptions: { background: false },
      ease: false,
    });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  it('Start as a new user: a POST form with the CSRF token on the front page and a user page', async () => {
    const browser = new Browser(app);
    expect((await browser.get('/recommend/')).body).toContain('Start as a new user');
    expect((await browser.get('/recommend/1/')).body).toMatch(/action="\/site-users"[\s\S]*?name="_csrf"/);
    // Without the token, or with another browser's: 403, and no user.
    expect((await browser.post('/site-users', {})).statusCode).toBe(403);
    const other = new Browser(app, '10.0.0.2');
    expect((await browser.post('/site-users', { _csrf: await other.token() })).statusCode).toBe(403);
  });

  it('creates a user above the data’s ids, kept in an HttpOnly, SameSite=Lax cookie, and opens onboarding', async () => {
    const browser = new Browser(app, '10.0.1.1');
    const res = await browser.post('/site-users', { _csrf: await browser.token(), age: '30', gender: 'F' });
    expect(res.statusCode).toBe(303);
    const id = Number(/^\/recommend\/(\d+)\/rate$/.exec(String(res.headers.location))![1]);
    expect(id).toBeGreaterThan(SITE_USER_ID_BASE);
    const cookie = (res.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find(
      (c) => c.name === 'movierecs_user',
    )!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    // Back on the front page, the browser knows its user.
    expect((await browser.get('/recommend/')).body).toContain(`data-own-user="${id}"`);
    const page = await browser.get(`/recommend/${id}/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<th>Age<\/th>\s*<td>30<\/td>/);
    // Go to user # finds it too.
    expect((await browser.get(`/recommend/go?user=${id}`)).headers.location).toBe(`/recommend/${id}/`);
    // A forged cookie is nobody.
    const forged = new Browser(app, '10.0.1.2');
    forged.cookies.movierecs_user = `${id}.${'A'.repeat(43)}`;
    expect((await forged.get(`/recommend/${id}/rate`)).statusCode).toBe(403);
  });

  it('refuses a profile value the edition does not have with a 400', async () => {
    const browser = new Browser(app, '10.0.2.1');
    const res = await browser.post('/site-users', { _csrf: await browser.token(), occupation: 'astronaut' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('occupation');
  });

  it('onboarding: the most-rated movies per genre to rate or skip, and the search', async () => {
    const browser = new Browser(app, '10.0.3.1');
    const id = await browser.start();
    const page = await browser.get(`/recommend/${id}/rate`);
    expect(page.statusCode).toBe(200);
    const horror = /<section class="rate-genre" aria-label="Horror"[\s\S]*?<\/section>/.exec(page.body)![0];
    // Horror: Scream (3) is the most rated, then Halloween (9), then Alien 3 (4).
    expect([...horror.matchAll(/data-movie-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([3, 9, 4]);
    expect(horror).toContain('value="skip"');
    const search = await browser.get(`/recommend/${id}/rate?q=heat`);
    expect(/<ul class="rate-grid" id="search-results">[\s\S]*?<\/ul>/.exec(search.body)![0]).toContain(
      'data-movie-id="10"',
    );
    // Skipped: not offered again; rated: not offered in the grid either.
    expect((await browser.rate(id, 3, 'skip')).statusCode).toBe(303);
    expect((await browser.rate(id, 9, 4)).statusCode).toBe(303);
    const after = await browser.get(`/recommend/${id}/rate`);
    const horrorAfter = /<section class="rate-genre" aria-label="Horror"[\s\S]*?<\/section>/.exec(after.body)![0];
    expect([...horrorAfter.matchAll(/data-movie-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([4]);
    expect(after.body).toContain('data-rated-count="1"');
  });

  it('rating is open to the attendee’s own user only', async () => {
    const browser = new Browser(app, '10.0.4.1');
    const id = await browser.start();
    const other = new Browser(app, '10.0.4.2');
    const otherId = await other.start();
    // A MovieLens user's page has no rating controls, and a rating for them is 403.
    expect((await browser.get('/recommend/1/')).body).not.toContain('class="rate-form"');
    expect((await browser.rate(1, 3, 5)).statusCode).toBe(403);
    // Another attendee's user: 403, and their page has no controls for this browser.
    expect((await browser.rate(otherId, 3, 5)).statusCode).toBe(403);
    expect((await browser.get(`/recommend/${otherId}/`)).body).not.toContain('class="rate-form"');
    expect((await browser.get(`/recommend/${otherId}/rate`)).statusCode).toBe(403);
    // Bad input: 4xx pages.
    expect((await browser.rate(id, 3, 6)).statusCode).toBe(400);
    expect((await browser.rate(id, 999, 5)).statusCode).toBe(404);
    // A back address elsewhere goes to the user page instead.
    const away = await browser.rate(id, 3, 5, 'https://example.com/');
    expect(away.headers.location).toBe(`/recommend/${id}/`);
  });

  it('recomputes the local rows from the user’s ratings at once, says what they are based on and what changed', async () => {
    const browser = new Browser(app, '10.0.5.1');
    const id = await browser.start();
    const url = `/recommend/${id}/?mode=recommend&m1=local:knn&m2=local:popular`;
    const first = await browser.get(url);
    expect(rowText(first.body, 'model-1')).toContain('From no ratings yet');
    expect(rowText(first.body, 'model-1')).toContain('class="rate-form"');
    const before = rowIds(first.body, 'model-1');
    // Horror, five stars: Scream and Alien 3.
    expect((await browser.rate(id, 3, 5, url)).headers.location).toBe(url);
    expect((await browser.rate(id, 4, 5, url)).statusCode).toBe(303);
    const second = await browser.get(url);
    const knn = rowIds(second.body, 'model-1');
    expect(knn).not.toEqual(before);
    // Rated movies are left out; Halloween (the other Horror movie) is first.
    expect(knn).not.toContain(3);
    expect(knn).not.toContain(4);
    expect(knn[0]).toBe(9);
    expect(rowText(second.body, 'model-1')).toMatch(/From 2 ratings, the latest \d+ s ago/);
    expect(rowText(second.body, 'model-2')).toMatch(/From 2 ratings/);
    // What changed since the previous view: Halloween is new or moved up.
    const mark = new RegExp(`data-movie-id="9"[\\s\\S]*?data-change="([^"]+)"`).exec(
      rowText(second.body, 'model-1'),
    )![1];
    expect(mark === 'new' || Number(mark) > 0).toBe(true);
    // The rated movies show with their stars in the reviews row.
    expect(rowIds(second.body, 'reviews').sort()).toEqual([3, 4]);
    // The Genre control limits the new user's rows too: every tile a Comedy.
    const comedy = await browser.get(`${url}&genre=Comedy`);
    const comedyIds = rowIds(comedy.body, 'model-1');
    expect(comedyIds.length).toBeGreaterThan(0);
    for (const movieId of comedyIds) expect(FIXTURE_MOVIES.find((m) => m.id === movieId)!.genres).toContain('Comedy');
    expect(
      rowIds(comedy.body, 'model-2').every((movieId) =>
        FIXTURE_MOVIES.find((m) => m.id === movieId)!.genres.includes('Comedy'),
      ),
    ).toBe(true);
    // A previous view that is not lists of ids (a hand edit) is no previous view: no marks, no 500.
    await started!.web.database.db
      .updateTable('site_users')
      .set({ last_view: JSON.stringify({ 'recommend|||model|local:knn': 'oops', other: [1, 'x'] }) })
      .where('id', '=', id)
      .execute();
    const edited = await browser.get(url);
    expect(edited.statusCode).toBe(200);
    expect(rowText(edited.body, 'model-1')).not.toContain('data-change=');
    // Similar items are not from the user's ratings, and say so.
    const similar = await browser.get(`/recommend/${id}/?mode=similar&base=3`);
    expect(rowText(similar.body, 'similar-1')).toContain('Movies like the starting movie, the same for every user');
  });

  it('answers hostile form values on its routes with a 4xx page, never a 500', async () => {
    const browser = new Browser(app, '10.0.7.1');
    const id = await browser.start();
    const hostile = ['', '\u0000', '__proto__', 'x'.repeat(5000), '-1', '1e308', '<script>', '99999999999'];
    const problems: string[] = [];
    for (const field of ['movie', 'stars', 'back', '_csrf']) {
      for (const value of hostile) {
        const form = {
          _csrf: await browser.token(),
          movie: '3',
          stars: '4',
          back: `/recommend/${id}/`,
          [field]: value,
        };
        const res = await browser.post(`/recommend/${id}/ratings`, form);
        if (res.statusCode >= 500 || (res.statusCode >= 400 && !res.body.includes('<h1>')))
          problems.push(`${field}=${value.slice(0, 12)}: ${res.statusCode}`);
      }
    }
    for (const field of ['age', 'gender', 'occupation']) {
      for (const value of hostile) {
        const res = await browser.post('/site-users', { _csrf: await browser.token(), [field]: value });
        if (res.statusCode >= 500) problems.push(`${field}=${value.slice(0, 12)}: ${res.statusCode}`);
      }
    }
    for (const q of hostile) {
      const res = await browser.get(`/recommend/${id}/rate?q=${encodeURIComponent(q)}`);
      if (res.statusCode >= 500) problems.push(`q=${q.slice(0, 12)}: ${res.statusCode}`);
    }
    expect(problems).toEqual([]);
  });

  it('the admin page lists the site users and deletes one with its ratings, after a confirmation', async () => {
    const browser = new Browser(app, '10.0.8.1');
    const id = await browser.start();
    await browser.rate(id, 3, 5);
    await browser.rate(id, 9, 4);
    const admin = new Browser(app, '10.0.8.2');
    const login = await admin.get('/admin/');
    const loginToken = /name="_csrf" value="([^"]+)"/.exec(login.body)![1];
    await admin.post('/admin/login', {
      _csrf: loginToken,
      username: 'admin',
      password: 'correct horse battery staple',
    });
    const list = await admin.get('/admin/');
    const row = new RegExp(`<tr data-site-user="${id}">[\\s\\S]*?</tr>`).exec(list.body)![0];
    expect(row).toMatch(/data-label="Ratings">2</);
    expect(row).toMatch(/data-label="Last rating">\d{4}-\d\d-\d\d /);
    const confirm = await admin.get(`/admin/site-users/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toMatch(/their 2\s+ratings/);
    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.body)![1];
    // Not without the admin's token, not by the attendee.
    expect((await browser.post(`/admin/site-users/${id}/delete`, { _csrf: token })).statusCode).toBe(403);
    const gone = await admin.post(`/admin/site-users/${id}/delete`, { _csrf: token });
    expect(gone.statusCode).toBe(303);
    expect((await admin.get('/admin/')).body).not.toContain(`data-site-user="${id}"`);
    expect((await browser.get(`/recommend/${id}/`)).statusCode).toBe(404);
    const left = await started!.web.database.db
      .selectFrom('site_ratings')
      .select('movie_id')
      .where('user_id', '=', id)
      .execute();
    expect(left).toEqual([]);
    expect((await admin.post(`/admin/site-users/${id}/delete`, { _csrf: token })).statusCode).toBe(404);
  });

  it('sends each rating to PutEvents in the background, and says in the Personalize row what is not sent yet', async () => {
    const browser = new Browser(app, '10.0.6.1');
    const id = await browser.start();
    const url = `/recommend/${id}/?mode=recommend&m1=registry:mrw-personal&m2=local:knn`;
    sink.failWith = 'ThrottlingException: Rate exceeded';
    expect((await browser.rate(id, 3, 5, url)).statusCode).toBe(303);
    expect((await browser.rate(id, 9, 4, url)).statusCode).toBe(303);
    // The page answers while the sends fail: the ratings are in the database, the row says so.
    await started!.web.events.flush();
    const failing = await browser.get(url);
    expect(rowText(failing.body, 'model-1')).toContain(
      '2 ratings not yet sent to Personalize, retrying (ThrottlingException: Rate exceeded)',
    );
    expect(rowText(failing.body, 'model-2')).toContain('From 2 ratings');
    sink.failWith = undefined;
    await started!.web.events.flush();
    const sent = sink.received.filter((call) => call.userId === String(id));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ trackingId: 'tracking-123', sessionId: `site-user-${id}` });
    expect(sent[0].eventList.map((e) => [e.eventType, e.itemId, e.eventValue])).toEqual([
      ['rating', '3', 5],
      ['rating', '9', 4],
    ]);
    const page = await browser.get(url);
    expect(rowText(page.body, 'model-1')).toContain('From your ratings sent to Personalize');
    // The stand-in campaign answers 3 and 9, both rated: the site leaves them out and says so.
    expect(rowIds(page.body, 'model-1')).toEqual([]);
    expect(rowText(page.body, 'model-1')).toContain('2 movies you rated are left out of this row by the site.');
    // A rating at or below the positive threshold stays on the site (the training data has none).
    expect((await browser.rate(id, 12, 2, url)).statusCode).toBe(303);
    await started!.web.events.flush();
    expect(sink.received.filter((call) => call.userId === String(id))).toHaveLength(1);
    expect(rowText((await browser.get(url)).body, 'model-1')).toContain(
      '1 of your ratings (the lower ones) stay on the site',
    );
  });
});

describe('without an event tracker (a local run)', () => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  const sink = new SimulatedEventSink();

  beforeAll(async () => {
    started = await startFixtureApp('pglite', {
      admin: { password: 'correct horse battery staple' },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      registry: new StaticRegistry({ ...TRACKED, eventTracker: undefined }),
      personalize: campaign,
      eventSink: sink,
      ease: false,
      siteUsers: { perBrowser: 2, perClient: 3, total: 5 },
    });
  }, 120_000);
  afterAll(async () => started?.close());

  it('sends nothing and says so in the Personalize rows', async () => {
    const browser = new Browser(started!.web.app, '10.1.0.1');
    const id = await browser.start();
    await browser.rate(id, 3, 5);
    await started!.web.events.flush();
    expect(sink.received).toEqual([]);
    expect(started!.web.events.totals).toEqual({ sent: 0, failedCalls: 0, waiting: 0 });
    const page = await browser.get(`/recommend/${id}/?mode=recommend&m1=registry:mrw-personal&m2=local:knn`);
    expect(rowText(page.body, 'model-1')).toContain('Your ratings are not sent to Amazon Personalize here');
  });

  it('bounds the users per browser and per address (429) and in all (409), with a message', async () => {
    const app = started!.web.app;
    // One user of this address so far (the test above), from another browser.
    const browser = new Browser(app, '10.1.0.1');
    await browser.start();
    await browser.start();
    const third = await browser.post('/site-users', { _csrf: await browser.token() });
    expect(third.statusCode).toBe(429);
    expect(third.body).toContain('users in this browser already, as many as the site allows per visitor');
    // Another browser at the same address (a room behind one NAT): the address has its 3.
    const neighbour = new Browser(app, '10.1.0.1');
    const fourth = await neighbour.post('/site-users', { _csrf: await neighbour.token() });
    expect(fourth.statusCode).toBe(429);
    expect(fourth.body).toContain('as many as the site allows per address');
    // Another address: two more, then the site is full.
    const other = new Browser(app, '10.1.0.2');
    await other.start();
    await other.start();
    const full = await other.post('/site-users', { _csrf: await other.token() });
    expect(full.statusCode).toBe(409);
    expect(full.body).toContain('as many as it allows');
  });
});

describe('with PutEvents hanging', () => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let calls = 0;

  beforeAll(async () => {
    started = await startFixtureApp('pglite', {
      admin: { password: 'correct horse battery staple' },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      registry: new StaticRegistry(TRACKED),
      personalize: campaign,
      // Never answers: the page must not wait for it.
      eventSink: { send: () => (calls++, new Promise<void>(() => undefined)) },
      ease: false,
    });
  }, 120_000);
  afterAll(async () => started?.close());

  it('answers the rating and the page while the send is still waiting', async () => {
    const browser = new Browser(started!.web.app, '10.2.0.1');
    const id = await browser.start();
    expect((await browser.rate(id, 3, 5)).statusCode).toBe(303);
    const page = await browser.get(`/recommend/${id}/?mode=recommend&m1=registry:mrw-personal&m2=local:knn`);
    expect(page.statusCode).toBe(200);
    expect(rowText(page.body, 'model-1')).toContain('1 rating not yet sent to Personalize, retrying');
    expect(rowText(page.body, 'model-2')).toContain('From 1 rating,');
    // The send was attempted (in the background) and still hangs: one call, no more.
    while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
  });
});
