/**
 * Changes Personalize cannot make in place, end to end on the simulation with the ledger's rules
 * on: another MovieLens edition (another catalogue) and another interactions schema are a new
 * generation of the dataset group, built beside the old one; the old one serves until the new one
 * does, then goes. Changes Personalize allows in place stay in place.
 */
import { CATALOG_TAG, MODEL_TAG, modelTag, names, OWNER_TAG } from '../../lib/personalize/controller/desired';
import { STATUS } from '../../lib/personalize/controller/port';
import { ReconcileResult } from '../../lib/personalize/controller/reconcile';
import { PIPELINE_DEADLINE_MS } from '../../lib/personalize/controller/handler';
import { SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
import {
  apply,
  converge,
  DEFAULT_SOLUTIONS,
  desiredFor,
  editionDesired,
  MINUTE,
  namesOf,
  resourcesOf,
  SCHEMA_TEXT,
  step,
  teardown,
  withField,
} from './harness';

const PREFIX = 'MovieRecs';

async function deployed(edition = 'ml-100k') {
  const sim = new SimulatedPersonalize();
  const { result } = await converge(apply(editionDesired(PREFIX, edition)), sim);
  expect(result.status).toBe('done');
  return sim;
}

function groups(sim: SimulatedPersonalize): string[] {
  return sim
    .snapshot()
    .filter((r) => r.kind === 'datasetGroup')
    .map((g) => g.name);
}

/** The catalogue each published campaign really serves: its dataset group's tag. */
async function trueCatalog(sim: SimulatedPersonalize, campaignArn: string): Promise<string | undefined> {
  const campaign = sim.snapshot().find((r) => r.arn === campaignArn);
  const solution = sim.snapshot().find((r) => r.arn === campaign?.parentArn);
  const group = sim.snapshot().find((r) => r.arn === solution?.parentArn);
  return group && (await sim.tags(group.arn))[CATALOG_TAG];
}

/**
 * Steps the pipeline as the state machine does, checking after every call what the site is told:
 * each published model's catalogue is the one its campaign serves, and one catalogue at a time.
 */
async function convergeWatching(request: ReturnType<typeof apply>, sim: SimulatedPersonalize) {
  const history: ReconcileResult[] = [];
  const started = sim.now;
  const firstCall = sim.calls.length;
  for (let i = 0; i < 250; i++) {
    const result = await step(request, sim, history[history.length - 1]?.memory);
    history.push(result);
    for (const model of result.models) {
      expect({ model: model.name, catalog: model.catalog }).toEqual({
        model: model.name,
        catalog: await trueCatalog(sim, model.campaignArn),
      });
    }
    expect(new Set(result.models.map((m) => m.catalog)).size).toBeLessThanOrEqual(1);
    if (result.status !== 'pending') break;
    sim.advance(MINUTE);
  }
  expect(sim.calls.slice(firstCall).filter((c) => c.rule !== undefined)).toEqual([]);
  return { result: history[history.length - 1], history, elapsed: sim.now - started };
}

describe('another edition: a new generation', () => {
  test('ml-100k -> ml-latest-small: a new generation beside the old, then the old one goes', async () => {
    const sim = await deployed('ml-100k');
    const before = namesOf(editionDesired(PREFIX, 'ml-100k'));
    const after = editionDesired(PREFIX, 'ml-latest-small', { retryFailuresBefore: sim.now });
    const { result, history, elapsed } = await convergeWatching(apply(after), sim);

    expect(result.status).toBe('done');
    expect(elapsed).toBeLessThan(PIPELINE_DEADLINE_MS);
    expect(groups(sim)).toEqual([namesOf(after).group]);
    expect(groups(sim)).not.toContain(before.group);
    expect(result.models.map((m) => [m.name, m.catalog])).toEqual(
      DEFAULT_SOLUTIONS.map((s) => [s.displayName, 'ml-latest-small']),
    );
    // The old models served until the new ones did: never a moment without three models.
    expect(history.map((r) => r.models.length)).toEqual(history.map(() => 3));
    const switched = history.findIndex((r) => r.models[0].catalog === 'ml-latest-small');
    expect(history.slice(0, switched).every((r) => r.models.every((m) => m.catalog === 'ml-100k'))).toBe(true);
    expect(history.slice(switched).every((r) => r.models.every((m) => m.catalog === 'ml-latest-small'))).toBe(true);
    // The new generation has no users dataset: ml-latest-small has none. No dataset was ever
    // deleted while its group served (the ledger's DeleteDataset rules held: no refusal).
    expect(
      sim
        .snapshot()
        .filter((r) => r.kind === 'dataset')
        .map((d) => d.datasetType),
    ).toEqual(['Interactions', 'Items']);
    // The old group went only after the switch.
    const groupDeleted = sim.calls.find((c) => c.operation === 'delete datasetGroup' && c.outcome === 'ok');
    expect(groupDeleted?.at).toBeGreaterThanOrEqual(switched * MINUTE);
  });

  test.each([
    ['ml-latest-small', 'ml-100k'],
    ['ml-100k', 'ml-25m'],
    ['ml-25m', 'ml-latest-small'],
  ])('%s -> %s converges with the rules on, the old generation gone', async (from, to) => {
    const sim = await deployed(from);
    const after = editionDesired(PREFIX, to, { retryFailuresBefore: sim.now });
    const { result } = await convergeWatching(apply(after), sim);
    expect(result.status).toBe('done');
    expect(groups(sim)).toEqual([namesOf(after).group]);
    expect(new Set(result.models.map((m) => m.catalog))).toEqual(new Set([to]));
  });

  test('switching back before the new generation serves keeps the old one and removes the new', async () => {
    const sim = await deployed('ml-100k');
    const original = editionDesired(PREFIX, 'ml-100k');
    await converge(apply(editionDesired(PREFIX, 'ml-25m')), sim, { maxCalls: 30 }).catch(() => undefined);
    expect(groups(sim)).toHaveLength(2);
    const { result } = await convergeWatching(apply({ ...original, retryFailuresBefore: sim.now }), sim);
    expect(result.status).toBe('done');
    expect(groups(sim)).toEqual([namesOf(original).group]);
    expect(result.models.every((m) => m.catalog === 'ml-100k')).toBe(true);
  });

  test('a destroy in the middle of a generation change removes both generations', async () => {
    const sim = await deployed('ml-100k');
    // Stop at several points of the change: new group creating, importing, training, deploying.
    await converge(apply(editionDesired(PREFIX, 'ml-latest-small')), sim, { maxCalls: 40 }).catch(() => undefined);
    expect(groups(sim)).toHaveLength(2);
    expect(sim.snapshot().some((r) => r.kind === 'solutionVersion' && r.status === STATUS.createInProgress)).toBe(true);
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expect(resourcesOf(sim, PREFIX)).toEqual([]);
    expect(sim.snapshot()).toEqual([]);
  });

  test('a failed training in the new generation leaves the old one serving and says why', async () => {
    const sim = await deployed('ml-100k');
    const after = editionDesired(PREFIX, 'ml-latest-small', { retryFailuresBefore: sim.now });
    sim.failTraining.set(namesOf(after).solution(DEFAULT_SOLUTIONS[1]), 'Not enough interactions');
    const { result } = await convergeWatching(apply(after), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/training:similar-items: Not enough interactions/);
    expect(result.models.map((m) => m.catalog)).toEqual(['ml-100k', 'ml-100k', 'ml-100k']);
    expect(groups(sim)).toHaveLength(2);
  });

  test('something an attendee made in the previous group is reported, not deleted by a deploy', async () => {
    const sim = await deployed('ml-100k');
    const old = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
    const filter = sim.seedChild('filter', 'attendee-unwatched', old.arn);
    const { result } = await converge(apply(editionDesired(PREFIX, 'ml-latest-small')), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /filter:attendee-unwatched \(not made by this workshop\) is in the previous dataset group/,
    );
    expect(sim.snapshot().some((r) => r.arn === filter)).toBe(true);
    // The new models serve meanwhile; a destroy removes everything, the attendee's filter too.
    expect(result.models.every((m) => m.catalog === 'ml-latest-small')).toBe(true);
    expect((await converge(teardown(PREFIX), sim)).result.status).toBe('done');
    expect(sim.snapshot()).toEqual([]);
  });

  test('a group of a release before generations (<prefix>-movies) is retired like a previous generation', async () => {
    const sim = new SimulatedPersonalize();
    const legacy = sim.seed({
      kind: 'datasetGroup',
      name: `${PREFIX}-movies`,
      tags: { [OWNER_TAG]: PREFIX, [CATALOG_TAG]: 'ml-100k' },
    });
    const solution = sim.seed({
      kind: 'solution',
      name: `${PREFIX}-similar-items-244a1f`,
      parentArn: legacy,
      recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
      tags: { [OWNER_TAG]: PREFIX, [MODEL_TAG]: modelTag(DEFAULT_SOLUTIONS[1]) },
    });
    const version = sim.seed({ kind: 'solutionVersion', parentArn: solution });
    sim.seed({
      kind: 'campaign',
      name: `${PREFIX}-similar-items-244a1f`,
      parentArn: solution,
      solutionVersionArn: version,
    });
    const first = await step(apply(desiredFor(PREFIX)), sim);
    // The old release's model serves meanwhile, with what its tag says of it.
    expect(first.models.map((m) => [m.name, m.catalog])).toEqual([['Similar Items', 'ml-100k']]);
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('done');
    expect(groups(sim)).toEqual([namesOf(desiredFor(PREFIX)).group]);
  });
});

describe('another interactions schema: a new generation', () => {
  test('a new interactions schema is a new generation, never an UpdateDataset', async () => {
    const sim = await deployed('ml-100k');
    const before = desiredFor(PREFIX);
    const datasets = before.datasets.map((d) =>
      d.type === 'interactions' ? { ...d, schema: withField(SCHEMA_TEXT.interactions, 'EVENT_TYPE', 'string') } : d,
    );
    const after = desiredFor(PREFIX, { datasets, retryFailuresBefore: sim.now });
    expect(namesOf(after).group).not.toBe(namesOf(before).group);
    const { result } = await convergeWatching(apply(after), sim);
    expect(result.status).toBe('done');
    expect(sim.calls.filter((c) => c.operation === 'update dataset')).toEqual([]);
    expect(groups(sim)).toEqual([namesOf(after).group]);
  });
});

describe('changes Personalize allows in place', () => {
  test('a new items column: the dataset moves in place and new solutions train on it', async () => {
    const sim = await deployed('ml-100k');
    const group = groups(sim);
    const datasets = desiredFor(PREFIX).datasets.map((d) =>
      d.type === 'items' ? { ...d, schema: withField(d.schema, 'STUDIO') } : d,
    );
    const after = desiredFor(PREFIX, { datasets, retryFailuresBefore: sim.now });
    const { result } = await convergeWatching(apply(after), sim);
    expect(result.status).toBe('done');
    expect(groups(sim)).toEqual(group);
    expect(sim.calls.filter((c) => c.operation === 'update dataset' && c.outcome === 'ok')).toHaveLength(1);
    for (const model of result.models) {
      const campaign = sim.snapshot().find((r) => r.arn === model.campaignArn);
      expect(sim.trainingColumns(campaign?.solutionVersionArn ?? '')).toContain('items.STUDIO');
    }
  });

  test('an items schema that drops a field is refused with the reason, before any call', async () => {
    const sim = await deployed('ml-100k');
    const items = JSON.parse(SCHEMA_TEXT.items) as { fields: { name: string }[] };
    const dropped = JSON.stringify({ ...items, fields: items.fields.filter((f) => f.name !== 'YEAR') });
    // With new data too: nothing is imported into a dataset that cannot take its schema.
    const datasets = desiredFor(PREFIX).datasets.map((d) => ({
      ...d,
      dataLocation: d.dataLocation.replace('0123', '4444'),
      ...(d.type === 'items' ? { schema: dropped } : {}),
    }));
    const jobs = sim.calls.filter((c) => c.operation === 'create datasetImportJob').length;
    const { result, history } = await convergeWatching(apply(desiredFor(PREFIX, { datasets })), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toBe(
      'dataset:items: Amazon Personalize cannot move the items dataset to the new schema: field YEAR is removed. ' +
        'A replacement schema must keep every field with its type and add only fields that accept null. ' +
        'Keep the old fields in the schema, or destroy the workshop and deploy it again.',
    );
    expect(history[0].progress.find((p) => p.resource === 'dataset:items')).toMatchObject({
      stage: 'schema update',
      status: 'SCHEMA NOT REPLACEABLE',
    });
    expect(sim.calls.filter((c) => c.operation === 'update dataset')).toEqual([]);
    expect(
      sim.calls.filter((c) => c.operation === 'create datasetImportJob' && c.arn?.endsWith('/ITEMS')),
    ).toHaveLength(jobs / 3);
    // Still serving as before.
    expect(result.models).toHaveLength(3);
  });

  test('new data of the same catalogue is imported into the same group and trained on', async () => {
    const sim = await deployed('ml-100k');
    const group = groups(sim);
    const revision = 'ml-100k/fedcba9876543210/';
    const datasets = desiredFor(PREFIX).datasets.map((d) => ({
      ...d,
      dataLocation: d.dataLocation.replace('0123456789abcdef', 'fedcba9876543210'),
    }));
    const { result, history } = await convergeWatching(
      apply(desiredFor(PREFIX, { datasets, dataRevision: revision, retryFailuresBefore: sim.now })),
      sim,
    );
    expect(result.status).toBe('done');
    expect(groups(sim)).toEqual(group);
    expect(history.every((r) => r.models.length === 3)).toBe(true);
    // Each model says the data it was trained on: the old revision until its campaign moved.
    expect(history[0].models.every((m) => m.dataRevision === 'ml-100k/0123456789abcdef')).toBe(true);
    expect(result.models.every((m) => m.dataRevision === 'ml-100k/fedcba9876543210')).toBe(true);
  });

  test('the group quota leaves room for one generation change (2 of 5 groups)', async () => {
    const sim = await deployed('ml-100k');
    for (let i = 0; i < 3; i++)
      sim.seed({ kind: 'datasetGroup', name: names.datasetGroup(`Other${i}`, 'abc123'), tags: {} });
    const { result } = await convergeWatching(apply(editionDesired(PREFIX, 'ml-latest-small')), sim);
    expect(result.status).toBe('done');
  });
});
