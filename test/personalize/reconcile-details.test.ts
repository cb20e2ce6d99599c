/**
 * The finer rules of reconcile, one at a time: read retries, offline metrics, schema moves,
 * campaign updates in flight, batch segment jobs, and what a presenter reads meanwhile.
 */
import { STATUS } from '../../lib/personalize/controller/port';
import { ReconcileResult, retryingReads } from '../../lib/personalize/controller/reconcile';
import {
  SimulatedError,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { apply, converge, DEFAULT_SOLUTIONS, desiredFor, MINUTE, namesOf, step, teardown, withField } from './harness';

const PREFIX = 'MovieRecs';

function rows(result: ReconcileResult, start: string): string[] {
  return result.progress
    .filter((p) => p.resource.startsWith(start))
    .map((p) => `${p.resource} | ${p.stage} | ${p.status}`);
}

async function created(sim = new SimulatedPersonalize()) {
  expect((await converge(apply(desiredFor(PREFIX)), sim)).result.status).toBe('done');
  return sim;
}

describe('reads', () => {
  test('a throttled read is retried at once, up to three attempts in all', async () => {
    const sim = new SimulatedPersonalize();
    let throttled = 0;
    sim.throttle = (operation) => operation === 'list datasetGroup' && throttled++ < 2;
    const port = retryingReads(sim);
    expect(await port.list('datasetGroup')).toEqual([]);
    expect(throttled).toBe(3);
    throttled = 0;
    sim.throttle = (operation) => operation === 'list datasetGroup' && throttled++ < 3;
    await expect(port.list('datasetGroup')).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(throttled).toBe(3);
  });

  test('a read error that is not passing (a bug, a denial) is not retried', async () => {
    const sim = new SimulatedPersonalize();
    let calls = 0;
    sim.beforeCall = () => {
      calls++;
      throw new SimulatedError('InvalidInputException', 'bad');
    };
    await expect(retryingReads(sim).tags('arn:x')).rejects.toMatchObject({ name: 'InvalidInputException' });
    expect(calls).toBe(1);
  });

  test('every kind of read goes through the retries', async () => {
    const sim = await created();
    const campaign = sim.snapshot().find((r) => r.kind === 'campaign');
    const version = sim.snapshot().find((r) => r.kind === 'solutionVersion');
    let throttled = 0;
    sim.throttle = (operation) =>
      ['describe campaign', 'list tags', 'get solution metrics'].includes(operation) && throttled++ % 2 === 0;
    const port = retryingReads(sim);
    expect((await port.describe('campaign', campaign?.arn ?? ''))?.arn).toBe(campaign?.arn);
    expect(await port.tags(campaign?.arn ?? '')).toEqual({ 'movierecs:prefix': PREFIX });
    expect(await port.solutionMetrics(version?.arn ?? '')).toMatchObject({ coverage: 0.31 });
    expect(throttled).toBe(6);
  });

  test('an unreadable metric does not hold a model back: it is published without metrics', async () => {
    const sim = new SimulatedPersonalize();
    sim.beforeCall = (operation) => {
      if (operation === 'get solution metrics') throw new SimulatedError('ResourceInUseException', 'not yet');
    };
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('done');
    expect(result.models.map((m) => m.metrics)).toEqual([{}, {}, {}]);
  });

  test('a metrics call that fails for good fails the call (the state machine retries it)', async () => {
    const sim = await created();
    sim.beforeCall = (operation) => {
      if (operation === 'get solution metrics') throw new Error('a bug');
    };
    await expect(step(apply(desiredFor(PREFIX)), sim)).rejects.toThrow('a bug');
  });
});

test('every offline metric Personalize reports reaches the registry under its name', async () => {
  const sim = new SimulatedPersonalize();
  const metrics = {
    coverage: 0.5,
    precision_at_5: 0.25,
    precision_at_10: 0.2,
    precision_at_25: 0.1,
    normalized_discounted_cumulative_gain_at_5: 0.3,
    normalized_discounted_cumulative_gain_at_10: 0.35,
    normalized_discounted_cumulative_gain_at_25: 0.4,
    mean_reciprocal_rank_at_25: 0.45,
    average_rewards_at_k: 0.9,
  };
  sim.solutionMetrics = async () => ({ ...metrics, precision_at_25: 'n/a' as unknown as number });
  const { result } = await converge(apply(desiredFor(PREFIX, { solutions: [DEFAULT_SOLUTIONS[0]] })), sim);
  expect(result.models[0].metrics).toEqual({
    precisionAt5: 0.25,
    precisionAt10: 0.2,
    ndcgAt5: 0.3,
    ndcgAt10: 0.35,
    ndcgAt25: 0.4,
    mrrAt25: 0.45,
    coverage: 0.5,
  });
  sim.solutionMetrics = async () => metrics;
  expect((await step(apply(desiredFor(PREFIX, { solutions: [DEFAULT_SOLUTIONS[0]] })), sim)).models[0].metrics).toEqual(
    expect.objectContaining({ precisionAt25: 0.1 }),
  );
});

describe('what the registry shows while things change', () => {
  test('a campaign being updated serves (published) and says UPDATE', async () => {
    const sim = await created();
    const solutions = DEFAULT_SOLUTIONS.map((s, i) => (i === 1 ? { ...s, campaignMinTps: 2 } : s));
    const request = apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: sim.now }));
    const first = await step(request, sim);
    const label = 'campaign:similar-items';
    const name = namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[1]);
    expect(rows(first, label)).toEqual([`${label} | campaign | UPDATE PENDING`]);
    expect(first.actions).toEqual([
      expect.stringMatching(
        new RegExp(`^update campaign ${name} to 2 TPS and version arn:.*solution/${name}/[0-9a-f]+$`),
      ),
    ]);
    sim.advance(MINUTE);
    const updating = await step(request, sim);
    expect(rows(updating, label)).toEqual([`${label} | campaign | UPDATE CREATE IN_PROGRESS`]);
    expect(updating.models).toHaveLength(3);
    expect(updating.status).toBe('pending');
    // Never a second update while the first is in progress: the service would refuse it.
    for (let i = 0; i < 10; i++) {
      sim.advance(MINUTE);
      await step(request, sim);
    }
    expect(sim.calls.filter((c) => c.operation === 'update campaign')).toHaveLength(1);
    expect(sim.refusedCalls()).toEqual([]);
  });

  test('a campaign still being created is reported as such and not published', async () => {
    const sim = new SimulatedPersonalize();
    let result = await step(apply(desiredFor(PREFIX)), sim);
    while (!result.progress.some((p) => p.resource.startsWith('campaign:') && p.status === STATUS.createInProgress)) {
      sim.advance(MINUTE);
      result = await step(apply(desiredFor(PREFIX)), sim);
    }
    const creating = result.progress.filter((p) => p.status === STATUS.createInProgress && p.stage === 'campaign');
    const serving = result.progress.filter((p) => p.status === STATUS.active && p.stage === 'campaign');
    expect(creating.length).toBeGreaterThan(0);
    expect(result.models.length).toBe(serving.length);
    expect(creating[0].startedAt).toEqual(expect.any(String));
  });

  test('a schema move in progress is waited for; a failed one in this deployment is reported with what to do', async () => {
    const sim = await created();
    const withColumn = (...names: string[]) =>
      desiredFor(PREFIX).datasets.map((d) =>
        d.type === 'items' ? { ...d, schema: names.reduce((schema, name) => withField(schema, name), d.schema) } : d,
      );
    const request = apply(desiredFor(PREFIX, { datasets: withColumn('STUDIO'), retryFailuresBefore: sim.now }));
    const first = await step(request, sim);
    expect(rows(first, 'dataset:items')).toEqual(['dataset:items | schema update | UPDATE PENDING']);
    sim.advance(30_000);
    const moving = await step(request, sim);
    expect(rows(moving, 'dataset:items')).toEqual([
      `dataset:items | schema update | UPDATE ${STATUS.createInProgress}`,
    ]);
    // Another move, which the service accepts and then fails.
    sim.advance(5 * MINUTE);
    await converge(request, sim);
    sim.failDatasetUpdate.set('items', 'the update could not be applied');
    const deployedAt = sim.now;
    const { result } = await converge(
      apply(desiredFor(PREFIX, { datasets: withColumn('STUDIO', 'COUNTRY'), retryFailuresBefore: deployedAt })),
      sim,
    );
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /^dataset:items: moving to schema .* failed: the update could not be applied\. Amazon Personalize accepts only compatible schema changes; destroy and deploy again/,
    );
    // Nothing is imported into it meanwhile, even new data; the same deployment does not move it again.
    const moved = withColumn('STUDIO', 'COUNTRY').map((d) => ({
      ...d,
      dataLocation: d.dataLocation.replace('0123', '6666'),
    }));
    const imports = sim.calls.filter((c) => c.operation === 'create datasetImportJob').length;
    const updates = sim.calls.filter((c) => c.operation === 'update dataset').length;
    for (let i = 0; i < 3; i++) {
      sim.advance(MINUTE);
      const again = await step(apply(desiredFor(PREFIX, { datasets: moved, retryFailuresBefore: deployedAt })), sim);
      expect(again.status).toBe('failed');
    }
    expect(sim.calls.filter((c) => c.operation === 'update dataset')).toHaveLength(updates);
    expect(
      sim.calls.filter((c) => c.operation === 'create datasetImportJob' && c.arn?.endsWith('/ITEMS')),
    ).toHaveLength(imports / 3);
    // The next deployment tries the move once more; so does a move to another schema at once.
    sim.advance(MINUTE);
    await step(apply(desiredFor(PREFIX, { datasets: moved, retryFailuresBefore: sim.now })), sim);
    expect(sim.calls.filter((c) => c.operation === 'update dataset' && c.outcome === 'ok')).toHaveLength(updates + 1);
  });

  test('a failed move to one schema does not stop a move to another in the same deployment', async () => {
    const sim = await created();
    const items = (...names: string[]) =>
      desiredFor(PREFIX).datasets.map((d) =>
        d.type === 'items' ? { ...d, schema: names.reduce((schema, name) => withField(schema, name), d.schema) } : d,
      );
    sim.failDatasetUpdate.set('items', 'the update could not be applied');
    const start = sim.now;
    const { result } = await converge(
      apply(desiredFor(PREFIX, { datasets: items('STUDIO'), retryFailuresBefore: start })),
      sim,
    );
    expect(result.status).toBe('failed');
    const { result: other } = await converge(
      apply(desiredFor(PREFIX, { datasets: items('COUNTRY'), retryFailuresBefore: start })),
      sim,
    );
    expect(other.status).toBe('done');
  });
});

describe('teardown details', () => {
  test('a batch segment job holds its solution too; the wait says why', async () => {
    const sim = await created();
    const version = sim.snapshot().find((r) => r.kind === 'solutionVersion');
    sim.seedChild('batchSegmentJob', 'segments', version?.arn ?? '', 10 * MINUTE);
    const first = await step(teardown(PREFIX), sim);
    expect(first.progress.map((p) => p.status)).toContain('CREATE IN_PROGRESS (waiting: batch jobs cannot be stopped)');
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    expect(sim.refusedCalls()).toEqual([]);
  });

  test("only this prefix's schemas go, whoever else shares the account", async () => {
    const sim = await created();
    const theirs = sim.seed({ kind: 'schema', name: 'MovieRecsOld-items-00000000' });
    const unrelated = sim.seed({ kind: 'schema', name: 'my-schema' });
    await converge(teardown(PREFIX), sim);
    expect(
      sim
        .snapshot()
        .map((r) => r.arn)
        .sort(),
    ).toEqual([theirs, unrelated].sort());
  });

  test('a training is stopped, and datasets wait for the stop before they go', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 25 }).catch(() => undefined);
    const first = await step(teardown(PREFIX), sim);
    expect(first.actions.filter((a) => a.startsWith('stop training'))).toHaveLength(3);
    expect(first.actions.filter((a) => a.startsWith('delete dataset'))).toEqual([]);
    expect(rows(first, 'dataset:')).toEqual(
      ['interactions', 'items', 'users'].map((t) => `dataset:${t} | delete | ACTIVE (waiting for a training to stop)`),
    );
    const ranking = namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[2]);
    expect(rows(first, `solution:${ranking}/training`)).toEqual([
      `solution:${ranking}/training | delete | ${STATUS.createStopping}`,
    ]);
  });
});
