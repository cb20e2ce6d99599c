/**
 * Find things (issue 16 point 11): the movie search, the movie page, and "Go to user #", which
 * takes a user number from a form to that user's page.
 */
import type { FastifyInstance } from 'fastify';
import { MovieQueries, parseMovieSearch } from '../db/movie-queries';
import type { Movie } from '../db/queries';
import { HttpError, parseId, readQuery, sendHtml } from '../http';
import { moviePage, searchPage } from '../pages/movie';
import { ROW_LENGTH, type MovieRow } from '../pages/user';
import { modelsOfType } from '../recommenders/catalog';
import type { AreaOptions } from './area';

/** Search results shown at most (the page says how many matched in all). */
export const SEARCH_LIMIT = 50;
/** Users listed under "Rated highest by". */
export const TOP_RATERS = 10;
/** What Go to user # carries on to the user page: the page's state, as its own links do. */
const USER_STATE = ['mode', 'm1', 'm2', 'genre', 'base', 'order', 'reviews'] as const;

export async function movieRoutes(app: FastifyInstance, { deps, queries, site }: AreaOptions): Promise<void> {
  const movies = new MovieQueries(deps.database.db);

  app.get('/movies', async (request, reply) => {
    const { q } = readQuery(request, ['q']);
    return reply.redirect(`/movies/${q ? `?${new URLSearchParams({ q })}` : ''}`);
  });

  app.get('/movies/', async (request, reply) => {
    const q = (readQuery(request, ['q']).q ?? '').trim();
    if (q === '') return sendHtml(reply, searchPage({ q, total: 0, results: [] }));
    const search = parseMovieSearch(q);
    const found = search ? await movies.search(search, SEARCH_LIMIT) : { total: 0, results: [] };
    return sendHtml(reply, searchPage({ q, ...found }));
  });

  app.get<{ Params: { movieId: string } }>('/movies/:movieId', async (request, reply) => {
    const movieId = parseId(request.params.movieId, 'movie');
    readQuery(request, []);
    const movie = await queries.movie(movieId);
    if (!movie) throw new HttpError(404, `There is no movie ${movieId}.`);
    const [view, ratingCounts, topRaters] = await Promise.all([
      deps.catalog.view(),
      movies.ratingCounts(movieId),
      movies.topRaters(movieId, TOP_RATERS),
    ]);
    // Every similar-items model at once; one that fails says why in its row, the page still shows.
    const sims = modelsOfType(view.models, 'sims');
    const answers = await Promise.all(
      sims.map((model) =>
        deps.recommender.similar(model, movieId, ROW_LENGTH).then(
          (ids) => ({ ids, unavailable: undefined }),
          (error: unknown) => ({ ids: [], unavailable: (error as Error)?.message || String(error) }),
        ),
      ),
    );
    const byId = new Map<number, Movie>(
      (await queries.moviesInOrder([...new Set(answers.flatMap((a) => a.ids))])).map((m) => [m.id, m]),
    );
    const similarRows: MovieRow[] = sims.map((model, i) => {
      const { ids, unavailable } = answers[i];
      const row = { id: `similar-${i + 1}`, heading: `Similar Items: ${model.name}` };
      return unavailable !== undefined
        ? { ...row, unavailable }
        : { ...row, movies: ids.flatMap((id) => byId.get(id) ?? []) };
    });
    return sendHtml(reply, moviePage({ movie, ratingCounts, similarRows, topRaters }));
  });

  app.get('/recommend/go', async (request, reply) => {
    const query = readQuery(request, ['user', ...USER_STATE]);
    const text = (query.user ?? '').trim().replace(/^#\s*/, '');
    if (text === '') throw new HttpError(400, 'user: give a user number, such as 1.');
    if (!/^\d{1,9}$/.test(text) || Number(text) === 0) {
      throw new HttpError(400, `user: "${text.slice(0, 40)}" is not a user number: users are numbered from 1.`);
    }
    const userId = Number(text);
    // A MovieLens user, or one an attendee created on the site (issue 18).
    if (!(await queries.user(userId)) && !(await site.users.user(userId)))
      throw new HttpError(404, `There is no user ${userId}.`);
    const state = new URLSearchParams();
    for (const key of USER_STATE) {
      const value = query[key];
      if (value !== undefined && value !== '') state.set(key, value);
    }
    return reply.redirect(`/recommend/${userId}/${state.size ? `?${state}` : ''}`);
  });
}
