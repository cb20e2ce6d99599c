/**
 * The user page of an attendee's own user (issue 18): the user and their ratings come from the
 * site's tables, every row says what it is based on, and for the browser that owns the user each
 * tile has the rating stars and marks what changed since the previous view of that row.
 *
 * The previous view is kept in the database (site_users.last_view: per row, the movie ids it
 * showed), so it holds across instances and restarts; it is written at each view by the owner.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app';
import type { Movie, Review, User } from '../db/queries';
import type { SafeHtml } from '../html';
import { changeMark, changesFrom, localBasis, rateForm, startPanel } from '../pages/site-user';
import type { MovieRow } from '../pages/user';
import type { Model } from '../recommenders/port';
import type { SiteSession } from './site-session';

/** Rows of one view whose previous lists are kept (a few rows per mode and genre). */
const MAX_KEPT_VIEWS = 40;

/** The Start panel of the front page and the user pages. */
export async function startPanelFor(
  site: SiteSession,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<SafeHtml> {
  const [own, profiles] = await Promise.all([site.user(request), site.profileOptions()]);
  return startPanel({ token: site.formToken(request, reply), own: own?.id, profiles });
}

export interface SiteUserData {
  readonly user: User;
  readonly ratingCounts: { rating: number; count: number }[];
  readonly reviews: Review[];
}

/** A site user as the user page shows them, or undefined when `userId` is none. */
export async function siteUserData(
  site: SiteSession,
  userId: number,
  limit: number,
): Promise<SiteUserData | undefined> {
  const user = await site.users.user(userId);
  if (!user) return undefined;
  const [ratingCounts, reviews] = await Promise.all([
    site.users.ratingCounts(userId),
    site.users.reviews(userId, limit),
  ]);
  return { user, ratingCounts, reviews };
}

/**
 * What a Personalize row of a site user is based on: the events, sent or not, and why. Per the
 * Developer Guide ("Recording real-time events"), the User-Personalization and
 * Personalized-Ranking recipes use a user's events within seconds of PutEvents, with no retraining,
 * and a user they have never seen gets what is popular; SIMS and Similar-Items take events in only
 * when the solution is trained again.
 */
async function personalizeBasis(deps: AppDeps, userId: number, count: number, type: Model['type']): Promise<string> {
  if (type === 'sims')
    return 'Similar items do not change with your ratings: this recipe takes new events in only when the solution is trained again.';
  const newUser = 'Until events arrive, Personalize sees a user it has never met and answers with what is popular.';
  if (!deps.events || !(await deps.events.tracking()))
    return `Your ratings are not sent to Amazon Personalize here: the model registry names no event tracker (a local run, or the controller has not made one yet), so this row does not know them. ${newUser}`;
  if (count === 0) return `No ratings yet. ${newUser} Each rating is sent to Personalize as an event (PutEvents).`;
  const status = deps.events.status(userId);
  const kept = status.kept
    ? ` ${status.kept} of your ratings (the lower ones) stay on the site: like the training data, Personalize gets only the ratings above the positive threshold.`
    : '';
  if (status.waiting > 0)
    return `${status.waiting} ${status.waiting === 1 ? 'rating' : 'ratings'} not yet sent to Personalize, retrying${status.reason ? ` (${status.reason})` : ''}. The row shows what Personalize knew before.${kept}`;
  return `From your ratings sent to Personalize as events${kept ? '' : ` (${count} in all)`}; the campaign takes an event into account within seconds of receiving it, without retraining.${kept}`;
}

/**
 * The rows of a site user's page, each with what it is based on; for the owner, the rating stars
 * on each tile and what changed since the previous view. `rowModels` maps row ids to their models;
 * `viewKey` names the page's view (mode, genre) so that rows of different questions are not compared.
 */
export async function siteUserRows(options: {
  readonly site: SiteSession;
  readonly deps: AppDeps;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly userId: number;
  readonly rows: readonly MovieRow[];
  readonly rowModels: ReadonlyMap<string, Model>;
  readonly viewKey: string;
  /** This page's address, where a rating form comes back to. */
  readonly back: string;
  readonly now?: number;
}): Promise<MovieRow[]> {
  const { site, deps, request, reply, userId, rows, rowModels, viewKey, back } = options;
  const now = options.now ?? Date.now();
  const [own, ratings] = await Promise.all([site.user(request), site.users.ratings(userId)]);
  const isOwner = own?.id === userId;
  const latest = ratings.length ? Math.max(...ratings.map((r) => r.ratedAt)) : undefined;
  const local = localBasis(ratings.length, latest, now);
  const personalize = new Map<Model['type'], string>();
  for (const type of ['recommend', 'ranking', 'sims'] as const)
    personalize.set(type, await personalizeBasis(deps, userId, ratings.length, type));
  const token = isOwner ? site.formToken(request, reply) : undefined;
  const stars = new Map(ratings.map((r) => [r.movieId, r.rating]));
  const previous = isOwner ? await site.users.lastView(userId) : {};
  const current: Record<string, number[]> = {};
  const result = rows.map((given) => {
    const model = rowModels.get(given.id);
    if (!model) return given;
    // Personalize's exclude-rated filter knows only the ratings sent (those above the positive
    // threshold): the site leaves out the user's other rated movies, as the local rows do.
    const dropped =
      model.source !== 'local' && model.type === 'recommend' && given.movies
        ? given.movies.filter((m) => stars.has(m.id)).length
        : 0;
    const row = dropped ? { ...given, movies: given.movies!.filter((m) => !stars.has(m.id)) } : given;
    const leftOut = dropped
      ? ` ${dropped} ${dropped === 1 ? 'movie' : 'movies'} you rated ${dropped === 1 ? 'is' : 'are'} left out of this row by the site.`
      : '';
    const basis =
      model.source !== 'local'
        ? `${personalize.get(model.type)!}${leftOut}`
        : model.type === 'sims'
          ? 'Movies like the starting movie, the same for every user (the Personalized ordering re-ranks them from your ratings).'
          : local;
    if (!isOwner || !row.movies) return { ...row, basis };
    const key = `${viewKey}|${model.id}`;
    const ids = row.movies.map((m) => m.id);
    current[key] = ids;
    const changes = changesFrom(previous[key], ids);
    return {
      ...row,
      basis,
      ...(changes ? { tileMark: (movie: Movie) => changeMark(changes.get(movie.id) ?? 'new') } : {}),
      tileForm: (movie: Movie) =>
        rateForm({ userId, movieId: movie.id, token: token!, back, current: stars.get(movie.id) }),
    };
  });
  if (isOwner && Object.keys(current).length > 0) {
    // This view's lists replace the previous ones of the same rows; the latest others are kept.
    const kept = Object.entries(previous).filter(([key]) => !(key in current));
    const merged = Object.fromEntries([
      ...kept.slice(-(MAX_KEPT_VIEWS - Object.keys(current).length)),
      ...Object.entries(current),
    ]);
    await site.users.saveView(userId, merged);
  }
  return result;
}
