/**
 * The local models for users they were not trained on (issue 18: the attendee's own user, created
 * on the site). A decorator of the local adapter: for a user the training knew, it hands the call
 * to the trained adapter as it is; for another user it asks the resolver for the user's live
 * history (the site's ratings, read at each call) and scores that at once, so every rating shows
 * in the next page. The Recommender port itself is unchanged: the history is the adapter's
 * business, as the campaign's event history is Personalize's.
 */
import type { EaseModel } from './ease';
import type { LiveHistory, LiveHistoryResolver, LocalModels } from './local';
import type { Model, MovieFilter, Recommender } from './port';

export class LiveLocalRecommender implements Recommender {
  constructor(
    private readonly local: LocalModels,
    /** The adapter for users in training (LocalRecommender): it also says what a model cannot do. */
    private readonly trained: Recommender,
    private readonly historyOf: LiveHistoryResolver,
  ) {}

  /** The live history of a user not in training; undefined for a trained user or an unknown one. */
  private async live(userId: number): Promise<LiveHistory | undefined> {
    return this.local.knowsUser(userId) ? undefined : this.historyOf(userId);
  }

  async recommend(model: Model, userId: number, count: number, filter?: MovieFilter): Promise<number[]> {
    const history = await this.live(userId);
    if (!history || model.source !== 'local' || model.type !== 'recommend')
      return this.trained.recommend(model, userId, count, filter);
    const allows = filter?.allows;
    switch (model.id) {
      case 'local:ease':
        return this.local.recommendEaseFor(this.ease(model), history, count, allows);
      case 'local:popular':
        return this.local.recommendPopularFor(history, count, allows);
      case 'local:knn':
        return this.local.recommendKnnFor(history, count, allows);
      default:
        return this.trained.recommend(model, userId, count, filter);
    }
  }

  async rank(model: Model, userId: number, movieIds: readonly number[], filter?: MovieFilter): Promise<number[]> {
    const history = await this.live(userId);
    if (!history || model.source !== 'local' || model.type !== 'ranking')
      return this.trained.rank(model, userId, movieIds, filter);
    const allows = filter?.allows;
    switch (model.id) {
      case 'local:ease-ranking':
        return this.local.rankEaseFor(this.ease(model), history, movieIds, allows);
      case 'local:ranking':
        return this.local.rankFor(history, movieIds, allows);
      default:
        return this.trained.rank(model, userId, movieIds, filter);
    }
  }

  similar(model: Model, movieId: number, count: number, userId?: number, filter?: MovieFilter): Promise<number[]> {
    return this.trained.similar(model, movieId, count, userId, filter);
  }

  async explain(model: Model, userId: number, movieIds: readonly number[]): Promise<ReadonlyMap<number, number>> {
    const history = await this.live(userId);
    if (!history || model.source !== 'local')
      return this.trained.explain?.(model, userId, movieIds) ?? new Map<number, number>();
    switch (model.id) {
      case 'local:ease':
      case 'local:ease-ranking':
        return this.local.becauseEaseFor(this.ease(model), history, movieIds);
      case 'local:knn':
      case 'local:ranking':
        return this.local.becauseFor(history, movieIds);
      default:
        return this.trained.explain?.(model, userId, movieIds) ?? new Map<number, number>();
    }
  }

  /** The trained EASE model, or the same reason the trained adapter gives (shown in the row). */
  private ease(model: Model): EaseModel {
    const ease = this.local.ease;
    if (ease.state === 'ready') return ease.model;
    const why =
      ease.state === 'failed' ? `its training failed: ${ease.reason}` : 'it is still training, try again in a minute';
    throw new Error(`"${model.name}" cannot answer yet: ${why}`);
  }
}
