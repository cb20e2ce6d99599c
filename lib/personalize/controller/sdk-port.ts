/**
 * The Personalize port over `@aws-sdk/client-personalize`: one place that knows the SDK's
 * command and field names. The client's standard retry mode backs off on throttling.
 */
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateFilterCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DeleteCampaignCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteEventTrackerCommand,
  DeleteFilterCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  DescribeCampaignCommand,
  DescribeDatasetCommand,
  DescribeEventTrackerCommand,
  DescribeSchemaCommand,
  DeleteMetricAttributionCommand,
  ListBatchInferenceJobsCommand,
  ListBatchSegmentJobsCommand,
  ListMetricAttributionsCommand,
  UpdateDatasetCommand,
  GetSolutionMetricsCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListEventTrackersCommand,
  ListFiltersCommand,
  ListSchemasCommand,
  ListSolutionsCommand,
  ListSolutionVersionsCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  StopSolutionVersionCreationCommand,
  Tag,
  UpdateCampaignCommand,
} from '@aws-sdk/client-personalize';
import {
  CreateRequest,
  DatasetType,
  DescribedKind,
  LatestUpdate,
  PersonalizePort,
  ResourceKind,
  ResourceState,
  STATUS,
} from './port';

const DATASET_TYPES: Record<DatasetType, string> = { interactions: 'Interactions', items: 'Items', users: 'Users' };

interface Summary {
  name?: string;
  status?: string;
  creationDateTime?: Date;
  lastUpdatedDateTime?: Date;
  failureReason?: string;
  datasetType?: string;
}

function state(
  kind: ResourceKind,
  arn: string | undefined,
  summary: Summary,
  parentArn?: string,
  name = summary.name ?? '',
): ResourceState {
  return {
    kind,
    arn: arn ?? '',
    name,
    status: summary.status ?? STATUS.active,
    ...(parentArn ? { parentArn } : {}),
    createdAt: summary.creationDateTime?.getTime() ?? 0,
    ...(summary.lastUpdatedDateTime ? { lastUpdatedAt: summary.lastUpdatedDateTime.getTime() } : {}),
    ...(summary.failureReason ? { failureReason: summary.failureReason } : {}),
    ...(summary.datasetType ? { datasetType: summary.datasetType } : {}),
  };
}

/** `latestCampaignUpdate` / `latestDatasetUpdate`. */
function latestUpdate(
  update: (Summary & { minProvisionedTPS?: number; solutionVersionArn?: string; schemaArn?: string }) | undefined,
): { latestUpdate?: LatestUpdate } {
  if (!update?.status) return {};
  return {
    latestUpdate: {
      status: update.status,
      createdAt: update.creationDateTime?.getTime() ?? 0,
      ...(update.failureReason ? { failureReason: update.failureReason } : {}),
      ...(update.minProvisionedTPS !== undefined ? { minProvisionedTPS: update.minProvisionedTPS } : {}),
      ...(update.solutionVersionArn ? { solutionVersionArn: update.solutionVersionArn } : {}),
      ...(update.schemaArn ? { schemaArn: update.schemaArn } : {}),
    },
  };
}

function sdkTags(tags: Readonly<Record<string, string>> | undefined): Tag[] | undefined {
  if (!tags) return undefined;
  return Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
}

/** Follows `nextToken` through every page. */
async function allPages<T>(
  page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.nextToken;
  } while (token);
  return items;
}

export class SdkPersonalizePort implements PersonalizePort {
  constructor(private readonly client: PersonalizeClient) {}

  async list(kind: ResourceKind, parentArn?: string): Promise<ResourceState[]> {
    const c = this.client;
    const maxResults = 100;
    switch (kind) {
      case 'datasetGroup':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListDatasetGroupsCommand({ nextToken, maxResults }));
          return {
            items: (r.datasetGroups ?? []).map((g) => state(kind, g.datasetGroupArn, g)),
            nextToken: r.nextToken,
          };
        });
      case 'schema':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListSchemasCommand({ nextToken, maxResults }));
          return {
            items: (r.schemas ?? []).map((s) => state(kind, s.schemaArn, { ...s, status: STATUS.active })),
            nextToken: r.nextToken,
          };
        });
      case 'dataset':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListDatasetsCommand({ datasetGroupArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.datasets ?? []).map((d) => state(kind, d.datasetArn, d, parentArn)),
            nextToken: r.nextToken,
          };
        });
      case 'datasetImportJob':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListDatasetImportJobsCommand({ datasetArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.datasetImportJobs ?? []).map((j) => state(kind, j.datasetImportJobArn, j, parentArn, j.jobName)),
            nextToken: r.nextToken,
          };
        });
      case 'solution':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListSolutionsCommand({ datasetGroupArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.solutions ?? []).map((s) => state(kind, s.solutionArn, s, parentArn)),
            nextToken: r.nextToken,
          };
        });
      case 'solutionVersion':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListSolutionVersionsCommand({ solutionArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.solutionVersions ?? []).map((v) => state(kind, v.solutionVersionArn, v, parentArn, '')),
            nextToken: r.nextToken,
          };
        });
      case 'campaign':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListCampaignsCommand({ solutionArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.campaigns ?? []).map((x) => state(kind, x.campaignArn, x, parentArn)),
            nextToken: r.nextToken,
          };
        });
      case 'filter':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListFiltersCommand({ datasetGroupArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.Filters ?? []).map((f) => state(kind, f.filterArn, f, parentArn)),
            nextToken: r.nextToken,
          };
        });
      case 'eventTracker':
        return allPages(async (nextToken) => {
          const r = await c.send(new ListEventTrackersCommand({ datasetGroupArn: parentArn, nextToken, maxResults }));
          return {
            items: (r.eventTrackers ?? []).map((t) => state(kind, t.eventTrackerArn, t, parentArn)),
            nextToken: r.nextToken,
          };
        });
      case 'metricAttribution':
        return allPages(async (nextToken) => {
          const r = await c.send(
            new ListMetricAttributionsCommand({ datasetGroupArn: parentArn, nextToken, maxResults }),
          );
          return {
            items: (r.metricAttributions ?? []).map((m) => state(kind, m.metricAttributionArn, m, parentArn)),
            nextToken: r.nextToken,
          };
        });
      case 'batchInferenceJob':
        return allPages(async (nextToken) => {
          const r = await c.send(
            new ListBatchInferenceJobsCommand({ solutionVersionArn: parentArn, nextToken, maxResults }),
          );
          return {
            items: (r.batchInferenceJobs ?? []).map((j) =>
              state(kind, j.batchInferenceJobArn, j, parentArn, j.jobName),
            ),
            nextToken: r.nextToken,
          };
        });
      case 'batchSegmentJob':
        return allPages(async (nextToken) => {
          const r = await c.send(
            new ListBatchSegmentJobsCommand({ solutionVersionArn: parentArn, nextToken, maxResults }),
          );
          return {
            items: (r.batchSegmentJobs ?? []).map((j) => state(kind, j.batchSegmentJobArn, j, parentArn, j.jobName)),
            nextToken: r.nextToken,
          };
        });
    }
  }

  /**
   * Campaigns (TPS, deployed version, latest update), datasets (schema, latest update) and schemas
   * (their Avro text) in full.
   * ResourceNotFoundException is passed on: reconcile reads it as "gone since the list".
   */
  async describe(kind: DescribedKind, arn: string): Promise<ResourceState | undefined> {
    if (kind === 'eventTracker') {
      // The tracking id is in DescribeEventTracker only (ListEventTrackers' summaries lack it).
      const { eventTracker } = await this.client.send(new DescribeEventTrackerCommand({ eventTrackerArn: arn }));
      if (!eventTracker) return undefined;
      return {
        ...state('eventTracker', eventTracker.eventTrackerArn, eventTracker, eventTracker.datasetGroupArn),
        ...(eventTracker.trackingId ? { trackingId: eventTracker.trackingId } : {}),
      };
    }
    if (kind === 'schema') {
      const { schema } = await this.client.send(new DescribeSchemaCommand({ schemaArn: arn }));
      if (!schema) return undefined;
      return {
        ...state('schema', schema.schemaArn, { ...schema, status: STATUS.active }),
        ...(schema.schema !== undefined ? { schema: schema.schema } : {}),
      };
    }
    if (kind === 'dataset') {
      const { dataset } = await this.client.send(new DescribeDatasetCommand({ datasetArn: arn }));
      if (!dataset) return undefined;
      return {
        ...state('dataset', dataset.datasetArn, dataset),
        ...(dataset.schemaArn ? { schemaArn: dataset.schemaArn } : {}),
        ...latestUpdate(dataset.latestDatasetUpdate),
      };
    }
    const { campaign } = await this.client.send(new DescribeCampaignCommand({ campaignArn: arn }));
    if (!campaign) return undefined;
    const update = campaign.latestCampaignUpdate?.status;
    return {
      ...state('campaign', campaign.campaignArn, campaign),
      ...(campaign.solutionVersionArn ? { solutionVersionArn: campaign.solutionVersionArn } : {}),
      ...(campaign.minProvisionedTPS !== undefined ? { minProvisionedTPS: campaign.minProvisionedTPS } : {}),
      updating: update === STATUS.createPending || update === STATUS.createInProgress,
      ...latestUpdate(campaign.latestCampaignUpdate),
    };
  }

  async create(request: CreateRequest): Promise<string> {
    const c = this.client;
    const tags = sdkTags(request.tags);
    switch (request.kind) {
      case 'datasetGroup':
        return required((await c.send(new CreateDatasetGroupCommand({ name: request.name, tags }))).datasetGroupArn);
      case 'schema':
        return required(
          (await c.send(new CreateSchemaCommand({ name: request.name, schema: request.schema }))).schemaArn,
        );
      case 'dataset':
        return required(
          (
            await c.send(
              new CreateDatasetCommand({
                name: request.name,
                datasetGroupArn: request.parentArn,
                schemaArn: request.schemaArn,
                datasetType: DATASET_TYPES[request.datasetType ?? 'interactions'],
                tags,
              }),
            )
          ).datasetArn,
        );
      case 'datasetImportJob':
        return required(
          (
            await c.send(
              new CreateDatasetImportJobCommand({
                jobName: request.name,
                datasetArn: request.parentArn,
                dataSource: { dataLocation: request.dataLocation },
                roleArn: request.roleArn,
                importMode: 'FULL',
                tags,
              }),
            )
          ).datasetImportJobArn,
        );
      case 'solution':
        return required(
          (
            await c.send(
              new CreateSolutionCommand({
                name: request.name,
                datasetGroupArn: request.parentArn,
                recipeArn: request.recipeArn,
                // Automatic training retrains (and bills) weekly without a deploy; the API default is true.
                performAutoTraining: request.performAutoTraining,
                tags,
              }),
            )
          ).solutionArn,
        );
      case 'solutionVersion':
        return required(
          (
            await c.send(
              new CreateSolutionVersionCommand({ solutionArn: request.parentArn, trainingMode: 'FULL', tags }),
            )
          ).solutionVersionArn,
        );
      case 'campaign':
        return required(
          (
            await c.send(
              new CreateCampaignCommand({
                name: request.name,
                solutionVersionArn: request.solutionVersionArn,
                minProvisionedTPS: request.minProvisionedTPS,
                tags,
              }),
            )
          ).campaignArn,
        );
      case 'filter':
        return required(
          (
            await c.send(
              new CreateFilterCommand({
                name: request.name,
                datasetGroupArn: request.parentArn,
                filterExpression: request.filterExpression,
                tags,
              }),
            )
          ).filterArn,
        );
      case 'eventTracker':
        return required(
          (
            await c.send(
              new CreateEventTrackerCommand({ name: request.name, datasetGroupArn: request.parentArn, tags }),
            )
          ).eventTrackerArn,
        );
    }
  }

  async remove(kind: ResourceKind, arn: string): Promise<void> {
    const c = this.client;
    switch (kind) {
      case 'datasetGroup':
        await c.send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn }));
        return;
      case 'schema':
        await c.send(new DeleteSchemaCommand({ schemaArn: arn }));
        return;
      case 'dataset':
        await c.send(new DeleteDatasetCommand({ datasetArn: arn }));
        return;
      case 'solution':
        await c.send(new DeleteSolutionCommand({ solutionArn: arn }));
        return;
      case 'campaign':
        await c.send(new DeleteCampaignCommand({ campaignArn: arn }));
        return;
      case 'filter':
        await c.send(new DeleteFilterCommand({ filterArn: arn }));
        return;
      case 'eventTracker':
        await c.send(new DeleteEventTrackerCommand({ eventTrackerArn: arn }));
        return;
      case 'metricAttribution':
        await c.send(new DeleteMetricAttributionCommand({ metricAttributionArn: arn }));
        return;
      default:
        throw new Error(`${kind} cannot be deleted on its own (it goes with its parent)`);
    }
  }

  async stopTraining(solutionVersionArn: string): Promise<void> {
    await this.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn }));
  }

  async updateCampaign(campaignArn: string, minProvisionedTPS: number, solutionVersionArn: string): Promise<void> {
    await this.client.send(new UpdateCampaignCommand({ campaignArn, minProvisionedTPS, solutionVersionArn }));
  }

  async updateDataset(datasetArn: string, schemaArn: string): Promise<void> {
    await this.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn }));
  }

  async solutionMetrics(solutionVersionArn: string): Promise<Record<string, number>> {
    const { metrics } = await this.client.send(new GetSolutionMetricsCommand({ solutionVersionArn }));
    return metrics ?? {};
  }

  async tags(arn: string): Promise<Record<string, string>> {
    const { tags } = await this.client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    return Object.fromEntries((tags ?? []).map((t) => [t.tagKey ?? '', t.tagValue ?? '']));
  }
}

function required(arn: string | undefined): string {
  if (!arn) throw new Error('Personalize answered without an ARN');
  return arn;
}
