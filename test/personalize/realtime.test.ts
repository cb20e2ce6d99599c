/**
 * Issue 18, the controller's side: the dataset group's event tracker and filters are made with the
 * documented rules on, published in the model registry, replaced when their expression changes,
 * and the simulated runtime and PutEvents answer as the API reference says.
 */
import { PutEventsCommand } from '@aws-sdk/client-personalize-events';
import { GetPersonalizedRankingCommand, GetRecommendationsCommand } from '@aws-sdk/client-personalize-runtime';
import { DEFAULT_FILTERS } from '../../lib/config';
import { RATING_EVENT_TYPE } from '../../lib/data/movielens/schemas';
import { registryOf } from '../../lib/personalize/controller/reconcile';
import { SimulatedPersonalizeEvents } from '../../lib/personalize/controller/simulation/events';
import { SimulatedPersonalizeRuntime } from '../../lib/personalize/controller/simulation/runtime';
import {
  SimulatedError,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import {
  apply,
  converge,
  DEFAULT_DESIRED_FILTERS,
  desiredFor,
  editionDesired,
  MINUTE,
  step,
  teardown,
} from './harness';

const PREFIX = 'MovieRecs';

async function deployed() {
  const sim = new SimulatedPersonalize();
  const { result } = await converge(apply(desiredFor(PREFIX)), sim);
  const registry = registryOf(result, sim.now);
  const campaign = (slot: string) => registry.models.find((m) => m.campaignArn.includes(`/${PREFIX}-${slot}-`))!;
  return { sim, result, registry, campaign };
}

/** Genres of items 1..1000: odd ids are Horror, every third is Comedy. */
const itemFields = (itemId: string) => {
  const id = Number(itemId);
  const genres = [id % 2 === 1 ? 'Horror' : 'Drama', ...(id % 3 === 0 ? ['Comedy'] : [])];
  return { GENRES: genres.join('|'), YEAR: String(1950 + (id % 50)) };
};

async function refusal(call: Promise<unknown>): Promise<string | undefined> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SimulatedError);
  return (error as SimulatedError).rule;
}

describe('the event tracker and filters of a deploy', () => {
  test('the event tracker and both filters are made once the datasets exist and published in the registry', async () => {
    const sim = new SimulatedPersonalize();
    // While the datasets are on their way, the tracker and filters wait for them.
    let first = await step(apply(desiredFor(PREFIX)), sim);
    for (let i = 0; i < 1; i++) {
      sim.advance(MINUTE);
      first = await step(apply(desiredFor(PREFIX)), sim);
    }
    const waiting = first.progress.filter((p) => p.resource === 'event-tracker' || p.resource.startsWith('filter:'));
    expect(waiting.map((p) => `${p.resource} ${p.status}`)).toEqual([
      'event-tracker WAITING FOR DATASETS',
      'filter:genre WAITING FOR DATASETS',
      'filter:excludeRated WAITING FOR DATASETS',
      'filter:promotion WAITING FOR DATASETS',
    ]);
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('done');
    const registry = registryOf(result, sim.now);
    const trackers = sim.snapshot().filter((r) => r.kind === 'eventTracker');
    expect(trackers).toHaveLength(1);
    expect(registry.eventTracker).toEqual({ arn: trackers[0].arn, trackingId: expect.stringMatching(/^[0-9a-f]{8}-/) });
    const filters = sim.snapshot().filter((r) => r.kind === 'filter');
    expect(filters.map((f) => f.name).sort()).toEqual([
      expect.stringMatching(new RegExp(`^${PREFIX}-[0-9a-f]+-excluderated-[0-9a-f]{6}$`)),
      expect.stringMatching(new RegExp(`^${PREFIX}-[0-9a-f]+-genre-[0-9a-f]{6}$`)),
      expect.stringMatching(new RegExp(`^${PREFIX}-[0-9a-f]+-promotion-[0-9a-f]{6}$`)),
    ]);
    expect(registry.filters).toEqual({
      genre: filters.find((f) => f.name.includes('-genre-'))!.arn,
      excludeRated: filters.find((f) => f.name.includes('-excluderated-'))!.arn,
      promotion: filters.find((f) => f.name.includes('-promotion-'))!.arn,
    });
    // Published only once ACTIVE, and nothing the kit asked was refused (converge checks every call).
    expect(result.progress.filter((p) => p.resource === 'event-tracker' || p.resource.startsWith('filter:'))).toEqual([
      expect.objectContaining({ resource: 'event-tracker', status: 'ACTIVE' }),
      expect.objectContaining({ resource: 'filter:genre', status: 'ACTIVE' }),
      expect.objectContaining({ resource: 'filter:excludeRated', status: 'ACTIVE' }),
      expect.objectContaining({ resource: 'filter:promotion', status: 'ACTIVE' }),
    ]);
  });

  test('a tracker someone else made in our group is used by nobody and left alone', async () => {
    const sim = new SimulatedPersonalize();
    // The group and its datasets first, without ours; then an attendee's tracker appears.
    await converge(apply(desiredFor(PREFIX, { eventTracker: false })), sim);
    const group = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
    const theirs = sim.seedChild('eventTracker', 'attendee-clicks', group.arn);
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('done');
    expect(registryOf(result, sim.now).eventTracker).toBeUndefined();
    expect(
      sim
        .snapshot()
        .filter((r) => r.kind === 'eventTracker')
        .map((r) => r.arn),
    ).toEqual([theirs]);
    expect(result.progress.find((p) => p.resource === 'event-tracker')?.status).toMatch(/not made by this workshop/);
  });

  test('a changed filter expression is a new filter; the old one goes; teardown removes tracker and filters', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor(PREFIX)), sim);
    const before = sim.snapshot().filter((r) => r.kind === 'filter');
    const changed = desiredFor(PREFIX, {
      filters: [
        DEFAULT_DESIRED_FILTERS[0],
        { purpose: 'excludeRated', expression: 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("rating", "click")' },
      ],
    });
    const { result } = await converge(apply(changed), sim);
    expect(result.status).toBe('done');
    const after = sim.snapshot().filter((r) => r.kind === 'filter');
    expect(after.map((f) => f.arn)).toContain(before.find((f) => f.name.includes('-genre-'))!.arn);
    const newExclude = after.find((f) => f.name.includes('-excluderated-'))!;
    expect(newExclude.arn).not.toBe(before.find((f) => f.name.includes('-excluderated-'))!.arn);
    expect(after).toHaveLength(2);
    expect(registryOf(result, sim.now).filters?.excludeRated).toBe(newExclude.arn);

    const down = await converge(teardown(PREFIX), sim);
    expect(down.result.status).toBe('done');
    expect(sim.snapshot().filter((r) => ['filter', 'eventTracker', 'datasetGroup'].includes(r.kind))).toEqual([]);
  });

  test("during a generation change the registry keeps the serving group's tracker and filters", async () => {
    const sim = new SimulatedPersonalize();
    const first = await converge(apply(desiredFor(PREFIX)), sim);
    const before = registryOf(first.result, sim.now);
    const next = editionDesired(PREFIX, 'ml-latest-small');
    sim.advance(MINUTE);
    const during = await step(apply(next), sim);
    expect(during.status).toBe('pending');
    const serving = registryOf(during, sim.now);
    expect(serving.eventTracker).toEqual(before.eventTracker);
    expect(serving.filters).toEqual(before.filters);
    const { result } = await converge(apply(next), sim);
    const after = registryOf(result, sim.now);
    expect(after.eventTracker?.arn).not.toBe(before.eventTracker?.arn);
    expect(after.filters?.genre).not.toBe(before.filters?.genre);
    expect(Object.keys(after.filters ?? {}).sort()).toEqual(['excludeRated', 'genre', 'promotion']);
  });

  test('the default filters are the config defaults, and CreateFilter would refuse a bad one', async () => {
    expect(DEFAULT_DESIRED_FILTERS.map((f) => f.expression)).toEqual([
      DEFAULT_FILTERS.genre,
      DEFAULT_FILTERS.excludeRated,
      'INCLUDE ItemID WHERE Items.YEAR >= 1996',
    ]);
    expect(DEFAULT_FILTERS.excludeRated).toContain(`"${RATING_EVENT_TYPE}"`);
    const { sim } = await deployed();
    sim.authorize = undefined;
    const group = sim.snapshot().find((r) => r.kind === 'datasetGroup')!.arn;
    expect(
      await refusal(
        sim.create({
          kind: 'filter',
          name: `${PREFIX}-bad`,
          parentArn: group,
          filterExpression: 'EXCLUDE ItemID WHERE Items.PRICE IN ("1")',
        }),
      ),
    ).toBe('create/filter-expression');
  });
});

describe('the simulated runtime and PutEvents', () => {
  test('ratings sent with PutEvents reach the filters', async () => {
    const { sim, registry, campaign } = await deployed();
    const events = new SimulatedPersonalizeEvents(sim);
    const runtime = new SimulatedPersonalizeRuntime(sim, undefined, { itemFields, events });
    const recs = campaign('personal-recommendations').campaignArn;
    const { eventTracker, filters } = registry;
    expect(eventTracker && filters?.genre && filters.excludeRated).toBeTruthy();

    await events.send(
      new PutEventsCommand({
        trackingId: eventTracker!.trackingId,
        sessionId: 'session-1',
        userId: '1001',
        eventList: [1, 2, 3].map((item) => ({
          eventType: RATING_EVENT_TYPE,
          itemId: String(item),
          eventValue: 5,
          sentAt: new Date(sim.now),
        })),
      }),
    );
    const excluded = await runtime.send(
      new GetRecommendationsCommand({
        campaignArn: recs,
        userId: '1001',
        numResults: 5,
        filterArn: filters!.excludeRated,
      }),
    );
    expect(excluded.itemList?.map((i) => i.itemId)).toEqual(['4', '5', '6', '7', '8']);
    // Another user's ratings do not filter this one's.
    const other = await runtime.send(
      new GetRecommendationsCommand({
        campaignArn: recs,
        userId: '7',
        numResults: 3,
        filterArn: filters!.excludeRated,
      }),
    );
    expect(other.itemList?.map((i) => i.itemId)).toEqual(['1', '2', '3']);

    const comedy = await runtime.send(
      new GetRecommendationsCommand({
        campaignArn: recs,
        userId: '1001',
        numResults: 4,
        filterArn: filters!.genre,
        filterValues: { GENRE: '"Comedy"' },
      }),
    );
    expect(comedy.itemList?.map((i) => i.itemId)).toEqual(['3', '6', '9', '12']);
    const ranking = await runtime.send(
      new GetPersonalizedRankingCommand({
        campaignArn: campaign('personal-ranking').campaignArn,
        userId: '1001',
        inputList: ['1', '2', '3', '4', '5', '6'],
        filterArn: filters!.genre,
        filterValues: { GENRE: '"Horror","Comedy"' },
      }),
    );
    expect(ranking.personalizedRanking?.map((i) => i.itemId)).toEqual(['1', '3', '5', '6']);

    // The promotion's filter: YEAR >= 1996 (itemFields: 1950 + id % 50, so ids 46..49 first).
    const recent = await runtime.send(
      new GetRecommendationsCommand({ campaignArn: recs, userId: '7', numResults: 4, filterArn: filters!.promotion }),
    );
    expect(recent.itemList?.map((i) => i.itemId)).toEqual(['46', '47', '48', '49']);

    // An INCLUDE filter without its value, a bare string value, a filter of nobody: refused.
    expect(
      await refusal(
        runtime.send(new GetRecommendationsCommand({ campaignArn: recs, userId: '1001', filterArn: filters!.genre })),
      ),
    ).toBe('runtime/filter');
    expect(
      await refusal(
        runtime.send(
          new GetRecommendationsCommand({
            campaignArn: recs,
            userId: '1001',
            filterArn: filters!.genre,
            filterValues: { GENRE: 'Horror' },
          }),
        ),
      ),
    ).toBe('runtime/filter-values-quoted');
    expect(
      await refusal(
        runtime.send(
          new GetRecommendationsCommand({
            campaignArn: recs,
            userId: '1001',
            filterArn: `${filters!.genre!.replace(/filter\/.*/, 'filter/nobody')}`,
            filterValues: { GENRE: '"Horror"' },
          }),
        ),
      ),
    ).toBe('runtime/filter');
  });

  test('PutEvents refuses what the API reference refuses', async () => {
    const { sim, registry } = await deployed();
    const events = new SimulatedPersonalizeEvents(sim);
    const event = { eventType: RATING_EVENT_TYPE, itemId: '1', eventValue: 4, sentAt: new Date(0) };
    const put = (input: Partial<PutEventsCommand['input']>) =>
      events.send(
        new PutEventsCommand({
          trackingId: registry.eventTracker!.trackingId,
          sessionId: 's',
          userId: '1001',
          eventList: [event],
          ...input,
        }),
      );
    await expect(put({})).resolves.toBeDefined();
    expect(await refusal(put({ trackingId: 'not-a-tracker' }))).toBe('events/tracker-active');
    expect(await refusal(put({ eventList: [] }))).toBe('events/shape');
    expect(await refusal(put({ eventList: Array.from({ length: 11 }, () => event) }))).toBe('events/shape');
    expect(await refusal(put({ sessionId: '' }))).toBe('events/shape');
    expect(await refusal(put({ userId: 'u'.repeat(257) }))).toBe('events/shape');
    expect(await refusal(put({ eventList: [{ ...event, sentAt: undefined }] }))).toBe('events/shape');
    expect(events.events).toHaveLength(1);
    expect(events.calls.map((c) => c.outcome)).toEqual(['ok', ...Array(6).fill('InvalidInputException')]);
  });
});
