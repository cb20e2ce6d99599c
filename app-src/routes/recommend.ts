/**
 * The attendee's pages: the front page with the models and their metrics, Select Random User, and
 * the user page in its three modes (Recommendations, Personal Ranking, Similar Items).
 */
import type { FastifyInstance } from 'fastify';
import type { Movie } from '../db/queries';
import { HttpError, parseId, readQuery, sendHtml } from '../http';
import { frontPage } from '../pages/front';
import {
  MODES,
  Mode,
  MovieRow,
  NO_MODEL,
  ORDERINGS,
  Ordering,
  ROW_LENGTH,
  UserPageState,
  userPage,
  userUrl,
} from '../pages/user';
import { modelsOfType } from '../recommenders/catalog';
import { ModelHealth } from '../recommenders/health';
import { filterNote } from '../recommenders/personalize';
import type { Model, ModelType, MovieFilter } from '../recommenders/port';
import type { AreaOptions } from './area';
import { siteUserData, siteUserRows, startPanelFor } from './site-user-page';

const USER_QUERY = ['mode', 'm1', 'm2', 'genre', 'base', 'order', 'reviews'] as const;
/** Default models asked at most per page before giving up on finding one that answers. */
const MAX_DEFAULT_ATTEMPTS = 4;

/** A model's answer (with the reasons and promotions it gave), or why there is none. */
type Answer = {
  ids?: number[];
  unavailable?: string;
  reasons?: ReadonlyMap<number, string>;
  promoted?: ReadonlySet<number>;
};

export async function recommendRoutes(app: FastifyInstance, { deps, queries, site }: AreaOptions): Promise<void> {
  const health = new ModelHealth();
  app.get('/recommend', async (_request, reply) => reply.redirect('/recommend/'));
  app.get('/recommend/', async (request, reply) => {
    readQuery(request, []);
    const [view, summary, start] = await Promise.all([
      deps.catalog.view(),
      queries.dataSummary(),
      startPanelFor(site, request, reply),
    ]);
    return sendHtml(
      reply,
      frontPage({
        start,
        models: view.models,
        summary,
        pipeline: view.pipeline,
        problems: view.problems,
        localStatus: view.localStatus,
        evaluationProtocol: deps.evaluationProtocol,
      }),
    );
  });
  app.get('/recommend/random', async (request, reply) => {
    readQuery(request, []);
    const id = await queries.randomUserId();
    if (id === undefined) throw new HttpError(404, 'No users are loaded yet.');
    return reply.redirect(`/recommend/${id}/`);
  });
  app.get<{ Params: { userId: string } }>('/recommend/:userId', async (request, reply) => {
    parseId(request.params.userId, 'user');
    return reply.redirect(`/recommend/${request.params.userId}/`);
  });
  app.get<{ Params: { userId: string } }>('/recommend/:userId/', async (request, reply) => {
    const userId = parseId(request.params.userId, 'user');
    // The Show User Reviews form sends reviews=hide, then reviews=show when the box is ticked.
    const query = readQuery(request, USER_QUERY, { reviews: 'hide' });
    // A MovieLens user, or one an attendee created on the site (issue 18).
    const movieLensUser = await queries.user(userId);
    const siteUser = movieLensUser ? undefined : await siteUserData(site, userId, ROW_LENGTH);
    const user = movieLensUser ?? siteUser?.user;
    if (!user) throw new HttpError(404, `There is no user ${userId}.`);
    const [view, genres] = await Promise.all([deps.catalog.view(), queries.genres()]);
    const models = {
      recommend: modelsOfType(view.models, 'recommend'),
      ranking: modelsOfType(view.models, 'ranking'),
      sims: modelsOfType(view.models, 'sims'),
    };
    const parsed = parseUserState(query, models, genres);
    let state = parsed.state;
    const notices = [...parsed.notices];
    const [neighbours, ratingCounts, reviews, own] = await Promise.all([
      queries.neighbourUsers(userId),
      siteUser?.ratingCounts ?? queries.ratingCounts(userId),
      siteUser?.reviews ?? queries.topReviews(userId, ROW_LENGTH),
      startPanelFor(site, request, reply),
    ]);
    let baseMovie: Movie | undefined;
    if (state.mode === 'similar') {
      baseMovie = state.base !== undefined ? await queries.movie(state.base) : reviews[0]?.movie;
      if (state.base !== undefined && !baseMovie) throw new HttpError(400, `base: there is no movie ${state.base}.`);
    }
    // The Genre control: every row of Recommendations and Similar Items answers for that genre
    // (Personal Ranking ranks the genre's popular movies, so its list already is the genre's).
    const filter = state.genre === undefined ? undefined : await genreFilter(state.genre);
    let rows: MovieRow[];
    if (state.mode === 'recommend') {
      const recommended = await recommendationRows(state, userId, models.recommend, filter);
      state = recommended.state;
      rows = recommended.rows;
      notices.push(...recommended.notices);
    } else {
      // No model of Recommendations is asked here: the links carry the defaults as they stand.
      const defaults = models.recommend.filter((m) => health.failing(m) === undefined);
      const m1 = state.m1 ?? (defaults[0] ?? models.recommend[0])?.id;
      const m2 = state.m2 ?? (defaults.find((m) => m.id !== m1) ?? defaults[0] ?? models.recommend[0])?.id;
      state = { ...state, m1, m2 };
      rows = await modelRows(state, userId, models, baseMovie, filter);
    }
    if (siteUser) {
      // Which model answered each row: the row ids of recommendationRows and modelRows.
      const rowModels = new Map<string, Model>();
      const byId = (id: string | undefined) => models.recommend.find((m) => m.id === id);
      for (const [rowId, model] of [
        ['model-1', byId(state.m1)],
        ['model-2', byId(state.m2)],
        ...models.ranking.map((m, i) => [`ranking-${i + 1}`, m] as const),
        ...models.sims.map((m, i) => [`similar-${i + 1}`, m] as const),
      ] as const)
        if (model) rowModels.set(rowId, model);
      rows = await siteUserRows({
        site,
        deps,
        request,
        reply,
        userId,
        rows,
        rowModels,
        viewKey: `${state.mode}|${state.genre ?? ''}|${state.base ?? ''}|${state.order}`,
        back: userUrl(userId, state),
      });
    }
    return sendHtml(
      reply,
      userPage({ user, state, neighbours, ratingCounts, models, genres, reviews, baseMovie, rows, notices, own }),
    );
  });

  /** The genre's movies, for the models' filters (the genre is one of the loaded data's). */
  async function genreFilter(genre: string): Promise<MovieFilter> {
    const ids = await queries.movieIdsInGenre(genre);
    return { genre, allows: (movieId) => ids.has(movieId) };
  }

  /**
   * One Recommendations model asked for the user (with the page's filter; the reasons and
   * promotions it gives where the adapter has them); its health is recorded either way.
   */
  async function ask(model: Model, userId: number, filter: MovieFilter | undefined): Promise<Answer> {
    const recommender = deps.recommender;
    const answer = await settleDetailed(async () =>
      recommender.recommendDetailed
        ? recommender.recommendDetailed(model, userId, ROW_LENGTH, filter)
        : { ids: await recommender.recommend(model, userId, ROW_LENGTH, filter) },
    );
    if (answer.unavailable === undefined) health.answered(model);
    else health.failed(model, answer.unavailable);
    return answer;
  }

  /**
   * Model 1 and Model 2. A model named in the address is asked as it is (a failure shows in its
   * row). A slot the address leaves open takes the first models in the configured order (sort order,
   * as the front page and the dropdowns list them) that answer: a model that failed lately on this
   * instance is passed over, and one that fails now gives its slot to the next.
   */
  async function recommendationRows(
    state: UserPageState,
    userId: number,
    recommendModels: readonly Model[],
    filter: MovieFilter | undefined,
  ): Promise<{ state: UserPageState; rows: MovieRow[]; notices: string[] }> {
    const named = [state.m1, state.m2].map((id) => recommendModels.find((m) => m.id === id));
    // Model 2 "No model": one row only.
    const off = [false, state.m2 === NO_MODEL];
    const namedAnswers = Promise.all(
      named.map(async (model) => (model ? { model, answer: await ask(model, userId, filter) } : undefined)),
    );
    const taken = new Set(named.flatMap((m) => (m ? [m.id] : [])));
    const candidates = recommendModels.filter((m) => !taken.has(m.id));
    const queue = candidates.filter((m) => health.failing(m) === undefined);
    const open = named.filter((m, i) => !m && !off[i]).length;
    const answered: { model: Model; answer: Answer }[] = [];
    const failedNow: { model: Model; answer: Answer }[] = [];
    let attempts = 0;
    while (answered.length < open && queue.length > 0 && attempts < MAX_DEFAULT_ATTEMPTS) {
      const batch = queue.splice(0, Math.min(open - answered.length, MAX_DEFAULT_ATTEMPTS - attempts));
      attempts += batch.length;
      const answers = await Promise.all(batch.map((model) => ask(model, userId, filter)));
      batch.forEach((model, i) =>
        (answers[i].unavailable === undefined ? answered : failedNow).push({ model, answer: answers[i] }),
      );
    }
    const asked = await namedAnswers;
    // Fewer models answer than slots are open: a model that answered fills both (as with one model);
    // when none answers, the first model stays, with its reason in the row.
    const fallback = (): { model: Model; answer: Answer } | undefined => {
      const first = answered[0] ?? asked.find((slot) => slot !== undefined) ?? failedNow[0];
      if (first) return first;
      const model = candidates[0];
      return model && { model, answer: { unavailable: health.failing(model) ?? 'no answer' } };
    };
    let next = 0;
    const slots = asked.map((slot, i) => (off[i] ? undefined : (slot ?? answered[next++] ?? fallback())));
    // Say which models were passed over, in the configured order, up to the last default taken.
    const defaults = slots.filter((slot, i) => slot && !named[i]).map((slot) => slot!.model);
    const lastDefault = Math.max(-1, ...defaults.map((m) => candidates.indexOf(m)));
    const notices = candidates.slice(0, Math.max(0, lastDefault)).flatMap((m) => {
      const reason = health.failing(m);
      return reason === undefined || defaults.includes(m)
        ? []
        : [
            `“${m.name}” did not answer (${reason}), so it is not a default model here for now; choose it as Model 1 or Model 2 to try it.`,
          ];
    });
    const movies = byId(await queries.moviesInOrder([...new Set(slots.flatMap((s) => s?.answer.ids ?? []))]));
    const rows = await withReasons(
      userId,
      markShared(
        slots.flatMap((slot, i) =>
          slot
            ? [
                withFilterNote(
                  toRow(`model-${i + 1}`, `Personalization: ${slot.model.name}`, slot.answer, movies),
                  slot.model,
                  filter,
                  'recommend',
                ),
              ]
            : [],
        ),
      ),
      slots.flatMap((slot) => (slot ? [slot.model] : [])),
    );
    const m2 = off[1] ? NO_MODEL : slots[1]?.model.id;
    return { state: { ...state, m1: slots[0]?.model.id, m2 }, rows, notices };
  }

  /**
   * Each row of a model that can say why (the local item-kNN models) gets "because you liked
   * <title>" per movie: the movie of the user's history that contributed most. `models[i]` answered
   * `rows[i]`. Explaining is extra: when it fails, the row stays as it is and the reason is logged.
   */
  async function withReasons(userId: number, rows: MovieRow[], models: readonly Model[]): Promise<MovieRow[]> {
    const reasons = await Promise.all(
      rows.map(async (row, i) => {
        if (!row.movies?.length) return new Map<number, number>();
        try {
          const ids = row.movies.map((m) => m.id);
          return (await deps.recommender.explain?.(models[i], userId, ids)) ?? new Map<number, number>();
        } catch (error) {
          app.log.warn({ model: models[i].id, err: error }, 'could not explain the recommendations');
          return new Map<number, number>();
        }
      }),
    );
    const liked = byId(await queries.moviesInOrder([...new Set(reasons.flatMap((r) => [...r.values()]))]));
    return rows.map((row, i) => {
      const because = new Map<number, Movie>();
      for (const [movieId, likedId] of reasons[i]) {
        const movie = liked.get(likedId);
        if (movie) because.set(movieId, movie);
      }
      return because.size ? { ...row, because } : row;
    });
  }

  /** The rows of Personal Ranking and Similar Items; model calls run concurrently, each failure stays in its row. */
  async function modelRows(
    state: UserPageState,
    userId: number,
    models: Record<ModelType, Model[]>,
    baseMovie: Movie | undefined,
    filter: MovieFilter | undefined,
  ): Promise<MovieRow[]> {
    if (state.mode === 'ranking') {
      const popular = await queries.popularMovies(state.genre, ROW_LENGTH);
      const ids = popular.map((m) => m.id);
      const movies = byId(popular);
      const answers = await Promise.all(
        models.ranking.map((model) =>
          settle(async () => (ids.length ? deps.recommender.rank(model, userId, ids) : [])),
        ),
      );
      const ranked = models.ranking.map((model, i) => {
        const row = toRow(`ranking-${i + 1}`, `Rankings: ${model.name}`, answers[i], movies);
        return row.movies ? { ...row, moves: movesFrom(ids, row.movies) } : row;
      });
      return [
        { id: 'popular', heading: `Most popular movies in ${state.genre ?? 'All'}`, movies: popular },
        ...(await withReasons(userId, ranked, models.ranking)),
      ];
    }
    if (!baseMovie) return [];
    const link = (movie: Movie) => userUrl(userId, state, { base: movie.id });
    const ranker = models.ranking[0];
    // As for Recommendations: every model asked at once (re-ranked when asked), one movie query.
    const answers = await Promise.all(
      models.sims.map((model) =>
        settle(async () => {
          const similar = await deps.recommender.similar(model, baseMovie.id, ROW_LENGTH, userId, filter);
          const personalize = state.order === 'personalized' && ranker && similar.length > 0;
          return personalize ? deps.recommender.rank(ranker, userId, similar) : similar;
        }),
      ),
    );
    const movies = byId(await queries.moviesInOrder([...new Set(answers.flatMap((a) => a.ids ?? []))]));
    return models.sims.map((model, i) => {
      const row = withFilterNote(
        toRow(`similar-${i + 1}`, `Similar Items: ${model.name}`, answers[i], movies),
        model,
        filter,
        'similar',
      );
      const byPopularity = state.order === 'popular' && row.movies;
      return {
        ...row,
        link,
        start: baseMovie,
        ...(byPopularity
          ? { movies: [...row.movies!].sort((a, b) => b.positiveCount - a.positiveCount || a.id - b.id) }
          : {}),
      };
    });
  }
}

/** A model's answer, or why there is none: one failing model never fails the page. */
async function settle(ask: () => Promise<number[]>): Promise<{ ids?: number[]; unavailable?: string }> {
  try {
    return { ids: await ask() };
  } catch (error) {
    return { unavailable: (error as Error).message || String(error) };
  }
}

/** As `settle`, for an answer that carries reasons and promotions beside the ids. */
async function settleDetailed(ask: () => Promise<Omit<Answer, 'unavailable'>>): Promise<Answer> {
  try {
    return await ask();
  } catch (error) {
    return { unavailable: (error as Error).message || String(error) };
  }
}

/** A Personalize row says how the page's filters were applied where the service could not apply them all. */
function withFilterNote(
  row: MovieRow,
  model: Model,
  filter: MovieFilter | undefined,
  kind: 'recommend' | 'similar',
): MovieRow {
  const note = filterNote(model, filter, kind);
  return note === undefined ? row : { ...row, note };
}

function byId(movies: readonly Movie[]): Map<number, Movie> {
  return new Map(movies.map((m) => [m.id, m]));
}

/**
 * How many places each movie of a ranking moved from the popular order the ranking was given:
 * positive is up (nearer the front), negative down, 0 the same place.
 */
export function movesFrom(popularIds: readonly number[], ranked: readonly Movie[]): Map<number, number> {
  const before = new Map(popularIds.map((id, place) => [id, place]));
  const moves = new Map<number, number>();
  ranked.forEach((movie, place) => {
    const from = before.get(movie.id);
    if (from !== undefined) moves.set(movie.id, from - place);
  });
  return moves;
}

/** With two rows of movies: the movies both models recommend, marked in each row. */
export function markShared(rows: MovieRow[]): MovieRow[] {
  if (rows.length !== 2 || !rows[0].movies || !rows[1].movies) return rows;
  const second = new Set(rows[1].movies.map((m) => m.id));
  const shared = new Set(rows[0].movies.filter((m) => second.has(m.id)).map((m) => m.id));
  return shared.size === 0 ? rows : rows.map((row) => ({ ...row, shared }));
}

function toRow(id: string, heading: string, answer: Answer, movies: ReadonlyMap<number, Movie>): MovieRow {
  if (answer.unavailable !== undefined) return { id, heading, unavailable: answer.unavailable };
  return {
    id,
    heading,
    movies: (answer.ids ?? []).flatMap((movieId) => movies.get(movieId) ?? []),
    ...(answer.reasons?.size ? { reasons: answer.reasons } : {}),
    ...(answer.promoted?.size ? { promoted: answer.promoted } : {}),
  };
}

function parseUserState(
  query: Record<string, string | undefined>,
  models: Record<ModelType, Model[]>,
  genres: readonly string[],
): { state: UserPageState; notices: string[] } {
  const mode = (query.mode ?? 'recommend') as Mode;
  if (!Object.hasOwn(MODES, mode)) {
    throw new HttpError(400, `mode: "${query.mode}" is not a mode; use one of ${Object.keys(MODES).join(', ')}.`);
  }
  const order = (query.order ?? 'model') as Ordering;
  if (!Object.hasOwn(ORDERINGS, order)) {
    throw new HttpError(
      400,
      `order: "${query.order}" is not an ordering; use one of ${Object.keys(ORDERINGS).join(', ')}.`,
    );
  }
  // A model the address names that is gone (deleted in admin, or its campaign no longer published)
  // is left to the defaults, with a notice: links and tabs opened before keep working.
  const notices: string[] = [];
  const pickModel = (key: 'm1' | 'm2') => {
    const id = query[key];
    if (id === undefined || id === '') return undefined;
    if (models.recommend.some((m) => m.id === id) || (key === 'm2' && id === NO_MODEL)) return id;
    const slot = key === 'm1' ? 'Model 1' : 'Model 2';
    notices.push(
      `${slot}: there is no recommendation model "${id}" (it may have been deleted), so the default model is shown.`,
    );
    return undefined;
  };
  const genre = query.genre === undefined || query.genre === '' || query.genre === 'All' ? undefined : query.genre;
  if (genre !== undefined && !genres.includes(genre)) {
    throw new HttpError(400, `genre: "${genre}" is not a genre of the loaded data.`);
  }
  let base: number | undefined;
  if (query.base !== undefined && query.base !== '') {
    if (!/^\d{1,9}$/.test(query.base)) throw new HttpError(400, `base: "${query.base}" is not a movie id.`);
    base = Number(query.base);
  }
  if (query.reviews !== undefined && query.reviews !== 'show' && query.reviews !== 'hide') {
    throw new HttpError(400, `reviews: "${query.reviews}" must be show or hide.`);
  }
  const state: UserPageState = {
    mode,
    m1: pickModel('m1'),
    m2: pickModel('m2'),
    genre,
    base,
    order,
    // Shown unless the address says reviews=hide, whatever else it holds (mode, models, ...).
    reviews: query.reviews !== 'hide',
  };
  return { state, notices };
}
