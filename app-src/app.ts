/**
 * buildApp(deps): the Fastify app, with no listen (tests inject requests; server.ts listens).
 * Every bad input ends in a 4xx page that names what was wrong; nothing a request holds can make
 * a 500 or show a stack trace; everything user- or data-supplied is escaped by `html`.
 */
import Fastify, { FastifyInstance, FastifyReply } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import { STATUS_CODES } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { DatabaseHandle } from './db/connect';
import { Queries } from './db/queries';
import { HttpError } from './http';
import { errorPage } from './pages/layout';
import type { CampaignRecipePort } from './recommenders/arn';
import type { ModelCatalog } from './recommenders/catalog';
import type { Recommender } from './recommenders/port';
import type { RatingEvents } from './recommenders/events';
import { adminRoutes } from './routes/admin';
import type { AreaOptions } from './routes/area';
import { healthRoutes } from './routes/health';
import { movieRoutes } from './routes/movies';
import { recommendRoutes } from './routes/recommend';
import { SiteSession } from './routes/site-session';
import { siteUserRoutes } from './routes/site-users';
import { staticRoutes } from './routes/static';

export { HttpError } from './http';

export interface AppDeps {
  readonly database: DatabaseHandle;
  readonly catalog: ModelCatalog;
  readonly recommender: Recommender;
  /** How the offline metrics were computed, for the in-app guide. */
  readonly evaluationProtocol: string;
  readonly admin: {
    /** scrypt hash of the admin password (auth.ts). */
    readonly passwordHash: string;
    /** Signs the session and CSRF cookies: at least 32 characters. */
    readonly sessionSecret: string;
    /** Checks a campaign's recipe when AWS is reachable; absent locally. */
    readonly campaigns?: CampaignRecipePort;
    /** Set the cookies' Secure flag (also set by `https`). */
    readonly secureCookies?: boolean;
    /**
     * Which admin password this is, for the sessions (auth.ts passwordTag): a new password ends the
     * sessions opened with another. Default: a tag of `passwordHash`.
     */
    readonly passwordTag?: string;
    /** Login attempts allowed per client per minute. */
    readonly loginAttemptsPerMinute?: number;
  };
  /** Bounds of the users attendees create (issue 18); defaults in routes/site-session.ts. */
  readonly siteUsers?: {
    readonly perBrowser?: number;
    readonly perClient?: number;
    readonly total?: number;
    readonly maxRatings?: number;
  };
  /**
   * Where each rating a site user gives is sent (Personalize's PutEvents, recommenders/events.ts);
   * absent: nowhere, and the Personalize rows say so.
   */
  readonly events?: RatingEvents;
  readonly logger?: boolean | object;
  /** Where the request log and server errors go, one line each (server.ts: stdout). */
  readonly requestLog?: (line: string) => void;
  /** Served over HTTPS (behind the load balancer's HTTPS listener): Secure cookies and HSTS. */
  readonly https?: boolean;
  /**
   * Behind a load balancer: how many proxies to trust (the instance: 1, the load balancer). The
   * client's address is then the one the last of them appended to X-Forwarded-For; the addresses
   * before it are whatever the client sent, and the login rate limit must not key on them.
   */
  readonly trustProxy?: number;
}

const ROUTES = new WeakMap<FastifyInstance, readonly { method: string; url: string }[]>();

/** The routes an app built by buildApp serves (HEAD aside), in the order they were added. */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return ROUTES.get(app) ?? [];
}

const MAX_URL_LENGTH = 2048;
const BODY_LIMIT = 16 * 1024;

/**
 * Sent with every answer, error pages included. The pages load their one stylesheet and script from
 * this site and carry no inline script or style; posters are images from this site; the favicon is
 * a data: URL. Forms post only here; no site may frame these pages.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
/** Behind HTTPS only: browsers then refuse plain HTTP to this host for a year. */
export const HSTS = 'max-age=31536000';

/** What Fastify's own refusals mean, in words (its messages echo the address or the header). */
function frameworkMessage(code: string | undefined): string | undefined {
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return 'The address holds a malformed percent-encoding (a % must be followed by two hexadecimal digits).';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'This site accepts forms only (application/x-www-form-urlencoded); other request bodies are refused.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `The form is larger than ${BODY_LIMIT / 1024} KiB.`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The request body does not match its Content-Length.';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'A part of the address is too long.';
    default:
      return undefined;
  }
}
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 20_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  if (deps.admin.sessionSecret.length < 32) throw new Error('admin.sessionSecret must be at least 32 characters');
  const app = Fastify({
    logger: deps.logger ?? false,
    // Trust the first `trustProxy` hops, whatever their address: the instances' security group lets
    // only the load balancer in. (Fastify 5.12 takes a bare hop count as "trust nothing", so a function.)
    trustProxy: deps.trustProxy ? (_address: string, hop: number) => hop < deps.trustProxy! : false,
    // Repeated keys become arrays; readQuery refuses them by name.
    routerOptions: { querystringParser: (text: string) => parseQueryString(text, '&', '=', { maxKeys: 50 }) },
    bodyLimit: BODY_LIMIT,
    // Node's and Fastify's defaults let one client hold a connection for ever (requestTimeout 0).
    // A whole request (headers and body) within 30 s; an idle socket closed after 2 minutes; an idle
    // keep-alive connection kept 72 s, longer than the load balancer's 60 s idle timeout, so the
    // balancer, not the app, closes it (the app closing first makes the balancer answer 502).
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: 120_000,
    keepAliveTimeout: 72_000,
    // Errors Fastify meets before any route (a malformed percent-encoding): the app's error page.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      void securityHeaders(reply)
        .code(status)
        .type('text/html; charset=utf-8')
        .send(errorPage(status, frameworkMessage(error.code) ?? 'The request could not be read.'));
      deps.requestLog?.(`${request.ip} ${request.method} ${loggedUrl(request.url)} ${status} 0 ms`);
    },
    // Errors Node's HTTP parser meets before Fastify (a header too large, a request too slow):
    // Fastify's default answers JSON; this is the same error page with the same headers.
    clientErrorHandler: (error, socket) => {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const code = (error as NodeJS.ErrnoException).code;
      const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const message =
        status === 408
          ? 'The request did not arrive in time.'
          : status === 431
            ? 'The request headers are too large.'
            : 'The request is not valid HTTP.';
      const body = errorPage(status, message);
      if (socket.writable) {
        const headers = Object.entries({
          ...SECURITY_HEADERS,
          ...(deps.https ? { 'Strict-Transport-Security': HSTS } : {}),
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Length': String(Buffer.byteLength(body)),
          'Cache-Control': 'no-store',
          Connection: 'close',
        })
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
        socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n${body}`);
      }
      socket.destroy(error);
    },
  });
  // Every route, as registered (the fuzz test walks them all: test/app/fuzz.test.ts).
  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  // The headers alone within 20 s (Node's default is 60 s; it must not exceed requestTimeout).
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  const queries = new Queries(deps.database.db);

  await app.register(fastifyCookie, { secret: deps.admin.sessionSecret });
  // Forms only: Fastify's own JSON and text parsers would accept bodies no route reads, and answer
  // their errors in JSON. Anything but a form is now a 415 page.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody);
  // The login rate limit counts per instance, in memory: the load balancer spreads a client's
  // attempts over the instances, so with n instances a client gets at most n times the limit, and
  // every password check is bounded per process anyway (PASSWORD_CHECKS). A shared store (the
  // database) would cost a write per attempt for a workshop site's one or two instances.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, `Too many attempts: try again in ${Math.ceil(context.ttl / 1000)} seconds.`),
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status =
      error instanceof HttpError || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
        ? error.statusCode!
        : 500;
    if (status >= 500 && !(error instanceof HttpError)) {
      request.log.error(error);
      deps.requestLog?.(`error ${request.method} ${loggedUrl(request.url)}: ${error.stack ?? String(error)}`);
    }
    const message =
      status >= 500 && !(error instanceof HttpError)
        ? 'The server could not answer this request. The details are in the server log.'
        : error instanceof HttpError
          ? error.message
          : (frameworkMessage(error.code) ?? `The request could not be read (${error.code ?? 'no code'}).`);
    void reply.code(status).type('text/html; charset=utf-8').send(errorPage(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(errorPage(404, `There is no page at ${request.url.slice(0, 200)}.`));
  });
  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_LENGTH)
      throw new HttpError(414, `The address is longer than ${MAX_URL_LENGTH} characters.`);
  });
  // The request log: one line per answered request, as a web server's access log.
  const requestLog = deps.requestLog;
  if (requestLog) {
    app.addHook('onResponse', async (request, reply) => {
      // The load balancer asks every 15 s: only a failed health check is news.
      if (request.url === '/healthz' && reply.statusCode === 200) return;
      requestLog(
        `${request.ip} ${request.method} ${loggedUrl(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`,
      );
    });
  }
  const securityHeaders = (reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    if (deps.https) reply.header('Strict-Transport-Security', HSTS);
    return reply;
  };
  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });

  // The route areas, each an encapsulated plugin: they inherit the hooks and handlers above.
  const areas: AreaOptions = { deps, queries, site: new SiteSession(deps) };
  await app.register(healthRoutes, areas);
  await app.register(staticRoutes, areas);
  await app.register(recommendRoutes, areas);
  await app.register(movieRoutes, areas);
  await app.register(siteUserRoutes, areas);
  await app.register(adminRoutes, areas);

  return app;
}

/**
 * A request's address for the log: the path, and of the query only its parameter names (values can
 * be anything a visitor typed), anything unprintable escaped so that one request is one line, and
 * at most 300 characters.
 */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  const pathPart = at === -1 ? url : url.slice(0, at);
  const names =
    at === -1
      ? ''
      : '?' +
        url
          .slice(at + 1)
          .split('&')
          .map((pair) => `${pair.split('=')[0]}=…`)
          .join('&');
  const text = (pathPart + names).replace(/[^\x21-\x7e…]/g, (c) => encodeURIComponent(c));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
