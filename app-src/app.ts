/**
 * buildApp(deps): the Fastify app, with no listen (tests inject requests; server.ts listens).
 * Every bad input ends in a 4xx page that names what was wrong; nothing a request holds can make
 * a 500 or show a stack trace; everything user- or data-supplied is escaped by `html`.
 */
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import { STATUS_CODES } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { AdminModelInput, AdminModels, DuplicateCampaignError } from './db/admin-models';
import { AdminSession, AdminSessions, randomToken } from './db/admin-sessions';
import { DatabaseHandle, ping } from './db/connect';
import { Movie, Queries } from './db/queries';
import {
  BusyError,
  PASSWORD_CHECKS,
  CSRF_COOKIE,
  csrfToken,
  csrfTokenValid,
  passwordTag,
  SESSION_COOKIE,
  SESSION_HOURS,
  verifyPassword,
} from './auth';
import { adminPage, editPage, EMPTY_FORM, loginPage, ModelForm } from './pages/admin';
import { frontPage } from './pages/front';
import { errorPage } from './pages/layout';
import { posterSvg } from './pages/poster';
import { MODES, Mode, MovieRow, ORDERINGS, Ordering, ROW_LENGTH, UserPageState, userPage, userUrl } from './pages/user';
import { checkCampaignType, CampaignRecipePort, parseCampaignArn } from './recommenders/arn';
import { ModelCatalog, modelsOfType } from './recommenders/catalog';
import { MODEL_TYPES, Model, ModelType, Recommender } from './recommenders/port';
import { CSS, CSS_PATH, JS, JS_PATH } from './static/assets';

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

/** A request the app refuses, with a message for the page. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const MAX_URL_LENGTH = 2048;
const CSRF_MESSAGE =
  'The form has expired or did not come from this site (its CSRF token is missing or wrong). Reload the page and try again.';
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
const MAX_PARAM_LENGTH = 200;
const USER_QUERY = ['mode', 'm1', 'm2', 'genre', 'base', 'order', 'reviews'] as const;

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
  const adminModels = new AdminModels(deps.database.db);
  const posters = new Map<number, string>();

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

  const sendHtml = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);

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
      if (posters.size < 20_000) posters.set(id, svg);
    }
    return reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(svg);
  });

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
        ...(byPopularity
          ? { movies: [...row.movies!].sort((a, b) => b.positiveCount - a.positiveCount || a.id - b.id) }
          : {}),
      };
    });
  }

  // ---- admin ----

  // Sessions live in the database (db/admin-sessions.ts): every instance knows them, logout and a
  // new admin password end them. The cookie holds a random token, signed besides.
  const secureCookies = deps.https ?? deps.admin.secureCookies ?? false;
  const cookieOptions = (maxAgeSeconds?: number) => ({
    path: '/admin',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: secureCookies,
    signed: true,
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  });
  const adminSessions = new AdminSessions(
    deps.database.db,
    deps.admin.passwordTag ?? passwordTag(deps.admin.sessionSecret, deps.admin.passwordHash),
    SESSION_HOURS * 3600_000,
  );
  const sessionOf = new WeakMap<FastifyRequest, { token: string; session: AdminSession }>();
  const signedCookie = (request: FastifyRequest, name: string): string | undefined => {
    const raw = request.cookies[name];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value && /^[A-Za-z0-9_-]{43}$/.test(unsigned.value) ? unsigned.value : undefined;
  };
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/admin')) return;
    const token = signedCookie(request, SESSION_COOKIE);
    const session = token === undefined ? undefined : await adminSessions.find(token);
    if (token !== undefined && session) sessionOf.set(request, { token, session });
  });
  const loggedIn = (request: FastifyRequest) => sessionOf.has(request);
  const requireAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!loggedIn(request)) return reply.redirect('/admin/', 303);
  };

  // CSRF: a form's token is an HMAC of a secret: the session's own once logged in (a token of
  // another session never fits), before that a random secret in a signed cookie, which login and
  // logout replace.
  const anonymousSecrets = new WeakMap<FastifyRequest, string>();
  const anonymousSecret = (request: FastifyRequest, reply?: FastifyReply): string | undefined => {
    const known = anonymousSecrets.get(request) ?? signedCookie(request, CSRF_COOKIE);
    if (known || !reply) return known;
    const fresh = randomToken();
    anonymousSecrets.set(request, fresh);
    void reply.setCookie(CSRF_COOKIE, fresh, cookieOptions());
    return fresh;
  };
  const formToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const current = sessionOf.get(request);
    return current
      ? csrfToken(deps.admin.sessionSecret, 'session', current.session.csrfSecret)
      : csrfToken(deps.admin.sessionSecret, 'login', anonymousSecret(request, reply)!);
  };
  const csrf = async (request: FastifyRequest) => {
    const token = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    const current = request.url === '/admin/login' ? undefined : sessionOf.get(request);
    const secret = current ? current.session.csrfSecret : anonymousSecret(request);
    const purpose = current ? 'session' : 'login';
    if (typeof token !== 'string' || !secret || !csrfTokenValid(deps.admin.sessionSecret, purpose, secret, token))
      throw new HttpError(403, CSRF_MESSAGE);
  };

  const adminView = async (reply: FastifyReply, form: ModelForm, errors: string[], notice?: string, status = 200) => {
    const [list, view] = await Promise.all([adminModels.list(), deps.catalog.view()]);
    return sendHtml(
      reply,
      adminPage({
        csrfToken: formToken(reply.request, reply),
        adminModels: list,
        allModels: view.models,
        form,
        errors,
        notice,
      }),
      status,
    );
  };

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/'));
  app.get('/admin/', async (request, reply) => {
    readQuery(request, ['notice']);
    if (!loggedIn(request)) return sendHtml(reply, loginPage(formToken(request, reply)));
    const notice = (request.query as { notice?: string }).notice;
    return adminView(reply, EMPTY_FORM, [], notice === undefined ? undefined : NOTICES.get(notice));
  });
  app.post<{ Body: Record<string, unknown> }>(
    '/admin/login',
    {
      preValidation: csrf,
      config: { rateLimit: { max: deps.admin.loginAttemptsPerMinute ?? 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const body = formBody(request.body, ['_csrf', 'username', 'password']);
      let ok = false;
      if (body.username === 'admin' && body.password.length <= 1024) {
        try {
          ok = await PASSWORD_CHECKS.run(() => verifyPassword(body.password, deps.admin.passwordHash));
        } catch (error) {
          if (!(error instanceof BusyError)) throw error;
          void reply.header('Retry-After', '5');
          throw new HttpError(503, 'The server is busy checking other log-ins. Try again in a few seconds.');
        }
      }
      if (!ok) return sendHtml(reply, loginPage(formToken(request, reply), 'Wrong user name or password.'), 401);
      // A new session, with its own CSRF secret; the login form's secret is dropped.
      const previous = sessionOf.get(request);
      if (previous) await adminSessions.close(previous.token);
      const { token } = await adminSessions.open();
      void reply.setCookie(SESSION_COOKIE, token, cookieOptions(SESSION_HOURS * 3600));
      void reply.clearCookie(CSRF_COOKIE, cookieOptions());
      return reply.redirect('/admin/', 303);
    },
  );
  app.post('/admin/logout', { preValidation: csrf }, async (request, reply) => {
    const current = sessionOf.get(request);
    if (current) await adminSessions.close(current.token);
    void reply.clearCookie(SESSION_COOKIE, cookieOptions());
    void reply.clearCookie(CSRF_COOKIE, cookieOptions());
    return reply.redirect('/admin/', 303);
  });
  app.post<{ Body: Record<string, unknown> }>(
    '/admin/models',
    { preValidation: csrf, preHandler: requireAdmin },
    async (request, reply) => {
      const form = modelFormOf(request.body);
      const checked = await checkModelForm(form, deps.admin.campaigns);
      if ('errors' in checked) return adminView(reply, form, checked.errors, undefined, 400);
      try {
        await adminModels.add(checked.input);
        deps.catalog.invalidate();
      } catch (error) {
        if (error instanceof DuplicateCampaignError) return adminView(reply, form, [error.message], undefined, 409);
        throw error;
      }
      return reply.redirect(`/admin/?notice=added`, 303);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/admin/models/:id/edit',
    { preHandler: requireAdmin },
    async (request, reply) => {
      readQuery(request, []);
      const id = parseId(request.params.id, 'model');
      const model = await adminModels.get(id);
      if (!model) throw new HttpError(404, `There is no model ${id}.`);
      const form = {
        name: model.name,
        campaignArn: model.campaignArn,
        type: model.type,
        sortOrder: String(model.sortOrder),
      };
      return sendHtml(reply, editPage(id, formToken(request, reply), form, []));
    },
  );
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/models/:id',
    { preValidation: csrf, preHandler: requireAdmin },
    async (request, reply) => {
      const id = parseId(request.params.id, 'model');
      const form = modelFormOf(request.body);
      const checked = await checkModelForm(form, deps.admin.campaigns);
      if ('errors' in checked)
        return sendHtml(reply, editPage(id, formToken(request, reply), form, checked.errors), 400);
      try {
        if (!(await adminModels.update(id, checked.input))) throw new HttpError(404, `There is no model ${id}.`);
        deps.catalog.invalidate();
      } catch (error) {
        if (error instanceof DuplicateCampaignError) {
          return sendHtml(reply, editPage(id, formToken(request, reply), form, [error.message]), 409);
        }
        throw error;
      }
      return reply.redirect(`/admin/?notice=saved`, 303);
    },
  );
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/models/:id/delete',
    { preValidation: csrf, preHandler: requireAdmin },
    async (request, reply) => {
      const id = parseId(request.params.id, 'model');
      formBody(request.body, ['_csrf']);
      if (!(await adminModels.remove(id))) throw new HttpError(404, `There is no model ${id}.`);
      deps.catalog.invalidate();
      return reply.redirect(`/admin/?notice=deleted`, 303);
    },
  );

  return app;
}

/** A Map, not an object: `?notice=constructor` must not find Object.prototype.constructor. */
const NOTICES: ReadonlyMap<string, string> = new Map([
  ['added', 'The model was added.'],
  ['saved', 'The model was saved.'],
  ['deleted', 'The model was deleted.'],
]);

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

/** A positive whole number in a path, or a 404 that says what an id looks like. */
function parseId(text: string, what: 'user' | 'model'): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) {
    throw new HttpError(404, `"${text.slice(0, 40)}" is not a ${what} id: ${what} ids are whole numbers from 1.`);
  }
  return Number(text);
}

/** The query string's single values; a repeated, oversized or unknown-valued key is a 400. */
function readQuery(request: FastifyRequest, allowed: readonly string[]): Record<string, string | undefined> {
  const query = (request.query ?? {}) as Record<string, string | string[]>;
  const values: Record<string, string | undefined> = {};
  for (const key of allowed) {
    const value = query[key];
    if (Array.isArray(value))
      throw new HttpError(400, `The query parameter "${key}" is given ${value.length} times; give it once.`);
    if (value !== undefined && value.length > MAX_PARAM_LENGTH) {
      throw new HttpError(400, `The query parameter "${key}" is longer than ${MAX_PARAM_LENGTH} characters.`);
    }
    if (value !== undefined && CONTROL_CHARACTERS.test(value))
      throw new HttpError(400, `The query parameter "${key}" holds control characters; they are not allowed.`);
    values[key] = value;
  }
  return values;
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
  const order = (query.order ?? 'popular') as Ordering;
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

/** The form's fields as single strings; anything else in the body is refused. */
function formBody<K extends string>(body: unknown, fields: readonly K[]): Record<K, string> {
  if (typeof body !== 'object' || body === null) throw new HttpError(400, 'The form is empty.');
  const values = {} as Record<K, string>;
  for (const field of fields) {
    const value = (body as Record<string, unknown>)[field];
    if (Array.isArray(value)) throw new HttpError(400, `The form field "${field}" is given more than once.`);
    if (value !== undefined && typeof value !== 'string')
      throw new HttpError(400, `The form field "${field}" is not text.`);
    // A password is hashed, never stored or shown: it may hold whatever the admin chose.
    if (field !== 'password' && typeof value === 'string' && CONTROL_CHARACTERS.test(value))
      throw new HttpError(400, `The form field "${field}" holds control characters; they are not allowed.`);
    values[field] = (value ?? '') as string;
  }
  return values;
}

/**
 * C0 and C1 control characters and DEL: PostgreSQL's text type refuses a NUL (a 500 before this
 * check), and none of the others belong in a name, an ARN, a number or a query parameter.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The admin's model form from a request body (the CSRF token aside). */
function modelFormOf(body: unknown): ModelForm {
  const { name, campaignArn, type, sortOrder } = formBody(body, ['_csrf', 'name', 'campaignArn', 'type', 'sortOrder']);
  return { name, campaignArn, type, sortOrder };
}

/** The model form, checked: every problem at once, and the campaign's recipe when AWS answers. */
async function checkModelForm(
  form: ModelForm,
  campaigns: CampaignRecipePort | undefined,
): Promise<{ input: AdminModelInput } | { errors: string[] }> {
  const errors: string[] = [];
  const name = form.name.trim();
  if (name === '') errors.push('Name: enter a name.');
  if (name.length > 100) errors.push('Name: at most 100 characters.');
  const arn = parseCampaignArn(form.campaignArn);
  if (!arn.ok) errors.push(`Campaign ARN: ${arn.message}`);
  const type = form.type as ModelType;
  if (!MODEL_TYPES.includes(type)) errors.push(`Type: "${form.type}" is not one of ${MODEL_TYPES.join(', ')}.`);
  const sortText = form.sortOrder.trim() === '' ? '0' : form.sortOrder.trim();
  const sortOrder = Number(sortText);
  if (!/^-?\d{1,6}$/.test(sortText))
    errors.push(`Sort order: "${form.sortOrder}" is not a whole number (-999999 to 999999).`);
  if (errors.length === 0 && arn.ok && campaigns) {
    const check = await checkCampaignType(arn.value.arn, type, campaigns);
    if (check.status === 'mismatch' || check.status === 'not-found') errors.push(`Campaign ARN: ${check.message}`);
  }
  if (errors.length || !arn.ok) return { errors };
  return { input: { name, campaignArn: arn.value.arn, type, sortOrder } };
}
