/**
 * /admin/: log in, list, add, edit and delete the models added by hand. Sessions live in the
 * database; every form carries a CSRF token; the login is rate limited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
} from '../auth';
import { AdminModelInput, AdminModels, DuplicateCampaignError } from '../db/admin-models';
import { AdminSession, AdminSessions, randomToken } from '../db/admin-sessions';
import { formBody, HttpError, parseId, readQuery, sendHtml } from '../http';
import { adminPage, deletePage, editPage, EMPTY_FORM, loginPage, ModelForm } from '../pages/admin';
import { deleteSiteUserPage, siteUsersSection } from '../pages/site-user-admin';
import { checkCampaignType, CampaignRecipePort, parseCampaignArn } from '../recommenders/arn';
import { MODEL_TYPES, ModelType } from '../recommenders/port';
import type { AreaOptions } from './area';

const CSRF_MESSAGE =
  'The form has expired or did not come from this site (its CSRF token is missing or wrong). Reload the page and try again.';

export async function adminRoutes(app: FastifyInstance, { deps, site }: AreaOptions): Promise<void> {
  const adminModels = new AdminModels(deps.database.db);

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
  // Runs for this area's routes only (the plugin is encapsulated): the rest of the site never reads sessions.
  app.addHook('onRequest', async (request) => {
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
    const [list, view, siteUsers] = await Promise.all([adminModels.list(), deps.catalog.view(), site.users.list()]);
    return sendHtml(
      reply,
      adminPage({
        csrfToken: formToken(reply.request, reply),
        adminModels: list,
        allModels: view.models,
        form,
        errors,
        notice,
        siteUsers: siteUsersSection(siteUsers, site.bounds),
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
  /** The model a page's address names (no query allowed), or a 404 page. */
  async function modelOfPage(request: FastifyRequest<{ Params: { id: string } }>) {
    readQuery(request, []);
    const id = parseId(request.params.id, 'model');
    const model = await adminModels.get(id);
    if (!model) throw new HttpError(404, `There is no model ${id}.`);
    return { id, model };
  }
  app.get<{ Params: { id: string } }>(
    '/admin/models/:id/edit',
    { preHandler: requireAdmin },
    async (request, reply) => {
      const { id, model } = await modelOfPage(request);
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
  // Delete in two steps: this page asks, its form deletes (no script: the CSP allows none inline).
  app.get<{ Params: { id: string } }>(
    '/admin/models/:id/delete',
    { preHandler: requireAdmin },
    async (request, reply) => {
      const { id, model } = await modelOfPage(request);
      return sendHtml(reply, deletePage(id, formToken(request, reply), model.name, model.campaignArn));
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
  siteUserAdminRoutes(app, { deps, site }, { csrf, requireAdmin, formToken });
}

/**
 * The routes of the users attendees created (issue 18): delete in two steps, as a model. Their
 * ratings go with them (site_ratings), and their events not yet sent (recommenders/events.ts).
 */
function siteUserAdminRoutes(
  app: FastifyInstance,
  { deps, site }: Pick<AreaOptions, 'deps' | 'site'>,
  guards: {
    readonly csrf: (request: FastifyRequest) => Promise<void>;
    readonly requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
    readonly formToken: (request: FastifyRequest, reply: FastifyReply) => string;
  },
): void {
  app.get<{ Params: { id: string } }>(
    '/admin/site-users/:id/delete',
    { preHandler: guards.requireAdmin },
    async (request, reply) => {
      readQuery(request, []);
      const id = parseId(request.params.id, 'user');
      const user = (await site.users.list()).find((u) => u.id === id);
      if (!user) throw new HttpError(404, `There is no user ${id} created on the site.`);
      return sendHtml(reply, deleteSiteUserPage(user, guards.formToken(request, reply)));
    },
  );
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/site-users/:id/delete',
    { preValidation: guards.csrf, preHandler: guards.requireAdmin },
    async (request, reply) => {
      const id = parseId(request.params.id, 'user');
      formBody(request.body, ['_csrf']);
      if (!(await site.users.remove(id))) throw new HttpError(404, `There is no user ${id} created on the site.`);
      deps.events?.forget(id);
      site.forget(id);
      return reply.redirect(`/admin/?notice=site-user-deleted`, 303);
    },
  );
}

/** A Map, not an object: `?notice=constructor` must not find Object.prototype.constructor. */
const NOTICES: ReadonlyMap<string, string> = new Map([
  ['added', 'The model was added.'],
  ['saved', 'The model was saved.'],
  ['deleted', 'The model was deleted.'],
  ['site-user-deleted', 'The user and their ratings were deleted.'],
]);

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
