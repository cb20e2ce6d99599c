/** Apply, model side: solutions, their trainings and campaigns, and what is published. */
import { RegisteredModel } from '../../shared/model-registry';
import { DATA_TAG, DesiredSolution, DesiredState, MODEL_TAG, modelTag, names, OWNER_TAG, recipeArn } from './desired';
import { PersonalizePort, ResourceState, STATUS } from './port';
import { DataReadiness } from './apply-data';
import { dataRevisionTag, publishedModel } from './publish';
import { BUSY, CREATING, latest, Run } from './run';

/** Where a generation's models are built: its dataset group and the names that depend on it. */
export interface GenerationContext {
  readonly desired: DesiredState;
  readonly group: ResourceState;
  /** `modelBasisOf(desired)`: part of every solution name. */
  readonly basis: string;
}

/**
 * One wanted solution: created, trained (again when new data came in), deployed as a campaign,
 * the campaign kept on the newest version and the wanted TPS. Returns the model the site may show
 * for it: whenever its campaign serves, also while data is re-imported, a new version trains or
 * the campaign is updated ("The campaign will use the previous solution version and campaign
 * configuration to generate recommendations until the latest campaign update status is Active",
 * UpdateCampaign in the API reference).
 */
export async function applySolution(
  context: GenerationContext,
  wanted: DesiredSolution,
  solutions: readonly ResourceState[],
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<RegisteredModel | undefined> {
  const { desired, basis } = context;
  const { prefix } = desired;
  const name = names.solution(prefix, basis, wanted);
  const slot = names.slot(wanted.displayName);
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
            parentArn: context.group.arn,
            recipeArn: recipeArn(desired.partition, wanted.recipe),
            // Automatic training retrains (and bills) every 7 days without a deploy: never.
            performAutoTraining: false,
            tags: { [OWNER_TAG]: prefix, [MODEL_TAG]: modelTag(wanted) },
          }),
        'solution',
      );
      run.see(`solution:${slot}`, 'solution', undefined, STATUS.createPending);
    } else {
      run.see(`solution:${slot}`, 'solution', undefined, 'WAITING FOR DATASETS');
    }
    return undefined;
  }
  run.see(`solution:${slot}`, 'solution', solution);
  if (solution.status !== STATUS.active) return undefined;

  const versions = await port.list('solutionVersion', solution.arn);
  const listed = (await port.list('campaign', solution.arn)).find((c) => c.name === name);
  const campaign = listed ? ((await port.describe('campaign', listed.arn)) ?? listed) : undefined;
  const model =
    campaign?.status === STATUS.active && campaign.solutionVersionArn
      ? await publishedModel(wanted, campaign.arn, campaign.solutionVersionArn, desired.catalog, port)
      : undefined;

  const version = await applyTraining(desired, slot, solution, versions, ready, port, run);
  // The newest trained version is the one to deploy, even while a newer one trains.
  const deployable = latest(versions.filter((v) => v.status === STATUS.active));
  if (!deployable) {
    if (!campaign) run.see(`campaign:${slot}`, 'campaign', undefined, 'WAITING FOR TRAINING');
    return model;
  }
  await applyCampaign(desired, wanted, name, slot, solution.arn, campaign, deployable, port, run);
  if (version && version.arn !== deployable.arn) run.waiting = true;
  return model;
}

/**
 * Training: a FULL version once the imports are done, and again when the data was imported
 * after the newest version started (new data must be trained on). A failure before this
 * deployment is retried once; after, reported. Returns the newest version, if any.
 */
async function applyTraining(
  desired: DesiredState,
  slot: string,
  solution: ResourceState,
  versions: readonly ResourceState[],
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<ResourceState | undefined> {
  const label = `training:${slot}`;
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
      port.create({
        kind: 'solutionVersion',
        parentArn: solution.arn,
        // What it trains on: all wanted imports are ACTIVE, so the data of this revision.
        tags: { [OWNER_TAG]: desired.prefix, [DATA_TAG]: dataRevisionTag(desired.dataRevision) },
      }),
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
  name: string,
  slot: string,
  solutionArn: string,
  campaign: ResourceState | undefined,
  version: ResourceState,
  port: PersonalizePort,
  run: Run,
): Promise<void> {
  const label = `campaign:${slot}`;
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
