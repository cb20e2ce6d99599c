/**
 * The rule ledger, checked: every rule is broken on purpose here and the simulation must refuse it
 * by that rule (or show the behaviour it describes); the file said to enforce it names it; the
 * kit's scenario said to meet it exists; and the committed table is the ledger's rendering.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetPersonalizedRankingCommand, GetRecommendationsCommand } from '@aws-sdk/client-personalize-runtime';
import { RULES, renderLedger } from '../../lib/personalize/controller/simulation/ledger';
import { SimulatedPersonalizeRuntime } from '../../lib/personalize/controller/simulation/runtime';
import {
  QUOTAS,
  SimulatedError,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { STATUS } from '../../lib/personalize/controller/port';
import { PutEventsCommand } from '@aws-sdk/client-personalize-events';
import { SimulatedPersonalizeEvents } from '../../lib/personalize/controller/simulation/events';
import { apply, converge, DEFAULT_SOLUTIONS, desiredFor, MINUTE, namesOf, SCHEMA_TEXT, withField } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const PREFIX = 'MovieRecs';
const HOUR = 60 * MINUTE;

/**
 * A converged default workshop and the ARNs of its parts; without its event tracker and filters
 * unless `realtime` (they would block the delete rules broken here before the rule under test).
 */
async function world(maxCalls?: number, realtime = false) {
  const sim = new SimulatedPersonalize();
  const desired = realtime ? desiredFor(PREFIX) : desiredFor(PREFIX, { eventTracker: false, filters: [] });
  await converge(apply(desired), sim, maxCalls ? { maxCalls } : {}).catch(() => undefined);
  sim.authorize = undefined; // the calls here are a test's, not the controller's
  const of = (kind: string, name?: string) =>
    sim.snapshot().find((r) => r.kind === kind && (name === undefined || r.name === name))?.arn ?? '';
  const names = namesOf(desiredFor(PREFIX));
  const dataset = (type: 'interactions' | 'items' | 'users') => of('dataset', names.dataset(type));
  const solution = (i: number) => of('solution', names.solution(DEFAULT_SOLUTIONS[i]));
  const campaign = (i: number) => of('campaign', names.solution(DEFAULT_SOLUTIONS[i]));
  const version = (i: number) =>
    sim.snapshot().find((r) => r.kind === 'solutionVersion' && r.parentArn === solution(i))?.arn ?? '';
  return { sim, group: of('datasetGroup'), dataset, solution, campaign, version };
}

/** A call expected to be refused by `rule`. */
async function refused(rule: string, call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SimulatedError);
  expect({ rule: (error as SimulatedError).rule, name: (error as Error).name }).toEqual({
    rule,
    name: RULES.find((r) => r.id === rule)?.answer,
  });
}

function runtimeOf(sim: SimulatedPersonalize) {
  return new SimulatedPersonalizeRuntime(sim);
}

/** One way to break each rule (or, for a behaviour, to see it). */
const violations: Record<string, () => Promise<void>> = {
  'names/pattern': async () => {
    const sim = new SimulatedPersonalize();
    await refused('names/pattern', sim.create({ kind: 'datasetGroup', name: '-starts-with-a-hyphen' }));
    await refused('names/pattern', sim.create({ kind: 'datasetGroup', name: 'x'.repeat(64) }));
  },
  'names/unique': async () => {
    const sim = new SimulatedPersonalize();
    await sim.create({ kind: 'datasetGroup', name: 'taken' });
    await refused('names/unique', sim.create({ kind: 'datasetGroup', name: 'taken' }));
  },
  'names/import-jobs-stay': async () => {
    const { sim, dataset } = await world();
    const job = sim.snapshot().find((r) => r.kind === 'datasetImportJob')!;
    sim.vanish(sim.snapshot().find((r) => r.kind === 'datasetGroup')!.arn);
    expect(sim.snapshot().some((r) => r.arn === job.arn)).toBe(false);
    await sim.create({ kind: 'datasetGroup', name: 'again' });
    sim.advance(HOUR);
    const schema = sim.snapshot().find((r) => r.kind === 'schema' && r.name.includes('-interactions-'))!.arn;
    const again = sim.snapshot().find((r) => r.name === 'again')!.arn;
    await sim.create({
      kind: 'dataset',
      name: 'again-interactions',
      parentArn: again,
      datasetType: 'interactions',
      schemaArn: schema,
    });
    sim.advance(HOUR);
    const newDataset = sim.snapshot().find((r) => r.name === 'again-interactions')!.arn;
    expect(dataset('interactions')).not.toBe(newDataset);
    await refused(
      'names/import-jobs-stay',
      sim.create({ kind: 'datasetImportJob', name: job.name, parentArn: newDataset }),
    );
  },
  'tags/limits': async () => {
    const sim = new SimulatedPersonalize();
    await refused('tags/limits', sim.create({ kind: 'datasetGroup', name: 'g1', tags: { 'aws:owner': 'x' } }));
    await refused('tags/limits', sim.create({ kind: 'datasetGroup', name: 'g2', tags: { owner: 'a;b' } }));
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await refused('tags/limits', sim.create({ kind: 'datasetGroup', name: 'g3', tags: many }));
  },
  'create/parent-active': async () => {
    const sim = new SimulatedPersonalize();
    const group = await sim.create({ kind: 'datasetGroup', name: 'g' });
    const schema = await sim.create({ kind: 'schema', name: 's', schema: SCHEMA_TEXT.interactions });
    await refused(
      'create/parent-active',
      sim.create({ kind: 'dataset', name: 'd', parentArn: group, datasetType: 'interactions', schemaArn: schema }),
    );
  },
  'create/one-dataset-per-type': async () => {
    const { sim, group } = await world();
    const schema = sim.snapshot().find((r) => r.kind === 'schema' && r.name.includes('-interactions-'))!.arn;
    await refused(
      'create/one-dataset-per-type',
      sim.create({ kind: 'dataset', name: 'second', parentArn: group, datasetType: 'interactions', schemaArn: schema }),
    );
  },
  'create/one-event-tracker': async () => {
    const { sim, group } = await world(undefined, true);
    await refused('create/one-event-tracker', sim.create({ kind: 'eventTracker', name: 'second', parentArn: group }));
  },
  'create/filter-expression': async () => {
    const { sim, group } = await world();
    const filter = (filterExpression: string) =>
      sim.create({ kind: 'filter', name: `f${filterExpression.length}`, parentArn: group, filterExpression });
    await refused('create/filter-expression', filter('EXCLUDE ItemID WHERE Items.PRICE IN ("1")'));
    await refused('create/filter-expression', filter('INCLUDE ItemID WHERE Items.GENRES NOT IN ($GENRE)'));
    await refused('create/filter-expression', filter('EXCLUDE ItemID WHERE Interactions.TIMESTAMP IN ("1")'));
    await refused(
      'create/filter-expression',
      filter('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("rating") AND Items.GENRES IN ("Horror")'),
    );
    await refused('create/filter-expression', filter('INCLUDE Items WHERE Items.GENRES IN ("Horror")'));
    await refused('create/filter-expression', filter('x'.repeat(2501)));
  },
  'create/filter-fields-per-group': async () => {
    // A group whose items schema has 25 fields: two filters of 10 fields each, then a third field set.
    const sim = new SimulatedPersonalize();
    const group = await sim.create({ kind: 'datasetGroup', name: 'wide' });
    sim.advance(HOUR);
    let items = SCHEMA_TEXT.items;
    for (let i = 1; i <= 25; i++) items = withField(items, `F${i}`);
    const schemaArn = await sim.create({ kind: 'schema', name: 'wide-items', schema: items });
    await sim.create({ kind: 'dataset', name: 'wide-items', parentArn: group, datasetType: 'items', schemaArn });
    sim.advance(HOUR);
    const fields = (from: number) => Array.from({ length: 10 }, (_, i) => `Items.F${from + i} IN ("x")`).join(' AND ');
    await sim.create({
      kind: 'filter',
      name: 'a',
      parentArn: group,
      filterExpression: `INCLUDE ItemID WHERE ${fields(1)}`,
    });
    await sim.create({
      kind: 'filter',
      name: 'b',
      parentArn: group,
      filterExpression: `INCLUDE ItemID WHERE ${fields(11)}`,
    });
    await refused(
      'create/filter-fields-per-group',
      sim.create({
        kind: 'filter',
        name: 'c',
        parentArn: group,
        filterExpression: 'INCLUDE ItemID WHERE Items.F21 IN ("x")',
      }),
    );
  },
  'create/schema-valid': async () => {
    const sim = new SimulatedPersonalize();
    await refused('create/schema-valid', sim.create({ kind: 'schema', name: 's1', schema: '{"type":"record"}' }));
    await refused('create/schema-valid', sim.create({ kind: 'schema', name: 's2', schema: 'not json' }));
    const huge = withField(SCHEMA_TEXT.items, 'X'.repeat(20_000));
    await refused('create/schema-valid', sim.create({ kind: 'schema', name: 's3', schema: huge }));
  },
  'create/dataset-schema-exists': async () => {
    const { sim, group } = await world();
    await refused(
      'create/dataset-schema-exists',
      sim.create({
        kind: 'dataset',
        name: 'd',
        parentArn: group,
        datasetType: 'items',
        schemaArn: 'arn:aws:personalize:us-east-1:123456789012:schema/none',
      }),
    );
  },
  'create/import-not-during-change': async () => {
    const { sim, dataset } = await world();
    await sim.create({ kind: 'datasetImportJob', name: 'j1', parentArn: dataset('items'), dataLocation: 's3://b/k' });
    await refused(
      'create/import-not-during-change',
      sim.create({ kind: 'datasetImportJob', name: 'j2', parentArn: dataset('items'), dataLocation: 's3://b/k' }),
    );
  },
  'create/solution-needs-interactions': async () => {
    const sim = new SimulatedPersonalize();
    const group = await sim.create({ kind: 'datasetGroup', name: 'g' });
    sim.advance(HOUR);
    await refused('create/solution-needs-interactions', sim.create({ kind: 'solution', name: 's', parentArn: group }));
  },
  'train/after-imports': async () => {
    const { sim, dataset, solution } = await world();
    await sim.create({ kind: 'datasetImportJob', name: 'more', parentArn: dataset('items'), dataLocation: 's3://b/k' });
    await refused('train/after-imports', sim.create({ kind: 'solutionVersion', parentArn: solution(0) }));
  },
  'campaign/version-active': async () => {
    const { sim, solution, campaign, version } = await world();
    const training = await sim.create({ kind: 'solutionVersion', parentArn: solution(0) });
    await refused(
      'campaign/version-active',
      sim.create({ kind: 'campaign', name: 'c', parentArn: solution(0), solutionVersionArn: training }),
    );
    // A version of another solution cannot be deployed by an update either.
    await refused('campaign/version-active', sim.updateCampaign(campaign(0), 1, version(1)));
  },
  'campaign/min-tps': async () => {
    const { sim, solution, version } = await world();
    await refused(
      'campaign/min-tps',
      sim.create({
        kind: 'campaign',
        name: 'c',
        parentArn: solution(0),
        solutionVersionArn: version(0),
        minProvisionedTPS: 0,
      }),
    );
  },
  'solution/auto-training': async () => {
    const { sim, group } = await world();
    await sim.create({
      kind: 'solution',
      name: 'auto',
      parentArn: group,
      recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
    });
    await sim.create({
      kind: 'solution',
      name: 'manual',
      parentArn: group,
      recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
      performAutoTraining: false,
    });
    sim.advance(30 * MINUTE);
    expect(sim.automaticVersions()).toEqual([]);
    sim.advance(HOUR);
    const automatic = sim.automaticVersions();
    expect(automatic.map((v) => v.arn.split('/')[1])).toEqual(['auto']);
  },
  'solution/new-columns-excluded': async () => {
    const { sim, group, dataset, solution } = await world();
    const schema = await sim.create({
      kind: 'schema',
      name: 'items-v2',
      schema: withField(SCHEMA_TEXT.items, 'STUDIO'),
    });
    await sim.updateDataset(dataset('items'), schema);
    sim.advance(HOUR);
    const old = await sim.create({ kind: 'solutionVersion', parentArn: solution(1) });
    expect(sim.trainingColumns(old)).not.toContain('items.STUDIO');
    const fresh = await sim.create({
      kind: 'solution',
      name: 'fresh',
      parentArn: group,
      recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
      performAutoTraining: false,
    });
    sim.advance(MINUTE);
    expect(sim.trainingColumns(await sim.create({ kind: 'solutionVersion', parentArn: fresh }))).toContain(
      'items.STUDIO',
    );
  },
  'update-campaign/status': async () => {
    const { sim, campaign, version } = await world();
    await sim.updateCampaign(campaign(0), 2, version(0));
    await refused('update-campaign/status', sim.updateCampaign(campaign(0), 3, version(0)));
  },
  'update-campaign/serves-previous': async () => {
    const { sim, campaign, version, solution } = await world();
    const newer = await sim.create({ kind: 'solutionVersion', parentArn: solution(0) });
    sim.advance(2 * HOUR);
    sim.failCampaignUpdate.set(sim.snapshot().find((r) => r.arn === campaign(0))!.name, 'no capacity');
    await sim.updateCampaign(campaign(0), 2, newer);
    expect((await sim.describe('campaign', campaign(0)))?.solutionVersionArn).toBe(version(0));
    sim.advance(HOUR);
    const after = await sim.describe('campaign', campaign(0));
    expect([after?.solutionVersionArn, after?.minProvisionedTPS, after?.latestUpdate?.status]).toEqual([
      version(0),
      1,
      STATUS.createFailed,
    ]);
  },
  'update-dataset/not-interactions': async () => {
    const { sim, dataset } = await world();
    const schema = await sim.create({
      kind: 'schema',
      name: 'i2',
      schema: withField(SCHEMA_TEXT.interactions, 'EVENT_TYPE'),
    });
    await refused('update-dataset/not-interactions', sim.updateDataset(dataset('interactions'), schema));
  },
  'update-dataset/compatible': async () => {
    const { sim, dataset } = await world();
    const items = JSON.parse(SCHEMA_TEXT.items) as { fields: { name: string }[] };
    const dropped = JSON.stringify({ ...items, fields: items.fields.filter((f) => f.name !== 'YEAR') });
    const notNull = withField(SCHEMA_TEXT.items, 'STUDIO', 'string');
    for (const [name, text] of [
      ['dropped', dropped],
      ['not-null', notNull],
    ]) {
      const schema = await sim.create({ kind: 'schema', name, schema: text });
      await refused('update-dataset/compatible', sim.updateDataset(dataset('items'), schema));
    }
  },
  'update-dataset/idle': async () => {
    const { sim, dataset } = await world();
    await sim.create({ kind: 'datasetImportJob', name: 'j', parentArn: dataset('items'), dataLocation: 's3://b/k' });
    const schema = await sim.create({
      kind: 'schema',
      name: 'items-v2',
      schema: withField(SCHEMA_TEXT.items, 'STUDIO'),
    });
    await refused('update-dataset/idle', sim.updateDataset(dataset('items'), schema));
  },
  'stop-training/status': async () => {
    const { sim, version } = await world();
    await refused('stop-training/status', sim.stopTraining(version(0)));
  },
  'delete/not-while-changing': async () => {
    const { sim, campaign, version } = await world();
    await sim.updateCampaign(campaign(0), 2, version(0));
    await refused('delete/not-while-changing', sim.remove('campaign', campaign(0)));
    await sim.remove('campaign', campaign(1));
    await refused('delete/not-while-changing', sim.remove('campaign', campaign(1)));
  },
  'delete-dataset-group/contents': async () => {
    const { sim, group } = await world();
    await refused('delete-dataset-group/contents', sim.remove('datasetGroup', group));
  },
  'delete-schema/in-use': async () => {
    const { sim } = await world();
    const schema = sim.snapshot().find((r) => r.kind === 'schema')!.arn;
    await refused('delete-schema/in-use', sim.remove('schema', schema));
  },
  'delete-dataset/campaigns': async () => {
    const { sim, dataset } = await world();
    await refused('delete-dataset/campaigns', sim.remove('dataset', dataset('users')));
  },
  'delete-dataset/filters': async () => {
    const { sim, group, dataset } = await world();
    sim.seedChild('filter', 'f', group);
    await refused('delete-dataset/filters', sim.remove('dataset', dataset('users')));
  },
  'delete-dataset/event-tracker': async () => {
    const { sim, group, dataset } = await world();
    sim.seedChild('eventTracker', 't', group);
    await refused('delete-dataset/event-tracker', sim.remove('dataset', dataset('interactions')));
  },
  'delete-dataset/metric-attributions': async () => {
    const { sim, group, dataset } = await world();
    sim.seedChild('metricAttribution', 'm', group);
    await refused('delete-dataset/metric-attributions', sim.remove('dataset', dataset('items')));
  },
  'delete-dataset/jobs-in-progress': async () => {
    const { sim, dataset } = await world(25);
    expect(sim.snapshot().some((r) => r.kind === 'solutionVersion' && r.status === STATUS.createInProgress)).toBe(true);
    await refused('delete-dataset/jobs-in-progress', sim.remove('dataset', dataset('items')));
  },
  'delete-solution/campaigns': async () => {
    const { sim, solution } = await world();
    await refused('delete-solution/campaigns', sim.remove('solution', solution(0)));
  },
  'delete-solution/training': async () => {
    const { sim, solution } = await world(25);
    await refused('delete-solution/training', sim.remove('solution', solution(0)));
  },
  'read/not-found': async () => {
    const sim = new SimulatedPersonalize();
    const missing = 'arn:aws:personalize:us-east-1:123456789012:campaign/none';
    await refused('read/not-found', sim.describe('campaign', missing));
    await refused('read/not-found', sim.tags(missing));
    await refused(
      'read/not-found',
      sim.list('solution', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/none'),
    );
  },
  'read/metrics-active': async () => {
    const { sim, solution } = await world();
    await refused(
      'read/metrics-active',
      sim.solutionMetrics(await sim.create({ kind: 'solutionVersion', parentArn: solution(0) })),
    );
  },
  'quota/dataset-groups': async () => {
    const sim = new SimulatedPersonalize();
    for (let i = 0; i < QUOTAS.activeDatasetGroups; i++) sim.seed({ kind: 'datasetGroup', name: `g${i}` });
    await refused('quota/dataset-groups', sim.create({ kind: 'datasetGroup', name: 'one-too-many' }));
  },
  'quota/imports': async () => {
    const { sim, dataset } = await world();
    for (let i = 0; i < QUOTAS.importJobsInProgress; i++)
      sim.seed({ kind: 'datasetImportJob', name: `busy-${i}`, parentArn: dataset('users') }, 'CREATING');
    await refused(
      'quota/imports',
      sim.create({ kind: 'datasetImportJob', name: 'j', parentArn: dataset('items'), dataLocation: 's3://b/k' }),
    );
  },
  'quota/schemas': async () => {
    const sim = new SimulatedPersonalize();
    for (let i = 0; i < QUOTAS.schemas; i++) sim.seed({ kind: 'schema', name: `s${i}` });
    await refused('quota/schemas', sim.create({ kind: 'schema', name: 'one-too-many', schema: SCHEMA_TEXT.items }));
  },
  'quota/trainings': async () => {
    const { sim, solution } = await world();
    for (let i = 0; i < QUOTAS.trainingsInProgress; i++)
      sim.seed({ kind: 'solutionVersion', parentArn: solution(2) }, 'CREATING');
    await refused('quota/trainings', sim.create({ kind: 'solutionVersion', parentArn: solution(0) }));
  },
  'quota/solutions': async () => {
    const { sim, group } = await world();
    for (let i = 3; i < QUOTAS.solutionsPerDatasetGroup; i++)
      sim.seed({ kind: 'solution', name: `s${i}`, parentArn: group });
    await refused('quota/solutions', sim.create({ kind: 'solution', name: 'one-too-many', parentArn: group }));
  },
  'quota/campaigns': async () => {
    const { sim, solution, version } = await world();
    for (let i = 3; i < QUOTAS.campaignsPerDatasetGroup; i++)
      sim.seed({ kind: 'campaign', name: `c${i}`, parentArn: solution(0), solutionVersionArn: version(0) });
    await refused(
      'quota/campaigns',
      sim.create({ kind: 'campaign', name: 'one-too-many', parentArn: solution(0), solutionVersionArn: version(0) }),
    );
  },
  'runtime/filter': async () => {
    const { sim, campaign } = await world(undefined, true);
    const filters = sim.snapshot().filter((r) => r.kind === 'filter');
    const genre = filters.find((f) => f.name.includes('-genre-'))!.arn;
    const runtime = runtimeOf(sim);
    const ask = (input: Partial<GetRecommendationsCommand['input']>) =>
      runtime.send(new GetRecommendationsCommand({ campaignArn: campaign(0), userId: '1', ...input }));
    await refused('runtime/filter', ask({ filterArn: genre }));
    await refused('runtime/filter', ask({ filterValues: { GENRE: '"Horror"' } }));
    await refused('runtime/filter', ask({ filterArn: `${genre}-gone`, filterValues: { GENRE: '"Horror"' } }));
    await refused('runtime/filter', ask({ filterArn: genre, filterValues: { 'GEN-RE': '"Horror"' } }));
    await refused('runtime/filter', ask({ filterArn: genre, filterValues: { GENRE: `"${'x'.repeat(1000)}"` } }));
    const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`P${i}`, '"x"']));
    await refused('runtime/filter', ask({ filterArn: genre, filterValues: { ...many, GENRE: '"Horror"' } }));
  },
  'runtime/filter-values-quoted': async () => {
    const { sim, campaign } = await world(undefined, true);
    const genre = sim.snapshot().find((r) => r.kind === 'filter' && r.name.includes('-genre-'))!.arn;
    const ask = (value: string) =>
      runtimeOf(sim).send(
        new GetRecommendationsCommand({
          campaignArn: campaign(0),
          userId: '1',
          filterArn: genre,
          filterValues: { GENRE: value },
        }),
      );
    await refused('runtime/filter-values-quoted', ask('Horror'));
    await refused('runtime/filter-values-quoted', ask('"Horror", Comedy'));
    await refused('runtime/filter-values-quoted', ask(''));
  },
  'events/tracker-active': async () => {
    const { sim } = await world(undefined, true);
    const events = new SimulatedPersonalizeEvents(sim);
    const event = { eventType: 'rating', itemId: '1', sentAt: new Date(0) };
    await refused(
      'events/tracker-active',
      events.send(new PutEventsCommand({ trackingId: 'nope', sessionId: 's', eventList: [event] })),
    );
    // A tracker still being created is not ACTIVE.
    const other = await sim.create({ kind: 'datasetGroup', name: 'other' });
    sim.advance(HOUR);
    await sim.create({ kind: 'eventTracker', name: 'new', parentArn: other });
    const fresh = sim.snapshot().find((r) => r.kind === 'eventTracker' && r.name === 'new')!;
    const trackingId = (await sim.describe('eventTracker', fresh.arn))!.trackingId!;
    await refused(
      'events/tracker-active',
      events.send(new PutEventsCommand({ trackingId, sessionId: 's', eventList: [event] })),
    );
  },
  'events/shape': async () => {
    const { sim } = await world(undefined, true);
    const trackingId = (await sim.describe('eventTracker', sim.snapshot().find((r) => r.kind === 'eventTracker')!.arn))!
      .trackingId!;
    const events = new SimulatedPersonalizeEvents(sim);
    const event = { eventType: 'rating', itemId: '1', sentAt: new Date(0) };
    const put = (input: Partial<PutEventsCommand['input']>) =>
      events.send(new PutEventsCommand({ trackingId, sessionId: 's', eventList: [event], ...input }));
    await refused('events/shape', put({ eventList: [] }));
    await refused('events/shape', put({ eventList: Array.from({ length: 11 }, () => event) }));
    await refused('events/shape', put({ sessionId: undefined }));
    await refused('events/shape', put({ eventList: [{ ...event, eventType: '' }] }));
    await refused('events/shape', put({ eventList: [{ ...event, itemId: 'i'.repeat(257) }] }));
  },
  'runtime/campaign-active': async () => {
    const { sim, campaign } = await world();
    const runtime = runtimeOf(sim);
    await refused(
      'runtime/campaign-active',
      runtime.send(new GetRecommendationsCommand({ campaignArn: `${campaign(0)}-x`, userId: '1' })),
    );
    await sim.remove('campaign', campaign(0));
    await refused(
      'runtime/campaign-active',
      runtime.send(new GetRecommendationsCommand({ campaignArn: campaign(0), userId: '1' })),
    );
  },
  'runtime/num-results': async () => {
    const { sim, campaign } = await world();
    await refused(
      'runtime/num-results',
      runtimeOf(sim).send(new GetRecommendationsCommand({ campaignArn: campaign(0), userId: '1', numResults: 501 })),
    );
  },
  'runtime/id-for-recipe': async () => {
    const { sim, campaign } = await world();
    const runtime = runtimeOf(sim);
    await refused(
      'runtime/id-for-recipe',
      runtime.send(new GetRecommendationsCommand({ campaignArn: campaign(0), itemId: '1' })),
    );
    await refused(
      'runtime/id-for-recipe',
      runtime.send(new GetRecommendationsCommand({ campaignArn: campaign(1), userId: '1' })),
    );
    await refused(
      'runtime/id-for-recipe',
      runtime.send(new GetRecommendationsCommand({ campaignArn: campaign(2), userId: '1' })),
    );
  },
  'runtime/ranking': async () => {
    const { sim, campaign } = await world();
    const runtime = runtimeOf(sim);
    const ask = (campaignArn: string, inputList: string[], userId = '1') =>
      runtime.send(new GetPersonalizedRankingCommand({ campaignArn, userId, inputList }));
    await refused('runtime/ranking', ask(campaign(0), ['1']));
    await refused('runtime/ranking', ask(campaign(2), []));
    await refused(
      'runtime/ranking',
      ask(
        campaign(2),
        Array.from({ length: 501 }, (_, i) => String(i)),
      ),
    );
  },
  'runtime/id-length': async () => {
    const { sim, campaign } = await world();
    await refused(
      'runtime/id-length',
      runtimeOf(sim).send(new GetRecommendationsCommand({ campaignArn: campaign(0), userId: 'u'.repeat(257) })),
    );
  },
};

describe('every rule of the ledger is enforced', () => {
  test('each rule has a way to break it here, and nothing else is listed', () => {
    expect(Object.keys(violations).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  test.each(RULES.map((r) => [r.id]))('%s', async (id) => {
    await violations[id]();
  });
});

describe('the ledger is honest about itself', () => {
  test.each(RULES.map((r) => [r.id, r]))('%s: enforced where it says, met where it says', (id, rule) => {
    expect(readFileSync(path.join(ROOT, rule.enforcedIn), 'utf8')).toContain(id);
    const [file, title] = rule.kitTest.split(' › ');
    expect(readFileSync(path.join(ROOT, file), 'utf8')).toContain(title);
    expect(rule.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/personalize\/latest\/dg\/[A-Za-z_-]+\.html$/);
    expect(rule.quote.length).toBeGreaterThan(20);
  });

  test('docs/personalize-rule-ledger.md is the ledger as it is (npm run ledger)', () => {
    expect(readFileSync(path.join(ROOT, 'docs', 'personalize-rule-ledger.md'), 'utf8')).toBe(renderLedger());
  });
});
