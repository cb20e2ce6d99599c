/**
 * Issue 18, filters and reasons in the Personalize adapter: the exact request fields sent for the
 * page's Genre control (the registry's genre filter with $GENRE as a quoted string) and for
 * "exclude what the user rated", the fallback when the registry has no genre filter, and the
 * reasons and promotions read from the answer.
 */
import {
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  PersonalizeRuntimeClient,
} from '@aws-sdk/client-personalize-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import {
  filterNote,
  filterRequest,
  genreFilterValue,
  PersonalizeRecommender,
} from '../../app-src/recommenders/personalize';
import type { Model, MovieFilter } from '../../app-src/recommenders/port';

const runtime = mockClient(PersonalizeRuntimeClient);

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/Movies-personal';
const GENRE = 'arn:aws:personalize:us-east-1:123456789012:filter/mrw-genre';
const EXCLUDE_RATED = 'arn:aws:personalize:us-east-1:123456789012:filter/mrw-exclude-rated';
const model = (overrides: Partial<Model> = {}): Model => ({
  id: 'registry:Movies-personal',
  name: 'Personal Recommendations',
  type: 'recommend',
  source: 'registry',
  recipe: 'aws-user-personalization-v2',
  sortOrder: 1,
  metrics: {},
  campaignArn: CAMPAIGN,
  filters: { genre: GENRE, excludeRated: EXCLUDE_RATED },
  ...overrides,
});
const HORROR = new Set([3, 4, 9]);
const horror: MovieFilter = { genre: 'Horror', allows: (id) => HORROR.has(id) };
const items = (...ids: string[]) => ids.map((itemId) => ({ itemId }));
const recommender = () => new PersonalizeRecommender({ client: new PersonalizeRuntimeClient({ region: 'us-east-1' }) });
const sent = (call = 0) => runtime.commandCalls(GetRecommendationsCommand)[call]!.args[0].input;

beforeEach(() => runtime.reset());

describe('GetRecommendations for a user', () => {
  test('a genre: the registry genre filter, with $GENRE as a string in double quotes', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('3', '9', '4') });
    expect(await recommender().recommend(model(), 42, 10, horror)).toEqual([3, 9, 4]);
    expect(sent()).toStrictEqual({
      campaignArn: CAMPAIGN,
      userId: '42',
      numResults: 10,
      filterArn: GENRE,
      filterValues: { GENRE: '"Horror"' },
    });
  });

  test('no genre: the exclude-rated filter, with no values (it has no parameter)', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('1', '2') });
    expect(await recommender().recommend(model(), 42, 10)).toEqual([1, 2]);
    expect(sent()).toStrictEqual({ campaignArn: CAMPAIGN, userId: '42', numResults: 10, filterArn: EXCLUDE_RATED });
  });

  test('a registry without filters: the request is the plain one', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('1') });
    await recommender().recommend(model({ filters: undefined }), 42, 10);
    expect(sent()).toStrictEqual({ campaignArn: CAMPAIGN, userId: '42', numResults: 10 });
  });

  test('a genre and no genre filter: the top 500 are asked and only the genre is kept, exclude-rated still sent', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('1', '3', '2', '9', '4', '5') });
    const m = model({ filters: { excludeRated: EXCLUDE_RATED } });
    expect(await recommender().recommend(m, 42, 2, horror)).toEqual([3, 9]);
    expect(sent()).toStrictEqual({ campaignArn: CAMPAIGN, userId: '42', numResults: 500, filterArn: EXCLUDE_RATED });
  });

  test('what the service answers outside the genre is never shown', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('3', '1', '9') });
    expect(await recommender().recommend(model(), 42, 10, horror)).toEqual([3, 9]);
  });
});

describe('GetRecommendations for similar items', () => {
  test('a genre: the genre filter; exclude-rated never (Similar Items is about the movie)', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('7', '9', '4') });
    const sims = model({ type: 'sims', recipe: 'aws-sims' });
    expect(await recommender().similar(sims, 7, 3, 42, horror)).toEqual([9, 4]);
    expect(sent()).toStrictEqual({
      campaignArn: CAMPAIGN,
      itemId: '7',
      numResults: 4,
      userId: '42',
      filterArn: GENRE,
      filterValues: { GENRE: '"Horror"' },
    });
    await recommender().similar(sims, 7, 3, 42);
    expect(sent(1)).toStrictEqual({ campaignArn: CAMPAIGN, itemId: '7', numResults: 4, userId: '42' });
  });

  test('a genre and no genre filter: the top 500, kept to the genre', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('1', '9', '2', '3') });
    const sims = model({ type: 'sims', recipe: 'aws-sims', filters: undefined });
    expect(await recommender().similar(sims, 7, 5, undefined, horror)).toEqual([9, 3]);
    expect(sent()).toStrictEqual({ campaignArn: CAMPAIGN, itemId: '7', numResults: 500 });
  });
});

describe('reasons and promotions', () => {
  test('recommendDetailed returns each kept item’s reasons and the promoted items', async () => {
    runtime.on(GetRecommendationsCommand).resolves({
      itemList: [
        { itemId: '3', reason: ['Exploration'] },
        { itemId: '1', reason: ['Popular item'] },
        { itemId: '9', reason: ['Promoted item'], promotionName: 'workshop-promotion' },
        { itemId: '4', reason: ['', ' '] },
        { itemId: '5' },
      ],
    });
    const answer = await recommender().recommendDetailed(model(), 42, 10, horror);
    expect(answer.ids).toEqual([3, 9, 4]);
    // 9's "Promoted item" is said by its "Promoted" label; 1 and 5 are not kept (not Horror).
    expect(answer.reasons).toEqual(new Map([[3, 'Exploration']]));
    expect(answer.promoted).toEqual(new Set([9]));
  });

  test('a promoted item keeps its other reasons; "Promoted item" without a promotion stays a reason', async () => {
    runtime.on(GetRecommendationsCommand).resolves({
      itemList: [
        { itemId: '1', reason: ['Promoted item', 'Exploration'], promotionName: 'workshop-promotion' },
        { itemId: '2', reason: ['Promoted item'] },
        { itemId: '007', reason: ['Exploration'] },
      ],
    });
    const answer = await recommender().recommendDetailed(model(), 42, 10);
    expect(answer.ids).toEqual([1, 2]);
    expect(answer.reasons).toEqual(
      new Map([
        [1, 'Exploration'],
        [2, 'Promoted item'],
      ]),
    );
    expect(answer.promoted).toEqual(new Set([1]));
  });

  test('several reasons are joined; a very long one is cut', async () => {
    runtime.on(GetRecommendationsCommand).resolves({
      itemList: [
        { itemId: '1', reason: ['Popular item', 'Exploration'] },
        { itemId: '2', reason: ['x'.repeat(300)] },
      ],
    });
    const answer = await recommender().recommendDetailed(model(), 42, 10);
    expect(answer.reasons.get(1)).toBe('Popular item; Exploration');
    expect(answer.reasons.get(2)).toHaveLength(198);
    expect(answer.reasons.get(2)!.endsWith('…')).toBe(true);
  });
});

describe('the promotion', () => {
  const PROMOTION_FILTER = 'arn:aws:personalize:us-east-1:123456789012:filter/mrw-recent';
  const promoting = (overrides: Partial<Model> = {}) =>
    model({ filters: { genre: GENRE, excludeRated: EXCLUDE_RATED, promotion: PROMOTION_FILTER }, ...overrides });

  test('Recommendations without a genre: a fifth of the row promoted through the registry’s promotion filter', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('1') });
    await recommender().recommend(promoting(), 42, 10);
    expect(sent()).toStrictEqual({
      campaignArn: CAMPAIGN,
      userId: '42',
      numResults: 10,
      filterArn: EXCLUDE_RATED,
      promotions: [{ name: 'workshop-promotion', percentPromotedItems: 20, filterArn: PROMOTION_FILTER }],
    });
  });

  test('none with a genre, for Similar Items, for a recipe without promotions, or without the registry’s filter', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('3') });
    const r = recommender();
    await r.recommend(promoting(), 42, 10, horror);
    await r.similar(promoting({ type: 'sims', recipe: 'aws-sims' }), 7, 3, 42);
    await r.recommend(promoting({ recipe: 'aws-hrnn' }), 42, 10);
    await r.recommend(model(), 42, 10);
    const calls = runtime.commandCalls(GetRecommendationsCommand);
    expect(calls).toHaveLength(4);
    for (const call of calls) expect(call.args[0].input).not.toHaveProperty('promotions');
  });
});

describe('Personal Ranking', () => {
  test('ranks only the genre’s movies and sends no filter (the list is the question)', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: items('9', '3') });
    const ranking = model({ type: 'ranking', recipe: 'aws-personalized-ranking-v2' });
    expect(await recommender().rank(ranking, 42, [1, 3, 9, 2], horror)).toEqual([9, 3]);
    expect(runtime.commandCalls(GetPersonalizedRankingCommand)[0]!.args[0].input).toStrictEqual({
      campaignArn: CAMPAIGN,
      userId: '42',
      inputList: ['3', '9'],
    });
  });
});

describe('helpers', () => {
  test('genreFilterValue quotes the genre as the filter expression’s string parameter wants', () => {
    expect(genreFilterValue('Horror')).toBe('"Horror"');
    expect(genreFilterValue("Children's")).toBe('"Children\'s"');
  });

  test('filterRequest: one filter per request, the genre first; onSite when the genre cannot be sent', () => {
    expect(filterRequest(model(), horror, 'recommend')).toEqual({
      parameters: { filterArn: GENRE, filterValues: { GENRE: '"Horror"' } },
      onSite: false,
    });
    expect(filterRequest(model(), undefined, 'similar')).toEqual({ parameters: {}, onSite: false });
    expect(filterRequest(model({ filters: {} }), horror, 'similar')).toEqual({ parameters: {}, onSite: true });
  });

  test('filterNote: says what Personalize did not apply, nothing when it applied everything', () => {
    expect(filterNote(model(), undefined, 'recommend')).toBeUndefined();
    expect(filterNote(model(), horror, 'similar')).toBeUndefined();
    expect(filterNote(model({ filters: undefined }), undefined, 'recommend')).toBeUndefined();
    expect(filterNote(model({ filters: {} }), horror, 'similar')).toMatch(
      /^Not filtered by Amazon Personalize: the model registry has no genre filter .* kept the Horror movies/,
    );
    expect(filterNote(model(), horror, 'recommend')).toMatch(/movies this user rated may appear/);
    expect(filterNote({ ...model(), source: 'local', filters: undefined }, horror, 'recommend')).toBeUndefined();
  });
});
