/**
 * The simulated Personalize's rules for the model side: solutions, their versions (training) and
 * campaigns. Each check refuses by a rule of the ledger (`ledger.ts`), whose entry quotes its source.
 */
import { CreateRequest, STATUS } from '../port';
import { schemaFields } from './data-rules';
import { BUSY, CREATING, QUOTAS, refuse, SimResource, SimStore } from './store';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Preconditions of CreateSolution, CreateSolutionVersion and CreateCampaign. */
export function checkModelCreate(store: SimStore, request: CreateRequest, parent: SimResource | undefined): void {
  switch (request.kind) {
    case 'solution': {
      const groupArn = parent?.arn ?? '';
      if (!store.children(groupArn, 'dataset').some((d) => d.datasetType === 'interactions'))
        throw refuse('create/solution-needs-interactions', 'the dataset group has no interactions dataset');
      if (store.children(groupArn, 'solution').length >= QUOTAS.solutionsPerDatasetGroup)
        throw refuse(
          'quota/solutions',
          `quota of ${QUOTAS.solutionsPerDatasetGroup} solutions per dataset group reached`,
        );
      return;
    }
    case 'solutionVersion': {
      if (store.inProgress('solutionVersion') >= QUOTAS.trainingsInProgress)
        throw refuse('quota/trainings', `quota of ${QUOTAS.trainingsInProgress} solution versions in training reached`);
      const why = trainingBlocker(store, parent?.parentArn ?? '');
      if (why) throw refuse('train/after-imports', why);
      return;
    }
    case 'campaign': {
      checkTps(request.minProvisionedTPS ?? 1);
      const version = store.get(request.solutionVersionArn);
      if (!version || version.kind !== 'solutionVersion' || store.status(version) !== STATUS.active)
        throw refuse('campaign/version-active', `solution version ${request.solutionVersionArn} is not ACTIVE`);
      const groupArn = store.groupOf(version)?.arn ?? '';
      if (store.inGroup(groupArn, 'campaign').length >= QUOTAS.campaignsPerDatasetGroup)
        throw refuse(
          'quota/campaigns',
          `quota of ${QUOTAS.campaignsPerDatasetGroup} campaigns per dataset group reached`,
        );
      return;
    }
    default:
      return;
  }
}

/** Why the group's data cannot be trained on now, if it cannot. */
function trainingBlocker(store: SimStore, groupArn: string): string | undefined {
  const datasets = store.children(groupArn, 'dataset');
  const changing = datasets.find((d) => store.importing(d) || store.updating(d) || d.deleteRequestedAt !== undefined);
  if (changing) return `dataset ${changing.arn} is being imported into, updated or deleted`;
  const interactions = datasets.find((d) => d.datasetType === 'interactions');
  const imported =
    interactions && store.children(interactions.arn, 'datasetImportJob').some((j) => store.status(j) === STATUS.active);
  return imported ? undefined : 'the dataset group has no imported interactions';
}

export function checkTps(tps: number): void {
  if (!Number.isInteger(tps) || tps < 1)
    throw refuse('campaign/min-tps', `minProvisionedTPS ${tps} is not a whole number of at least 1`);
}

/** What keeps a solution from being deleted, as the rule that says so. */
export function modelDeleteBlocker(store: SimStore, resource: SimResource): { rule: string; why: string } | undefined {
  if (resource.kind !== 'solution') return undefined;
  const campaign = store.children(resource.arn, 'campaign')[0];
  if (campaign) return { rule: 'delete-solution/campaigns', why: `campaign ${campaign.arn} is based on it` };
  const versions = store.children(resource.arn, 'solutionVersion');
  const training = versions.find((v) => BUSY.includes(store.status(v)));
  if (training)
    return { rule: 'delete-solution/training', why: `version ${training.arn} is ${store.status(training)}` };
  const batch = versions
    .flatMap((v) => [...store.children(v.arn, 'batchInferenceJob'), ...store.children(v.arn, 'batchSegmentJob')])
    .find((j) => CREATING.includes(store.status(j)));
  if (batch) return { rule: 'delete-solution/training', why: `${batch.kind} ${batch.arn} is running` };
  return undefined;
}

export function checkStopTraining(store: SimStore, version: SimResource): void {
  const status = store.status(version);
  if (!CREATING.includes(status)) throw refuse('stop-training/status', `${version.arn} is ${status}`);
}

export function checkUpdateCampaign(store: SimStore, campaign: SimResource, versionArn: string, tps: number): void {
  const status = store.status(campaign);
  if (![STATUS.active, STATUS.createFailed].includes(status as 'ACTIVE') || store.updating(campaign))
    throw refuse('update-campaign/status', `${campaign.arn} is ${store.updating(campaign) ? 'being updated' : status}`);
  checkTps(tps);
  const version = store.get(versionArn);
  if (!version || store.status(version) !== STATUS.active || version.parentArn !== campaign.parentArn)
    throw refuse(
      'campaign/version-active',
      `solution version ${versionArn} is not an ACTIVE version of this campaign's solution`,
    );
}

export function checkMetrics(store: SimStore, version: SimResource): void {
  if (store.status(version) !== STATUS.active) throw refuse('read/metrics-active', `${version.arn} is not ACTIVE`);
}

/**
 * rule solution/new-columns-excluded: a solution trains on the columns its group's datasets had
 * when it was created.
 */
export function columnsAtCreation(store: SimStore, groupArn: string): string[] {
  const columns = store
    .children(groupArn, 'dataset')
    .flatMap((d) => schemaFields(store.get(d.schemaArn)?.schema).map((field) => `${d.datasetType}.${field}`));
  return [...new Set(columns)].sort();
}

/**
 * rule solution/auto-training: a solution created without `performAutoTraining: false` is trained
 * by the service on a schedule: within an hour of being ACTIVE ("If you manually create a solution
 * version within the hour, the solution skips the first automatic training"), then every 7 days,
 * each time "only if you imported bulk or real-time interaction data since the last training".
 */
export function automaticTrainingsDue(store: SimStore): { solution: SimResource; at: number }[] {
  const due: { solution: SimResource; at: number }[] = [];
  for (const solution of store.live().filter((s) => s.kind === 'solution' && s.autoTraining)) {
    if (store.status(solution) !== STATUS.active) continue;
    const firstAt = solution.readyAt + HOUR;
    const slot = Math.floor((store.now - firstAt) / (7 * DAY));
    if (slot < 0 || (solution.autoSlotsDone ?? -1) >= slot) continue;
    solution.autoSlotsDone = slot;
    const at = firstAt + slot * 7 * DAY;
    const versions = store.children(solution.arn, 'solutionVersion').filter((v) => v.createdAt < at);
    if (slot === 0) {
      if (!versions.some((v) => v.createdAt >= solution.readyAt)) due.push({ solution, at });
      continue;
    }
    const lastTraining = Math.max(solution.readyAt, ...versions.map((v) => v.createdAt));
    const newData = store
      .children(solution.parentArn ?? '', 'dataset')
      .filter((d) => d.datasetType === 'interactions')
      .flatMap((d) => store.children(d.arn, 'datasetImportJob'))
      .some((j) => store.status(j) === STATUS.active && j.readyAt > lastTraining && j.readyAt <= at);
    if (newData) due.push({ solution, at });
  }
  return due;
}
