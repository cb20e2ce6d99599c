/**
 * Issue 16, point 12 (second part): local recommendations say "because you liked <title>" (the
 * movie of the user's history that contributed most), and Personal Ranking shows how far each
 * movie moved from the popular order it was given (↑3, ↓5, =).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword } from '../../app-src/auth';
import { movesFrom } from '../../app-src/routes/recommend';
import type { Recommender } from '../../app-src/recommenders/port';
import { DATABASE_KINDS, FIXTURE_RATINGS, startFixtureApp } from './helpers';

const PASSWORD = 'correct horse battery staple';
const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/explains-badly';
/** The fixture's threshold (helpers.ts): ratings above it are positives. */
const POSITIVE_THRESHOLD = 3.6;

/** A campaign that recommends, but whose explanation fails: the row must still show. */
const personalize: Recommender = {
  recommend: async () => [3, 9, 10],
  rank: async () => {
    throw new Error('not expected');
  },
  similar: async () => {
    throw new Error('not expected');
  },
  explain: async () => {
    throw new Error('explanations are down');
  },
};

interface Tile {
  readonly id: number;
  readonly because?: number;
  readonly becauseText?: string;
  readonly move?: number;
}

function rowTiles(body: string, rowId: string): Tile[] {
  const section = new RegExp(`<section class="row" id="${rowId}"[\\s\\S]*?</section>`).exec(body);
  expect(section).not.toBeNull();
  return [...section![0].matchAll(/<li class="tile" data-movie-id="(\d+)">([\s\S]*?)<\/li>/g)].map((t) => {
    const because = /data-because="(\d+)">([^<]*)</.exec(t[2]);
    const move = /data-move="(-?\d+)"/.exec(t[2]);
    return {
      id: Number(t[1]),
      ...(because ? { because: Number(because[1]), becauseText: because[2].replace(/\s+/g, ' ').trim() } : {}),
      ...(move ? { move: Number(move[1]) } : {}),
    };
  });
}

const positivesOf = (user: number) =>
  new Set(FIXTURE_RATINGS.filter(([u, , r]) => u === user && r > POSITIVE_THRESHOLD).map(([, m]) => m));

describe.each(DATABASE_KINDS)('reasons and rank movements on %s', (kind) => {
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

  it.each([1, 2, 3, 4, 5, 6])('user %i: each reason is a movie the user liked, named by its title', async (user) => {
    const body = await get(`/recommend/${user}/?m1=local:knn&m2=local:popular`);
    const liked = positivesOf(user);
    const knn = rowTiles(body, 'model-1');
    for (const tile of knn.filter((t) => t.because !== undefined)) {
      expect(liked.has(tile.because!)).toBe(true);
      expect(tile.becauseText).toMatch(/^Because you liked \S/);
    }
    // The popularity model gives no reasons.
    expect(rowTiles(body, 'model-2').some((t) => t.because !== undefined)).toBe(false);
  });

  it('the check above is not vacuous: users get reasons, with the liked title on the tile', async () => {
    const body = await get('/recommend/1/?m1=local:knn&m2=none');
    const reasons = rowTiles(body, 'model-1').filter((t) => t.because !== undefined);
    expect(reasons.length).toBeGreaterThan(0);
    const title = /<span class="title">([^<]*)<\/span>/;
    // The liked movie's title, as the movie page prints it.
    const likedPage = await get(`/recommend/1/?mode=similar&base=${reasons[0].because}`);
    const likedTitle = /<li class="start-tile"[\s\S]*?<\/li>/.exec(likedPage)![0].match(title)![1].trim();
    expect(reasons[0].becauseText).toBe(`Because you liked ${likedTitle}`);
  });

  it('Personal Ranking: each movie shows how far it moved from the popular row, in words too', async () => {
    for (const genre of ['', '&genre=Drama']) {
      const body = await get(`/recommend/2/?mode=ranking${genre}`);
      const popular = rowTiles(body, 'popular');
      const ranked = rowTiles(body, 'ranking-1');
      expect(ranked.map((t) => t.id).sort()).toEqual(popular.map((t) => t.id).sort());
      ranked.forEach((tile, place) => {
        expect(tile.move).toBe(popular.findIndex((p) => p.id === tile.id) - place);
      });
      // The popular row itself is the reference: no movements there.
      expect(popular.some((t) => t.move !== undefined)).toBe(false);
    }
    const body = await get('/recommend/2/?mode=ranking');
    const moved = rowTiles(body, 'ranking-1').filter((t) => t.move !== 0);
    expect(moved.length).toBeGreaterThan(0);
    // Moves sum to zero, so some movie went up: its badge says so in words.
    const up = rowTiles(body, 'ranking-1').find((t) => t.move! > 0)!;
    expect(body).toContain(`up ${up.move} place${up.move === 1 ? '' : 's'} from the popular order`);
    // The local ranking explains itself too.
    expect(rowTiles(body, 'ranking-1').some((t) => t.because !== undefined)).toBe(true);
  });

  it('a model whose explanation fails still shows its row, without reasons', async () => {
    const cookies: Record<string, string> = {};
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
    const added = await post('/admin/models', {
      name: 'Explains badly',
      campaignArn: CAMPAIGN,
      type: 'recommend',
      sortOrder: '5',
    });
    expect(added.statusCode).toBe(303);
    const list = keep(await app.inject({ method: 'GET', url: '/admin/', cookies })).body;
    const id = /href="\/admin\/models\/(\d+)\/edit">Edit Explains badly</.exec(list)![1];

    const body = await get(`/recommend/1/?m1=admin:${id}&m2=local:knn`);
    expect(rowTiles(body, 'model-1').map((t) => t.id)).toEqual([3, 9, 10]);
    expect(rowTiles(body, 'model-1').some((t) => t.because !== undefined)).toBe(false);
    // The other row keeps its reasons.
    expect(rowTiles(body, 'model-2').some((t) => t.because !== undefined)).toBe(true);
  });
});

describe('movesFrom', () => {
  const movie = (id: number) => ({ id, title: `m${id}`, year: null, genres: [], positiveCount: 0 });
  it('counts places up (positive) and down (negative) from the given order; unknown movies have none', () => {
    const moves = movesFrom([1, 2, 3, 4], [3, 1, 2, 4, 9].map(movie));
    expect([...moves]).toEqual([
      [3, 2],
      [1, -1],
      [2, -1],
      [4, 0],
    ]);
  });
});
