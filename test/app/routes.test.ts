/**
 * The pages, through Fastify's inject, on the embedded PGlite and (in CI) a real PostgreSQL:
 * what each page shows for the hand-written fixture, and a 4xx page for every bad input.
 */
import type { FastifyInstance } from 'fastify';
import { routesOf } from '../../app-src/app';
import { CSS_PATH, JS_PATH } from '../../app-src/static/assets';
import type { ModelRegistry } from '../../lib/shared/model-registry';
import type { Model, Recommender } from '../../app-src/recommenders/port';
import { StaticRegistry } from '../../app-src/recommenders/registry';
import type { Started } from '../../app-src/start';
import { DATABASE_KINDS, FIXTURE_MOVIES, startFixtureApp } from './helpers';

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/mrw-personal';
const REGISTRY: ModelRegistry = {
  schemaVersion: 2,
  pipeline: {
    status: 'pending',
    reason: 'training solution similar-items',
    updatedAt: '2026-11-27T01:00:00.000Z',
    resources: [
      {
        resource: 'solution:similar-items',
        stage: 'training',
        status: 'CREATE IN_PROGRESS',
      },
    ],
  },
  models: [
    {
      name: 'Personal <i>Recommendations</i>',
      type: 'recommend',
      campaignArn: CAMPAIGN,
      recipe: 'aws-user-personalization-v2',
      sortOrder: 1,
      catalog: 'ml-100k',
      metrics: { precisionAt5: 0.1234, precisionAt10: 0.1, precisionAt25: 0.05, ndcgAt10: 0.2, coverage: 0.3 },
    },
  ],
};

/** Stands in for Amazon Personalize: every call fails the way a slow campaign does. */
const calls: string[] = [];
const slowPersonalize: Recommender = {
  async recommend(model: Model) {
    calls.push(`recommend ${model.campaignArn}`);
    throw new Error('Amazon Personalize did not answer within 1 s');
  },
  async rank() {
    throw new Error('not expected');
  },
  async similar() {
    throw new Error('not expected');
  },
};

describe.each(DATABASE_KINDS)('pages on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let web: Started;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { password: 'correct horse battery staple' },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      registry: new StaticRegistry(REGISTRY),
      personalize: slowPersonalize,
    });
    web = started.web;
    app = web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  const get = (url: string) => app.inject({ method: 'GET', url });

  describe('front page', () => {
    it('shows live counts, the models with their metrics, the chart, the progress banner and the guide', async () => {
      const res = await get('/recommend/');
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/data-count="users">6</);
      expect(res.body).toMatch(/data-count="movies">12</);
      expect(res.body).toMatch(/data-count="ratings">29</);
      expect(res.body).toContain('Personal &lt;i&gt;Recommendations&lt;/i&gt;');
      expect(res.body).not.toContain('<i>Recommendations</i>');
      expect(res.body).toContain('0.1234');
      expect(res.body).toContain('Item-kNN (local)');
      expect(res.body).toMatch(/<figure class="bars chart" data-chart="precision">/);
      expect(res.body).toContain('Amazon Personalize is still working');
      // The progress as a timeline: training runs, so the phases before it are done, campaigns to come.
      const steps = [...res.body.matchAll(/<li data-state="(\w+)"[^>]*>\s*<span class="step-name">([^<]+)</g)].map(
        (m) => [m[2], m[1]],
      );
      expect(steps).toEqual([
        ['Datasets', 'done'],
        ['Data import', 'done'],
        ['Solutions training', 'current'],
        ['Campaigns creating', 'pending'],
      ]);
      // Each metric explained in one line next to the chart.
      for (const name of ['precision@5', 'precision@10', 'precision@25', 'NDCG@10', 'coverage'])
        expect(res.body).toMatch(new RegExp(`<dt>${name}</dt>\\s*<dd>[^<]+</dd>`));
      // Select Random User comes before the models (the first screen on a phone).
      expect(res.body.indexOf('Select Random User')).toBeLessThan(res.body.indexOf('id="models-heading"'));
      expect(res.body).toContain('solution:similar-items');
      expect(res.body).toContain('Select Random User');
      expect(res.body).toContain('What the metrics mean');
      expect(res.body).toContain('Larger is better');
    });

    it('Select Random User goes to a user that exists', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const res = await get('/recommend/random');
        expect(res.statusCode).toBe(302);
        const match = /^\/recommend\/([1-6])\/$/.exec(res.headers.location as string);
        expect(match).not.toBeNull();
        seen.add(match![1]);
      }
      expect(seen.size).toBeGreaterThan(1);
    });

    it('/ and /recommend lead to the front page', async () => {
      expect((await get('/')).headers.location).toBe('/recommend/');
      expect((await get('/recommend')).headers.location).toBe('/recommend/');
    });
  });

  describe('user page', () => {
    it('shows the user, a right review summary with empty star levels, and the top reviews', async () => {
      const res = await get('/recommend/1/');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('data-user-id="1"');
      expect(res.body).toContain('technician');
      const summary = [
        ...res.body.matchAll(/data-stars="(\d)">[\s\S]*?class="num">(\d+)<\/td>\s*<td class="num">([\d.]+)%/g),
      ].map((m) => [Number(m[1]), Number(m[2]), m[3]]);
      expect(summary).toEqual([
        [5, 2, '50.0'],
        [4, 1, '25.0'],
        [3, 0, '0.0'],
        [2, 1, '25.0'],
        [1, 0, '0.0'],
      ]);
      const reviews = rowMovieIds(res.body, 'reviews');
      // 5 stars newest first (5 then 1), then 4, then 2.
      expect(reviews).toEqual([5, 1, 6, 2]);
    });

    it('puts the controls in one toolbar, then the rows, then the user; each form has its Show button', async () => {
      const res = await get('/recommend/1/?mode=recommend');
      const at = (marker: string) => {
        const i = res.body.indexOf(marker);
        if (i < 0) throw new Error(`${marker} is not on the page`);
        return i;
      };
      expect(at('class="skip-link" href="#main"')).toBeLessThan(at('<main id="main" tabindex="-1">'));
      expect(at('class="toolbar"')).toBeLessThan(at('id="reviews"'));
      expect(at('id="reviews"')).toBeLessThan(at('id="user-heading"'));
      // The toolbar holds the mode, both models and the reviews toggle; no control card before the rows.
      const toolbar = res.body.slice(at('class="toolbar"'), at('id="reviews"'));
      for (const id of ['mode', 'm1', 'm2', 'reviews-toggle']) expect(toolbar).toContain(`id="${id}"`);
      // Without the script every form still submits: three forms, three Show buttons (none in noscript).
      expect(toolbar.match(/<form [^>]*data-autosubmit/g)).toHaveLength(3);
      expect(toolbar.match(/class="secondary show-button">Show</g)).toHaveLength(3);
      expect(res.body).not.toContain('<noscript>');
      // Prev and Next User keep focus across the reload (ids the script restores).
      expect(res.body).toMatch(/<form [^>]*data-keep-focus>[\s\S]*?id="next-user"/);
    });

    it('Recommendations: two model rows; a failing campaign says why in its row, the other row still shows', async () => {
      calls.length = 0;
      const res = await get('/recommend/1/?mode=recommend&m1=registry:mrw-personal&m2=local:knn&reviews=hide');
      expect(res.statusCode).toBe(200);
      expect(calls).toEqual([`recommend ${CAMPAIGN}`]);
      expect(res.body).toContain('Personalization: Personal &lt;i&gt;Recommendations&lt;/i&gt;');
      expect(res.body).toContain('recommendations unavailable: Amazon Personalize did not answer within 1 s');
      const knn = rowMovieIds(res.body, 'model-2');
      expect(knn.length).toBeGreaterThan(0);
      // Never something user 1 rated.
      expect(knn.filter((id) => [1, 5, 6, 2].includes(id))).toEqual([]);
      expect(res.body).not.toContain('id="reviews"');
      // Both dropdowns list the recommend models, Personalize first (sort order).
      const options = [...res.body.matchAll(/<select id="m1"[\s\S]*?<\/select>/g)][0][0];
      expect([...options.matchAll(/value="([^"]+)"/g)].map((m) => m[1])).toEqual([
        'registry:mrw-personal',
        'local:popular',
        'local:knn',
      ]);
    });

    it('Personal Ranking: the popular Horror movies, and a ranking of exactly that list', async () => {
      const res = await get('/recommend/2/?mode=ranking&genre=Horror');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Most popular movies in Horror');
      expect(rowMovieIds(res.body, 'popular')).toEqual([3, 9, 4]);
      expect(rowMovieIds(res.body, 'ranking-1').sort()).toEqual([3, 4, 9]);
      expect(res.body).toMatch(/<option value="Horror" selected>Horror<\/option>/);
      expect(res.body).toContain('Rankings: Personal ranking, item-kNN (local)');
    });

    it('Similar Items: starts from the top-rated movie, never shows it, and tiles link to a new base', async () => {
      const res = await get('/recommend/1/?mode=similar');
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/data-base-movie="5">\s*Movies like\s*<strong>Casablanca<\/strong>/);
      const similar = rowMovieIds(res.body, 'similar-1');
      expect(similar.length).toBeGreaterThan(0);
      expect(similar).not.toContain(5);
      expect(res.body).toMatch(/href="\/recommend\/1\/\?mode=similar&amp;m1=[^"]*base=\d+/);

      const personalized = await get('/recommend/1/?mode=similar&base=3&order=personalized');
      expect(personalized.statusCode).toBe(200);
      expect(personalized.body).toMatch(/data-base-movie="3">\s*Movies like\s*<strong>Scream<\/strong>/);
      expect(rowMovieIds(personalized.body, 'similar-1')).not.toContain(3);
      expect(personalized.body).toMatch(/<option value="personalized" selected>Personalized<\/option>/);
    });

    it('Prev User and Next User keep the mode and wrap around', async () => {
      const res = await get('/recommend/1/?mode=ranking&genre=Horror');
      expect(res.body).toMatch(/action="\/recommend\/6\/"[\s\S]*?name="mode" value="ranking"[\s\S]*?Prev User/);
      expect(res.body).toMatch(/action="\/recommend\/2\/"[\s\S]*?name="genre" value="Horror"[\s\S]*?Next User/);
    });

    it('escapes titles that hold markup, in tiles and posters', async () => {
      const res = await get('/recommend/6/');
      expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Bold&lt;/b&gt;');
      expect(res.body).not.toContain('<script>alert');
      const poster = await get('/posters/7.svg');
      expect(poster.statusCode).toBe(200);
      expect(poster.headers['content-type']).toBe('image/svg+xml');
      expect(poster.body).not.toContain('<script');
      // The caption prints the title; the poster shows the genres and year instead (issue 16, point 9).
      expect(poster.body).not.toMatch(/script|Bold/);
      expect(poster.body).toContain('>Comedy</text>');
      expect(poster.body).toContain('>2001</text>');
    });

    it("shows titles with their article first, as people write them (the data keep MovieLens' form)", async () => {
      const res = await get('/recommend/3/');
      expect(res.body).toContain('The Good, the Bad and the &quot;Ugly&quot;');
      expect(res.body).not.toContain('&quot;Ugly&quot;, The');
    });

    it('a movie with no genres and no year still gets a tile and a poster', async () => {
      const res = await get('/recommend/5/');
      expect(res.body).toContain('(no genres listed)');
      expect((await get('/posters/12.svg')).statusCode).toBe(200);
    });
  });

  describe('bad input gets a 4xx page that names the problem', () => {
    it.each([
      ['/recommend/abc/', 404, '&quot;abc&quot; is not a user id'],
      ['/recommend/0/', 404, 'is not a user id'],
      ['/recommend/99999/', 404, 'There is no user 99999'],
      ['/recommend/12345678901234567890/', 404, 'is not a user id'],
      ['/recommend/1/?mode=nonsense', 400, 'mode: &quot;nonsense&quot; is not a mode'],
      ['/recommend/1/?mode=ranking&genre=Musical', 400, 'genre: &quot;Musical&quot; is not a genre'],
      ['/recommend/1/?mode=similar&base=abc', 400, 'base: &quot;abc&quot; is not a movie id'],
      ['/recommend/1/?mode=similar&base=99999', 400, 'base: there is no movie 99999'],
      ['/recommend/1/?mode=similar&order=random', 400, 'order: &quot;random&quot; is not an ordering'],
      ['/recommend/1/?reviews=maybe', 400, 'reviews: &quot;maybe&quot; must be show or hide'],
      ['/recommend/1/?m1=local:knn&m1=local:popular', 400, 'The query parameter &quot;m1&quot; is given 2 times'],
      ['/recommend/1/?mode=%3Cscript%3E', 400, '&quot;&lt;script&gt;&quot; is not a mode'],
      ['/posters/abc.svg', 404, 'Posters are named'],
      ['/posters/99999.svg', 404, 'There is no movie 99999'],
      ['/no/such/page', 404, 'There is no page at /no/such/page'],
    ])('%s -> %i', async (url, status, message) => expectErrorPage(url, status, message));

    it('an oversized parameter -> 400, an oversized address -> 414', async () => {
      await expectErrorPage('/recommend/1/?genre=' + 'x'.repeat(300), 400, 'longer than 200 characters');
      await expectErrorPage('/recommend/1/?genre=' + 'x'.repeat(3000), 414, 'longer than 2048 characters');
    });

    async function expectErrorPage(url: string, status: number, message: string) {
      const res = await get(url);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain(message);
      expect(res.body).not.toMatch(/at \w+ \(|node_modules|Error:/);
    }
  });

  it('/healthz pings the database', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ok');
  });

  it('serves the stylesheet under its content hash, cached for good', async () => {
    const front = await get('/recommend/');
    const href = /href="(\/static\/app\.[0-9a-f]{12}\.css)"/.exec(front.body)![1];
    const css = await get(href);
    expect(css.statusCode).toBe(200);
    expect(css.headers['cache-control']).toContain('immutable');
  });

  it('routesOf lists the routes of every area (health, static, recommend pages, admin)', () => {
    // The fuzz test walks this list: a route an area adds out of its sight would go unfuzzed.
    const listed = routesOf(app).map((r) => `${r.method} ${r.url}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        'GET /',
        'GET /healthz',
        `GET ${CSS_PATH}`,
        `GET ${JS_PATH}`,
        'GET /posters/:file',
        'GET /recommend/',
        'GET /recommend/:userId/',
        'GET /admin/',
        'POST /admin/login',
        'POST /admin/models/:id/delete',
      ]),
    );
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('the fixture really has the titles the escaping tests rely on', () => {
    expect(FIXTURE_MOVIES[6].title).toContain('<script>');
  });
});

/** The movie ids of a row's tiles, in order. */
function rowMovieIds(body: string, rowId: string): number[] {
  const section = new RegExp(`<section class="row" id="${rowId}"[\\s\\S]*?</section>`).exec(body);
  if (!section) throw new Error(`no row ${rowId} in the page`);
  return [...section[0].matchAll(/data-movie-id="(\d+)"/g)].map((m) => Number(m[1]));
}
