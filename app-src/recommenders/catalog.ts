/**
 * Which models the site offers: the local baselines, the registry's (published by the Personalize
 * controller as campaigns become active) and the admin's, merged and ordered by sort order. A
 * campaign both in the registry and added by an admin is listed once, as the registry's.
 */
import type { AdminModel, AdminModels } from '../db/admin-models';
import type { DetailedRecommendations, Model, ModelType, MovieFilter, Recommender } from './port';
import type { ModelRegistrySource, PipelineProgress } from './registry';

export interface CatalogView {
  readonly models: readonly Model[];
  readonly pipeline?: PipelineProgress;
  /** Problems worth showing (a registry that could not be read), in words. */
  readonly problems: readonly string[];
  /** Where the local models stand (EASE training in the background, then ready), in words. */
  readonly localStatus?: string;
}

/** The local models as they stand: EASE joins them once trained (LocalModels). */
export interface LocalModelSource {
  readonly models: readonly Model[];
  readonly status?: string;
}

/** How long the admin's models are kept between reads: an edit on another instance shows within it. */
export const ADMIN_MODELS_CACHE_MS = 5_000;

export class ModelCatalog {
  private adminCache: { at: number; models: Promise<AdminModel[]> } | undefined;

  constructor(
    private readonly local: readonly Model[] | LocalModelSource,
    private readonly registry: ModelRegistrySource,
    private readonly admin: AdminModels,
    /**
     * The catalogue (MovieLens edition) this site loaded: registry models of another catalogue are
     * held back, since the same item id is another movie there. Undefined: no check (tests).
     */
    private readonly catalog?: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drops the cached admin models: this instance's own edits show at once. */
  invalidate(): void {
    this.adminCache = undefined;
  }

  private adminModels(): Promise<AdminModel[]> {
    if (!this.adminCache || this.now() - this.adminCache.at >= ADMIN_MODELS_CACHE_MS) {
      const models = this.admin.list();
      this.adminCache = { at: this.now(), models };
      models.catch(() => (this.adminCache = undefined));
    }
    return this.adminCache.models;
  }

  async view(): Promise<CatalogView> {
    const [snapshot, adminModels] = await Promise.all([this.registry.snapshot(), this.adminModels()]);
    const registryArns = new Set(snapshot.models.map((m) => m.campaignArn));
    const sameCatalog = snapshot.models.filter((m) => this.catalog === undefined || m.catalog === this.catalog);
    const heldBack = snapshot.models.filter((m) => !sameCatalog.includes(m));
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
    const local = 'models' in this.local ? this.local.models : this.local;
    const models = [...sameCatalog, ...fromAdmin, ...local].sort(
      (a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
    return {
      models,
      pipeline: snapshot.pipeline,
      ...('status' in this.local && this.local.status !== undefined ? { localStatus: this.local.status } : {}),
      problems: [
        ...(snapshot.error ? [`The model registry could not be read: ${snapshot.error}`] : []),
        ...(heldBack.length ? [heldBackNotice(heldBack, this.catalog ?? '')] : []),
      ],
    };
  }
}

/** Why some Personalize models are not offered: they recommend ids of another edition. */
function heldBackNotice(models: readonly Model[], catalog: string): string {
  const others = [...new Set(models.map((m) => m.catalog ?? 'an unknown edition'))].join(', ');
  const count =
    models.length === 1 ? '1 Amazon Personalize model was' : `${models.length} Amazon Personalize models were`;
  return (
    `${count} trained on ${others}, and this site serves ${catalog}: the same movie id is another film there, ` +
    `so they are not offered. The models of ${catalog} appear here when their campaigns are active.`
  );
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
  recommend(model: Model, userId: number, count: number, filter?: MovieFilter): Promise<number[]> {
    return this.pick(model).recommend(model, userId, count, filter);
  }
  /** The adapter's detailed answer, or its plain one with no reasons and no promotions. */
  async recommendDetailed(
    model: Model,
    userId: number,
    count: number,
    filter?: MovieFilter,
  ): Promise<DetailedRecommendations> {
    const adapter = this.pick(model);
    if (adapter.recommendDetailed) return adapter.recommendDetailed(model, userId, count, filter);
    return { ids: await adapter.recommend(model, userId, count, filter), reasons: new Map(), promoted: new Set() };
  }
  rank(model: Model, userId: number, movieIds: readonly number[], filter?: MovieFilter): Promise<number[]> {
    return this.pick(model).rank(model, userId, movieIds, filter);
  }
  similar(model: Model, movieId: number, count: number, userId?: number, filter?: MovieFilter): Promise<number[]> {
    return this.pick(model).similar(model, movieId, count, userId, filter);
  }
  explain(model: Model, userId: number, movieIds: readonly number[]): Promise<ReadonlyMap<number, number>> {
    return this.pick(model).explain?.(model, userId, movieIds) ?? Promise.resolve(new Map());
  }
}
