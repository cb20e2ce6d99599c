/** What buildApp hands every route area (an encapsulated Fastify plugin) as its options. */
import type { AppDeps } from '../app';
import type { Queries } from '../db/queries';
import type { SiteSession } from './site-session';

export interface AreaOptions {
  readonly deps: AppDeps;
  /** One per app: the areas share its prepared queries. */
  readonly queries: Queries;
  /** The attendee's own user (issue 18): cookie, CSRF of the site's forms, the site users' table. */
  readonly site: SiteSession;
}
