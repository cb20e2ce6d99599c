/**
 * The edges of reconcile's decisions, each on both sides: a failure exactly at the deployment's
 * start, a failed campaign update that differs from the wanted one in one field only, new data that
 * arrives while a version trains, and a dataset that vanishes between a list and a describe.
 */
import { STATUS } from '../../lib/personalize/controller/port';
import { SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
import { apply, converge, DEFAULT_SOLUTIONS, desiredFor, MINUTE, namesOf, step, withField } from './harness';

const PREFIX = 'MovieRecs';
const SIMS = DEFAULT_SOLUTIONS[1];

async function created() {
  const sim = new SimulatedPersonalize();
  expect((await converge(apply(desiredFor(PREFIX)), sim)).result.status).toBe('done');
  return sim;
}

const versionsOf = (sim: SimulatedPersonalize, solutionName: string) =>
  sim.snapshot().filter((r) => r.kind === 'solutionVersion' && r.arn.includes(`/${solutionName}/`));

describe('a failure at the very start of a deployment', () => {
  test('a training that failed at the instant the deployment started is not retried; one a millisecond earlier is', async () => {
    const sim = new SimulatedPersonalize();
    const name = namesOf(desiredFor(PREFIX)).solution(SIMS);
    sim.failTraining.set(name, 'Not enough interactions');
    const first = await converge(apply(desiredFor(PREFIX)), sim);
    expect(first.result.status).toBe('failed');
    const failedAt = versionsOf(sim, name)[0].createdAt;
    // The same instant: this deployment's own failure, reported.
    const same = await step(apply(desiredFor(PREFIX, { retryFailuresBefore: failedAt })), sim);
    expect(same.status).toBe('failed');
    expect(versionsOf(sim, name)).toHaveLength(1);
    // Just after it: a failure before this deployment, retried once.
    const { result } = await converge(apply(desiredFor(PREFIX, { retryFailuresBefore: failedAt + 1 })), sim);
    expect(result.status).toBe('done');
    expect(versionsOf(sim, name)).toHaveLength(2);
  });

  test('a campaign update that failed at the deployment start is reported, not issued again', async () => {
    const sim = await created();
    const name = namesOf(desiredFor(PREFIX)).solution(SIMS);
    sim.failCampaignUpdate.set(name, 'no capacity');
    const solutions = DEFAULT_SOLUTIONS.map((s) => (s === SIMS ? { ...s, campaignMinTps: 2 } : s));
    await step(apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: sim.now })), sim);
    const issuedAt = sim.now;
    sim.advance(20 * MINUTE);
    const same = await step(apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: issuedAt })), sim);
    expect(same.status).toBe('failed');
    expect(sim.calls.filter((c) => c.operation === 'update campaign')).toHaveLength(1);
    const later = await step(apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: issuedAt + 1 })), sim);
    expect(later.status).toBe('pending');
    const sims = (c: { arn?: string }) => c.arn?.endsWith(`/${name}`);
    expect(sim.calls.filter((c) => c.operation === 'update campaign' && c.outcome === 'ok' && sims(c))).toHaveLength(2);
  });
});

describe('a failed campaign update that differs in one field is another update', () => {
  test.each([
    ['the TPS', { campaignMinTps: 3 }],
    ['nothing else but the version', {}],
  ])('differing in %s: it is issued, not reported as failed', async (_what, change) => {
    const sim = await created();
    const name = namesOf(desiredFor(PREFIX)).solution(SIMS);
    // An update to 2 TPS on the current version fails, in this deployment.
    sim.failCampaignUpdate.set(name, 'no capacity');
    const failedSolutions = DEFAULT_SOLUTIONS.map((s) => (s === SIMS ? { ...s, campaignMinTps: 2 } : s));
    const start = sim.now;
    await converge(apply(desiredFor(PREFIX, { solutions: failedSolutions, retryFailuresBefore: start })), sim);
    if (!('campaignMinTps' in change)) {
      // The same TPS, but new data: a new version to deploy. Until it is trained, the failed update is
      // the wanted one and is reported; the run goes on (the state machine would have stopped, and
      // the next deployment retried it) and issues the update for the new version.
      const datasets = desiredFor(PREFIX).datasets.map((d) => ({
        ...d,
        dataLocation: d.dataLocation.replace('0123', '8888'),
      }));
      const { result } = await converge(
        apply(desiredFor(PREFIX, { solutions: failedSolutions, datasets, retryFailuresBefore: start })),
        sim,
        { stopOnFailed: false },
      );
      expect({ status: result.status, reason: result.reason }).toEqual({ status: 'done', reason: undefined });
    } else {
      const solutions = DEFAULT_SOLUTIONS.map((s) => (s === SIMS ? { ...s, ...change } : s));
      const { result } = await converge(apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: start })), sim);
      expect(result.status).toBe('done');
    }
    const sims = (c: { arn?: string }) => c.arn?.endsWith(`/${name}`);
    expect(sim.calls.filter((c) => c.operation === 'update campaign' && c.outcome === 'ok' && sims(c))).toHaveLength(2);
  });
});

test('new data that arrives while a version trains: the version finishes, then one more trains on the new data', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 25 }).catch(() => undefined);
  const name = namesOf(desiredFor(PREFIX)).solution(SIMS);
  expect(versionsOf(sim, name).map((v) => v.status)).toEqual([STATUS.createInProgress]);
  const datasets = desiredFor(PREFIX).datasets.map((d) => ({
    ...d,
    dataLocation: d.dataLocation.replace('0123', '9999'),
  }));
  const revision = 'ml-100k/9999456789abcdef/';
  const { result } = await converge(apply(desiredFor(PREFIX, { datasets, dataRevision: revision })), sim);
  expect(result.status).toBe('done');
  const versions = versionsOf(sim, name).sort((a, b) => a.createdAt - b.createdAt);
  expect(versions).toHaveLength(2);
  const imported = Math.max(
    ...sim
      .snapshot()
      .filter((r) => r.kind === 'datasetImportJob')
      .map((j) => j.lastUpdatedAt ?? 0),
  );
  expect(versions[1].createdAt).toBeGreaterThanOrEqual(imported);
  expect(result.models.find((m) => m.type === 'sims')?.dataRevision).toBe('ml-100k/9999456789abcdef');
});

test('a dataset that vanishes between the list and the describe is read as gone, then made again', async () => {
  const sim = await created();
  const items = sim.snapshot().find((r) => r.kind === 'dataset' && r.datasetType === 'Items')!;
  let vanished = false;
  sim.beforeCall = (operation, arn) => {
    if (operation === 'describe dataset' && arn === items.arn && !vanished) {
      vanished = true;
      sim.vanish(items.arn);
    }
  };
  const datasets = desiredFor(PREFIX).datasets.map((d) => ({
    ...d,
    dataLocation: d.dataLocation.replace('0123', '5555'),
  }));
  const { result } = await converge(apply(desiredFor(PREFIX, { datasets, retryFailuresBefore: sim.now })), sim, {
    allowRefusals: (c) => c.operation === 'describe dataset' && c.arn === items.arn && c.rule === 'read/not-found',
  });
  expect(vanished).toBe(true);
  expect(result.status).toBe('done');
  expect(sim.snapshot().filter((r) => r.kind === 'dataset' && r.datasetType === 'Items')).toHaveLength(1);
});

test("an attendee's campaign on our solution is not taken for ours: ours is still made", async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 30 }).catch(() => undefined);
  const name = namesOf(desiredFor(PREFIX)).solution(SIMS);
  const solution = sim.snapshot().find((r) => r.kind === 'solution' && r.name === name)!;
  sim.authorize = undefined;
  // The attendee deploys the first version by hand as soon as it is trained.
  while (!versionsOf(sim, name).some((v) => v.status === STATUS.active)) sim.advance(MINUTE);
  const version = versionsOf(sim, name).find((v) => v.status === STATUS.active)!;
  sim.seed({ kind: 'campaign', name: 'attendee-sims', parentArn: solution.arn, solutionVersionArn: version.arn });
  const { result } = await converge(apply(desiredFor(PREFIX)), sim);
  expect(result.status).toBe('done');
  const campaigns = sim.snapshot().filter((r) => r.kind === 'campaign' && r.parentArn === solution.arn);
  expect(campaigns.map((c) => c.name).sort()).toEqual(['attendee-sims', name].sort());
  expect(result.models.find((m) => m.type === 'sims')?.campaignArn).toMatch(new RegExp(`campaign/${name}$`));
});

test('a training someone stopped by hand is started again, not waited for', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 25 }).catch(() => undefined);
  const name = namesOf(desiredFor(PREFIX)).solution(SIMS);
  const [training] = versionsOf(sim, name);
  expect(training.status).toBe(STATUS.createInProgress);
  sim.authorize = undefined;
  await sim.stopTraining(training.arn);
  const { result } = await converge(apply(desiredFor(PREFIX)), sim);
  expect(result.status).toBe('done');
  expect(
    versionsOf(sim, name)
      .map((v) => v.status)
      .sort(),
  ).toEqual([STATUS.active, STATUS.createStopped]);
});

test('while the schemas cannot be made (throttled), no dataset is asked for without its schema', async () => {
  const sim = new SimulatedPersonalize();
  sim.throttle = (operation) => operation === 'create schema' && sim.now < 3 * MINUTE;
  const { result } = await converge(apply(desiredFor(PREFIX)), sim);
  expect(result.status).toBe('done');
  expect(sim.calls.some((c) => c.operation === 'create schema' && c.outcome === 'ThrottlingException')).toBe(true);
});

test('a changed items schema whose creation is throttled moves nothing until it exists', async () => {
  const sim = await created();
  const datasets = desiredFor(PREFIX).datasets.map((d) =>
    d.type === 'items' ? { ...d, schema: withField(d.schema, 'STUDIO') } : d,
  );
  const start = sim.now;
  sim.throttle = (operation) => operation === 'create schema' && sim.now < start + 3 * MINUTE;
  const { result } = await converge(apply(desiredFor(PREFIX, { datasets, retryFailuresBefore: start })), sim);
  expect(result.status).toBe('done');
  expect(sim.calls.filter((c) => c.operation === 'update dataset' && c.outcome === 'ok')).toHaveLength(1);
});
