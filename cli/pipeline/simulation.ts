/**
 * The Personalize pipeline on the simulated Personalize (the durations the original workshop
 * published), driven as the state machine drives the reconcile function: reconcile, wait 60 s,
 * reconcile... For `movierecs simulate` (makespan against the notebook's one-at-a-time) and
 * `movierecs status --simulate` (the presenter's rehearsal).
 */
import { effectiveFilters, WorkshopConfig } from '../../lib/config';
import { DesiredState, desiredFilters } from '../../lib/personalize/controller/desired';
import { reconcile, ReconcileResult } from '../../lib/personalize/controller/reconcile';
import {
  PUBLISHED_DURATIONS,
  SimulatedDurations,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { EDITION_LAYOUTS } from '../../lib/data/movielens/editions';
import { SCHEMAS } from '../../lib/data/movielens/schemas';

/** The state machine's wait between reconcile calls. */
export const RECONCILE_INTERVAL_MS = 60_000;

/** What the deployed controller is asked for, for this configuration (ARNs are stand-ins). */
export function simulatedDesired(config: WorkshopConfig): DesiredState {
  const types = EDITION_LAYOUTS[config.dataset].usersFile
    ? (['interactions', 'items', 'users'] as const)
    : (['interactions', 'items'] as const);
  return {
    prefix: config.prefix,
    region: config.region,
    partition: 'aws',
    personalizeRoleArn: 'arn:aws:iam::123456789012:role/personalize',
    catalog: config.dataset,
    dataRevision: `${config.dataset}/0123456789abcdef/`,
    datasets: types.map((type) => ({
      type,
      schema: JSON.stringify(SCHEMAS[type]),
      dataLocation: `s3://bucket/personalize/${config.dataset}/0123456789abcdef/${type}.csv`,
    })),
    solutions: config.solutions.map((s, i) => ({
      displayName: s.name,
      type: s.type,
      recipe: s.recipe,
      campaignMinTps: s.campaignMinTps,
      sortOrder: i,
    })),
    // The dataset group's event tracker and filters, as the Personalize stack asks for them.
    eventTracker: true,
    filters: desiredFilters(effectiveFilters(config)),
    retryFailuresBefore: 0,
  };
}

export interface RehearsalStep {
  /** Simulated time since the start, ms. */
  readonly elapsed: number;
  /** The simulated clock (epoch ms), as the registry's timestamps read. */
  readonly now: number;
  readonly result: ReconcileResult;
  readonly calls: number;
}

/**
 * Runs the whole create; calls `onStep` after every reconcile call (await it to pace the run).
 * Ends when the pipeline is done or failed, or after `limitMs` of simulated time.
 */
export async function rehearse(
  desired: DesiredState,
  onStep: (step: RehearsalStep) => void | Promise<void>,
  durations: SimulatedDurations = PUBLISHED_DURATIONS,
  limitMs = 12 * 3600_000,
  sim: SimulatedPersonalize = new SimulatedPersonalize(durations),
): Promise<RehearsalStep> {
  const start = sim.now;
  let memory;
  for (let calls = 1; ; calls++) {
    const result = await reconcile({ action: 'apply', desired }, sim, { now: () => sim.now }, memory);
    memory = result.memory;
    const step = { elapsed: sim.now - start, now: sim.now, result, calls };
    await onStep(step);
    if (result.status !== 'pending' || sim.now - start >= limitMs) return step;
    sim.advance(RECONCILE_INTERVAL_MS);
  }
}

export interface MakespanReport {
  readonly calls: number;
  readonly makespanMs: number;
  readonly criticalPathMs: number;
  readonly sequentialMs: number;
}

/** A full create's simulated duration, its critical path, and the notebook's one-step-at-a-time time. */
export async function makespan(
  desired: DesiredState,
  d: SimulatedDurations = PUBLISHED_DURATIONS,
): Promise<MakespanReport> {
  const last = await rehearse(desired, () => undefined, d);
  if (last.result.status === 'failed') throw new Error(last.result.reason);
  const step = (ms: number) => d.pending + ms;
  const setup = step(d.datasetGroup) + step(d.dataset);
  const trainings = desired.solutions.map((s) => step(d.training[s.recipe] ?? d.training.default));
  return {
    calls: last.calls,
    makespanMs: last.elapsed,
    criticalPathMs: setup + step(d.importJob) + Math.max(...trainings) + step(d.campaign),
    sequentialMs:
      setup +
      desired.datasets.length * step(d.importJob) +
      trainings.reduce((a, b) => a + b, 0) +
      desired.solutions.length * step(d.campaign),
  };
}
