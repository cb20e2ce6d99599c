/**
 * Makespan of a full create, on the simulated Personalize with the published durations (import
 * 15 min, user-personalization 45 min, SIMS and ranking 35 min, campaign 12 min), driven exactly as
 * the state machine drives reconcile (reconcile, wait 60 s, reconcile ...).
 *
 *   npm run simulate:pipeline
 *
 * Prints the simulated time until every campaign is active, the critical path, and the time the
 * seed notebook's one-step-at-a-time approach takes for the same steps.
 */
import { DesiredState } from '../lib/personalize/controller/desired';
import { reconcile } from '../lib/personalize/controller/reconcile';
import { PUBLISHED_DURATIONS, SimulatedPersonalize } from '../lib/personalize/controller/simulated-personalize';
import { DEFAULT_SOLUTIONS } from '../lib/config';

const WAIT = 60_000;
const d = PUBLISHED_DURATIONS;

const desired: DesiredState = {
  prefix: 'MovieRecs',
  region: 'us-east-1',
  partition: 'aws',
  personalizeRoleArn: 'arn:aws:iam::123456789012:role/personalize',
  datasets: (['interactions', 'items', 'users'] as const).map((type) => ({
    type,
    schema: '{}',
    dataLocation: `s3://bucket/personalize/ml-100k/0123456789abcdef/${type}.csv`,
  })),
  solutions: DEFAULT_SOLUTIONS.map((s, i) => ({
    displayName: s.name,
    type: s.type,
    recipe: s.recipe,
    campaignMinTps: s.campaignMinTps,
    performAutoTraining: false,
    sortOrder: i,
  })),
  retryFailuresBefore: 0,
};

async function main(): Promise<void> {
  const sim = new SimulatedPersonalize(d);
  let calls = 0;
  for (;;) {
    calls++;
    const result = await reconcile({ action: 'apply', desired }, sim, { now: () => sim.now });
    if (result.status === 'done') break;
    if (result.status === 'failed') throw new Error(result.reason);
    sim.advance(WAIT);
  }
  const makespan = sim.now;

  // The longest chain of dependent steps (each step also spends `pending` before it starts work).
  const step = (ms: number) => d.pending + ms;
  const setup = step(d.datasetGroup) + step(d.dataset);
  const trainings = desired.solutions.map((s) => step(d.training[s.recipe] ?? d.training.default));
  const critical = setup + step(d.importJob) + Math.max(...trainings) + step(d.campaign);
  // The notebook: one import, one training, one campaign at a time, each waited for.
  const sequential =
    setup +
    desired.datasets.length * step(d.importJob) +
    trainings.reduce((a, b) => a + b, 0) +
    desired.solutions.length * step(d.campaign);

  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  console.log(`reconcile calls:                 ${calls} (one per ${WAIT / 1000} s wait)`);
  console.log(`simulated time to all campaigns: ${minutes(makespan)}`);
  console.log(
    `critical path:                   ${minutes(critical)}  (dataset group, dataset, import 15, user-personalization 45, campaign 12)`,
  );
  console.log(`seed notebook, one at a time:    ${minutes(sequential)}`);
  console.log(`makespan / critical path:        ${(makespan / critical).toFixed(3)}  (target <= 1.10)`);
  console.log(`sequential / makespan:           ${(sequential / makespan).toFixed(2)}x`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
