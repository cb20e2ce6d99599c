/** Apply, data side: schemas, datasets (moved to a changed schema) and their imports. */
import { DesiredDataset, DesiredState, names, OWNER_TAG } from './desired';
import { DatasetType, PersonalizePort, ResourceState, STATUS } from './port';
import { CREATING, finishedAt, latest, Run } from './run';
import { schemaReplacementProblems } from './schemas';

/** What the datasets and imports say the solutions may do. */
export interface DataReadiness {
  /** Every dataset exists, is active and on its schema: solutions may be created. */
  readonly datasets: boolean;
  /** Every wanted import is active, no dataset is changing or going: training may start. */
  readonly imports: boolean;
  /** When the newest data was imported: versions trained before it are stale. */
  readonly importedAt: number;
}

/** Creates the schemas that are missing; returns their ARNs by dataset type. */
export async function applySchemas(
  desired: DesiredState,
  port: PersonalizePort,
  run: Run,
): Promise<Map<string, string>> {
  const schemas = await port.list('schema');
  const schemaArns = new Map<string, string>();
  for (const dataset of desired.datasets) {
    const name = names.schema(desired.prefix, dataset.type, dataset.schema);
    const found = schemas.find((s) => s.name === name);
    if (found) {
      schemaArns.set(dataset.type, found.arn);
      run.see(`schema:${dataset.type}`, 'schema', found);
      continue;
    }
    // Schemas take no tags; the name (our prefix, then a dash) is what makes them ours.
    const arn = await run.attempt(`create schema ${name}`, () =>
      port.create({ kind: 'schema', name, schema: dataset.schema }),
    );
    if (arn) schemaArns.set(dataset.type, arn);
    run.see(`schema:${dataset.type}`, 'schema', undefined, arn ? STATUS.active : 'MISSING');
  }
  return schemaArns;
}

/**
 * Datasets and their imports. A dataset on an old schema is moved to the new one (items and users
 * only: a changed interactions schema is a new generation). The dataset types are part of the
 * generation too, so a group never has a dataset to delete while campaigns use it.
 */
export async function applyDatasets(
  desired: DesiredState,
  generation: string,
  group: ResourceState,
  schemaArns: ReadonlyMap<string, string>,
  port: PersonalizePort,
  run: Run,
): Promise<DataReadiness> {
  const { prefix } = desired;
  const tags = { [OWNER_TAG]: prefix };
  const datasets = await port.list('dataset', group.arn);
  let imports = true;
  // A solution trains on the columns its datasets have when it is created ("Amazon Personalize
  // automatically excludes any new columns from training for any existing ... custom solutions"):
  // none is created while a dataset moves to another schema.
  let settled = true;
  let importedAt = 0;

  for (const wanted of desired.datasets) {
    let imported = false;
    let onSchema = false;
    await run.isolate(`dataset:${wanted.type}`, async () => {
      const name = names.dataset(prefix, generation, wanted.type);
      const schemaArn = schemaArns.get(wanted.type);
      const listed = datasets.find((d) => d.name === name);
      if (!listed) {
        if (schemaArn) {
          await run.attempt(`create dataset ${name}`, () =>
            port.create({ kind: 'dataset', name, parentArn: group.arn, datasetType: wanted.type, schemaArn, tags }),
          );
        }
        run.see(`dataset:${wanted.type}`, 'dataset', undefined, STATUS.createPending);
        return;
      }
      if (listed.status !== STATUS.active) {
        run.see(`dataset:${wanted.type}`, 'dataset', listed);
        return;
      }
      if (!(await datasetOnSchema(listed, schemaArn, wanted, desired, port, run))) return;
      onSchema = true;
      run.see(`dataset:${wanted.type}`, 'dataset', listed);

      const job = await applyImport(desired, wanted.type, wanted.dataLocation, listed, port, run);
      if (job?.status === STATUS.active) {
        imported = true;
        importedAt = Math.max(importedAt, finishedAt(job));
      }
    });
    if (!imported) imports = false;
    if (!onSchema) settled = false;
  }
  return { datasets: settled, imports, importedAt };
}

/**
 * True when the dataset uses the wanted schema; otherwise moves it there (UpdateDataset) and
 * reports why it waits, or fails with the service's reason for a failed move.
 */
async function datasetOnSchema(
  listed: ResourceState,
  schemaArn: string | undefined,
  wanted: DesiredDataset,
  desired: DesiredState,
  port: PersonalizePort,
  run: Run,
): Promise<boolean> {
  if (!schemaArn) return false;
  const type = wanted.type;
  const dataset = await port.describe('dataset', listed.arn);
  if (!dataset) throw Object.assign(new Error(`${listed.arn} vanished`), { name: 'ResourceNotFoundException' });
  const update = dataset.latestUpdate;
  if (update && CREATING.includes(update.status)) {
    run.see(`dataset:${type}`, 'schema update', dataset, `UPDATE ${update.status}`);
    return false;
  }
  if (dataset.schemaArn === schemaArn) return true;
  if (
    update?.status === STATUS.createFailed &&
    update.schemaArn === schemaArn &&
    update.createdAt >= desired.retryFailuresBefore
  ) {
    run.fail(
      `dataset:${type}: moving to schema ${schemaArn} failed: ${update.failureReason ?? 'no reason given'}. ` +
        'Amazon Personalize accepts only compatible schema changes; destroy and deploy again to start from new datasets.',
    );
    return false;
  }
  // "You must keep all fields in the previous schema and you can't change their data types or
  // attributes"; "Any new fields must support null data" (Developer Guide, updating-dataset-schema).
  const current = dataset.schemaArn ? await port.describe('schema', dataset.schemaArn) : undefined;
  const problems = current?.schema !== undefined ? schemaReplacementProblems(current.schema, wanted.schema) : [];
  if (problems.length) {
    run.see(`dataset:${type}`, 'schema update', dataset, 'SCHEMA NOT REPLACEABLE');
    run.fail(
      `dataset:${type}: Amazon Personalize cannot move the ${type} dataset to the new schema: ${problems.join('; ')}. ` +
        'A replacement schema must keep every field with its type and add only fields that accept null. ' +
        'Keep the old fields in the schema, or destroy the workshop and deploy it again.',
    );
    return false;
  }
  await run.attempt(`update dataset ${dataset.name} to schema ${schemaArn}`, () =>
    port.updateDataset(dataset.arn, schemaArn),
  );
  run.see(`dataset:${type}`, 'schema update', dataset, 'UPDATE PENDING');
  return false;
}

/**
 * The import of one data file into one dataset: once per file, retried once per deployment when
 * it failed before that deployment (a new job name: names are unique and a failed job stays).
 */
async function applyImport(
  desired: DesiredState,
  type: DatasetType,
  dataLocation: string,
  dataset: ResourceState,
  port: PersonalizePort,
  run: Run,
): Promise<ResourceState | undefined> {
  const label = `import:${type}`;
  const jobName = names.importJob(desired.prefix, type, dataLocation, dataset.createdAt);
  const jobs = (await port.list('datasetImportJob', dataset.arn)).filter(
    (j) => j.name === jobName || j.name.startsWith(`${jobName}-r`),
  );
  const job = latest(jobs);
  const retryName = names.importRetry(jobName, desired.retryFailuresBefore);
  const retry =
    job?.status === STATUS.createFailed &&
    job.createdAt < desired.retryFailuresBefore &&
    !jobs.some((j) => j.name === retryName);
  if (!job || retry) {
    const name = job ? retryName : jobName;
    await run.attempt(`create import job ${name}`, () =>
      port.create({
        kind: 'datasetImportJob',
        name,
        parentArn: dataset.arn,
        dataLocation,
        roleArn: desired.personalizeRoleArn,
        tags: { [OWNER_TAG]: desired.prefix },
      }),
    );
    run.see(label, 'import', undefined, STATUS.createPending);
    return undefined;
  }
  run.see(label, 'import', job);
  return job;
}
