import { SCHEMAS } from '../../lib/data/movielens/schemas';
import { DEFAULT_FILTERS } from '../../lib/config';
import {
  DesiredFilter,
  DesiredSolution,
  DesiredState,
  generationOf,
  modelBasisOf,
  names,
  OWNER_TAG,
  ReconcileRequest,
} from '../../lib/personalize/controller/desired';
import { reconcile, ReconcileResult } from '../../lib/personalize/controller/reconcile';
import { CallRecord, SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
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

/** The kit's own schemas, as the Personalize stack passes them. */
export const SCHEMA_TEXT = {
  interactions: JSON.stringify(SCHEMAS.interactions),
  items: JSON.stringify(SCHEMAS.items),
  users: JSON.stringify(SCHEMAS.users),
};

/** An Avro schema with one more field (that accepts null unless said otherwise): a compatible change. */
export function withField(schema: string, name: string, type: unknown = ['null', 'string']): string {
  const parsed = JSON.parse(schema) as { fields: unknown[] };
  return JSON.stringify({ ...parsed, fields: [...parsed.fields, { name, type }] });
}

/** The datasets of an edition's data revision, as the Personalize stack describes them. */
export function datasetsOf(edition: string, settingsId = '0123456789abcdef', withUsers = edition === 'ml-100k') {
  const base = `s3://data-bucket/personalize/${edition}/${settingsId}`;
  return [
    { type: 'interactions' as const, schema: SCHEMA_TEXT.interactions, dataLocation: `${base}/interactions.csv` },
    { type: 'items' as const, schema: SCHEMA_TEXT.items, dataLocation: `${base}/items.csv` },
    ...(withUsers ? [{ type: 'users' as const, schema: SCHEMA_TEXT.users, dataLocation: `${base}/users.csv` }] : []),
  ];
}

/** What the deployed controller is asked for: ml-100k, the default solutions. */
/** The default config's filters, as the Personalize stack passes them. */
export const DEFAULT_DESIRED_FILTERS: DesiredFilter[] = [
  { purpose: 'genre', expression: DEFAULT_FILTERS.genre },
  { purpose: 'excludeRated', expression: DEFAULT_FILTERS.excludeRated },
];

/** A deploy's desired state: the default config's event tracker and filters unless `over` says otherwise. */
export function desiredFor(prefix: string, over: Partial<DesiredState> = {}): DesiredState {
  return {
    prefix,
    region: 'us-east-1',
    partition: 'aws',
    personalizeRoleArn: PERSONALIZE_ROLE_ARN,
    catalog: 'ml-100k',
    dataRevision: 'ml-100k/0123456789abcdef/',
    datasets: datasetsOf('ml-100k'),
    solutions: DEFAULT_SOLUTIONS,
    eventTracker: true,
    filters: DEFAULT_DESIRED_FILTERS,
    retryFailuresBefore: 0,
    ...over,
  };
}

/** Another edition's desired state: catalogue, revision and datasets together, as a deploy gives them. */
export function editionDesired(prefix: string, edition: string, over: Partial<DesiredState> = {}): DesiredState {
  return desiredFor(prefix, {
    catalog: edition,
    dataRevision: `${edition}/0123456789abcdef/`,
    datasets: datasetsOf(edition),
    ...over,
  });
}

/** The names the controller gives a desired state's resources. */
export function namesOf(desired: DesiredState) {
  const generation = generationOf(desired);
  const basis = modelBasisOf(desired);
  return {
    group: names.datasetGroup(desired.prefix, generation),
    dataset: (type: 'interactions' | 'items' | 'users') => names.dataset(desired.prefix, generation, type),
    solution: (solution: Pick<DesiredSolution, 'displayName' | 'recipe'>) =>
      names.solution(desired.prefix, basis, solution),
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

/** A crash of the reconcile function that a test injects on purpose (the state machine retries it). */
export class InjectedCrash extends Error {
  override readonly name = 'InjectedCrash';
}

export interface ConvergeOptions {
  readonly maxCalls?: number;
  readonly interval?: number;
  readonly stopOnFailed?: boolean;
  /**
   * Calls the service may refuse in this scenario (a quota held by others, a resource that vanishes
   * on purpose): each refused call must match one. By default none: the kit never asks for what
   * the service refuses.
   */
  readonly allowRefusals?: (call: CallRecord) => boolean;
}

/**
 * Runs reconcile -> wait(interval) -> reconcile, as the state machine does, until done or failed.
 * An injected crash counts as a failed Lambda attempt and is retried; any other thrown error is a
 * defect and fails at once. A run that can make no more progress (nothing changes in the service,
 * the last calls did nothing) fails fast instead of running to the call cap. Every call the service
 * refuses must be allowed by `allowRefusals`, checked after each reconcile call.
 */
export async function converge(
  request: ReconcileRequest,
  sim: SimulatedPersonalize,
  options: ConvergeOptions = {},
): Promise<Converged> {
  const started = sim.now;
  const history: ReconcileResult[] = [];
  const firstCall = sim.calls.length;
  // The longest scenario needs about 140 calls; a loop that cannot end should fail fast.
  const maxCalls = options.maxCalls ?? 200;
  let stalled = 0;
  asDeployed(request, sim);
  for (let calls = 1; calls <= maxCalls; calls++) {
    let result: ReconcileResult | undefined;
    const before = sim.calls.length;
    try {
      // The state machine hands each call's memory to the next.
      result = await reconcile(request, sim, { now: () => sim.now }, history[history.length - 1]?.memory);
    } catch (error) {
      if (!(error instanceof InjectedCrash)) throw error;
      sim.advance(5_000); // the state machine retries a crashed Lambda after a short back-off
      continue;
    }
    history.push(result);
    // A refused call fails the scenario at once (not 200 calls later).
    expectOnlyAllowedRefusals(sim, before, options.allowRefusals);
    if (result.status === 'done' || (result.status === 'failed' && options.stopOnFailed !== false)) {
      expectOnlyAllowedRefusals(sim, firstCall, options.allowRefusals);
      return { result, calls, elapsed: sim.now - started, history };
    }
    // Stalled: nothing is on its way in the service, nothing was done, nothing was throttled.
    const disturbed = sim.calls.slice(before).some((c) => c.outcome !== 'ok');
    stalled = !sim.busy() && !disturbed && result.actions.length === 0 ? stalled + 1 : 0;
    if (stalled >= 3) {
      throw new Error(
        `stalled after ${calls} calls (nothing in progress, nothing done): ${JSON.stringify(
          result.progress.filter((p) => p.status !== 'ACTIVE'),
        )}`,
      );
    }
    sim.advance(options.interval ?? MINUTE);
  }
  throw new Error(
    `did not converge in ${maxCalls} calls: ${JSON.stringify(history[history.length - 1]?.progress.filter((p) => p.status !== 'ACTIVE'))}`,
  );
}

/** Fails with the list of calls the service refused since `from` that the scenario does not allow. */
export function expectOnlyAllowedRefusals(
  sim: SimulatedPersonalize,
  from = 0,
  allow: (call: CallRecord) => boolean = () => false,
): void {
  const refused = sim.calls.slice(from).filter((c) => c.rule !== undefined && !allow(c));
  if (refused.length) {
    throw new Error(
      `the service refused ${refused.length} call(s) of the kit:\n${refused
        .slice(0, 10)
        .map((c) => `  ${c.operation} ${c.arn ?? ''}: ${c.outcome} [${c.rule}]`)
        .join('\n')}`,
    );
  }
}

/** Resources that belong to a prefix: by our naming, or tagged as its own. */
export function resourcesOf(sim: SimulatedPersonalize, prefix: string) {
  return sim.snapshot().filter((r) => r.name.startsWith(`${prefix}-`) || r.arn.includes(`/${prefix}-`));
}

/** Seeds a complete, active workshop of another prefix, as another team's copy in the same account. */
export function seedOtherWorkshop(sim: SimulatedPersonalize, prefix: string): string[] {
  const tags = { [OWNER_TAG]: prefix };
  const group = sim.seed({ kind: 'datasetGroup', name: names.datasetGroup(prefix, 'abc123'), tags });
  const arns = [group];
  for (const type of ['interactions', 'items'] as const) {
    const schema = sim.seed({
      kind: 'schema',
      name: names.schema(prefix, type, SCHEMA_TEXT[type]),
      schema: SCHEMA_TEXT[type],
      tags,
    });
    const dataset = sim.seed({
      kind: 'dataset',
      name: names.dataset(prefix, 'abc123', type),
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
