/**
 * Issue 18: the user page's Genre control in Recommendations and Similar Items. With a genre chosen
 * every row answers for that genre: the local models through `allows`, the Personalize models
 * through the registry's genre filter (the exact request checked through aws-sdk-client-mock),
 * and a Personalize model whose registry has no genre filter says so on its row. The tiles show
 * the reasons and promotions the answer carries.
 */
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import type { FastifyInstance } from 'fastify';
import type { ModelRegistry } from '../../lib/shared/model-registry';
import { PersonalizeRecommender } from '../../app-src/recommenders/personalize';
import { ModelRegistrySource, StaticRegistry } from '../../app-src/recommenders/registry';
import { DATABASE_KINDS, startFixtureApp } from './helpers';

const PERSONAL = 'arn:aws:personalize:us-east-1:123456789012:campaign/mrw-personal';
const SIMS = 'arn:aws:personalize:us-east-1:123456789012:campaign/mrw-sims';
const GENRE = 'arn:aws:personalize:us-east-1:123456789012:filter/mrw-genre';
const EXCLUDE_RATED = 'arn:aws:personalize:us-east-1:123456789012:filter/mrw-exclude-rated';
const entry = { sortOrder: 1, catalog: 'ml-100k', metrics: {} };
const WITH_FILTERS: ModelRegistry = {
  schemaVersion: 2,
  pipeline: { status: 'done', updatedAt: '2026-12-01T00:00:00.000Z', resources: [] },
  models: [
    { ...entry, name: 'Personal', type: 'recommend', campaignArn: PERSONAL, recipe: 'aws-user-personalization-v2' },
    { ...entry, name: 'Similar', type: 'sims', campaignArn: SIMS, recipe: 'aws-sims' },
  ],
  filters: { genre: GENRE, excludeRated: EXCLUDE_RATED },
};
const WITHOUT_FILTERS: ModelRegistry = { ...WITH_FILTERS, filters: undefined };
/** The fixture's Horror movies (helpers.ts); user 1 has rated none of them. */
const HORROR = [3, 4, 9];

const runtime = mockClient(PersonalizeRuntimeClient);
let registryDocument = WITH_FILTERS;
const registry: ModelRegistrySource = { snapshot: () => new StaticRegistry(registryDocument).snapshot() };

function answerLikeTheStandIn(): void {
  runtime.reset();
  runtime.on(GetRecommendationsCommand).callsFake((input: { itemId?: string }) =>
    input.itemId
      ? { itemList: [{ itemId: '4' }, { itemId: '9' }, { itemId: '2' }] }
      : {
          itemList: [
            { itemId: '9', reason: ['Exploration'] },
            { itemId: '3', reason: ['Promoted item'], promotionName: 'recent-movies' },
            { itemId: '1' },
          ],
        },
  );
}
const requests = () => runtime.commandCalls(GetRecommendationsCommand).map((call) => call.args[0].input);

describe.each(DATABASE_KINDS)('the Genre control on %s', (kind) => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp(kind, {
      admin: { password: 'correct horse battery staple' },
      sessionSecret: 'a test secret that is long enough to sign cookies',
      registry,
      personalize: new PersonalizeRecommender({ client: new PersonalizeRuntimeClient({ region: 'us-east-1' }) }),
    });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());
  beforeEach(() => {
    registryDocument = WITH_FILTERS;
    answerLikeTheStandIn();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  it('Recommendations: a Genre select in the models form, the chosen genre selected', async () => {
    const body = await get('/recommend/1/?m1=local:popular&m2=local:knn&genre=Horror');
    const form =
      /<form method="get" action="\/recommend\/1\/" data-autosubmit>(?:(?!<\/form>)[\s\S])*?id="m1"[\s\S]*?<\/form>/.exec(
        body,
      )![0];
    expect(form).toMatch(/<label for="genre">Genre<\/label>\s*<select id="genre" name="genre">/);
    expect(form).toMatch(/<option value="Horror" selected>Horror<\/option>/);
    expect(form).toMatch(/<option value="" >All<\/option>|<option value="">All<\/option>/);
    // The select carries the genre: no second, hidden genre in the same form.
    expect(form).not.toMatch(/type="hidden" name="genre"/);
  });

  it('Recommendations: the local rows keep to the genre (and do not without one)', async () => {
    const filtered = await get('/recommend/1/?m1=local:popular&m2=local:knn&genre=Horror');
    for (const row of ['model-1', 'model-2']) {
      const ids = rowMovieIds(filtered, row);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => !HORROR.includes(id))).toEqual([]);
    }
    // Most popular (local) for user 1 in Horror: the fixture's popularity order 3, 9, 4.
    expect(rowMovieIds(filtered, 'model-1')).toEqual([3, 9, 4]);
    const all = await get('/recommend/1/?m1=local:popular&m2=local:knn');
    expect(rowMovieIds(all, 'model-1').some((id) => !HORROR.includes(id))).toBe(true);
  });

  it('Recommendations: Personalize gets the genre filter with $GENRE quoted; its reasons and promotions show', async () => {
    const body = await get('/recommend/1/?m1=registry:mrw-personal&m2=local:knn&genre=Horror');
    expect(requests()).toStrictEqual([
      {
        campaignArn: PERSONAL,
        userId: '1',
        numResults: 25,
        filterArn: GENRE,
        filterValues: { GENRE: '"Horror"' },
      },
    ]);
    // Movie 1 is not Horror: never shown, whatever the service said.
    expect(rowMovieIds(body, 'model-1')).toEqual([9, 3]);
    const tiles = tilesOf(body, 'model-1');
    expect(tiles.get(9)).toMatch(/<span class="because" data-reason>Exploration<\/span>/);
    expect(tiles.get(9)).not.toContain('data-promoted');
    expect(tiles.get(3)).toMatch(/<span class="promoted-label" data-promoted>Promoted<\/span>/);
    // Its "Promoted item" reason is not said twice.
    expect(tiles.get(3)).not.toContain('data-reason');
    // The genre filter was applied, exclude-rated could not be (one filter per request): said.
    expect(rowHtml(body, 'model-1')).toMatch(
      /<p class="row-note" data-row-note>[^<]*movies this user rated may appear/,
    );
    expect(rowHtml(body, 'model-2')).not.toContain('data-row-note');
  });

  it('Recommendations without a genre: Personalize gets the exclude-rated filter, and no note', async () => {
    const body = await get('/recommend/1/?m1=registry:mrw-personal&m2=local:knn');
    expect(requests()).toStrictEqual([
      { campaignArn: PERSONAL, userId: '1', numResults: 25, filterArn: EXCLUDE_RATED },
    ]);
    expect(rowMovieIds(body, 'model-1')).toEqual([9, 3, 1]);
    expect(rowHtml(body, 'model-1')).not.toContain('data-row-note');
  });

  it('a registry without a genre filter: the row says it was filtered on the site, never unfiltered', async () => {
    registryDocument = WITHOUT_FILTERS;
    const body = await get('/recommend/1/?m1=registry:mrw-personal&m2=local:knn&genre=Horror');
    expect(requests()).toStrictEqual([{ campaignArn: PERSONAL, userId: '1', numResults: 500 }]);
    expect(rowMovieIds(body, 'model-1')).toEqual([9, 3]);
    expect(rowHtml(body, 'model-1')).toMatch(
      /data-row-note>Not filtered by Amazon Personalize: the model registry has no genre filter for this campaign/,
    );
  });

  it('Similar Items: the Genre select, every row kept to the genre, Personalize through its filter', async () => {
    const body = await get('/recommend/1/?mode=similar&base=1&genre=Horror');
    expect(body).toMatch(/<select id="genre" name="genre">[\s\S]*?<option value="Horror" selected>/);
    expect(requests()).toStrictEqual([
      {
        campaignArn: SIMS,
        itemId: '1',
        userId: '1',
        numResults: 26,
        filterArn: GENRE,
        filterValues: { GENRE: '"Horror"' },
      },
    ]);
    const rows = [...body.matchAll(/<section class="row" id="(similar-\d+)"/g)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const ids = rowMovieIds(body, row);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => !HORROR.includes(id))).toEqual([]);
    }
    // A tile makes its movie the base and keeps the genre.
    expect(body).toMatch(/href="\/recommend\/1\/\?mode=similar[^"]*genre=Horror&amp;base=9&amp;/);
  });

  it('an unknown genre is a 400 page that names it, in every mode', async () => {
    for (const mode of ['recommend', 'similar', 'ranking']) {
      const res = await app.inject({ method: 'GET', url: `/recommend/1/?mode=${mode}&genre=Nope` });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('genre: &quot;Nope&quot; is not a genre of the loaded data.');
    }
    expect(requests()).toEqual([]);
  });
});

function rowHtml(body: string, rowId: string): string {
  const section = new RegExp(`<section class="row" id="${rowId}"[\\s\\S]*?</section>`).exec(body);
  if (!section) throw new Error(`no row ${rowId} in the page`);
  return section[0];
}

function rowMovieIds(body: string, rowId: string): number[] {
  return [...rowHtml(body, rowId).matchAll(/<li class="tile" data-movie-id="(\d+)"/g)].map((m) => Number(m[1]));
}

function tilesOf(body: string, rowId: string): Map<number, string> {
  const tiles = rowHtml(body, rowId).matchAll(/<li class="tile" data-movie-id="(\d+)">([\s\S]*?)<\/li>/g);
  return new Map([...tiles].map((m) => [Number(m[1]), m[2]]));
}
