/** Teardown (every generation of ours), and retiring solutions and groups that are no longer wanted. */
import { PersonalizePort, ResourceState, STATUS } from './port';
import { findOurGroups } from './groups';
import { BUSY, canDelete, CREATING, DELETING, deletionStatus, Run } from './run';

/**
 * Deletes a solution's campaigns and stops its training, waits for batch jobs on its versions
 * (they cannot be stopped), then deletes it. With `ownOnly` (apply retiring a solution of ours),
 * a campaign someone else made on it is reported instead of deleted.
 */
export async function retireSolution(
  solution: ResourceState,
  port: PersonalizePort,
  run: Run,
  label: string,
  options: { readonly ownOnly?: string } = {},
): Promise<void> {
  if (DELETING.includes(solution.status)) {
    run.see(label, 'delete', solution);
    return;
  }
  let blocked = CREATING.includes(solution.status);
  for (const campaign of await port.list('campaign', solution.arn)) {
    blocked = true;
    if (options.ownOnly !== undefined && !campaign.name.startsWith(`${options.ownOnly}-`)) {
      run.fail(
        `${label}: campaign ${campaign.name} (not made by this workshop) uses it; delete that campaign, then deploy again`,
      );
      continue;
    }
    run.see(`${label}/campaign ${campaign.name}`, 'delete', campaign, deletionStatus(campaign));
    if (canDelete(campaign))
      await run.attempt(`delete campaign ${campaign.name}`, () => port.remove('campaign', campaign.arn));
  }
  for (const version of await port.list('solutionVersion', solution.arn)) {
    if (CREATING.includes(version.status)) {
      blocked = true;
      // Only a version CREATE PENDING or IN_PROGRESS can be stopped (StopSolutionVersionCreation);
      // one that finished, failed or began stopping since the list answers InvalidInput or
      // ResourceInUse, one that is gone ResourceNotFound: nothing is left to stop.
      await run.attempt(`stop training ${version.arn}`, () => port.stopTraining(version.arn), undefined, [
        'InvalidInputException',
        'ResourceInUseException',
        'ResourceNotFoundException',
      ]);
      run.see(`${label}/training`, 'delete', version, STATUS.createStopping);
    } else if (version.status === STATUS.createStopping) {
      blocked = true;
      run.see(`${label}/training`, 'delete', version);
    }
    if (version.status !== STATUS.active) continue;
    for (const kind of ['batchInferenceJob', 'batchSegmentJob'] as const) {
      for (const job of (await port.list(kind, version.arn)).filter((j) => CREATING.includes(j.status))) {
        blocked = true;
        run.see(`${label}/${kind} ${job.name}`, 'delete', job, `${job.status} (waiting: batch jobs cannot be stopped)`);
      }
    }
  }
  if (blocked) {
    run.see(label, 'delete', solution, `${solution.status} (waiting)`);
    return;
  }
  await run.attempt(`delete solution ${solution.name}`, () => port.remove('solution', solution.arn));
  run.see(label, 'delete', solution, STATUS.deletePending);
}

/**
 * Removes every dataset group of ours (every generation), everything inside them, whoever made it
 * (the groups are ours by name and tag; what an attendee added there would otherwise keep them,
 * and the stack, from being deleted), then our schemas. Nothing outside the groups is touched.
 */
export async function teardown(prefix: string, port: PersonalizePort, run: Run): Promise<void> {
  const groups = await findOurGroups(prefix, port, run);
  if (run.failures.length) return;
  for (const group of groups) {
    await run.isolate(`dataset group ${group.name}`, () =>
      removeDatasetGroup(group, port, run, groups.length === 1 ? '' : `${group.name}:`),
    );
  }
  if (groups.length) return;

  // Our schemas, once our dataset groups (and with them every dataset using them) are gone:
  // "Before deleting a schema, you must delete all datasets referencing the schema" (DeleteSchema).
  for (const schema of (await port.list('schema')).filter((s) => s.name.startsWith(`${prefix}-`))) {
    run.see(`schema:${schema.name}`, 'delete', schema, 'DELETING');
    await run.attempt(`delete schema ${schema.name}`, () => port.remove('schema', schema.arn));
  }
}

export interface RemoveOptions {
  /**
   * Apply retiring a previous generation: only what this prefix made (`<prefix>-...`) is deleted;
   * anything else in the group is reported, for a person to decide. Teardown deletes everything.
   */
  readonly ownOnly?: string;
}

/**
 * One dataset group: its contents in the documented order, then the group itself. Progress rows
 * are labelled with `label` in front (empty for the only group of a teardown).
 */
export async function removeDatasetGroup(
  group: ResourceState,
  port: PersonalizePort,
  run: Run,
  label: string,
  options: RemoveOptions = {},
): Promise<void> {
  run.see(`${label}dataset-group`, 'delete', group, deletionStatus(group));
  run.waiting = true;
  if (DELETING.includes(group.status)) return;
  if (!(await emptyDatasetGroup(group, port, run, label, options))) return;
  // "You can't delete a resource whose status is changing from one state to another"
  // (deleting-resources): a group still being created is deleted once it is ACTIVE.
  if (!CREATING.includes(group.status))
    await run.attempt(`delete dataset group ${group.name}`, () => port.remove('datasetGroup', group.arn));
}

/**
 * Issues every delete the group's contents allow now; true once the group is empty. The order is
 * the one the Developer Guide gives ("Requirements for deleting Amazon Personalize resources"):
 * campaigns, solutions (trainings stopped), event trackers, metric attributions, filters, then
 * datasets, which DeleteDataset refuses while any campaign is pending, in progress or active,
 * while filters, an event tracker or metric attributions exist, and while an import, a training
 * or a batch job is in progress.
 */
async function emptyDatasetGroup(
  group: ResourceState,
  port: PersonalizePort,
  run: Run,
  label: string,
  options: RemoveOptions,
): Promise<boolean> {
  const foreign = (name: string) => options.ownOnly !== undefined && !name.startsWith(`${options.ownOnly}-`);
  let empty = true;
  // Whatever keeps the datasets: checked again after this call's own deletes.
  let datasetsBlockedBy: string | undefined;
  const solutions = await port.list('solution', group.arn);
  for (const solution of solutions) {
    empty = false;
    await run.isolate(`solution:${solution.name}`, async () => {
      if (foreign(solution.name)) {
        run.fail(
          `${label}solution:${solution.name} (not made by this workshop) is in the previous dataset group ${group.name}; ` +
            'delete it (and its campaigns), then deploy again',
        );
        return;
      }
      await retireSolution(solution, port, run, `${label}solution:${solution.name}`, options);
      // Re-listed: retireSolution may just have asked for deletes and stops.
      if ((await port.list('campaign', solution.arn)).length) datasetsBlockedBy ??= 'campaigns to be deleted';
      const versions = await port.list('solutionVersion', solution.arn);
      if (versions.some((v) => BUSY.includes(v.status))) datasetsBlockedBy ??= 'a training to stop';
      for (const version of versions.filter((v) => v.status === STATUS.active)) {
        for (const kind of ['batchInferenceJob', 'batchSegmentJob'] as const) {
          if ((await port.list(kind, version.arn)).some((j) => CREATING.includes(j.status)))
            datasetsBlockedBy ??= 'a batch job to finish';
        }
      }
    });
  }

  for (const kind of ['eventTracker', 'metricAttribution', 'filter'] as const) {
    for (const resource of await port.list(kind, group.arn)) {
      empty = false;
      datasetsBlockedBy ??= `the ${kind === 'eventTracker' ? 'event tracker' : kind === 'filter' ? 'filters' : 'metric attributions'} to be deleted`;
      run.see(`${label}${kind}:${resource.name}`, 'delete', resource, deletionStatus(resource));
      if (foreign(resource.name)) {
        run.fail(
          `${label}${kind}:${resource.name} (not made by this workshop) is in the previous dataset group ${group.name}; ` +
            'delete it, then deploy again',
        );
        continue;
      }
      if (canDelete(resource))
        await run.attempt(`delete ${kind} ${resource.name}`, () => port.remove(kind, resource.arn));
    }
  }

  for (const dataset of await port.list('dataset', group.arn)) {
    empty = false;
    await run.isolate(`dataset:${dataset.name}`, async () => {
      const importing = (await port.list('datasetImportJob', dataset.arn)).some((j) => CREATING.includes(j.status));
      const waitingFor = importing ? 'an import' : datasetsBlockedBy;
      run.see(
        `${label}dataset:${(dataset.datasetType ?? dataset.name).toLowerCase()}`,
        'delete',
        dataset,
        waitingFor && !DELETING.includes(dataset.status)
          ? `${dataset.status} (waiting for ${waitingFor})`
          : deletionStatus(dataset),
      );
      if (!waitingFor && canDelete(dataset))
        await run.attempt(`delete dataset ${dataset.name}`, () => port.remove('dataset', dataset.arn));
    });
  }
  if (!empty) run.waiting = true;
  return empty;
}
