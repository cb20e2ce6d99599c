/** `/` (to the front page) and `/healthz`, which the load balancer asks every 15 s. */
import type { FastifyInstance } from 'fastify';
import { ping } from '../db/connect';
import type { AreaOptions } from './area';

export async function healthRoutes(app: FastifyInstance, { deps }: AreaOptions): Promise<void> {
  app.get('/', async (_request, reply) => reply.redirect('/recommend/'));
  app.get('/healthz', async (request, reply) => {
    try {
      await ping(deps.database);
      return reply.type('text/plain').send('ok');
    } catch (error) {
      // The reason goes to the log, not to whoever asks: it can name hosts, users and versions.
      request.log.error({ err: error }, 'health check: the database does not answer');
      deps.requestLog?.(`health check: the database does not answer: ${(error as Error).message}`);
      return reply.code(503).type('text/plain').send('database unavailable');
    }
  });
}
