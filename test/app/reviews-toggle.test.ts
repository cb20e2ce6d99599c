/**
 * Issue 16, point 3: "Show User Reviews" has one default, whatever else the address holds. Before,
 * the reviews showed at /recommend/1/ and hid with ?mode=similar or ?mode=recommend, then showed again
 * with ?m1=local:knn. Now only `reviews=` changes it, and the checkbox's form says both states.
 */
import type { FastifyInstance } from 'fastify';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const OTHER_PARAMETERS = [
  '',
  'mode=similar',
  'mode=recommend',
  'mode=ranking&genre=Horror',
  'm1=local:knn',
  'mode=recommend&m1=local:knn&m2=local:popular',
  'mode=similar&base=3&order=popular',
  'm1=registry:gone',
];

describe.each(DATABASE_KINDS)('Show User Reviews on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { password: 'correct horse battery staple' },
      sessionSecret: 'a test secret that is long enough to sign cookies',
    });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  /** Whether the page shows the reviews row, and whether the checkbox agrees. */
  const shown = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/recommend/1/?${query}` });
    expect(res.statusCode).toBe(200);
    const row = res.body.includes('id="reviews"');
    const ticked = /<input type="checkbox" name="reviews" value="show"\s+checked/.test(res.body);
    expect(ticked).toBe(row);
    return row;
  };
  const withReviews = (query: string, reviews: string) => [query, reviews].filter(Boolean).join('&');

  it.each(OTHER_PARAMETERS)('shown by default with "%s"', async (query) => {
    expect(await shown(query)).toBe(true);
  });

  it.each(OTHER_PARAMETERS)('reviews=hide hides them and reviews=show shows them with "%s"', async (query) => {
    expect(await shown(withReviews(query, 'reviews=hide'))).toBe(false);
    expect(await shown(withReviews(query, 'reviews=show'))).toBe(true);
  });

  it('the checkbox form: unticked sends reviews=hide, ticked sends hide then show, and the last counts', async () => {
    const res = await app.inject({ method: 'GET', url: '/recommend/1/?mode=similar' });
    const form = /<form[^>]*>(?:(?!<form)[\s\S])*?Show User\s+Reviews/.exec(res.body)![0];
    // The hidden value comes first, so a ticked box's value comes last.
    expect(form.indexOf('<input type="hidden" name="reviews" value="hide" />')).toBeGreaterThan(-1);
    expect(form.indexOf('name="reviews" value="hide"')).toBeLessThan(form.indexOf('type="checkbox"'));
    expect(await shown('mode=similar&reviews=hide')).toBe(false);
    expect(await shown('mode=similar&reviews=hide&reviews=show')).toBe(true);
  });

  it('other repeats of reviews are still refused', async () => {
    for (const query of [
      'reviews=show&reviews=hide',
      'reviews=hide&reviews=hide',
      'reviews=hide&reviews=show&reviews=show',
    ]) {
      const res = await app.inject({ method: 'GET', url: `/recommend/1/?${query}` });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('The query parameter &quot;reviews&quot; is given');
    }
    const odd = await app.inject({ method: 'GET', url: '/recommend/1/?reviews=hide&reviews=maybe' });
    expect(odd.statusCode).toBe(400);
    expect(odd.body).toContain('reviews: &quot;maybe&quot; must be show or hide');
  });
});
