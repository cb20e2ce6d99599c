/**
 * Apply: schemas, dataset group -> datasets -> imports -> solutions -> versions -> campaigns.
 * It touches only resources it owns (our name and our tag); anything an attendee made in our
 * dataset group is left alone.
 */
import { DesiredState, names, OWNER_TAG } from './desired';
import { PersonalizePort, STATUS } from './port';
import { applyDatasets, applySchemas } from './apply-data';
import { applySolution } from './apply-models';
import { findDatasetGroup } from './groups';
import { Run } from './run';
import { retireSolution } from './teardown';

export async function apply(desired: DesiredState, port: PersonalizePort, run: Run): Promise<void> {
  const { prefix } = desired;
  const schemaArns = await applySchemas(desired, port, run);

  const group = await findDatasetGroup(prefix, port, run);
  if (run.failures.length) return;
  if (!group) {
    const name = names.datasetGroup(prefix);
    await run.attempt(
      `create dataset group ${name}`,
      () => port.create({ kind: 'datasetGroup', name, tags: { [OWNER_TAG]: prefix } }),
      'datasetGroup',
    );
    run.see('dataset-group', 'dataset group', undefined, STATUS.createPending);
    return;
  }
  run.see('dataset-group', 'dataset group', group);
  if (group.status !== STATUS.active) return;

  const ready = await applyDatasets(desired, group, schemaArns, port, run);
  if (run.failures.length) return;

  // Solutions: desired ones converge; ours that are no longer desired are retired. Solutions of
  // anyone else (an attendee's, made in the console) are not ours to touch.
  const solutions = await port.list('solution', group.arn);
  const wanted = new Set(desired.solutions.map((s) => names.solution(prefix, s)));
  for (const solution of desired.solutions) {
    await run.isolate(`solution:${solution.displayName}`, () =>
      applySolution(desired, solution, group.arn, solutions, ready, port, run),
    );
  }
  for (const extra of solutions.filter((s) => !wanted.has(s.name) && s.name.startsWith(`${prefix}-`))) {
    await run.isolate(`retired solution ${extra.name}`, async () => {
      const tags = await port.tags(extra.arn);
      if (tags[OWNER_TAG] !== prefix) return;
      await retireSolution(extra, port, run, `retired solution ${extra.name}`, { ownOnly: prefix });
    });
  }
  run.models.sort((a, b) => a.sortOrder - b.sortOrder);
}
