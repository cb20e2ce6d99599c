/**
 * What a real account does that the first simulation let pass (issue: ready for a real account):
 * foreign resources in our dataset group, reads that race deletes, quotas that never free
 * themselves, failed imports and campaign updates, new data, schema changes and IAM.
 */
import { names, OWNER_TAG } from '../../lib/personalize/controller/desired';
import { QUOTA_PATIENCE_MS } from '../../lib/personalize/controller/reconcile';
import {
  SimulatedError,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { STATUS } from '../../lib/personalize/controller/port';
import {
  apply,
  converge,
  DEFAULT_SOLUTIONS,
  desiredFor,
  MINUTE,
  namesOf,
  seedOtherWorkshop,
  step,
  teardown,
  withField,
} from './harness';

const PREFIX = 'MovieRecs';

async function createdWorkshop(sim = new SimulatedPersonalize()) {
  const done = await converge(apply(desiredFor(PREFIX)), sim);
  expect(done.result.status).toBe('done');
  return { sim, done, group: arnOf(sim, 'datasetGroup', namesOf(desiredFor(PREFIX)).group) };
}

function arnOf(sim: SimulatedPersonalize, kind: string, name: string): string {
  const found = sim.snapshot().find((r) => r.kind === kind && r.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found.arn;
}

/** An attendee's solution, trained and deployed by hand in the console, inside our dataset group. */
function seedAttendeeSolution(sim: SimulatedPersonalize, group: string, name = 'my-hrnn-test'): string[] {
  const solution = sim.seed({
    kind: 'solution',
    name,
    parentArn: group,
    recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization',
  });
  const version = sim.seed({ kind: 'solutionVersion', parentArn: solution });
  const campaign = sim.seed({
    kind: 'campaign',
    name: `${name}-campaign`,
    parentArn: solution,
    solutionVersionArn: version,
  });
  return [solution, version, campaign];
}

describe('foreign resources in our dataset group', () => {
  test("apply leaves an attendee's solution and campaign alone, and still converges", async () => {
    const { sim, group } = await createdWorkshop();
    const attendee = seedAttendeeSolution(sim, group);
    // Even one named like ours, but without our tag, is not ours.
    const lookalike = seedAttendeeSolution(sim, group, `${PREFIX}-mine`);
    const again = await converge(apply(desiredFor(PREFIX, { retryFailuresBefore: sim.now })), sim);
    expect(again.result.status).toBe('done');
    const left = new Set(sim.snapshot().map((r) => r.arn));
    for (const arn of [...attendee, ...lookalike]) expect(left.has(arn)).toBe(true);
    expect(sim.refusedCalls()).toEqual([]);
  });

  test('teardown removes everything inside our group, whoever made it, and waits for a running batch job', async () => {
    const { sim, group } = await createdWorkshop();
    const other = seedOtherWorkshop(sim, 'OtherTeam');
    const [, version] = seedAttendeeSolution(sim, group);
    sim.seedChild('filter', 'attendee-filter', group);
    sim.seedChild('eventTracker', 'attendee-tracker', group);
    sim.seedChild('metricAttribution', 'attendee-metrics', group);
    sim.seedChild('batchInferenceJob', 'attendee-batch', version, 20 * MINUTE);
    const startedAt = sim.now;
    const { result } = await converge(teardown(PREFIX), sim);
    expect(result.status).toBe('done');
    // The batch job cannot be stopped: the attendee's solution went only after it finished.
    const solutionDeleted = sim.calls.find((c) => c.operation === 'delete solution' && c.arn?.includes('my-hrnn-test'));
    expect(solutionDeleted?.at).toBeGreaterThanOrEqual(startedAt + 20 * MINUTE);
    const left = sim.snapshot();
    expect(left.filter((r) => !other.includes(r.arn))).toEqual([]);
    expect(left.map((r) => r.arn).sort()).toEqual([...other].sort());
  });

  test('a campaign someone else made on one of our solutions blocks its retirement with a clear message', async () => {
    const { sim } = await createdWorkshop();
    const sims = arnOf(sim, 'solution', namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[1]));
    const version = sim.snapshot().find((r) => r.kind === 'solutionVersion' && r.parentArn === sims)?.arn;
    sim.seed({ kind: 'campaign', name: 'attendee-campaign', parentArn: sims, solutionVersionArn: version });
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions: [DEFAULT_SOLUTIONS[0]] })), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /campaign attendee-campaign \(not made by this workshop\) uses it; delete that campaign/,
    );
    expect(sim.snapshot().some((r) => r.name === 'attendee-campaign')).toBe(true);
  });
});

describe('reads during teardown', () => {
  test('the group vanishing between the list and the tag read means gone, not failed', async () => {
    const { sim, group } = await createdWorkshop();
    sim.beforeCall = (operation, arn) => {
      if (operation === 'list tags' && arn === group) sim.vanish(group);
    };
    const result = await step(teardown(PREFIX), sim);
    expect(result.status).not.toBe('failed');
    sim.beforeCall = () => undefined;
    expect((await converge(teardown(PREFIX), sim)).result.status).toBe('done');
  });

  test('a solution vanishing between the list and the next read defers it; the teardown completes', async () => {
    const { sim, group } = await createdWorkshop();
    const [attendee] = seedAttendeeSolution(sim, group);
    let vanished = false;
    sim.beforeCall = (operation, arn) => {
      if (!vanished && operation === 'list campaign' && arn === attendee) {
        vanished = true;
        sim.vanish(attendee);
      }
    };
    const first = await step(teardown(PREFIX), sim);
    expect(first.status).toBe('pending');
    expect(first.actions).toContainEqual(expect.stringMatching(/deferred \(ResourceNotFoundException\)/));
    expect((await converge(teardown(PREFIX), sim)).result.status).toBe('done');
    expect(vanished).toBe(true);
  });

  test('ResourceInUseException on a read means wait, never a failed destroy', async () => {
    const { sim, group } = await createdWorkshop();
    let busy = 3;
    sim.beforeCall = (operation, arn) => {
      if (operation === 'list tags' && arn === group && busy-- > 0)
        throw new SimulatedError('ResourceInUseException', `${group} is being updated`);
    };
    const history = await converge(teardown(PREFIX), sim);
    expect(history.result.status).toBe('done');
    expect(history.history.slice(0, 3).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
  });

  test.each(['list solution', 'list campaign', 'list solutionVersion', 'list dataset', 'list datasetImportJob'])(
    'a parent gone before "%s" answers is read as gone',
    async (operation) => {
      const { sim } = await createdWorkshop();
      let once = true;
      sim.beforeCall = (op, arn) => {
        if (once && op === operation && arn) {
          once = false;
          throw new SimulatedError('ResourceNotFoundException', `${arn} does not exist`);
        }
      };
      expect((await converge(teardown(PREFIX), sim)).result.status).toBe('done');
      expect(once).toBe(false);
    },
  );
});

describe('teardown order: no call is refused, from any stage', () => {
  // Stages of a first deploy, in virtual minutes: group, datasets, imports, training, campaigns, done.
  test.each([0.2, 0.6, 1, 5, 20, 40, 60, 70, 80, 200])(
    'teardown started %p minutes into the first deploy',
    async (minutes) => {
      const sim = new SimulatedPersonalize();
      await converge(apply(desiredFor(PREFIX)), sim, { maxCalls: Math.max(1, Math.round(minutes)) }).catch(
        () => undefined,
      );
      sim.advance((minutes % 1) * MINUTE);
      const refusedBefore = sim.refusedCalls().length;
      const { result } = await converge(teardown(PREFIX), sim);
      expect(result.status).toBe('done');
      expect(sim.snapshot()).toEqual([]);
      expect(sim.refusedCalls().slice(refusedBefore)).toEqual([]);
    },
  );
});

describe('quotas that never free themselves', () => {
  test('a dataset group refused for longer than the patience fails with the reason and what to do', async () => {
    const sim = new SimulatedPersonalize();
    for (let i = 0; i < 5; i++) seedOtherWorkshop(sim, `Other${i}`);
    const { result, elapsed } = await converge(apply(desiredFor(PREFIX)), sim, {
      allowRefusals: (c) => c.rule === 'quota/dataset-groups',
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /create dataset group MovieRecs-movies-\w+: LimitExceededException: quota of 5 active dataset groups reached\. Refused for \d+ minutes: .*another workshop copy.*npx cdk destroy --all.*Service Quotas/,
    );
    expect(elapsed).toBeGreaterThan(QUOTA_PATIENCE_MS);
    expect(elapsed).toBeLessThan(QUOTA_PATIENCE_MS + 3 * MINUTE);
  });

  test('a campaign refused because attendees filled the group fails the same way', async () => {
    const { sim, group } = await createdWorkshop();
    seedAttendeeSolution(sim, group, 'a1');
    seedAttendeeSolution(sim, group, 'a2');
    const added = { ...DEFAULT_SOLUTIONS[0], displayName: 'More Recommendations', sortOrder: 3 };
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions: [...DEFAULT_SOLUTIONS, added] })), sim, {
      allowRefusals: (c) => c.rule === 'quota/campaigns',
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/create campaign .*LimitExceededException.*campaigns per dataset group/);
  });

  test('a quota that frees itself within the patience only delays', async () => {
    const sim = new SimulatedPersonalize();
    const others = [0, 1, 2, 3, 4].map((i) => seedOtherWorkshop(sim, `Other${i}`));
    let calls = 0;
    sim.beforeCall = (operation) => {
      if (operation === 'create datasetGroup' && ++calls === 5) sim.vanish(others[0][0]);
    };
    const { result } = await converge(apply(desiredFor(PREFIX)), sim, {
      allowRefusals: (c) => c.rule === 'quota/dataset-groups',
    });
    expect(result.status).toBe('done');
    expect(sim.refusedCalls()).toHaveLength(4);
  });
});

describe('failed imports', () => {
  test('are reported with the reason, and retried once by the next deployment under a new job name', async () => {
    const sim = new SimulatedPersonalize();
    sim.failImport.set('items', 'Invalid CSV: missing ITEM_ID');
    const first = await converge(apply(desiredFor(PREFIX, { retryFailuresBefore: sim.now })), sim);
    expect(first.result.status).toBe('failed');
    expect(first.result.reason).toMatch(/import:items: Invalid CSV: missing ITEM_ID/);
    // The same deployment does not retry in a loop.
    expect((await step(apply(desiredFor(PREFIX, { retryFailuresBefore: 0 })), sim)).status).toBe('failed');
    const redeploy = await converge(apply(desiredFor(PREFIX, { retryFailuresBefore: sim.now })), sim);
    expect(redeploy.result.status).toBe('done');
    const jobs = sim.snapshot().filter((r) => r.kind === 'datasetImportJob' && r.name.includes('-items-'));
    expect(jobs.map((j) => j.status).sort()).toEqual([STATUS.active, STATUS.createFailed]);
    expect(jobs.some((j) => /-r[0-9a-z]+$/.test(j.name))).toBe(true);
  });

  test('a retry that fails too is not retried again by the same deployment; the failure at its start is not retried', async () => {
    const sim = new SimulatedPersonalize();
    sim.failImport.set('items', 'Invalid CSV: missing ITEM_ID');
    await converge(apply(desiredFor(PREFIX, { retryFailuresBefore: sim.now })), sim);
    const failed = sim.snapshot().find((r) => r.kind === 'datasetImportJob' && r.name.includes('-items-'))!;
    // A deployment that started exactly when the job was made: the failure is its own, not retried.
    const same = await step(apply(desiredFor(PREFIX, { retryFailuresBefore: failed.createdAt })), sim);
    expect(same.status).toBe('failed');
    const itemJobs = () => sim.snapshot().filter((r) => r.kind === 'datasetImportJob' && r.name.includes('-items-'));
    expect(itemJobs()).toHaveLength(1);
    // The next deployment retries once; the retry fails too; that deployment does not retry again.
    sim.failImport.set('items', 'still invalid');
    const redeploy = desiredFor(PREFIX, { retryFailuresBefore: sim.now });
    const { result } = await converge(apply(redeploy), sim);
    expect(result.reason).toMatch(/import:items: still invalid/);
    for (let i = 0; i < 3; i++) {
      sim.advance(MINUTE);
      expect((await step(apply(redeploy), sim)).status).toBe('failed');
    }
    expect(itemJobs()).toHaveLength(2);
  });
});

describe('new data', () => {
  test('is trained on, and the models stay published while it is imported and trained', async () => {
    const { sim } = await createdWorkshop();
    const moved = desiredFor(PREFIX).datasets.map((d) => ({
      ...d,
      dataLocation: d.dataLocation.replace('0123', '9999'),
    }));
    const versionsBefore = sim
      .snapshot()
      .filter((r) => r.kind === 'solutionVersion')
      .map((v) => v.arn);
    const { result, history } = await converge(
      apply(desiredFor(PREFIX, { datasets: moved, retryFailuresBefore: sim.now })),
      sim,
    );
    expect(result.status).toBe('done');
    // Never a moment without the three models, though every campaign moved to a new version.
    expect(history.map((r) => r.models.length)).toEqual(history.map(() => 3));
    const versions = sim.snapshot().filter((r) => r.kind === 'solutionVersion');
    expect(versions).toHaveLength(6);
    const campaigns = sim.snapshot().filter((r) => r.kind === 'campaign');
    for (const campaign of campaigns) expect(versionsBefore).not.toContain(campaign.solutionVersionArn);
  });
});

describe('failed campaign updates', () => {
  test('surface with the reason instead of being re-issued every minute', async () => {
    const { sim } = await createdWorkshop();
    const name = namesOf(desiredFor(PREFIX)).solution(DEFAULT_SOLUTIONS[0]);
    sim.failCampaignUpdate.set(name, 'Insufficient capacity for 3 TPS');
    const solutions = DEFAULT_SOLUTIONS.map((s, i) => (i === 0 ? { ...s, campaignMinTps: 3 } : s));
    const { result } = await converge(apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: sim.now })), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /update to 3 TPS .* failed: Insufficient capacity for 3 TPS \(the campaign keeps serving/,
    );
    expect(sim.calls.filter((c) => c.operation === 'update campaign')).toHaveLength(1);
    // Still serving on its previous settings, and still published.
    expect(result.models).toHaveLength(3);
    // The next deployment tries once more.
    const again = await converge(apply(desiredFor(PREFIX, { solutions, retryFailuresBefore: sim.now })), sim);
    expect(again.result.status).toBe('done');
  });
});

describe('schemas are immutable', () => {
  test('a changed items schema is a new schema; the dataset moves to it and new solutions train on it', async () => {
    const { sim } = await createdWorkshop();
    const before = desiredFor(PREFIX);
    const changed = before.datasets.map((d) =>
      d.type === 'items' ? { ...d, schema: withField(d.schema, 'STUDIO') } : d,
    );
    const after = desiredFor(PREFIX, { datasets: changed, retryFailuresBefore: sim.now });
    const { result } = await converge(apply(after), sim);
    expect(result.status).toBe('done');
    const itemsSchema = arnOf(sim, 'schema', names.schema(PREFIX, 'items', changed[1].schema));
    const items = arnOf(sim, 'dataset', namesOf(after).dataset('items'));
    expect((await sim.describe('dataset', items))?.schemaArn).toBe(itemsSchema);
    expect(sim.calls.filter((c) => c.operation === 'update dataset' && c.outcome === 'ok')).toHaveLength(1);
    // Existing solutions never train on a new column: the models are new solutions, which do.
    for (const solution of DEFAULT_SOLUTIONS) {
      expect(sim.snapshot().some((r) => r.name === namesOf(before).solution(solution))).toBe(false);
      const campaign = sim
        .snapshot()
        .find((r) => r.kind === 'campaign' && r.name === namesOf(after).solution(solution));
      expect(sim.trainingColumns(campaign?.solutionVersionArn ?? '')).toContain('items.STUDIO');
    }
  });
});

describe('permanent service errors', () => {
  test('fail the run with the service message instead of deferring forever', async () => {
    const sim = new SimulatedPersonalize();
    sim.beforeCall = (operation) => {
      if (operation === 'create solution') throw new SimulatedError('InvalidInputException', 'Recipe is not available');
    };
    const { result } = await converge(apply(desiredFor(PREFIX)), sim);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/create solution MovieRecs-.*: InvalidInputException: Recipe is not available/);
  });
});

describe('IAM as deployed', () => {
  test('teardown with the apply role is refused: the roles differ, and the simulation checks them', async () => {
    const { sim, group } = await createdWorkshop();
    seedAttendeeSolution(sim, group);
    // Apply's role may not delete what an attendee made; teardown's may.
    const applyRole = sim.authorize;
    await converge(teardown(PREFIX), sim, { maxCalls: 1 }).catch(() => undefined);
    sim.authorize = applyRole;
    await expect(sim.remove('campaign', arnOf(sim, 'campaign', 'my-hrnn-test-campaign'))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  test("a prefix's roles cannot reach another prefix's resources (no hyphen in a prefix: Movie-* never matches MovieRecs-...)", async () => {
    const sim = new SimulatedPersonalize();
    seedOtherWorkshop(sim, 'MovieRecs');
    await converge(apply(desiredFor('Movie')), sim);
    const theirs = sim.snapshot().find((r) => r.kind === 'campaign' && r.name.startsWith('MovieRecs-'));
    await expect(sim.remove('campaign', theirs?.arn ?? '')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(sim.snapshot().find((r) => r.arn === theirs?.arn)?.status).toBe(STATUS.active);
    expect(OWNER_TAG).toBe('movierecs:prefix');
  });
});
