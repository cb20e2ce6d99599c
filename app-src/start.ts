/**
 * The one start-up path of the web app, for the laptop and the instance alike: settings in, then
 * database (embedded or a URL), migrate, load the prepared data (advisory lock, idempotent by
 * manifest), train and evaluate the local baselines, build the app. server.ts listens.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from './app';
import { generatePassword, hashPassword, passwordTag } from './auth';
import { connectDatabase, DatabaseHandle } from './db/connect';
import { FolderLoadSource, LoadSource, parseManifest, readRatings } from './db/load-files';
import { loadWebData, LoadResult } from './db/loader';
import { migrateToLatest } from './db/migrations';
import { AdminModels } from './db/admin-models';
import { SiteUsers } from './db/site-users';
import { type EventSink, PersonalizeEventSink, RatingEvents, type RatingEventsOptions } from './recommenders/events';
import type { CampaignRecipePort } from './recommenders/arn';
import { ModelCatalog, RoutingRecommender } from './recommenders/catalog';
import { type EaseOptions, runInSlices } from './recommenders/ease';
import { EASE_DEFAULTS, LocalModels, LocalRecommender } from './recommenders/local';
import {
  EVALUATION_PROTOCOL,
  type EvaluationBasis,
  evaluateEaseSteps,
  evaluateLocalModels,
} from './recommenders/metrics';
import { PersonalizeRecommender } from './recommenders/personalize';
import type { RatingRow, Recommender } from './recommenders/port';
import { ModelRegistrySource, StaticRegistry } from './recommenders/registry';

export interface StartSettings {
  /** A PostgreSQL URL, or the embedded PGlite (in memory, or in `dataDir`). */
  readonly database:
    | { readonly url: string; readonly ssl?: { readonly ca: string } }
    | { readonly embedded: { readonly dataDir?: string } };
  /** The prepared data: a folder `npm run data` wrote, any other source, or the synthetic sample. */
  readonly data: { readonly folder: string } | { readonly source: LoadSource } | 'sample';
  /** The admin password in clear (hashed here), or already hashed; absent: one is generated. */
  readonly admin?: { readonly password: string } | { readonly passwordHash: string };
  /** Absent: generated (sessions then end with the process). */
  readonly sessionSecret?: string;
  readonly registry?: ModelRegistrySource;
  readonly personalize?: Recommender;
  /**
   * Where the site users' ratings go as events (PutEvents); default Personalize's (the SDK's region
   * from the environment). Nothing is sent while the registry names no event tracker.
   */
  readonly eventSink?: EventSink;
  /** The events queue's retry settings (tests: short). */
  readonly eventOptions?: RatingEventsOptions;
  /** Bounds of the users attendees create (defaults in routes/site-session.ts). */
  readonly siteUsers?: AppDeps['siteUsers'];
  readonly campaigns?: CampaignRecipePort;
  readonly secureCookies?: boolean;
  /** Served over HTTPS (the load balancer's HTTPS listener): Secure cookies and HSTS. */
  readonly https?: boolean;
  /** Behind a load balancer: the proxies to trust, 1 for the load balancer (app.ts). */
  readonly trustProxy?: number;
  readonly logger?: boolean | object;
  /** The request log and server errors, one line each (npm start and the instance: stdout). */
  readonly requestLog?: (line: string) => void;
  /** Progress lines ("loaded 50,000 ratings in 2.1 s"). */
  readonly log?: (line: string) => void;
  /** EASE's settings (`trainInBackground`), or false to never train it. @default EASE_DEFAULTS */
  readonly ease?: EaseOptions | false;
}

export interface Started {
  readonly app: FastifyInstance;
  readonly database: DatabaseHandle;
  readonly load: LoadResult;
  readonly local: LocalModels;
  /** The site users' ratings on their way to PutEvents. */
  readonly events: RatingEvents;
  /** Set when the password was generated here: the local workshop prints it. */
  readonly generatedPassword?: string;
  readonly timings: Readonly<Record<'database' | 'migrate' | 'load' | 'train', number>>;
  /**
   * Evaluates and trains EASE off the request path (in slices between requests) and offers it once
   * ready, the front page saying so meanwhile. Called after listening (server.ts, instance.ts),
   * once: later calls return the same promise, which resolves when EASE is ready or has failed.
   */
  trainInBackground(): Promise<void>;
  close(): Promise<void>;
}

/** A module loaded only when used, so the instance bundle can leave it (and PGlite) out. */
function loadLazily(id: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(id);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `${id} is not part of this build (the instance bundle has no embedded database and no sample): pass --database-url and --data`,
      { cause: error },
    );
  }
}

export async function startWebApp(settings: StartSettings): Promise<Started> {
  const log = settings.log ?? (() => undefined);
  const timings = { database: 0, migrate: 0, load: 0, train: 0 };
  let clock = performance.now();
  const lap = (key: keyof typeof timings) => {
    const now = performance.now();
    timings[key] = Math.round(now - clock);
    clock = now;
    return timings[key];
  };

  const database =
    'url' in settings.database
      ? connectDatabase({ url: settings.database.url, ssl: settings.database.ssl })
      : // Loaded only when asked for: the instance bundle leaves PGlite (and the sample generator) out.
        await (loadLazily('./db/embedded') as typeof import('./db/embedded')).startEmbeddedDatabase(
          settings.database.embedded,
        );
  try {
    try {
      await database.pool.query('select 1');
    } catch (error) {
      throw new Error(`the database at ${database.description} does not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
    log(`database ${database.description} ready in ${lap('database')} ms`);
    await migrateToLatest(database.db);
    lap('migrate');

    const source =
      settings.data === 'sample'
        ? new FolderLoadSource(
            await (loadLazily('./local-data') as typeof import('./local-data')).ensurePreparedSample(),
          )
        : 'folder' in settings.data
          ? new FolderLoadSource(settings.data.folder)
          : settings.data.source;
    const load = await loadWebData(database, source);
    log(
      `${load.status === 'loaded' ? 'loaded' : 'already loaded:'} ${load.counts.ratings} ratings, ${load.counts.movies} movies, ${load.counts.users} users (${load.edition}) from ${source.description} in ${lap('load')} ms`,
    );

    // The models train on the same prepared files the database was loaded from (one manifest, the
    // same rows), streamed from the source rather than selected from the database: pg's row objects
    // for 25M ratings doubled the peak memory (measured: about 6 GB against 3.7 GB from the file).
    const manifestText = await source.readManifest();
    if (manifestText === undefined) throw new Error(`${source.description}: the manifest disappeared after the load`);
    const manifest = parseManifest(manifestText, source.description);
    const ratings: RatingRow[] = await readRatings(source, manifest);
    const threshold = manifest.settings.positiveRatingThreshold;
    const evaluation = evaluateLocalModels(ratings, { positiveThreshold: threshold, catalogSize: load.counts.movies });
    const local = LocalModels.train(ratings, { positiveThreshold: threshold, metrics: evaluation.metrics });
    log(`local models evaluated on ${evaluation.testUsers} test users and trained in ${lap('train')} ms`);

    const sessionSecret = settings.sessionSecret ?? randomBytes(32).toString('base64url');
    let generatedPassword: string | undefined;
    let passwordHash: string;
    let tag: string | undefined;
    if (settings.admin && 'passwordHash' in settings.admin) passwordHash = settings.admin.passwordHash;
    else {
      const password = settings.admin?.password ?? (generatedPassword = generatePassword());
      passwordHash = await hashPassword(password);
      // Every instance salts its own hash; the tag of the password itself is the same on all.
      tag = passwordTag(sessionSecret, password);
    }

    const registry = settings.registry ?? new StaticRegistry();
    const catalog = new ModelCatalog(local, registry, new AdminModels(database.db), load.edition);
    // Each rating of an attendee's own user, to the registry's event tracker (recommenders/events.ts).
    const events = new RatingEvents(
      settings.eventSink ?? new PersonalizeEventSink(),
      async () => (await registry.snapshot()).eventTracker?.trackingId,
      { log, sendAbove: threshold, ...settings.eventOptions },
    );
    // The local models answer a site user from their ratings as they stand (LocalRecommender with the site users' histories, recommenders/local.ts).
    const siteUsers = new SiteUsers(database.db);
    const app = await buildApp({
      database,
      catalog,
      recommender: new RoutingRecommender(
        new LocalRecommender(local, (userId) => siteUsers.history(userId, threshold)),
        settings.personalize ?? new PersonalizeRecommender(),
      ),
      events,
      siteUsers: settings.siteUsers,
      evaluationProtocol: EVALUATION_PROTOCOL,
      admin: {
        passwordHash,
        sessionSecret,
        passwordTag: tag,
        campaigns: settings.campaigns,
        secureCookies: settings.secureCookies,
      },
      logger: settings.logger,
      requestLog: settings.requestLog,
      https: settings.https,
      trustProxy: settings.trustProxy,
    });
    let closing: Promise<void> | undefined;
    const stop = new AbortController();
    let basis: EvaluationBasis | undefined = evaluation.basis;
    let background: Promise<void> | undefined;
    const trainInBackground = () =>
      (background ??= (async () => {
        const options = settings.ease ?? EASE_DEFAULTS;
        if (options === false || !basis) return;
        await trainEaseInBackground(local, basis, options, log, stop.signal);
        // The models trained on the evaluation's split are no longer needed.
        basis = undefined;
      })());
    return {
      app,
      database,
      load,
      local,
      events,
      generatedPassword,
      timings,
      trainInBackground,
      close: () =>
        (closing ??= (async () => {
          stop.abort();
          events.close();
          await background;
          await app.close();
          await database.close();
        })()),
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/**
 * EASE, evaluated on the start's split (its metrics for the front page) and trained on every
 * rating, both in slices so requests keep being answered; then offered. A failure is said on the
 * front page and in the log, and the other local models go on answering.
 */
async function trainEaseInBackground(
  local: LocalModels,
  basis: EvaluationBasis,
  options: EaseOptions,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  local.easeTraining();
  try {
    const started = performance.now();
    const evaluation = await runInSlices(evaluateEaseSteps(basis, options), undefined, signal);
    const trainingStarted = performance.now();
    const model = await runInSlices(local.trainEaseSteps(options), undefined, signal);
    const trainingMs = performance.now() - trainingStarted;
    local.useEase(model, trainingMs, evaluation.metrics);
    log(
      `EASE (local) evaluated and trained in the background in ${Math.round(performance.now() - started)} ms (${model.size} movies); it now answers first among the local models`,
    );
  } catch (error) {
    if (signal.aborted) return;
    const reason = (error as Error).message || String(error);
    local.easeFailed(reason);
    log(`EASE (local) could not be trained: ${reason}`);
  }
}
