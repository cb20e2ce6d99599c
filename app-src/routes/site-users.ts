/**
 * The attendee's own user (issue 18): Start as a new user, the onboarding page, and rating. Every
 * form carries the site's CSRF token (routes/site-session.ts); only the browser that started a user
 * may rate as it. A rating is written to the database first, then handed to the events queue
 * (Personalize's PutEvents, in the background): the page never waits on AWS.
 */
import type { FastifyInstance } from 'fastify';
import { MovieQueries, parseMovieSearch } from '../db/movie-queries';
import { formBody, HttpError, parseId, readQuery, sendHtml } from '../http';
import { onboardingPage } from '../pages/site-user';
import type { AreaOptions } from './area';

/** Well-known movies shown per genre on the onboarding page. */
export const ONBOARDING_PER_GENRE = 6;
/** Search results shown on the onboarding page. */
export const ONBOARDING_SEARCH_LIMIT = 24;

const GENDER = /^[A-Za-z]{1,20}$/;

export async function siteUserRoutes(app: FastifyInstance, { deps, site }: AreaOptions): Promise<void> {
  const movies = new MovieQueries(deps.database.db);

  app.post<{ Body: Record<string, unknown> }>(
    '/site-users',
    { preValidation: site.checkCsrf },
    async (request, reply) => {
      const body = formBody(request.body, ['_csrf', 'age', 'gender', 'occupation']);
      const profiles = await site.profileOptions();
      const age = body.age.trim();
      if (age !== '' && (!/^\d{1,3}$/.test(age) || Number(age) < 1 || Number(age) > 120))
        throw new HttpError(400, `age: "${age.slice(0, 20)}" is not an age from 1 to 120; leave it empty to skip it.`);
      const gender = body.gender.trim();
      if (gender !== '' && (!GENDER.test(gender) || !profiles?.genders.includes(gender)))
        throw new HttpError(
          400,
          `gender: "${gender.slice(0, 20)}" is not one of ${profiles?.genders.join(', ') || 'this edition’s (it has none)'}.`,
        );
      const occupation = body.occupation.trim();
      if (occupation !== '' && !profiles?.occupations.includes(occupation))
        throw new HttpError(400, `occupation: "${occupation.slice(0, 40)}" is not an occupation of this edition.`);
      const created = await site.users.create(site.requester(request), site.bounds, {
        ...(age !== '' ? { age: Number(age) } : {}),
        ...(gender !== '' ? { gender } : {}),
        ...(occupation !== '' ? { occupation } : {}),
      });
      if ('full' in created) {
        throw created.full === 'browser'
          ? new HttpError(
              429,
              `You have started ${created.limit} users in this browser already, as many as the site allows per visitor. Go on with one of them, or ask the workshop host to delete some in the admin page.`,
            )
          : created.full === 'client'
            ? new HttpError(
                429,
                `${created.limit} users have been started from your network's address already, as many as the site allows per address. Ask the workshop host to delete some in the admin page.`,
              )
            : new HttpError(
                409,
                `The site holds ${created.limit} users created by attendees, as many as it allows. Ask the workshop host to delete some in the admin page.`,
              );
      }
      site.remember(reply, created.id, created.secret);
      return reply.redirect(`/recommend/${created.id}/rate`, 303);
    },
  );

  app.get<{ Params: { userId: string } }>('/recommend/:userId/rate', async (request, reply) => {
    const userId = parseId(request.params.userId, 'user');
    const q = (readQuery(request, ['q']).q ?? '').trim();
    await site.requireOwn(request, userId);
    const token = site.formToken(request, reply);
    const search = q === '' ? undefined : parseMovieSearch(q);
    const [ratings, genres, found] = await Promise.all([
      site.users.ratings(userId),
      site.users.wellKnownByGenre(userId, ONBOARDING_PER_GENRE + site.skips(userId).size),
      search ? movies.search(search, ONBOARDING_SEARCH_LIMIT) : Promise.resolve(undefined),
    ]);
    const skipped = site.skips(userId);
    return sendHtml(
      reply,
      onboardingPage({
        userId,
        token,
        q,
        ratedCount: ratings.length,
        ratings: new Map(ratings.map((r) => [r.movieId, r.rating])),
        ...(q !== '' ? { results: found?.results.map((r) => r.movie) ?? [], resultsTotal: found?.total ?? 0 } : {}),
        genres: genres
          .map(({ genre, movies: list }) => ({
            genre,
            movies: list.filter((m) => !skipped.has(m.id)).slice(0, ONBOARDING_PER_GENRE),
          }))
          .filter((g) => g.movies.length > 0),
      }),
    );
  });

  app.post<{ Params: { userId: string }; Body: Record<string, unknown> }>(
    '/recommend/:userId/ratings',
    { preValidation: site.checkCsrf },
    async (request, reply) => {
      const userId = parseId(request.params.userId, 'user');
      const body = formBody(request.body, ['_csrf', 'movie', 'stars', 'back']);
      await site.requireOwn(request, userId);
      if (!/^\d{1,9}$/.test(body.movie) || Number(body.movie) === 0)
        throw new HttpError(400, `movie: "${body.movie.slice(0, 40)}" is not a movie id.`);
      const movieId = Number(body.movie);
      const back = safeBack(body.back, userId);
      if (body.stars === 'skip') {
        site.skip(userId, movieId);
        return reply.redirect(back, 303);
      }
      if (!/^[1-5]$/.test(body.stars))
        throw new HttpError(400, `stars: "${body.stars.slice(0, 20)}" is not a rating; give 1 to 5 stars.`);
      const stars = Number(body.stars);
      const movie = await deps.database.db
        .selectFrom('movies')
        .select('id')
        .where('id', '=', movieId)
        .executeTakeFirst();
      if (!movie) throw new HttpError(404, `There is no movie ${movieId}.`);
      const now = Date.now();
      // The database first: the rating is kept whatever happens to its event.
      if (!(await site.users.rate(userId, movieId, stars, now, site.bounds.maxRatings))) {
        throw new HttpError(
          409,
          `User ${userId} has given ${site.bounds.maxRatings} ratings, as many as a user may here; rate again a movie you rated to change its stars.`,
        );
      }
      // Queued, never awaited: the page answers whatever PutEvents does.
      void deps.events
        ?.record({ userId, movieId, stars, sentAt: new Date(now) })
        .catch((error: unknown) => request.log.warn({ err: error }, 'the rating event could not be queued'));
      return reply.redirect(back, 303);
    },
  );
}

/**
 * Where a rating form goes back to: one of this user's pages, as the form said; anything else (an
 * address of another site, another user's page) is the user page.
 */
export function safeBack(back: string, userId: number): string {
  const prefix = `/recommend/${userId}/`;
  return back.startsWith(prefix) && back.length <= 1000 && !/[\\\s]|\/\/|\/\.\.?\//.test(back.slice(1)) ? back : prefix;
}
