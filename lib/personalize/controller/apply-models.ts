/** Apply, model side: solutions, their trainings and campaigns, and what is published. */
import { RegisteredModel } from '../../shared/model-registry';
import { DesiredSolution, DesiredState, names, OWNER_TAG, recipeArn } from './desired';
import { PersonalizePort, ResourceState, STATUS } from './port';
import { DataReadiness } from './apply-data';
import { BUSY, CREATING, isPassingReadError, latest, Run } from './run';

export async function applySolution(
  desired: DesiredState,
  wanted: DesiredSolution,
  groupArn: string,
  solutions: readonly ResourceState[],
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const { prefix } = desired;
  const name = names.solution(prefix, wanted);
  const short = name.slice(prefix.length + 1);
  const tags = { [OWNER_TAG]: prefix };
  const solution = solutions.find((s) => s.name === name);
  if (!solution) {
    // A solution needs its datasets; only its training needs the imported data.
    if (ready.datasets) {
      await run.attempt(
        `create solution ${name}`,
        () =>
          port.create({
            kind: 'solution',
            name,
            parentArn: groupArn,
            recipeArn: recipeArn(desired.partition, wanted.recipe),
            tags,
          }),
        'solution',
      );
      run.see(`solution:${short}`, 'solution', undefined, STATUS.createPending);
    } else {
      run.see(`solution:${short}`, 'solution', undefined, 'WAITING FOR DATASETS');
    }
    return;
  }
  run.see(`solution:${short}`, 'solution', solution);
  if (solution.status !== STATUS.active) return;

  const versions = await port.list('solutionVersion', solution.arn);
  const campaignName = names.campaign(prefix, wanted);
  const listed = (await port.list('campaign', solution.arn)).find((c) => c.name === campaignName);
  const campaign = listed ? ((await port.describe('campaign', listed.arn)) ?? listed) : undefined;

  // The model is on the site whenever its campaign serves, also while data is re-imported, a new
  // version trains or the campaign is updated ("the campaign continues to use the previous
  // solution version" during an update, UpdateCampaign in the API reference).
  if (campaign?.status === STATUS.active && campaign.solutionVersionArn)
    await publish(wanted, campaign.arn, campaign.solutionVersionArn, port, run);

  const version = await applyTraining(desired, short, solution, versions, ready, port, run);
  // The newest trained version is the one to deploy, even while a newer one trains.
  const deployable = latest(versions.filter((v) => v.status === STATUS.active));
  if (!deployable) {
    if (!campaign) run.see(`campaign:${short}`, 'campaign', undefined, 'WAITING FOR TRAINING');
    return;
  }
  await applyCampaign(desired, wanted, short, solution.arn, campaign, deployable, port, run);
  if (version && version.arn !== deployable.arn) run.waiting = true;
}

/**
 * Training: a FULL version once the imports are done, and again when the data was imported
 * after the newest version started (new data must be trained on). A failure before this
 * deployment is retried once; after, reported. Returns the newest version, if any.
 */
async function applyTraining(
  desired: DesiredState,
  short: string,
  solution: ResourceState,
  versions: readonly ResourceState[],
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<ResourceState | undefined> {
  const label = `training:${short}`;
  const newest = latest(versions.filter((v) => v.status !== STATUS.createStopped));
  if (newest && BUSY.includes(newest.status)) {
    run.see(label, 'training', newest);
    return newest;
  }
  if (!ready.imports) {
    run.see(label, 'training', newest, newest ? `${newest.status} (new data importing)` : 'WAITING FOR IMPORTS');
    run.waiting = true;
    return newest;
  }
  const stale = newest !== undefined && newest.createdAt < ready.importedAt;
  const retry = newest?.status === STATUS.createFailed && newest.createdAt < desired.retryFailuresBefore;
  if (!newest || stale || retry) {
    await run.attempt(`train ${solution.name}`, () =>
      port.create({ kind: 'solutionVersion', parentArn: solution.arn, tags: { [OWNER_TAG]: desired.prefix } }),
    );
    run.see(label, 'training', undefined, STATUS.createPending);
    return newest;
  }
  run.see(label, 'training', newest);
  return newest;
}

/** Creates the campaign, or updates it to the wanted TPS and the newest trained version. */
async function applyCampaign(
  desired: DesiredState,
  wanted: DesiredSolution,
  short: string,
  solutionArn: string,
  campaign: ResourceState | undefined,
  version: ResourceState,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const label = `campaign:${short}`;
  const name = names.campaign(desired.prefix, wanted);
  if (!campaign) {
    await run.attempt(
      `create campaign ${name}`,
      () =>
        port.create({
          kind: 'campaign',
          name,
          parentArn: solutionArn,
          solutionVersionArn: version.arn,
          minProvisionedTPS: wanted.campaignMinTps,
          tags: { [OWNER_TAG]: desired.prefix },
        }),
      'campaign',
    );
    run.see(label, 'campaign', undefined, STATUS.createPending);
    return;
  }
  if (campaign.status !== STATUS.active) {
    run.see(label, 'campaign', campaign);
    return;
  }
  const update = campaign.latestUpdate;
  if (campaign.updating || (update && CREATING.includes(update.status))) {
    run.see(label, 'campaign', campaign, `UPDATE ${update?.status ?? STATUS.createInProgress}`);
    return;
  }
  if (campaign.minProvisionedTPS === wanted.campaignMinTps && campaign.solutionVersionArn === version.arn) {
    run.see(label, 'campaign', campaign);
    return;
  }
  // The same update failed before: once per deployment it is tried again, otherwise reported.
  const sameUpdate =
    update?.status === STATUS.createFailed &&
    update.minProvisionedTPS === wanted.campaignMinTps &&
    update.solutionVersionArn === version.arn;
  if (sameUpdate && update.createdAt >= desired.retryFailuresBefore) {
    run.see(label, 'campaign update', campaign, `UPDATE ${STATUS.createFailed}`);
    run.fail(
      `${label}: the update to ${wanted.campaignMinTps} TPS and version ${version.arn} failed: ` +
        `${update.failureReason ?? 'no reason given'} (the campaign keeps serving its previous version)`,
    );
    return;
  }
  await run.attempt(`update campaign ${name} to ${wanted.campaignMinTps} TPS and version ${version.arn}`, () =>
    port.updateCampaign(campaign.arn, wanted.campaignMinTps, version.arn),
  );
  run.see(label, 'campaign', campaign, 'UPDATE PENDING');
}

async function publish(
  wanted: DesiredSolution,
  campaignArn: string,
  versionArn: string,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const metrics = await port.solutionMetrics(versionArn).catch((error) => {
    if (isPassingReadError(error)) return undefined;
    throw error;
  });
  run.models.push({
    name: wanted.displayName,
    type: wanted.type,
    campaignArn,
    recipe: wanted.recipe,
    sortOrder: wanted.sortOrder,
    metrics: offlineMetrics(metrics ?? {}),
  });
}

/** Personalize's metric names -> the registry's. */
function offlineMetrics(metrics: Record<string, number>): RegisteredModel['metrics'] {
  const pick = (key: string) => (typeof metrics[key] === 'number' ? metrics[key] : undefined);
  const entries = {
    precisionAt5: pick('precision_at_5'),
    precisionAt10: pick('precision_at_10'),
    precisionAt25: pick('precision_at_25'),
    ndcgAt5: pick('normalized_discounted_cumulative_gain_at_5'),
    ndcgAt10: pick('normalized_discounted_cumulative_gain_at_10'),
    ndcgAt25: pick('normalized_discounted_cumulative_gain_at_25'),
    mrrAt25: pick('mean_reciprocal_rank_at_25'),
    coverage: pick('coverage'),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}
