/**
 * Rules of the ledger that only a longer story shows the kit meeting: what the service does by
 * itself after the deploy (automatic training), a stop that arrives when there is nothing left to
 * stop, and a metric attribution that must go before the datasets.
 */
import {
  SimulatedError,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { STATUS } from '../../lib/personalize/controller/port';
import { apply, converge, desiredFor, MINUTE, step, teardown } from './harness';

const PREFIX = 'MovieRecs';
const DAY = 24 * 60 * MINUTE;

test('no solution of the kit trains on its own', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim);
  // New data arrives, as it would for a solution with automatic training; then 8 days pass, read
  // every hour (each read lets the service do what it would have done by then).
  const datasets = desiredFor(PREFIX).datasets.map((d) => ({
    ...d,
    dataLocation: d.dataLocation.replace('0123', '4567'),
  }));
  await converge(apply(desiredFor(PREFIX, { datasets, retryFailuresBefore: sim.now })), sim);
  for (let hour = 0; hour < 8 * 24; hour++) {
    sim.advance(60 * MINUTE);
    await sim.list('datasetGroup');
  }
  expect(sim.now).toBeGreaterThan(8 * DAY);
  expect(sim.automaticVersions()).toEqual([]);
  // The service does train on its own when asked to (the default): the check above can fail.
  const group = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
  sim.authorize = undefined;
  await sim.create({
    kind: 'solution',
    name: 'defaults',
    parentArn: group.arn,
    recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
  });
  sim.advance(2 * 60 * MINUTE);
  expect(sim.automaticVersions()).toHaveLength(1);
});

test('a stop that races the end of the training is done, not a failed destroy', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: 25 }).catch(() => undefined);
  expect(
    sim.snapshot().filter((r) => r.kind === 'solutionVersion' && r.status === STATUS.createInProgress),
  ).toHaveLength(3);
  // Between the list and the stop, the trainings finish.
  let raced = false;
  sim.beforeCall = (operation) => {
    if (operation === 'stop training' && !raced) {
      raced = true;
      sim.advance(60 * MINUTE);
    }
  };
  const first = await step(teardown(PREFIX), sim);
  expect(first.status).toBe('pending');
  // The first stop arrives after the trainings finished; the others are not asked for at all.
  expect(first.actions.filter((a) => a.startsWith('stop training'))).toEqual([
    expect.stringMatching(/: not needed \(InvalidInputException\)$/),
  ]);
  sim.beforeCall = () => undefined;
  const { result } = await converge(teardown(PREFIX), sim);
  expect(result.status).toBe('done');
  expect(sim.snapshot()).toEqual([]);
  expect(sim.refusedCalls().map((c) => c.rule)).toEqual(['stop-training/status']);
});

test('a metric attribution in our group goes before its datasets', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim);
  const group = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
  const attribution = sim.seedChild('metricAttribution', 'attendee-clicks', group.arn);
  let attributionGoneAt: number | undefined;
  sim.beforeCall = (operation) => {
    if (attributionGoneAt === undefined && !sim.snapshot().some((r) => r.arn === attribution))
      attributionGoneAt = sim.now;
    if (operation === 'delete dataset' && attributionGoneAt === undefined)
      throw new SimulatedError('Error', 'a dataset delete before the attribution was gone');
  };
  const { result } = await converge(teardown(PREFIX), sim);
  expect(result.status).toBe('done');
  expect(attributionGoneAt).toBeDefined();
  expect(sim.snapshot()).toEqual([]);
});
