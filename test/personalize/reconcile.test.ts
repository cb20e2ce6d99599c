import { CATALOG_TAG, DATA_TAG, MODEL_TAG, names, OWNER_TAG } from '../../lib/personalize/controller/desired';
import { CreateRequest, STATUS } from '../../lib/personalize/controller/port';
import { QUOTAS, SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
import {
  apply,
  converge,
  DEFAULT_SOLUTIONS,
  desiredFor,
  InjectedCrash,
  MINUTE,
  namesOf,
  resourcesOf,
  SCHEMA_TEXT,
  seedOtherWorkshop,
  step,
  teardown,
} from './harness';

const PREFIX = 'MovieRecs';
const OTHER = 'OtherTeam';

/** A deterministic pseudo-random sequence, for fault storms. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

async function createdWorkshop(sim = new SimulatedPersonalize()) {
  const done = await converge(apply(desiredFor(PREFIX)), sim);
  expect(done.result.status).toBe('done');
  return { sim, done };
}

function count(
  sim: SimulatedPersonalize,
  kind: string,
  predicate: (arn: string, name: string) => boolean = () => true,
): number {
  return sim.snapshot().filter((r) => r.kind === kind && predicate(r.arn, r.name)).length;
}

/** After a teardown: nothing of ours is left, everything of the other workshop is. */
function expectOnlyOtherLeft(sim: SimulatedPersonalize, otherArns: readonly string[]): void {
  expect(resourcesOf(sim, PREFIX)).toEqual([]);
  const left = new Set(sim.snapshot().map((r) => r.arn));
  for (const arn of otherArns) expect({ arn, present: left.has(arn) }).toEqual({ arn, present: true });
  for (const r of sim.snapshot().filter((x) => otherArns.includes(x.arn))) expect(r.status).toBe(STATUS.active);
}

describe('create', () => {
  test('a fresh account converges: three campaigns at 1 TPS, every resource tagged, models in order with metrics', async () => {
    const { sim, done } = await createdWorkshop();
    const campaigns = sim.snapshot().filter((r) => r.kind === 'campaign');
    expect(campaigns.map((c) => [c.status, c.minProvisionedTPS])).toEqual([
      [STATUS.active, 1],
      [STATUS.active, 1],
      [STATUS.active, 1],
    ]);
    expect(done.result.models.map((m) => [m.name, m.type, m.recipe])).toEqual([
      ['Personal Recommendations', 'recommend', 'aws-user-personalization-v2'],
      ['Similar Items', 'sims', 'aws-sims'],
      ['Personal Ranking', 'ranking', 'aws-personalized-ranking-v2'],
    ]);
    expect(done.result.models[0].metrics).toMatchObject({
      precisionAt5: 0.12,
      ndcgAt10: 0.21,
      mrrAt25: 0.27,
      coverage: 0.31,
    });
    // Schemas take no tags (CreateSchema has no tags parameter); their name makes them ours. The
    // group says its catalogue, a solution what the site shows of its model, a version its data.
    const expectedTags: Record<string, Record<string, string>> = {
      datasetGroup: { [OWNER_TAG]: PREFIX, [CATALOG_TAG]: 'ml-100k' },
      solutionVersion: { [OWNER_TAG]: PREFIX, [DATA_TAG]: 'ml-100k/0123456789abcdef' },
    };
    const tagged = resourcesOf(sim, PREFIX).filter((r) => r.kind !== 'schema');
    expect(new Set(tagged.map((r) => r.kind))).toEqual(
      new Set([
        'datasetGroup',
        'dataset',
        'datasetImportJob',
        'eventTracker',
        'filter',
        'solution',
        'solutionVersion',
        'campaign',
      ]),
    );
    sim.authorize = undefined; // the test reads every tag; the controller reads only its groups'
    for (const resource of tagged) {
      const tags = await sim.tags(resource.arn);
      if (resource.kind === 'solution') expect(tags[MODEL_TAG]).toMatch(/^(recommend|sims|ranking)\/\d\/aws-/);
      else
        expect({ kind: resource.kind, tags }).toEqual({
          kind: resource.kind,
          tags: expectedTags[resource.kind] ?? { [OWNER_TAG]: PREFIX },
        });
      expect(tags[OWNER_TAG]).toBe(PREFIX);
    }
    expect(count(sim, 'datasetImportJob')).toBe(3);
    expect(count(sim, 'solutionVersion')).toBe(3);
  });

  test('independent steps run in parallel: the three imports together, then the three trainings together', async () => {
    const sim = new SimulatedPersonalize();
    const { history } = await converge(apply(desiredFor(PREFIX)), sim);
    const importsStarted = sim.calls
      .filter((c) => c.operation === 'create datasetImportJob' && c.outcome === 'ok')
      .map((c) => c.at);
    const trainingsStarted = sim.calls
      .filter((c) => c.operation === 'create solutionVersion' && c.outcome === 'ok')
      .map((c) => c.at);
    expect(new Set(importsStarted).size).toBe(1);
    expect(new Set(trainingsStarted).size).toBe(1);
    expect(history.length).toBeLessThan(100);
  });

  test('it is idempotent: once done, another call changes nothing', async () => {
    const { sim } = await createdWorkshop();
    const before = sim.snapshot();
    const again = await step(apply(desiredFor(PREFIX)), sim);
    expect(again.status).toBe('done');
    expect(again.actions).toEqual([]);
    expect(sim.snapshot()).toEqual(before);
  });

  test('progress names every resource with its stage, status and times', async () => {
    const sim = new SimulatedPersonalize();
    const first = await step(apply(desiredFor(PREFIX)), sim);
    expect(first.status).toBe('pending');
    expect(first.progress.map((p) => p.resource)).toEqual([
      'schema:interactions',
      'schema:items',
      'schema:users',
      'dataset-group',
    ]);
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    // A finished step carries no times (the registry stays small); a running one says when it started.
    const campaign = result.progress.find((p) => p.resource.startsWith('campaign:personal-recommendations'));
    expect(campaign).toEqual({
      resource: 'campaign:personal-recommendations',
      stage: 'campaign',
      status: STATUS.active,
    });
    const running = first.progress.find((p) => p.resource === 'dataset-group');
    expect(running).toEqual({ resource: 'dataset-group', stage: 'dataset group', status: STATUS.createPending });
  });

  test.each<CreateRequest['kind']>([
    'schema',
    'datasetGroup',
    'dataset',
    'datasetImportJob',
    'solution',
    'solutionVersion',
    'campaign',
  ])('a crash right after creating a %s creates no duplicate', async (kind) => {
    const sim = new SimulatedPersonalize();
    let crashed = 0;
    sim.afterCreate = (request) => {
      if (request.kind === kind && crashed === 0) {
        crashed++;
        throw new InjectedCrash('Lambda crashed');
      }
    };
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(crashed).toBe(1);
    expect(result.status).toBe('done');
    const expected: Record<string, number> = {
      schema: 3,
      datasetGroup: 1,
      dataset: 3,
      datasetImportJob: 3,
      solution: 3,
      solutionVersion: 3,
      campaign: 3,
    };
    for (const [k, n] of Object.entries(expected))
      expect({ kind: k, count: count(sim, k) }).toEqual({ kind: k, count: n });
  });

  test('long display names still make valid Personalize names', async () => {
    const long = {
      ...DEFAULT_SOLUTIONS[0],
      displayName: 'A very long and descriptive name for a recommender solution',
    };
    const name = namesOf(desiredFor('WorkshopNumberOne123')).solution(long);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/);
    const sim = new SimulatedPersonalize();
    const { result } = await converge(apply(desiredFor('WorkshopNumberOne123', { solutions: [long] })), sim);
    expect(result.status).toBe('done');
  });
});

describe('config updates', () => {
  test('adding a solution trains and deploys only the new one', async () => {
    const { sim } = await createdWorkshop();
    const added = {
      displayName: 'Popular',
      type: 'recommend' as const,
      recipe: 'aws-popularity-count',
      campaignMinTps: 1,
      sortOrder: 3,
    };
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions: [...DEFAULT_SOLUTIONS, added] })), sim);
    expect(result.models.map((m) => m.name)).toEqual([
      'Personal Recommendations',
      'Similar Items',
      'Personal Ranking',
      'Popular',
    ]);
    expect(count(sim, 'solutionVersion')).toBe(4);
    expect(count(sim, 'datasetImportJob')).toBe(3);
  });

  test('the registry lists models by sort order, not by the order of the config', async () => {
    const [recommend, sims, ranking] = DEFAULT_SOLUTIONS;
    const solutions = [
      { ...recommend, sortOrder: 5 },
      { ...sims, sortOrder: 0 },
      { ...ranking, sortOrder: 9 },
    ];
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions })), new SimulatedPersonalize());
    expect(result.status).toBe('done');
    expect(result.models.map((m) => [m.name, m.sortOrder])).toEqual([
      ['Similar Items', 0],
      ['Personal Recommendations', 5],
      ['Personal Ranking', 9],
    ]);
  });

  test('removing a solution deletes it and its campaign, and leaves the others alone', async () => {
    const { sim } = await createdWorkshop();
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions: DEFAULT_SOLUTIONS.slice(0, 2) })), sim);
    expect(result.models.map((m) => m.name)).toEqual(['Personal Recommendations', 'Similar Items']);
    expect(count(sim, 'campaign')).toBe(2);
    expect(count(sim, 'solution')).toBe(2);
    expect(count(sim, 'solution', (_arn, name) => name.includes('personal-ranking'))).toBe(0);
    expect(count(sim, 'solutionVersion')).toBe(2);
  });

  test('a changed TPS updates the campaign in place, without retraining', async () => {
    const { sim } = await createdWorkshop();
    const campaignArn = sim.snapshot().find((r) => r.kind === 'campaign' && r.name.includes('similar-items'))!.arn;
    const solutions = DEFAULT_SOLUTIONS.map((s) => (s.type === 'sims' ? { ...s, campaignMinTps: 3 } : s));
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions })), sim);
    expect(result.status).toBe('done');
    expect((await sim.describe('campaign', campaignArn))?.minProvisionedTPS).toBe(3);
    expect(sim.calls.filter((c) => c.operation === 'update campaign' && c.outcome === 'ok')).toHaveLength(1);
    expect(count(sim, 'solutionVersion')).toBe(3);
  });

  test('a changed recipe replaces the solution and its campaign', async () => {
    const { sim } = await createdWorkshop();
    const oldName = namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[1]);
    const solutions = DEFAULT_SOLUTIONS.map((s) => (s.type === 'sims' ? { ...s, recipe: 'aws-similar-items' } : s));
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions })), sim);
    expect(result.models.find((m) => m.type === 'sims')?.recipe).toBe('aws-similar-items');
    expect(sim.snapshot().some((r) => r.name === oldName)).toBe(false);
    expect(count(sim, 'solution')).toBe(3);
    expect(count(sim, 'campaign')).toBe(3);
  });

  test('new data (a new key) is imported once more; the same data never twice', async () => {
    const { sim } = await createdWorkshop();
    const moved = desiredFor(PREFIX).datasets.map((d) => ({
      ...d,
      dataLocation: d.dataLocation.replace('0123456789abcdef', 'fedcba9876543210'),
    }));
    await converge(apply(desiredFor(PREFIX, { datasets: moved })), sim);
    expect(sim.calls.filter((c) => c.operation === 'create datasetImportJob' && c.outcome === 'ok')).toHaveLength(6);
  });
});

describe('failures', () => {
  test('a failed training surfaces with its reason and is not retried in a loop', async () => {
    const sim = new SimulatedPersonalize();
    sim.failTraining.set(
      namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[1]),
      'Not enough interactions for the SIMS recipe',
    );
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/training:similar-items: Not enough interactions for the SIMS recipe/);
    for (let i = 0; i < 10; i++) {
      sim.advance(MINUTE);
      expect((await step(apply(desiredFor(PREFIX)), sim)).status).toBe('failed');
    }
    expect(count(sim, 'solutionVersion', (arn) => arn.includes('similar-items'))).toBe(1);
  });

  test('a new deployment retries a training that failed before it, once', async () => {
    const sim = new SimulatedPersonalize();
    sim.failTraining.set(namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[1]), 'transient training failure');
    await converge(apply(desiredFor(PREFIX)), sim);
    sim.advance(MINUTE);
    const { result } = await converge(apply(desiredFor(PREFIX, { retryFailuresBefore: sim.now })), sim);
    expect(result.status).toBe('done');
    expect(count(sim, 'solutionVersion', (arn) => arn.includes('similar-items'))).toBe(2);
  });

  test('a same-named dataset group that is not ours is reported, not used and not deleted', async () => {
    const sim = new SimulatedPersonalize();
    const foreign = sim.seed({
      kind: 'datasetGroup',
      name: namesOf(desiredFor(PREFIX)).group,
      tags: { owner: 'someone' },
    });
    const created = await step(apply(desiredFor(PREFIX)), sim);
    expect(created.status).toBe('failed');
    expect(created.reason).toMatch(/not created by this workshop/);
    const removed = await step(teardown(PREFIX), sim);
    expect(removed.status).toBe('failed');
    expect(sim.snapshot().some((r) => r.arn === foreign)).toBe(true);
  });

  test('a throttling storm slows it down but does not fail it', async () => {
    const sim = new SimulatedPersonalize();
    const random = lcg(7);
    sim.throttle = () => random() < 0.5;
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('done');
    expect(sim.calls.filter((c) => c.outcome === 'ThrottlingException').length).toBeGreaterThan(50);
    expect(count(sim, 'campaign')).toBe(3);
  });

  test('transient server faults are retried, not reported', async () => {
    const sim = new SimulatedPersonalize();
    const random = lcg(3);
    sim.serverFault = () => random() < 0.3;
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('done');
    expect(sim.calls.some((c) => c.outcome === 'InternalServerError')).toBe(true);
  });

  test('quota pressure from another workshop (imports and trainings) only delays', async () => {
    const sim = new SimulatedPersonalize();
    const group = sim.seed({ kind: 'datasetGroup', name: 'Busy-movies', tags: { [OWNER_TAG]: 'Busy' } });
    const schema = sim.seed({ kind: 'schema', name: 'Busy-interactions', tags: {} });
    const dataset = sim.seed({
      kind: 'dataset',
      name: 'Busy-interactions',
      parentArn: group,
      datasetType: 'interactions',
      schemaArn: schema,
    });
    for (let i = 0; i < QUOTAS.importJobsInProgress - 1; i++) {
      sim.seed({ kind: 'datasetImportJob', name: `Busy-job-${i}`, parentArn: dataset }, 'CREATING');
    }
    const solution = sim.seed({ kind: 'solution', name: 'Busy-recs', parentArn: group });
    for (let i = 0; i < QUOTAS.trainingsInProgress - 1; i++)
      sim.seed({ kind: 'solutionVersion', parentArn: solution }, 'CREATING');
    const { result } = await converge(apply(desiredFor(PREFIX)), sim, {
      allowRefusals: (c) => c.rule === 'quota/imports' || c.rule === 'quota/trainings',
    });
    expect(result.status).toBe('done');
    expect(sim.refusedCalls().some((c) => c.rule === 'quota/imports')).toBe(true);
    expect(sim.refusedCalls().some((c) => c.rule === 'quota/trainings')).toBe(true);
    const deferred = (operation: string) => sim.calls.some((c) => c.operation === operation && c.outcome === 'ok');
    expect(deferred('create datasetImportJob') && deferred('create solutionVersion')).toBe(true);
    expect(result.status === 'done' && result.actions).toEqual([]);
    const ours = (kind: string) =>
      count(sim, kind, (arn, name) => name.startsWith(`${PREFIX}-`) || arn.includes(`/${PREFIX}-`));
    expect([ours('datasetImportJob'), ours('solutionVersion'), ours('campaign')]).toEqual([3, 3, 3]);
  });

  test('while the quota is full, creates are deferred, not failed', async () => {
    const sim = new SimulatedPersonalize();
    const group = sim.seed({ kind: 'datasetGroup', name: 'Busy-movies', tags: { [OWNER_TAG]: 'Busy' } });
    const solution = sim.seed({ kind: 'solution', name: 'Busy-recs', parentArn: group });
    for (let i = 0; i < QUOTAS.trainingsInProgress; i++)
      sim.seed({ kind: 'solutionVersion', parentArn: solution }, 'CREATING');
    const history = [];
    for (let i = 0; i < 40; i++) {
      history.push(await step(apply(desiredFor(PREFIX)), sim));
      sim.advance(MINUTE);
    }
    expect(history.every((r) => r.status === 'pending')).toBe(true);
    expect(
      history.flatMap((r) => r.actions).some((a) => /^train .*: deferred \(LimitExceededException\)$/.test(a)),
    ).toBe(true);
  });

  test('the campaign quota (5 per dataset group) is respected with the maximum of five solutions', async () => {
    const five = [0, 1, 2, 3, 4].map((i) => ({ ...DEFAULT_SOLUTIONS[i % 3], displayName: `Model ${i}`, sortOrder: i }));
    const sim = new SimulatedPersonalize();
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions: five })), sim);
    expect(result.status).toBe('done');
    expect(count(sim, 'campaign')).toBe(QUOTAS.campaignsPerDatasetGroup);
  });
});

describe('teardown', () => {
  test('after everything is active: all of ours goes, the other workshop stays', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    await converge(apply(desiredFor(PREFIX)), sim);
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, other);
  });

  test('during the imports: it waits for them, then removes everything', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    const partial = await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 4 }).catch(() => undefined);
    expect(partial).toBeUndefined();
    expect(
      sim
        .snapshot()
        .some((r) => r.kind === 'datasetImportJob' && r.status !== STATUS.active && r.name.startsWith(PREFIX)),
    ).toBe(true);
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, other);
  });

  test('during training: training is stopped, then everything goes', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 25 }).catch(() => undefined);
    expect(
      sim
        .snapshot()
        .some((r) => r.kind === 'solutionVersion' && r.status === STATUS.createInProgress && r.arn.includes(PREFIX)),
    ).toBe(true);
    const { result, elapsed } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expect(sim.calls.filter((c) => c.operation === 'stop training' && c.outcome === 'ok')).toHaveLength(3);
    expect(elapsed).toBeLessThan(30 * MINUTE); // it did not wait for training to finish
    expectOnlyOtherLeft(sim, other);
  });

  test('while campaigns are still being created: it waits for them, then deletes them', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    const ours = () => sim.snapshot().filter((r) => r.kind === 'campaign' && r.name.startsWith(PREFIX));
    for (let i = 0; i < 200 && ours().length === 0; i++) {
      await step(apply(desiredFor(PREFIX)), sim);
      sim.advance(MINUTE);
    }
    expect(ours().filter((r) => r.status === STATUS.createInProgress).length).toBeGreaterThan(0);
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, other);
  });

  test('when some resources are already gone', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    await converge(apply(desiredFor(PREFIX)), sim);
    for (const r of sim
      .snapshot()
      .filter((x) => x.kind === 'campaign' && x.name.startsWith(PREFIX))
      .slice(0, 2))
      sim.vanish(r.arn);
    const schema = sim
      .snapshot()
      .find((r) => r.kind === 'schema' && r.name === names.schema(PREFIX, 'users', SCHEMA_TEXT.users));
    const { result } = await converge(teardown(PREFIX), sim);
    expect(schema).toBeDefined();
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, other);
  });

  test('when a delete races another party (already gone on delete)', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    await converge(apply(desiredFor(PREFIX)), sim);
    const campaign = sim.snapshot().find((r) => r.kind === 'campaign' && r.name.startsWith(PREFIX))!;
    const realRemove = sim.remove.bind(sim);
    sim.remove = async (kind, arn) => {
      if (arn === campaign.arn) sim.vanish(arn);
      return realRemove(kind, arn);
    };
    const { result } = await converge(teardown(PREFIX), sim, {
      allowRefusals: (c) => c.operation === 'delete campaign' && c.arn === campaign.arn && c.rule === 'read/not-found',
    });
    expect(result.status).toBe('done');
    expect(result.actions).toEqual([]);
    expect(sim.calls.some((c) => c.operation === 'delete campaign' && c.outcome === 'ok')).toBe(true);
    expectOnlyOtherLeft(sim, other);
  });

  test('with nothing there, it is done at once', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    const result = await step(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, other);
  });

  test('a hand-made filter and event tracker in our dataset group go too', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    const otherGroup = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
    const otherTracker = sim.seedChild('eventTracker', `${OTHER}-clicks`, otherGroup.arn);
    await converge(apply(desiredFor(PREFIX)), sim);
    const group = sim.snapshot().find((r) => r.kind === 'datasetGroup' && r.name.startsWith(PREFIX))!;
    sim.seedChild('filter', `${PREFIX}-unwatched`, group.arn);
    sim.seedChild('eventTracker', `${PREFIX}-clicks`, group.arn);
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, [...other, otherTracker]);
    expect(sim.snapshot().filter((r) => r.kind === 'filter')).toEqual([]);
  });

  test('a prefix that starts another prefix touches only its own (Movie vs MovieRecs)', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor('MovieRecs')), sim);
    const before = sim
      .snapshot()
      .map((r) => r.arn)
      .sort();
    await converge(apply(desiredFor('Movie')), sim);
    const { result } = await converge(teardown('Movie'), sim);
    expect(result.status).toBe('done');
    expect(
      sim
        .snapshot()
        .map((r) => r.arn)
        .sort(),
    ).toEqual(before);
  });

  test('under a throttling storm it still completes', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    await converge(apply(desiredFor(PREFIX)), sim);
    const random = lcg(11);
    sim.throttle = () => random() < 0.5;
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    sim.throttle = () => false;
    expectOnlyOtherLeft(sim, other);
  });

  test('a crash in the middle of teardown is picked up where it left off', async () => {
    const sim = new SimulatedPersonalize();
    const other = seedOtherWorkshop(sim, OTHER);
    await converge(apply(desiredFor(PREFIX)), sim);
    let crashes = 0;
    const realRemove = sim.remove.bind(sim);
    sim.remove = async (kind, arn) => {
      await realRemove(kind, arn);
      if (kind === 'solution' && crashes++ === 0) throw new InjectedCrash('Lambda crashed');
    };
    const { result } = await converge(teardown(PREFIX), sim);
    expect(crashes).toBeGreaterThan(0);
    expect(result.status).toBe('done');
    expectOnlyOtherLeft(sim, other);
  });
});

test('a workshop destroyed and deployed again gets fresh import job names (they are unique in the account)', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim);
  const firstJobs = sim
    .snapshot()
    .filter((r) => r.kind === 'datasetImportJob')
    .map((j) => j.name);
  await converge(teardown(PREFIX), sim);
  sim.advance(MINUTE);
  const { result } = await converge(apply(desiredFor(PREFIX)), sim);
  expect(result.status).toBe('done');
  const secondJobs = sim
    .snapshot()
    .filter((r) => r.kind === 'datasetImportJob')
    .map((j) => j.name);
  expect(secondJobs).toHaveLength(3);
  for (const name of secondJobs) expect(firstJobs).not.toContain(name);
});
