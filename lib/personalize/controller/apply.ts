/**
 * Apply: schemas, then the dataset group of the wanted generation -> datasets -> imports ->
 * solutions -> versions -> campaigns. It touches only resources it owns (our name and our tag);
 * anything an attendee made in our dataset group is left alone.
 *
 * Generations (blue/green): what Personalize cannot change in place (another catalogue, another
 * interactions schema or set of dataset types; `generationOf`) is built as a new dataset group
 * beside the old one. The old generation's models stay on the site until every model of the new
 * one serves; then they are published instead, and only then is the old group torn down
 * (campaigns, then filters, trackers and solutions, then datasets, then the group).
 */
import { RegisteredModel } from '../../shared/model-registry';
import { applyDatasets, applySchemas } from './apply-data';
import { applySolution, GenerationContext } from './apply-models';
import { applyRealtime, servingRealtime } from './apply-realtime';
import {
  CATALOG_TAG,
  DesiredState,
  generationOf,
  MODEL_TAG,
  modelBasisOf,
  names,
  OWNER_TAG,
  parseModelTag,
} from './desired';
import { findOurGroups, OurGroup } from './groups';
import { PersonalizePort, STATUS } from './port';
import { publishedModel } from './publish';
import { DELETING, Realtime, Run } from './run';
import { removeDatasetGroup, retireSolution } from './teardown';

export async function apply(desired: DesiredState, port: PersonalizePort, run: Run): Promise<void> {
  const { prefix } = desired;
  const generation = generationOf(desired);
  const schemaArns = await applySchemas(desired, port, run);
  const groups = await findOurGroups(prefix, port, run);
  if (run.failures.length) return;
  const targetName = names.datasetGroup(prefix, generation);
  const target = groups.find((g) => g.name === targetName);
  const previous = groups.filter((g) => g.name !== targetName);

  // The wanted generation converges on its own record of "waiting", so that it can be told
  // complete (every model serving, nothing in progress) whatever the previous ones are doing.
  const waitingBefore = run.waiting;
  run.waiting = false;
  let models: RegisteredModel[] = [];
  let realtime: Realtime = {};
  if (!target) {
    await run.attempt(
      `create dataset group ${targetName}`,
      () =>
        port.create({
          kind: 'datasetGroup',
          name: targetName,
          tags: { [OWNER_TAG]: prefix, [CATALOG_TAG]: desired.catalog },
        }),
      'datasetGroup',
    );
    run.see('dataset-group', 'dataset group', undefined, STATUS.createPending);
  } else {
    run.see('dataset-group', 'dataset group', target);
    if (target.status === STATUS.active) {
      const context = { desired, group: target, basis: modelBasisOf(desired) };
      ({ models, realtime } = await applyGeneration(context, generation, schemaArns, port, run));
    }
  }
  const complete = !run.waiting && !run.failures.length;
  run.waiting ||= waitingBefore;

  if (complete || !previous.length) {
    run.models.push(...models);
    run.realtime = realtime;
    // Nothing of the new generation is published before all of it serves: the site would
    // otherwise mix two generations' models for a while.
    for (const old of previous) {
      const from = run.progress.length;
      await run.isolate(`previous generation ${old.name}`, () =>
        removeDatasetGroup(old, port, run, `previous:${old.name}:`, { ownOnly: prefix }),
      );
      // One line of progress per previous generation: what is left of it.
      const rows = run.progress.splice(from);
      run.progress.push({
        resource: `previous:${old.name}`,
        stage: 'previous generation',
        status: `DELETING (${rows.length} resources left)`,
        ...(rows.find((r) => r.failureReason)
          ? { failureReason: rows.find((r) => r.failureReason)?.failureReason }
          : {}),
      });
    }
  } else {
    const serving = previous.filter((g) => g.status === STATUS.active).pop();
    for (const old of previous) {
      run.see(
        `previous:${old.name}`,
        'previous generation',
        old,
        old === serving ? 'SERVING (until the new generation serves)' : old.status,
      );
    }
    if (serving) {
      await run.isolate(`previous generation ${serving.name}`, async () => {
        run.models.push(...(await servingModels(prefix, serving, serving.catalog ?? 'unknown', port)));
        run.realtime = await servingRealtime(prefix, serving, port);
      });
    }
  }
  run.models.sort((a, b) => a.sortOrder - b.sortOrder);
}

/**
 * The datasets, imports, models, event tracker and filters of the wanted generation; returns the
 * models that serve and what is published of the tracker and filters.
 */
async function applyGeneration(
  context: GenerationContext,
  generation: string,
  schemaArns: ReadonlyMap<string, string>,
  port: PersonalizePort,
  run: Run,
): Promise<{ models: RegisteredModel[]; realtime: Realtime }> {
  const { desired, group, basis } = context;
  const { prefix } = desired;
  const ready = await applyDatasets(desired, generation, group, schemaArns, port, run);
  // Nothing more is started once the data failed, but what serves stays on the site.
  if (run.failures.length)
    return {
      models: await servingModels(prefix, group, desired.catalog, port),
      realtime: await servingRealtime(prefix, group, port),
    };
  const realtime = await applyRealtime(desired, generation, group, ready, port, run);

  // Solutions: desired ones converge; ours that are no longer desired (another recipe, another
  // basis) are retired. Solutions of anyone else (an attendee's, made in the console) are not ours
  // to touch.
  const solutions = await port.list('solution', group.arn);
  const wanted = new Set(desired.solutions.map((s) => names.solution(prefix, basis, s)));
  const models: RegisteredModel[] = [];
  for (const solution of desired.solutions) {
    await run.isolate(`solution:${solution.displayName}`, async () => {
      const model = await applySolution(context, solution, solutions, ready, port, run);
      if (model) models.push(model);
    });
  }
  for (const extra of solutions.filter((s) => !wanted.has(s.name) && s.name.startsWith(`${prefix}-`))) {
    await run.isolate(`retired solution ${extra.name}`, async () => {
      if (DELETING.includes(extra.status)) {
        run.see(`retired solution ${extra.name}`, 'delete', extra);
        return;
      }
      const tags = await port.tags(extra.arn);
      if (tags[OWNER_TAG] !== prefix) return;
      await retireSolution(extra, port, run, `retired solution ${extra.name}`, { ownOnly: prefix });
    });
  }
  return { models, realtime };
}

/**
 * The models a group serves, from what its solutions' tags say of them (the configuration that
 * made them may have changed since): every campaign of ours that is active. For a previous
 * generation, and for the wanted one when nothing else may be done there.
 */
async function servingModels(
  prefix: string,
  group: OurGroup,
  catalog: string,
  port: PersonalizePort,
): Promise<RegisteredModel[]> {
  const models: RegisteredModel[] = [];
  for (const solution of await port.list('solution', group.arn)) {
    if (!solution.name.startsWith(`${prefix}-`) || solution.status !== STATUS.active) continue;
    const tags = await port.tags(solution.arn);
    const model = parseModelTag(tags[MODEL_TAG]);
    if (tags[OWNER_TAG] !== prefix || !model) continue;
    const listed = (await port.list('campaign', solution.arn)).find((c) => c.name === solution.name);
    const campaign = listed && (await port.describe('campaign', listed.arn));
    if (campaign?.status !== STATUS.active || !campaign.solutionVersionArn) continue;
    models.push(await publishedModel(model, campaign.arn, campaign.solutionVersionArn, catalog, port));
  }
  return models;
}
