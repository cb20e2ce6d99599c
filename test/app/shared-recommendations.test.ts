/**
 * Issue 16, point 12 (first part): in Recommendations, the movies Model 1 and Model 2 both
 * recommend are marked in both rows ("Both models"), and no other tile is.
 */
import type { FastifyInstance } from 'fastify';
import { markShared } from '../../app-src/routes/recommend';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

/** The movie ids of a row, and those of its tiles marked as shared. */
function rowTiles(body: string, rowId: string): { all: number[]; marked: number[] } {
  const section = new RegExp(`<section class="row" id="${rowId}"[\\s\\S]*?</section>`).exec(body);
  expect(section).not.toBeNull();
  const tiles = [...section![0].matchAll(/<li class="tile" data-movie-id="(\d+)">([\s\S]*?)<\/li>/g)];
  return {
    all: tiles.map((t) => Number(t[1])),
    marked: tiles.filter((t) => t[2].includes('data-shared')).map((t) => Number(t[1])),
  };
}

describe.each(DATABASE_KINDS)('movies both models recommend, on %s', (kind) => {
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

  it.each([1, 2, 3, 4, 5, 6])('user %i: exactly the movies in both rows are marked, in each row', async (user) => {
    const res = await app.inject({ method: 'GET', url: `/recommend/${user}/?m1=local:popular&m2=local:knn` });
    expect(res.statusCode).toBe(200);
    const first = rowTiles(res.body, 'model-1');
    const second = rowTiles(res.body, 'model-2');
    const both = first.all.filter((id) => second.all.includes(id));
    expect(first.marked).toEqual(both);
    expect(second.marked).toEqual(second.all.filter((id) => both.includes(id)));
  });

  it('the fixture has users whose two rows overlap (the check above is not vacuous)', async () => {
    const res = await app.inject({ method: 'GET', url: '/recommend/1/?m1=local:popular&m2=local:knn' });
    expect(rowTiles(res.body, 'model-1').marked.length).toBeGreaterThan(0);
    expect(res.body).toContain('Both models');
  });

  it('one row (m2=none) marks nothing', async () => {
    const one = await app.inject({ method: 'GET', url: '/recommend/1/?m1=local:popular&m2=none' });
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain('data-shared');
  });
});

describe('markShared', () => {
  const movie = (id: number) => ({ id, title: `m${id}`, year: null, genres: [], positiveCount: 0 });
  it('marks the intersection; leaves rows alone when one failed or nothing is shared', () => {
    const rows = markShared([
      { id: 'model-1', heading: 'a', movies: [1, 2, 3].map(movie) },
      { id: 'model-2', heading: 'b', movies: [3, 4, 1].map(movie) },
    ]);
    expect(rows.map((r) => [...(r.shared ?? [])].sort())).toEqual([
      [1, 3],
      [1, 3],
    ]);
    const failed = markShared([
      { id: 'model-1', heading: 'a', movies: [1].map(movie) },
      { id: 'model-2', heading: 'b', unavailable: 'down' },
    ]);
    expect(failed.every((r) => r.shared === undefined)).toBe(true);
    const disjoint = markShared([
      { id: 'model-1', heading: 'a', movies: [1].map(movie) },
      { id: 'model-2', heading: 'b', movies: [2].map(movie) },
    ]);
    expect(disjoint.every((r) => r.shared === undefined)).toBe(true);
  });
});
