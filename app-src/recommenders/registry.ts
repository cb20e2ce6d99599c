/**
 * The model registry as the web app sees it: the SSM parameter `/<prefix>/models` that the
 * Personalize controller rewrites as campaigns become active (lib/shared/model-registry.ts).
 *
 * It is read through a short cache (30 s by default), so a model appears on the site within that
 * time of its campaign becoming active, without a restart, while a busy page does not call SSM per
 * request. Pages never see an exception from here: a failed or invalid read keeps serving the last
 * good document and says what went wrong in `error`, for the banner and the log.
 *
 * Locally there is no AWS: `StaticRegistry` serves no registry models (or a fixed document).
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { errorName } from '../../lib/personalize/controller/port';
import { type ModelRegistry, parseModelRegistry } from '../../lib/shared/model-registry';
import { modelRegistryParameterName } from '../../lib/shared/names';
import { campaignNameFromArn } from './arn';
import type { Model } from './port';

/** The one SSM call the registry needs. */
export interface ParameterPort {
  /** The parameter's value, or undefined when the parameter does not exist. */
  getParameter(name: string): Promise<string | undefined>;
}

/** `ParameterPort` over `@aws-sdk/client-ssm`: ParameterNotFound is "no value", not an error. */
export class SsmParameterPort implements ParameterPort {
  constructor(private readonly client: SSMClient) {}

  async getParameter(name: string): Promise<string | undefined> {
    try {
      const { Parameter } = await this.client.send(new GetParameterCommand({ Name: name }));
      return Parameter?.Value;
    } catch (error) {
      if (errorName(error) === 'ParameterNotFound') return undefined;
      throw error;
    }
  }
}

/**
 * An SSM client for the registry: two attempts (a read every 30 s can afford one retry of a
 * throttled or dropped call, and the last good document is served meanwhile) and short HTTP
 * timeouts, since a page may be waiting on the refresh.
 */
export function createSsmParameterPort(region: string): SsmParameterPort {
  return new SsmParameterPort(
    new SSMClient({
      region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
    }),
  );
}

/** The pipeline's progress as the registry holds it: status, reason, resources[], for a banner. */
export type PipelineProgress = ModelRegistry['pipeline'];

/** What the registry currently offers the pages. */
export interface RegistrySnapshot {
  /** Models with an active campaign, ordered by sortOrder, then name. */
  readonly models: readonly Model[];
  /** Undefined when there is no registry (local run, or the parameter does not exist). */
  readonly pipeline?: PipelineProgress;
  /** The dataset group's event tracker, once the controller made it: ratings go to its tracking id. */
  readonly eventTracker?: ModelRegistry['eventTracker'];
  /** What went wrong with the latest read, if anything; `models` are then from the last good one. */
  readonly error?: string;
}

/** What pages and the app factory depend on. */
export interface ModelRegistrySource {
  /** Never throws. */
  snapshot(): Promise<RegistrySnapshot>;
}

/**
 * Port `Model`s from a registry document: source `registry`, id `registry:<campaign name>`.
 * A model whose campaign ARN is not valid, or repeats an earlier one's campaign, is left out and
 * named in `problems` (ids must be unique: they are used in URLs).
 */
export function registryModels(document: ModelRegistry): { models: Model[]; problems: string[] } {
  const models: Model[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of document.models) {
    const campaign = campaignNameFromArn(entry.campaignArn);
    if (campaign === undefined) {
      problems.push(`model "${entry.name}" has an invalid campaign ARN: ${entry.campaignArn}`);
      continue;
    }
    const id = `registry:${campaign}`;
    if (seen.has(id)) {
      problems.push(`model "${entry.name}" repeats campaign ${campaign}`);
      continue;
    }
    seen.add(id);
    models.push({
      id,
      name: entry.name,
      type: entry.type,
      source: 'registry',
      recipe: entry.recipe,
      sortOrder: entry.sortOrder,
      metrics: entry.metrics,
      campaignArn: entry.campaignArn,
      catalog: entry.catalog,
      // The filters belong to the dataset group, which every published campaign shares.
      ...(document.filters ? { filters: { ...document.filters } } : {}),
    });
  }
  models.sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
  return { models, problems };
}

function snapshotOf(document: ModelRegistry | undefined, error?: string): RegistrySnapshot {
  if (!document) return error ? { models: [], error } : { models: [] };
  const { models, problems } = registryModels(document);
  const messages = [...(error ? [error] : []), ...problems];
  return {
    models,
    pipeline: document.pipeline,
    ...(document.eventTracker ? { eventTracker: document.eventTracker } : {}),
    ...(messages.length > 0 ? { error: messages.join('; ') } : {}),
  };
}

export interface ParameterRegistryOptions {
  /** The parameter, e.g. `/Movies/models` (see `modelRegistryParameterName`). */
  readonly parameterName: string;
  readonly port: ParameterPort;
  /** How long a read is served before the next one; default 30 000 ms. */
  readonly ttlMs?: number;
  /** A read that takes longer counts as failed; default 3000 ms. */
  readonly readTimeoutMs?: number;
  /** Milliseconds since the epoch; injectable so tests move time without sleeping. */
  readonly now?: () => number;
  /** Told about every failed read (for the server log); the pages get the same text in `error`. */
  readonly onError?: (message: string, cause: unknown) => void;
}

export const DEFAULT_REGISTRY_TTL_MS = 30_000;
export const DEFAULT_REGISTRY_READ_TIMEOUT_MS = 3_000;

/**
 * The registry parameter behind a cache. Concurrent callers share one read. A failed read is
 * remembered for the TTL like a good one, so an SSM outage costs one call per TTL, not one per page.
 */
export class ParameterRegistry implements ModelRegistrySource {
  private readonly parameterName: string;
  private readonly port: ParameterPort;
  private readonly ttlMs: number;
  private readonly readTimeoutMs: number;
  private readonly now: () => number;
  private readonly onError: ((message: string, cause: unknown) => void) | undefined;
  /** The last document read and parsed, kept through failed reads. */
  private lastGood: ModelRegistry | undefined;
  private current: RegistrySnapshot | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<RegistrySnapshot> | undefined;

  constructor(options: ParameterRegistryOptions) {
    this.parameterName = options.parameterName;
    this.port = options.port;
    this.ttlMs = options.ttlMs ?? DEFAULT_REGISTRY_TTL_MS;
    this.readTimeoutMs = options.readTimeoutMs ?? DEFAULT_REGISTRY_READ_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.onError = options.onError;
  }

  /** The registry of workshop copy `prefix`, read over SSM in `region`. */
  static forPrefix(prefix: string, region: string, options: Partial<ParameterRegistryOptions> = {}): ParameterRegistry {
    return new ParameterRegistry({
      port: createSsmParameterPort(region),
      ...options,
      parameterName: modelRegistryParameterName(prefix),
    });
  }

  async snapshot(): Promise<RegistrySnapshot> {
    if (this.current && this.now() - this.readAt < this.ttlMs) return this.current;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets the cache: the next snapshot reads the parameter (after an admin change, say). */
  invalidate(): void {
    this.readAt = Number.NEGATIVE_INFINITY;
  }

  private async refresh(): Promise<RegistrySnapshot> {
    const next = await this.read();
    this.current = next;
    this.readAt = this.now();
    return next;
  }

  private async read(): Promise<RegistrySnapshot> {
    let value: string | undefined;
    try {
      value = await this.readWithTimeout();
    } catch (error) {
      return this.failed(`could not read the model registry ${this.parameterName} (${describe(error)})`, error);
    }
    if (value === undefined) {
      // The Personalize stack creates the parameter and deletes it on destroy, campaigns with it:
      // nothing to serve, the last good document included.
      this.lastGood = undefined;
      return this.failed(
        `the model registry parameter ${this.parameterName} does not exist (is the Personalize stack deployed?)`,
        undefined,
      );
    }
    let document: ModelRegistry;
    try {
      document = parseModelRegistry(value);
    } catch (error) {
      return this.failed(`${this.parameterName}: ${(error as Error).message}`, error);
    }
    this.lastGood = document;
    const next = snapshotOf(document);
    if (next.error) this.onError?.(next.error, undefined);
    return next;
  }

  private failed(message: string, cause: unknown): RegistrySnapshot {
    this.onError?.(message, cause);
    return snapshotOf(this.lastGood, message);
  }

  private async readWithTimeout(): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`no answer within ${this.readTimeoutMs} ms`), { name: 'TimeoutError' })),
        this.readTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.port.getParameter(this.parameterName), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function describe(error: unknown): string {
  const name = errorName(error);
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string' || message === '' || message === name) return name;
  return `${name}: ${message.length > 160 ? `${message.slice(0, 157)}…` : message}`;
}

/**
 * No AWS: a fixed registry. Without a document (the local default) there are no registry models
 * and no pipeline, so the site shows no Personalize banner; with one, it serves that document
 * (handy for showing the banner and registry rows in development and tests).
 */
export class StaticRegistry implements ModelRegistrySource {
  private readonly value: RegistrySnapshot;

  constructor(document?: ModelRegistry) {
    this.value = snapshotOf(document);
  }

  async snapshot(): Promise<RegistrySnapshot> {
    return this.value;
  }
}
