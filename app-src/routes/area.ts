/** What buildApp hands every route area (an encapsulated Fastify plugin) as its options. */
import type { AppDeps } from '../app';
import type { Queries } from '../db/queries';

export interface AreaOptions {
  readonly deps: AppDeps;
  /** One per app: the areas share its prepared queries. */
  readonly queries: Queries;
}
