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
  ORDERINGS,
  Ordering,
  ROW_LENGTH,
  UserPageState,
  userPage,
  userUrl,
} from '../pages/user';
import { modelsOfType } from '../recommenders/catalog';
import type { Model, ModelType } from '../recommenders/port';
import type { AreaOptions } from './area';

const USER_QUERY = ['mode', 'm1', 'm2', 'genre', 'base', 'order', 'reviews'] as const;

export async function recommendRoutes(app: FastifyInstance, { deps, queries }: AreaOptions): Promise<void> {
  app.get('/recommend', async (_request, reply) => reply.redirect('/recommend/'));
  app.get('/recommend/', async (request, reply) => {
    readQuery(request, []);
    const [view, summary] = await Promise.all([deps.catalog.view(), queries.dataSummary()]);
    return sendHtml(
      reply,
      frontPage({
        models: view.models,
        summary,
        pipeline: view.pipeline,
        problems: view.problems,
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
    const query = readQuery(request, USER_QUERY);
    const user = await queries.user(userId);
    if (!user) throw new HttpError(404, `There is no user ${userId}.`);
    const [view, genres] = await Promise.all([deps.catalog.view(), queries.genres()]);
    const models = {
      recommend: modelsOfType(view.models, 'recommend'),
      ranking: modelsOfType(view.models, 'ranking'),
      sims: modelsOfType(view.models, 'sims'),
    };
    const state = parseUserState(query, models, genres);
    const [neighbours, ratingCounts, reviews] = await Promise.all([
      queries.neighbourUsers(userId),
      queries.ratingCounts(userId),
      queries.topReviews(userId, ROW_LENGTH),
    ]);
    let baseMovie: Movie | undefined;
    if (state.mode === 'similar') {
      baseMovie = state.base !== undefined ? await queries.movie(state.base) : reviews[0]?.movie;
      if (state.base !== undefined && !baseMovie) throw new HttpError(400, `base: there is no movie ${state.base}.`);
    }
    const rows = await modelRows(state, userId, models, baseMovie);
    return sendHtml(
      reply,
      userPage({ user, state, neighbours, ratingCounts, models, genres, reviews, baseMovie, rows }),
    );
  });

  /** The rows of the chosen mode; model calls run concurrently, each failure stays in its row. */
  async function modelRows(
    state: UserPageState,
    userId: number,
    models: Record<ModelType, Model[]>,
    baseMovie: Movie | undefined,
  ): Promise<MovieRow[]> {
    if (state.mode === 'recommend') {
      // Both models are asked at once; their movies are then read in one query.
      const chosen = [state.m1, state.m2].flatMap((id) => models.recommend.find((m) => m.id === id) ?? []);
      const answers = await Promise.all(
        chosen.map((model) => settle(() => deps.recommender.recommend(model, userId, ROW_LENGTH))),
      );
      const movies = byId(await queries.moviesInOrder([...new Set(answers.flatMap((a) => a.ids ?? []))]));
      return chosen.map((model, i) => toRow(`model-${i + 1}`, `Personalization: ${model.name}`, answers[i], movies));
    }
    if (state.mode === 'ranking') {
      const popular = await queries.popularMovies(state.genre, ROW_LENGTH);
      const ids = popular.map((m) => m.id);
      const movies = byId(popular);
      const answers = await Promise.all(
        models.ranking.map((model) =>
          settle(async () => (ids.length ? deps.recommender.rank(model, userId, ids) : [])),
        ),
      );
      return [
        { id: 'popular', heading: `Most popular movies in ${state.genre ?? 'All'}`, movies: popular },
        ...models.ranking.map((model, i) => toRow(`ranking-${i + 1}`, `Rankings: ${model.name}`, answers[i], movies)),
      ];
    }
    if (!baseMovie) return [];
    const link = (movie: Movie) => userUrl(userId, state, { base: movie.id });
    const ranker = models.ranking[0];
    // As for Recommendations: every model asked at once (re-ranked when asked), one movie query.
    const answers = await Promise.all(
      models.sims.map((model) =>
        settle(async () => {
          const similar = await deps.recommender.similar(model, baseMovie.id, ROW_LENGTH, userId);
          const personalize = state.order === 'personalized' && ranker && similar.length > 0;
          return personalize ? deps.recommender.rank(ranker, userId, similar) : similar;
        }),
      ),
    );
    const movies = byId(await queries.moviesInOrder([...new Set(answers.flatMap((a) => a.ids ?? []))]));
    return models.sims.map((model, i) => {
      const row = toRow(`similar-${i + 1}`, `Similar Items: ${model.name}`, answers[i], movies);
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

function byId(movies: readonly Movie[]): Map<number, Movie> {
  return new Map(movies.map((m) => [m.id, m]));
}

function toRow(
  id: string,
  heading: string,
  answer: { ids?: number[]; unavailable?: string },
  movies: ReadonlyMap<number, Movie>,
): MovieRow {
  if (answer.unavailable !== undefined) return { id, heading, unavailable: answer.unavailable };
  return { id, heading, movies: (answer.ids ?? []).flatMap((movieId) => movies.get(movieId) ?? []) };
}

function parseUserState(
  query: Record<string, string | undefined>,
  models: Record<ModelType, Model[]>,
  genres: readonly string[],
): UserPageState {
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
  const pickModel = (key: 'm1' | 'm2', fallback: Model | undefined) => {
    const id = query[key];
    if (id === undefined || id === '') return fallback?.id;
    if (!models.recommend.some((m) => m.id === id)) {
      throw new HttpError(400, `${key}: there is no recommendation model "${id}".`);
    }
    return id;
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
  return {
    mode,
    m1: pickModel('m1', models.recommend[0]),
    m2: pickModel('m2', models.recommend[1] ?? models.recommend[0]),
    genre,
    base,
    order,
    // A form without the checkbox ticked sends no `reviews`; a bare link shows them.
    reviews: query.reviews === 'show' || (query.reviews === undefined && query.mode === undefined),
  };
}
