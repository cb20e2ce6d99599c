import {
  DesiredSolution,
  DesiredState,
  names,
  OWNER_TAG,
  ReconcileRequest,
} from '../../lib/personalize/controller/desired';
import { reconcile, ReconcileResult } from '../../lib/personalize/controller/reconcile';
import { SimulatedPersonalize } from '../../lib/personalize/controller/simulated-personalize';
import { controllerAuthorizers, PERSONALIZE_ROLE_ARN } from './iam-harness';

export const MINUTE = 60_000;

export const DEFAULT_SOLUTIONS: DesiredSolution[] = [
  {
    displayName: 'Personal Recommendations',
    type: 'recommend',
    recipe: 'aws-user-personalization-v2',
    campaignMinTps: 1,
    sortOrder: 0,
  },
  {
    displayName: 'Similar Items',
    type: 'sims',
    recipe: 'aws-sims',
    campaignMinTps: 1,
    sortOrder: 1,
  },
  {
    displayName: 'Personal Ranking',
    type: 'ranking',
    recipe: 'aws-personalized-ranking-v2',
    campaignMinTps: 1,
    sortOrder: 2,
  },
];

export function desiredFor(prefix: string, over: Partial<DesiredState> = {}): DesiredState {
  const base = `s3://data-bucket/personalize/ml-100k/0123456789abcdef`;
  return {
    prefix,
    region: 'us-east-1',
    partition: 'aws',
    personalizeRoleArn: PERSONALIZE_ROLE_ARN,
    datasets: [
      { type: 'interactions', schema: '{"type":"record"}', dataLocation: `${base}/interactions.csv` },
      { type: 'items', schema: '{"type":"record"}', dataLocation: `${base}/items.csv` },
      { type: 'users', schema: '{"type":"record"}', dataLocation: `${base}/users.csv` },
    ],
    solutions: DEFAULT_SOLUTIONS,
    retryFailuresBefore: 0,
    ...over,
  };
}

export const apply = (desired: DesiredState): ReconcileRequest => ({ action: 'apply', desired });
export const teardown = (prefix: string): ReconcileRequest => ({ action: 'teardown', prefix });

/**
 * Makes the simulation answer as IAM would for the function that runs this request: apply as the
 * reconcile function's role, teardown as the isComplete function's, from the synthesized template.
 */
export function asDeployed(request: ReconcileRequest, sim: SimulatedPersonalize): SimulatedPersonalize {
  const prefix = request.action === 'apply' ? request.desired.prefix : request.prefix;
  const roles = controllerAuthorizers(prefix);
  sim.authorize = request.action === 'apply' ? roles.apply : roles.teardown;
  return sim;
}

/** One reconcile call, with the deployed role's permissions. */
export function step(request: ReconcileRequest, sim: SimulatedPersonalize, memory?: ReconcileResult['memory']) {
  return reconcile(request, asDeployed(request, sim), { now: () => sim.now }, memory);
}

export interface Converged {
  readonly result: ReconcileResult;
  readonly calls: number;
  readonly elapsed: number;
  readonly history: ReconcileResult[];
}

/**
 * Runs reconcile -> wait(interval) -> reconcile, as the state machine does, until done or failed.
 * A call that throws (an injected crash) counts as a failed Lambda attempt and is retried.
 */
export async function converge(
  request: ReconcileRequest,
  sim: SimulatedPersonalize,
  options: { maxCalls?: number; interval?: number; stopOnFailed?: boolean } = {},
): Promise<Converged> {
  const started = sim.now;
  const history: ReconcileResult[] = [];
  // The longest scenario needs 136 calls (measured over test/personalize); a loop that
  // cannot end should fail fast.
  const maxCalls = options.maxCalls ?? 300;
  asDeployed(request, sim);
  for (let calls = 1; calls <= maxCalls; calls++) {
    let result: ReconcileResult | undefined;
    try {
      // The state machine hands each call's memory to the next.
      result = await reconcile(request, sim, { now: () => sim.now }, history[history.length - 1]?.memory);
    } catch (error) {
      // A grant missing from the template is a defect to report, not a crash to retry.
      if ((error as Error).name === 'AccessDeniedException') throw error;
      sim.advance(5_000); // the state machine retries a crashed Lambda after a short back-off
      continue;
    }
    history.push(result);
    if (result.status === 'done' || (result.status === 'failed' && options.stopOnFailed !== false)) {
      return { result, calls, elapsed: sim.now - started, history };
    }
    sim.advance(options.interval ?? MINUTE);
  }
  throw new Error(
    `did not converge in ${maxCalls} calls: ${JSON.stringify(history[history.length - 1]?.progress.filter((p) => p.status !== 'ACTIVE'))}`,
  );
}

/** Resources that belong to a prefix: by our naming, or tagged as its own. */
export function resourcesOf(sim: SimulatedPersonalize, prefix: string) {
  return sim.snapshot().filter((r) => r.name.startsWith(`${prefix}-`) || r.arn.includes(`/${prefix}-`));
}

/** Seeds a complete, active workshop of another prefix, as another team's copy in the same account. */
export function seedOtherWorkshop(sim: SimulatedPersonalize, prefix: string): string[] {
  const tags = { [OWNER_TAG]: prefix };
  const group = sim.seed({ kind: 'datasetGroup', name: names.datasetGroup(prefix), tags });
  const arns = [group];
  for (const type of ['interactions', 'items'] as const) {
    const schema = sim.seed({ kind: 'schema', name: names.schema(prefix, type, '{"type":"record"}'), tags });
    const dataset = sim.seed({
      kind: 'dataset',
      name: names.dataset(prefix, type),
      parentArn: group,
      datasetType: type,
      schemaArn: schema,
      tags,
    });
    const job = sim.seed({ kind: 'datasetImportJob', name: `${prefix}-${type}-job`, parentArn: dataset, tags });
    arns.push(schema, dataset, job);
  }
  const solution = sim.seed({
    kind: 'solution',
    name: `${prefix}-recs`,
    parentArn: group,
    recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
    tags,
  });
  const version = sim.seed({ kind: 'solutionVersion', parentArn: solution, tags });
  const campaign = sim.seed({
    kind: 'campaign',
    name: `${prefix}-recs`,
    parentArn: solution,
    solutionVersionArn: version,
    tags,
  });
  arns.push(solution, version, campaign);
  return arns;
}
