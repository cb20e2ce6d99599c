/**
 * The simulated Personalize's rules for the data side: dataset groups, schemas, datasets and import
 * jobs. Each check refuses by a rule of the ledger (`ledger.ts`), whose entry quotes its source.
 */
import { CreateRequest } from '../port';
import { schemaReplacementProblems } from '../schemas';
import { refuse, QUOTAS, SimResource, SimStore, BUSY, CREATING } from './store';

/** Preconditions of CreateSchema, CreateDatasetGroup, CreateDataset and CreateDatasetImportJob. */
export function checkDataCreate(store: SimStore, request: CreateRequest, parent: SimResource | undefined): void {
  switch (request.kind) {
    case 'datasetGroup': {
      const active = store.live().filter((r) => r.kind === 'datasetGroup').length;
      if (active >= QUOTAS.activeDatasetGroups)
        throw refuse('quota/dataset-groups', `quota of ${QUOTAS.activeDatasetGroups} active dataset groups reached`);
      return;
    }
    case 'schema': {
      if (store.live().filter((r) => r.kind === 'schema').length >= QUOTAS.schemas)
        throw refuse('quota/schemas', `quota of ${QUOTAS.schemas} schemas reached`);
      const text = request.schema ?? '';
      if (text.length > 20_000 || !isAvroRecord(text))
        throw refuse('create/schema-valid', 'the schema must be an Avro record of at most 20000 characters');
      return;
    }
    case 'dataset': {
      const schema = store.get(request.schemaArn);
      if (!schema || schema.kind !== 'schema')
        throw refuse('create/dataset-schema-exists', `schema ${request.schemaArn} does not exist`);
      if (store.children(parent?.arn ?? '', 'dataset').some((d) => d.datasetType === request.datasetType))
        throw refuse('create/one-dataset-per-type', `the group already has a ${request.datasetType} dataset`);
      return;
    }
    case 'datasetImportJob': {
      if (store.inProgress('datasetImportJob') >= QUOTAS.importJobsInProgress)
        throw refuse('quota/imports', `quota of ${QUOTAS.importJobsInProgress} import jobs in progress reached`);
      if (parent && (store.importing(parent) || store.updating(parent)))
        throw refuse('create/import-not-during-change', `${parent.arn} has an import or a schema update in progress`);
      return;
    }
    default:
      return;
  }
}

/** What keeps a dataset group, schema or dataset from being deleted, as the rule that says so. */
export function dataDeleteBlocker(store: SimStore, resource: SimResource): { rule: string; why: string } | undefined {
  switch (resource.kind) {
    case 'datasetGroup': {
      const child = store.live().find((r) => r.parentArn === resource.arn);
      return child ? { rule: 'delete-dataset-group/contents', why: `${child.kind} ${child.arn} is in it` } : undefined;
    }
    case 'schema': {
      const user = store.live().find((r) => r.kind === 'dataset' && r.schemaArn === resource.arn);
      return user ? { rule: 'delete-schema/in-use', why: `dataset ${user.arn} uses it` } : undefined;
    }
    case 'dataset':
      return datasetDeleteBlocker(store, resource);
    default:
      return undefined;
  }
}

/** The Developer Guide's list for DeleteDataset ("Deleting a dataset"), in its order. */
function datasetDeleteBlocker(store: SimStore, dataset: SimResource): { rule: string; why: string } | undefined {
  const groupArn = dataset.parentArn ?? '';
  const filter = store.children(groupArn, 'filter')[0];
  if (filter) return { rule: 'delete-dataset/filters', why: `filter ${filter.arn} exists` };
  const tracker = store.children(groupArn, 'eventTracker')[0];
  if (tracker && dataset.datasetType === 'interactions')
    return { rule: 'delete-dataset/event-tracker', why: `event tracker ${tracker.arn} exists` };
  const attribution = store.children(groupArn, 'metricAttribution')[0];
  if (attribution)
    return { rule: 'delete-dataset/metric-attributions', why: `metric attribution ${attribution.arn} exists` };
  const campaign = store
    .inGroup(groupArn, 'campaign')
    .find((c) => c.deleteRequestedAt === undefined && [...CREATING, 'ACTIVE'].includes(store.status(c)));
  if (campaign)
    return { rule: 'delete-dataset/campaigns', why: `campaign ${campaign.arn} is ${store.status(campaign)}` };
  const job =
    store.children(dataset.arn, 'datasetImportJob').find((j) => CREATING.includes(store.status(j))) ??
    store.inGroup(groupArn, 'solutionVersion').find((v) => BUSY.includes(store.status(v))) ??
    [...store.inGroup(groupArn, 'batchInferenceJob'), ...store.inGroup(groupArn, 'batchSegmentJob')].find((j) =>
      CREATING.includes(store.status(j)),
    );
  if (job) return { rule: 'delete-dataset/jobs-in-progress', why: `${job.kind} ${job.arn} is ${store.status(job)}` };
  return undefined;
}

/** UpdateDataset: which datasets, which schemas, and when. */
export function checkUpdateDataset(store: SimStore, dataset: SimResource, schema: SimResource): void {
  if (dataset.datasetType === 'interactions')
    throw refuse(
      'update-dataset/not-interactions',
      `${dataset.arn}: the interactions dataset's schema cannot be replaced`,
    );
  if (store.status(dataset) !== 'ACTIVE' || store.updating(dataset) || store.importing(dataset))
    throw refuse('update-dataset/idle', `${dataset.arn} is being created, imported into or updated`);
  const current = store.get(dataset.schemaArn);
  const problems = schemaReplacementProblems(current?.schema ?? '{"fields":[]}', schema.schema ?? '');
  if (problems.length)
    throw refuse('update-dataset/compatible', `${schema.arn} cannot replace it: ${problems.join('; ')}`);
}

function isAvroRecord(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { type?: unknown; fields?: unknown };
    return parsed.type === 'record' && Array.isArray(parsed.fields);
  } catch {
    return false;
  }
}

/** Field names of an Avro record schema (empty when it is not one). */
export function schemaFields(text: string | undefined): string[] {
  try {
    const parsed = JSON.parse(text ?? '') as { fields?: { name?: unknown }[] };
    return (parsed.fields ?? []).flatMap((f) => (typeof f.name === 'string' ? [f.name] : []));
  } catch {
    return [];
  }
}
