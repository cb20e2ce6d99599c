/** Teardown, and retiring solutions that are no longer wanted. */
import { PersonalizePort, ResourceState, STATUS } from './port';
import { findDatasetGroup } from './groups';
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
      await run.attempt(`stop training ${version.arn}`, () => port.stopTraining(version.arn));
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
 * Removes everything inside our dataset group, whoever made it (the group is ours by name and
 * tag; what an attendee added there would otherwise keep it, and the stack, from being deleted),
 * then the group and our schemas. Nothing outside the group is touched.
 */
export async function teardown(prefix: string, port: PersonalizePort, run: Run): Promise<void> {
  const group = await findDatasetGroup(prefix, port, run);
  if (run.failures.length) return;
  if (group) {
    run.see('dataset-group', 'delete', group, deletionStatus(group));
    if (DELETING.includes(group.status)) {
      run.waiting = true;
      return;
    }
    if (!(await emptyDatasetGroup(group, port, run))) return;
    if (!CREATING.includes(group.status))
      await run.attempt(`delete dataset group ${group.name}`, () => port.remove('datasetGroup', group.arn));
    run.waiting = true;
    return;
  }

  // Our schemas, once our dataset group (and with it every dataset using them) is gone.
  for (const schema of (await port.list('schema')).filter((s) => s.name.startsWith(`${prefix}-`))) {
    run.see(`schema:${schema.name}`, 'delete', schema, 'DELETING');
    await run.attempt(`delete schema ${schema.name}`, () => port.remove('schema', schema.arn));
  }
}

/** Issues every delete the group's contents allow now; true once the group is empty. */
async function emptyDatasetGroup(group: ResourceState, port: PersonalizePort, run: Run): Promise<boolean> {
  let empty = true;
  let training = false;
  const solutions = await port.list('solution', group.arn);
  for (const solution of solutions) {
    empty = false;
    await run.isolate(`solution:${solution.name}`, async () => {
      await retireSolution(solution, port, run, `solution:${solution.name}`);
      // Re-listed: retireSolution may just have stopped a training (it stays busy while stopping).
      training ||= (await port.list('solutionVersion', solution.arn)).some((v) => BUSY.includes(v.status));
    });
  }

  for (const kind of ['eventTracker', 'filter', 'metricAttribution'] as const) {
    for (const resource of await port.list(kind, group.arn)) {
      empty = false;
      run.see(`${kind}:${resource.name}`, 'delete', resource, deletionStatus(resource));
      if (canDelete(resource))
        await run.attempt(`delete ${kind} ${resource.name}`, () => port.remove(kind, resource.arn));
    }
  }

  // Datasets go as soon as nothing imports into them and nothing trains on the group.
  for (const dataset of await port.list('dataset', group.arn)) {
    empty = false;
    await run.isolate(`dataset:${dataset.name}`, async () => {
      const importing = (await port.list('datasetImportJob', dataset.arn)).some((j) => CREATING.includes(j.status));
      const waitingFor = importing ? 'an import' : training ? 'a training to stop' : undefined;
      run.see(
        `dataset:${(dataset.datasetType ?? dataset.name).toLowerCase()}`,
        'delete',
        dataset,
        waitingFor ? `${dataset.status} (waiting for ${waitingFor})` : deletionStatus(dataset),
      );
      if (!waitingFor && canDelete(dataset))
        await run.attempt(`delete dataset ${dataset.name}`, () => port.remove('dataset', dataset.arn));
    });
  }
  if (!empty) run.waiting = true;
  return empty;
}
