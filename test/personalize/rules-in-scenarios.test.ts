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
  // New interactions arrive without a deploy (as from an event tracker): with automatic training,
  // that is what makes the service train again, 7 days and an hour after the solution was ready.
  const interactions = sim.snapshot().find((r) => r.kind === 'dataset' && r.datasetType === 'Interactions')!;
  sim.advance(DAY);
  sim.seed({ kind: 'datasetImportJob', name: 'streamed-later', parentArn: interactions.arn });
  for (let hour = 0; hour < 8 * 24; hour++) {
    sim.advance(60 * MINUTE);
    await sim.list('datasetGroup');
  }
  expect(sim.now).toBeGreaterThan(8 * DAY);
  expect(sim.automaticVersions()).toEqual([]);
});

test('the service does train on its own by default, so the check above can fail', async () => {
  const sim = new SimulatedPersonalize();
  await converge(apply(desiredFor(PREFIX)), sim);
  sim.authorize = undefined;
  const group = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
  const interactions = sim.snapshot().find((r) => r.kind === 'dataset' && r.datasetType === 'Interactions')!;
  const solution = await sim.create({
    kind: 'solution',
    name: 'defaults',
    parentArn: group.arn,
    recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
  });
  // A version by hand within the first hour skips the first automatic training ...
  sim.advance(MINUTE);
  await sim.create({ kind: 'solutionVersion', parentArn: solution });
  sim.advance(2 * 60 * MINUTE);
  expect(sim.automaticVersions()).toEqual([]);
  // ... and a week later nothing new was imported: none either. New data, then the next week: one.
  sim.advance(7 * DAY);
  expect(sim.automaticVersions()).toEqual([]);
  sim.seed({ kind: 'datasetImportJob', name: 'streamed-later', parentArn: interactions.arn });
  sim.advance(7 * DAY);
  expect(sim.automaticVersions().map((v) => v.arn.split('/')[1])).toEqual(['defaults']);
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
