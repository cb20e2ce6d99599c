/**
 * The Personalize port over `@aws-sdk/client-personalize`: one place that knows the SDK's
 * command and field names. The client's standard retry mode backs off on throttling.
 */
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
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
import { CreateRequest, DatasetType, PersonalizePort, ResourceKind, ResourceState, STATUS } from './port';

const DATASET_TYPES: Record<DatasetType, string> = { interactions: 'Interactions', items: 'Items', users: 'Users' };

interface Summary {
  name?: string;
  status?: string;
  creationDateTime?: Date;
  lastUpdatedDateTime?: Date;
  failureReason?: string;
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
    }
  }

  /** Only campaigns are described in full (TPS, deployed version, update in progress). */
  async describe(kind: ResourceKind, arn: string): Promise<ResourceState | undefined> {
    if (kind !== 'campaign') throw new Error(`describe ${kind} is not needed by reconcile`);
    try {
      const { campaign } = await this.client.send(new DescribeCampaignCommand({ campaignArn: arn }));
      if (!campaign) return undefined;
      const update = campaign.latestCampaignUpdate?.status;
      return {
        ...state('campaign', campaign.campaignArn, campaign),
        ...(campaign.solutionVersionArn ? { solutionVersionArn: campaign.solutionVersionArn } : {}),
        ...(campaign.minProvisionedTPS !== undefined ? { minProvisionedTPS: campaign.minProvisionedTPS } : {}),
        updating: update === STATUS.createPending || update === STATUS.createInProgress,
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
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
                // Automatic training retrains (and bills) weekly without a deploy: never.
                performAutoTraining: false,
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
