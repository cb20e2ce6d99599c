/** The stylesheet and script under their content hashes, and the generated SVG posters. */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http';
import { posterSvg } from '../pages/poster';
import { CSS, CSS_PATH, JS, JS_PATH } from '../static/assets';
import type { AreaOptions } from './area';

/** Posters kept in memory at most (one small SVG each): the largest MovieLens edition fits. */
const POSTER_CACHE_SIZE = 20_000;

export async function staticRoutes(app: FastifyInstance, { queries }: AreaOptions): Promise<void> {
  const posters = new Map<number, string>();
  app.get(CSS_PATH, async (_request, reply) =>
    reply.type('text/css').header('Cache-Control', 'public, max-age=31536000, immutable').send(CSS),
  );
  app.get(JS_PATH, async (_request, reply) =>
    reply.type('text/javascript').header('Cache-Control', 'public, max-age=31536000, immutable').send(JS),
  );
  app.get<{ Params: { file: string } }>('/posters/:file', async (request, reply) => {
    const match = /^(\d{1,9})\.svg$/.exec(request.params.file);
    if (!match) throw new HttpError(404, 'Posters are named <movie id>.svg.');
    const id = Number(match[1]);
    let svg = posters.get(id);
    if (!svg) {
      const movie = await queries.movie(id);
      if (!movie) throw new HttpError(404, `There is no movie ${id}.`);
      svg = posterSvg(movie.title, movie.year, movie.genres);
      if (posters.size < POSTER_CACHE_SIZE) posters.set(id, svg);
    }
    return reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(svg);
  });
}
