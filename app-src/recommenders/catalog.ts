/**
 * Which models the site offers: the local baselines, the registry's (published by the Personalize
 * controller as campaigns become active) and the admin's, merged and ordered by sort order. A
 * campaign both in the registry and added by an admin is listed once, as the registry's.
 */
import type { AdminModels } from '../db/admin-models';
import type { Model, ModelType, Recommender } from './port';
import type { ModelRegistrySource, PipelineProgress } from './registry';

export interface CatalogView {
  readonly models: readonly Model[];
  readonly pipeline?: PipelineProgress;
  /** Problems worth showing (a registry that could not be read), in words. */
  readonly problems: readonly string[];
}

export class ModelCatalog {
  constructor(
    private readonly local: readonly Model[],
    private readonly registry: ModelRegistrySource,
    private readonly admin: AdminModels,
  ) {}

  async view(): Promise<CatalogView> {
    const [snapshot, adminModels] = await Promise.all([this.registry.snapshot(), this.admin.list()]);
    const registryArns = new Set(snapshot.models.map((m) => m.campaignArn));
    const fromAdmin: Model[] = adminModels
      .filter((m) => !registryArns.has(m.campaignArn))
      .map((m) => ({
        id: `admin:${m.id}`,
        name: m.name,
        type: m.type,
        source: 'admin',
        recipe: 'added in admin',
        sortOrder: m.sortOrder,
        metrics: {},
        campaignArn: m.campaignArn,
      }));
    const models = [...snapshot.models, ...fromAdmin, ...this.local].sort(
      (a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
    return {
      models,
      pipeline: snapshot.pipeline,
      problems: snapshot.error ? [`The model registry could not be read: ${snapshot.error}`] : [],
    };
  }
}

export function modelsOfType(models: readonly Model[], type: ModelType): Model[] {
  return models.filter((m) => m.type === type);
}

/** Sends each model to its adapter: local models to the local one, campaigns to Personalize. */
export class RoutingRecommender implements Recommender {
  constructor(
    private readonly local: Recommender,
    private readonly personalize: Recommender,
  ) {}
  private pick(model: Model): Recommender {
    return model.source === 'local' ? this.local : this.personalize;
  }
  recommend(model: Model, userId: number, count: number): Promise<number[]> {
    return this.pick(model).recommend(model, userId, count);
  }
  rank(model: Model, userId: number, movieIds: readonly number[]): Promise<number[]> {
    return this.pick(model).rank(model, userId, movieIds);
  }
  similar(model: Model, movieId: number, count: number, userId?: number): Promise<number[]> {
    return this.pick(model).similar(model, movieId, count, userId);
  }
}
