/**
 * `movierecs try`: the registry's active models asked through the Personalize runtime
 * (aws-sdk-client-mock), titles and the user's ratings from a prepared folder.
 */
import {
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  PersonalizeRuntimeClient,
} from '@aws-sdk/client-personalize-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { TryDependencies } from '../../cli/commands/try';
import { FolderLoadSource } from '../../app-src/db/load-files';
import { ModelRegistry } from '../../lib/shared/model-registry';
import { writePreparedFixture } from '../app/helpers';
import { cli } from './helpers';

const campaign = (name: string) => `arn:aws:personalize:us-east-1:123456789012:campaign/MovieRecs-${name}`;
const REGISTRY: ModelRegistry = {
  schemaVersion: 2,
  pipeline: { status: 'done', updatedAt: '2026-11-27T10:00:00.000Z', resources: [] },
  models: [
    {
      name: 'Personal Recommendations',
      type: 'recommend',
      campaignArn: campaign('recs'),
      recipe: 'aws-user-personalization-v2',
      sortOrder: 0,
      catalog: 'ml-100k',
      metrics: {},
    },
    {
      name: 'Similar Items',
      type: 'sims',
      campaignArn: campaign('sims'),
      recipe: 'aws-sims',
      sortOrder: 1,
      catalog: 'ml-100k',
      metrics: {},
    },
    {
      name: 'Personal Ranking',
      type: 'ranking',
      campaignArn: campaign('rank'),
      recipe: 'aws-personalized-ranking-v2',
      sortOrder: 2,
      catalog: 'ml-100k',
      metrics: {},
    },
  ],
};

function deps(registry: ModelRegistry | null = REGISTRY, folder = writePreparedFixture()) {
  const runtime = new PersonalizeRuntimeClient({ region: 'us-east-1' });
  const mock = mockClient(runtime);
  mock
    .on(GetRecommendationsCommand, { campaignArn: campaign('recs') })
    .resolves({ itemList: [{ itemId: '5' }, { itemId: '10' }, { itemId: '11' }] })
    .on(GetRecommendationsCommand, { campaignArn: campaign('sims') })
    .resolves({ itemList: [{ itemId: '1' }, { itemId: '11' }, { itemId: '7' }] })
    .on(GetPersonalizedRankingCommand)
    .callsFake(async (input: { inputList: string[] }) => ({
      personalizedRanking: [...input.inputList].reverse().map((itemId) => ({ itemId })),
    }));
  let clock = 0;
  const d: TryDependencies = {
    registry: async () => (registry ? JSON.stringify(registry) : undefined),
    deployedData: async () => new FolderLoadSource(folder),
    runtime: () => runtime,
    now: () => (clock += 42),
  };
  return { d, mock, folder };
}

describe('movierecs try', () => {
  it("--user: the user's favourites, then each recommend and ranking model with titles and latency", async () => {
    const { d, mock } = deps();
    const run = await cli(['try', '--user', '1', '--count', '3'], { try: d });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "User 1's top-rated movies (4 ratings):\n  *****  Toy Story (1995)  Animation|Children's|Comedy\n  *****  Casablanca (1942)  Drama|Romance|War",
    );
    expect(run.stdout).toContain(
      'Personal Recommendations (aws-user-personalization-v2) recommends, in 42 ms:\n   1. Casablanca (1942)  Drama|Romance|War\n   2. Heat (1995)  Action|Crime|Thriller\n   3. Babe (1995)',
    );
    expect(run.stdout).toContain(
      'Personal Ranking (aws-personalized-ranking-v2) ranks the 25 most popular movies, in 42 ms:',
    );
    const recs = mock.commandCalls(GetRecommendationsCommand)[0].args[0].input;
    expect(recs).toEqual({ campaignArn: campaign('recs'), userId: '1', numResults: 3 });
    // The ranking is asked for the movies with the most positive ratings, most first.
    const ranked = mock.commandCalls(GetPersonalizedRankingCommand)[0].args[0].input;
    expect(ranked.userId).toBe('1');
    expect(ranked.inputList?.[0]).toBe('1');
    expect(run.stdout).not.toContain('Similar Items');
  });

  it('--item: the movie, then similar items from each sims model', async () => {
    const { d } = deps();
    const run = await cli(['try', '--item', '5'], { try: d });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Movie 5: Casablanca (1942)  Drama|Romance|War');
    expect(run.stdout).toContain('Similar Items (aws-sims) similar movies, in 42 ms:\n   1. Toy Story (1995)');
    expect(run.stdout).toContain('   3. <script>alert("x")</script> & <b>Bold</b> (2001)  Comedy');
    expect(run.stdout).not.toContain('Personal Recommendations');
  });

  it('a campaign that refuses says why in its place; exit 1 when none answered', async () => {
    const { d, mock } = deps({ ...REGISTRY, models: [REGISTRY.models[0]] });
    mock.on(GetRecommendationsCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: personalize:GetRecommendations'), {
        name: 'AccessDeniedException',
      }),
    );
    const run = await cli(['try', '--user', '1'], { try: d });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Personal Recommendations \(aws-user-personalization-v2\): not allowed/);
  });

  it('says what to do when nothing can be asked', async () => {
    const noRegistry = await cli(['try', '--user', '1'], { try: deps(null).d });
    expect(noRegistry.code).toBe(1);
    expect(noRegistry.stderr).toContain('no model registry /MovieRecs/models in us-east-1: deploy first');
    const pending = await cli(['try', '--item', '5'], { try: deps({ ...REGISTRY, models: [] }).d });
    expect(pending.stderr).toContain(
      'no active sims model yet: the campaigns are still being made (see movierecs status)',
    );
    const unknownUser = await cli(['try', '--user', '999'], { try: deps().d });
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr).toContain('--user 999: no such user in');
  });

  it.each([
    [['try'], 'give --user <id> or --item <id> (one of them)'],
    [['try', '--user', '1', '--item', '2'], 'give --user <id> or --item <id> (one of them)'],
    [['try', '--user', 'me'], '--user must be a whole number from 1 to 2147483647, got "me"'],
    [['try', '--user', '1', '--data', '/nonexistent'], '--data /nonexistent: no personalize/manifest.json there'],
  ])('usage: %j', async (args, message) => {
    const run = await cli(args, { try: deps().d });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('--help shows examples', async () => {
    const run = await cli(['try', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('npx movierecs try --user 42');
  });
});
