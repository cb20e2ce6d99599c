/**
 * The web app's Personalize adapter against the simulated runtime, on the campaigns the controller
 * deployed: every model type is asked as the API reference requires (the ledger's runtime rules),
 * at the sizes the pages ask for and beyond them.
 */
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { PersonalizeRecommender, RecommendationsUnavailableError } from '../../app-src/recommenders/personalize';
import type { Model } from '../../app-src/recommenders/port';
import { SimulatedPersonalizeRuntime } from '../../lib/personalize/controller/simulation/runtime';
import { SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
import { apply, converge, desiredFor } from './harness';

async function deployed() {
  const sim = new SimulatedPersonalize();
  const { result } = await converge(apply(desiredFor('MovieRecs')), sim);
  const runtime = new SimulatedPersonalizeRuntime(sim);
  const recommender = new PersonalizeRecommender({
    client: () => runtime as unknown as PersonalizeRuntimeClient,
  });
  const model = (type: Model['type']): Model => {
    const entry = result.models.find((m) => m.type === type)!;
    return { ...entry, id: `registry:${entry.name}`, source: 'registry' };
  };
  return { sim, runtime, recommender, model };
}

test('the web app asks every model type as the API reference requires', async () => {
  const { runtime, recommender, model } = await deployed();
  expect(await recommender.recommend(model('recommend'), 42, 25)).toHaveLength(25);
  expect(await recommender.recommend(model('recommend'), 42, 10_000)).toHaveLength(500);
  expect(await recommender.similar(model('sims'), 50, 10, 42)).toHaveLength(10);
  expect(await recommender.similar(model('sims'), 50, 10)).not.toContain(50);
  const many = Array.from({ length: 600 }, (_, i) => i + 1);
  const ranked = await recommender.rank(model('ranking'), 42, many);
  expect([...ranked].sort((a, b) => a - b)).toEqual(many);
  expect(await recommender.rank(model('ranking'), 42, [])).toEqual([]);
  expect(runtime.calls.length).toBe(5);
  expect(runtime.refusedCalls()).toEqual([]);
});

test('a campaign that is gone is a reason in the row, from the service answer', async () => {
  const { sim, runtime, recommender, model } = await deployed();
  const campaign = model('recommend');
  sim.vanish(campaign.campaignArn ?? '');
  const error = await recommender.recommend(campaign, 1, 5).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecommendationsUnavailableError);
  expect((error as Error).message).toMatch(/not active|does not exist|ResourceNotFound/i);
  expect(runtime.refusedCalls().map((c) => c.rule)).toEqual(['runtime/campaign-active']);
});
