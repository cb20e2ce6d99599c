/**
 * What the model registry tells a presenter while the pipeline runs: each resource's label, stage
 * and status, and what each call did. The front page's progress banner shows exactly these.
 */
import {
  SimulatedError,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { ReconcileResult } from '../../lib/personalize/controller/reconcile';
import { names } from '../../lib/personalize/controller/desired';
import {
  apply,
  converge,
  DEFAULT_SOLUTIONS,
  desiredFor,
  MINUTE,
  namesOf,
  SCHEMA_TEXT,
  step,
  teardown,
} from './harness';

const PREFIX = 'MovieRecs';
/**
 * The rows of models and data, without the event tracker and filters (their rows are checked in
 * realtime.test.ts), so each step's list stays readable.
 */
const desired = () => desiredFor(PREFIX, { eventTracker: false, filters: [] });
const NAMES = namesOf(desired());
/** The rows' labels: the slug of each display name. */
const SOLUTIONS = ['personal-recommendations', 'similar-items', 'personal-ranking'];
/** The resources' names: the slug and a hash of recipe and model basis. */
const SOLUTION_NAMES = DEFAULT_SOLUTIONS.map((s) => NAMES.solution(s));
const TYPES = ['interactions', 'items', 'users'] as const;
const SCHEMA_NAMES = TYPES.map((t) => names.schema(PREFIX, t, SCHEMA_TEXT[t]));

function rows(result: ReconcileResult): string[] {
  return result.progress.map((p) => `${p.resource} | ${p.stage} | ${p.status}`);
}

async function applyAt(sim: SimulatedPersonalize, minutes: number): Promise<ReconcileResult> {
  while (sim.now < minutes * MINUTE) {
    await step(apply(desired()), sim);
    sim.advance(MINUTE);
  }
  return step(apply(desired()), sim);
}

const ready = ['interactions', 'items', 'users'].map((t) => `schema:${t} | schema | ACTIVE`);

describe('a first deploy, as the registry reports it', () => {
  test('call 1: schemas created, the dataset group requested', async () => {
    const result = await applyAt(new SimulatedPersonalize(), 0);
    expect(result.status).toBe('pending');
    expect(rows(result)).toEqual([...ready, 'dataset-group | dataset group | CREATE PENDING']);
    expect(result.actions).toEqual([
      ...SCHEMA_NAMES.map((n) => `create schema ${n}`),
      `create dataset group ${NAMES.group}`,
    ]);
    expect(result.progress[3].startedAt).toBeUndefined();
  });

  test('the datasets, then the imports and solutions together', async () => {
    const sim = new SimulatedPersonalize();
    const datasets = await applyAt(sim, 1);
    expect(rows(datasets)).toEqual([
      ...ready,
      'dataset-group | dataset group | ACTIVE',
      'dataset:interactions | dataset | CREATE PENDING',
      'dataset:items | dataset | CREATE PENDING',
      'dataset:users | dataset | CREATE PENDING',
      ...SOLUTIONS.map((s) => `solution:${s} | solution | WAITING FOR DATASETS`),
    ]);
    expect(datasets.actions).toEqual(TYPES.map((t) => `create dataset ${NAMES.dataset(t)}`));
    const imports = await applyAt(sim, 2);
    expect(imports.actions).toEqual([
      expect.stringMatching(new RegExp(`^create import job ${PREFIX}-interactions-[0-9a-f]{10}$`)),
      expect.stringMatching(new RegExp(`^create import job ${PREFIX}-items-[0-9a-f]{10}$`)),
      expect.stringMatching(new RegExp(`^create import job ${PREFIX}-users-[0-9a-f]{10}$`)),
      ...SOLUTION_NAMES.map((n) => `create solution ${n}`),
    ]);
    expect(rows(imports).slice(5, 10)).toEqual([
      'import:interactions | import | CREATE PENDING',
      'dataset:items | dataset | ACTIVE',
      'import:items | import | CREATE PENDING',
      'dataset:users | dataset | ACTIVE',
      'import:users | import | CREATE PENDING',
    ]);
  });

  test('while importing: trainings wait for the imports, campaigns for the trainings', async () => {
    const result = await applyAt(new SimulatedPersonalize(), 3);
    expect(rows(result).slice(10)).toEqual(
      SOLUTIONS.flatMap((s) => [
        `solution:${s} | solution | ACTIVE`,
        `training:${s} | training | WAITING FOR IMPORTS`,
        `campaign:${s} | campaign | WAITING FOR TRAINING`,
      ]),
    );
    expect(result.actions).toEqual([]);
    const started = result.progress.find((p) => p.resource === 'import:items');
    expect(started?.startedAt).toBe(new Date(2 * MINUTE).toISOString());
  });

  test('training, then campaigns; done only when every campaign is active', async () => {
    const sim = new SimulatedPersonalize();
    const training = await applyAt(sim, 20);
    expect(rows(training).filter((r) => r.startsWith('training:'))).toEqual(
      SOLUTIONS.map((s) => `training:${s} | training | CREATE IN_PROGRESS`),
    );
    const { result } = await converge(apply(desired()), sim);
    expect(result.status).toBe('done');
    expect(rows(result).filter((r) => !r.endsWith('| ACTIVE'))).toEqual([]);
    expect(rows(result)).toHaveLength(19);
  });
});

describe('a teardown, as it reports itself', () => {
  test('every delete that can be issued is issued in the first call; datasets after the campaigns', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desired()), sim);
    const first = await step(teardown(PREFIX), sim);
    expect(first.status).toBe('pending');
    // "No associated Campaign can have a status of CREATE PENDING or IN PROGRESS or ACTIVE" (DeleteDataset).
    expect(first.actions).toEqual(SOLUTION_NAMES.map((n) => `delete campaign ${n}`));
    expect(rows(first)).toEqual([
      'dataset-group | delete | ACTIVE (deleting)',
      ...SOLUTION_NAMES.flatMap((n) => [
        `solution:${n}/campaign ${n} | delete | ACTIVE (deleting)`,
        `solution:${n} | delete | ACTIVE (waiting)`,
      ]),
      ...TYPES.map((t) => `dataset:${t} | delete | ACTIVE (waiting for campaigns to be deleted)`),
    ]);
    sim.advance(2 * MINUTE);
    const second = await step(teardown(PREFIX), sim);
    expect(second.actions).toEqual([
      ...SOLUTION_NAMES.map((n) => `delete solution ${n}`),
      ...TYPES.map((t) => `delete dataset ${NAMES.dataset(t)}`),
    ]);
    expect(rows(second)).toEqual([
      'dataset-group | delete | ACTIVE (deleting)',
      ...SOLUTION_NAMES.map((n) => `solution:${n} | delete | DELETE PENDING`),
      ...TYPES.map((t) => `dataset:${t} | delete | ACTIVE (deleting)`),
    ]);
    sim.advance(2 * MINUTE);
    const third = await step(teardown(PREFIX), sim);
    expect(third.actions).toEqual([`delete dataset group ${NAMES.group}`]);
    sim.advance(2 * MINUTE);
    const fourth = await step(teardown(PREFIX), sim);
    expect(fourth.status).toBe('pending');
    expect(fourth.actions).toEqual(SCHEMA_NAMES.map((n) => `delete schema ${n}`));
    expect(rows(fourth)).toEqual(SCHEMA_NAMES.map((n) => `schema:${n} | delete | DELETING`));
    const last = await step(teardown(PREFIX), sim);
    expect(last).toMatchObject({ status: 'done', actions: [], progress: [] });
    expect(sim.refusedCalls()).toEqual([]);
  });

  test('a group being deleted is waited for without reading its tags', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor(PREFIX, { solutions: [DEFAULT_SOLUTIONS[1]] })), sim);
    for (let i = 0; i < 20; i++) {
      const result = await step(teardown(PREFIX), sim);
      sim.advance(30_000);
      if (result.actions.includes(`delete dataset group ${NAMES.group}`)) break;
    }
    sim.beforeCall = (operation) => {
      if (operation === 'list tags') throw new SimulatedError('AccessDeniedException', 'tags are not to be read');
    };
    const result = await step(teardown(PREFIX), sim);
    expect(rows(result)).toEqual([expect.stringMatching(/^dataset-group \| delete \| DELETE PENDING$/)]);
    expect(result.status).toBe('pending');
  });
});

describe('deferrals say why', () => {
  test('throttled and refused calls are named in the actions, and the run stays pending', async () => {
    const sim = new SimulatedPersonalize();
    sim.throttle = (operation) => operation === 'create datasetGroup';
    const throttled = await step(apply(desired()), sim);
    expect(throttled.status).toBe('pending');
    expect(throttled.actions).toContain(`create dataset group ${NAMES.group}: deferred (ThrottlingException)`);
    sim.throttle = (operation) => operation === 'list schema';
    const unread = await step(apply(desired()), sim);
    expect(unread).toMatchObject({ status: 'pending', actions: ['read deferred (ThrottlingException)'] });
  });

  test('a quota refusal counts its minutes, and the memory carries the start from call to call', async () => {
    const sim = new SimulatedPersonalize();
    sim.beforeCall = (operation) => {
      if (operation === 'create datasetGroup') throw new SimulatedError('LimitExceededException', 'quota reached');
    };
    const first = await step(apply(desired()), sim);
    expect(first.actions).toContain(`create dataset group ${NAMES.group}: deferred (LimitExceededException for 0 min)`);
    expect(first.memory).toEqual({ refusedSince: { [`create dataset group ${NAMES.group}`]: 0 } });
    sim.advance(3 * MINUTE);
    const later = await step(apply(desired()), sim, first.memory);
    expect(later.actions).toContain(`create dataset group ${NAMES.group}: deferred (LimitExceededException for 3 min)`);
    sim.beforeCall = () => undefined;
    const granted = await step(apply(desired()), sim, later.memory);
    expect(granted.memory).toEqual({});
  });

  test('the solution quota is named as such', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desired()), sim, { maxCalls: 2 }).catch(() => undefined);
    sim.beforeCall = (operation) => {
      if (operation === 'create solution') throw new SimulatedError('LimitExceededException', 'too many solutions');
    };
    const { result } = await converge(apply(desired()), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /^create solution .*: LimitExceededException: too many solutions\. Refused for 1[01] minutes: the solutions per dataset group quota/,
    );
  });
});
