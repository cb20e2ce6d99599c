/**
 * The model registry: the JSON document in SSM parameter `/<prefix>/models` through which the
 * Personalize controller tells the web app which campaigns exist. One schema, used by the writer
 * (controller) and the reader (web app) alike. Free of aws-cdk-lib.
 */
import { z } from 'zod';
import { SOLUTION_TYPES } from '../config';

export const MODEL_REGISTRY_SCHEMA_VERSION = 2;

/** Offline metrics of a solution version, as `GetSolutionMetrics` reports them. */
export const offlineMetricsSchema = z.strictObject({
  precisionAt5: z.number().optional(),
  precisionAt10: z.number().optional(),
  precisionAt25: z.number().optional(),
  ndcgAt5: z.number().optional(),
  ndcgAt10: z.number().optional(),
  ndcgAt25: z.number().optional(),
  mrrAt25: z.number().optional(),
  coverage: z.number().optional(),
});

export const registeredModelSchema = z.strictObject({
  /** Display name, e.g. "Personal Recommendations". */
  name: z.string().min(1),
  type: z.enum(SOLUTION_TYPES),
  campaignArn: z.string().startsWith('arn:'),
  recipe: z.string().min(1),
  /** Order on the site: lower first. */
  sortOrder: z.number().int(),
  /**
   * The catalogue whose item ids the model recommends: the MovieLens edition (`ml-100k`). A site
   * shows only models of the catalogue it loaded: the same id is another movie in another edition.
   */
  catalog: z.string().min(1),
  /** The data revision (`<edition>/<settings id>`) the deployed version was trained on, when known. */
  dataRevision: z.string().min(1).optional(),
  metrics: offlineMetricsSchema,
});

export const PIPELINE_STATUSES = ['not-started', 'pending', 'done', 'failed'] as const;

export const resourceProgressSchema = z.strictObject({
  /** e.g. "dataset-group", "import:interactions", "solution:similar-items". */
  resource: z.string().min(1),
  stage: z.string().min(1),
  status: z.string().min(1),
  /** While the step runs: when it started (finished steps carry no times). */
  startedAt: z.iso.datetime().optional(),
  failureReason: z.string().optional(),
});

export const modelRegistrySchema = z.strictObject({
  schemaVersion: z.literal(MODEL_REGISTRY_SCHEMA_VERSION),
  pipeline: z.strictObject({
    status: z.enum(PIPELINE_STATUSES),
    /** Why the pipeline failed (or what it waits for), in the service's words. */
    reason: z.string().optional(),
    updatedAt: z.iso.datetime().nullable(),
    resources: z.array(resourceProgressSchema),
  }),
  models: z.array(registeredModelSchema),
  /**
   * Real-time events: the dataset group's event tracker, once the controller has made it. The web
   * app sends each rating an attendee gives with PutEvents to this tracking id.
   */
  eventTracker: z.strictObject({ arn: z.string().startsWith('arn:'), trackingId: z.string().min(1) }).optional(),
  /**
   * The dataset group's filters, by purpose, once the controller has made them: `genre` takes the
   * parameter $GENRE (Recommendations and Similar Items), `excludeRated` leaves out what the user
   * has rated (an interactions filter), `promotion` (no parameter) chooses the items a
   * Recommendations row's promotion draws from.
   */
  filters: z
    .strictObject({
      genre: z.string().startsWith('arn:').optional(),
      excludeRated: z.string().startsWith('arn:').optional(),
      promotion: z.string().startsWith('arn:').optional(),
    })
    .optional(),
});

export type ModelRegistry = z.infer<typeof modelRegistrySchema>;
export type RegisteredModel = z.infer<typeof registeredModelSchema>;
export type OfflineMetrics = z.infer<typeof offlineMetricsSchema>;

/** What the registry holds before the controller has run: no models yet. */
export function emptyModelRegistry(): ModelRegistry {
  return {
    schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
    pipeline: { status: 'not-started', updatedAt: null, resources: [] },
    models: [],
  };
}

/** Parses a registry document; the error names what is wrong. */
export function parseModelRegistry(json: string): ModelRegistry {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`Model registry is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = modelRegistrySchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `Model registry does not match schema version ${MODEL_REGISTRY_SCHEMA_VERSION}: ${problems.join('; ')}`,
    );
  }
  return result.data;
}

/**
 * The largest registry the controller writes: a standard SSM parameter holds 4 KB ("Standard
 * parameters have a value limit of 4 KB", PutParameter), and the standard tier has no charge.
 */
export const MODEL_REGISTRY_MAX_BYTES = 4096;

function bytes(registry: ModelRegistry): number {
  return Buffer.byteLength(JSON.stringify(registry), 'utf8');
}

/**
 * The registry cut to `maxBytes`, losing the least first: the models always stay (they are what
 * the site serves); finished steps are counted instead of listed, then long texts are cut, then
 * the steps still running are counted too.
 */
export function fitModelRegistry(registry: ModelRegistry, maxBytes = MODEL_REGISTRY_MAX_BYTES): ModelRegistry {
  if (bytes(registry) <= maxBytes) return registry;
  const resources = registry.pipeline.resources;
  const summary = (rows: typeof resources, what: string) =>
    rows.length ? [{ resource: `${rows.length} more steps`, stage: 'summary', status: what }] : [];
  const running = resources.filter((r) => r.status !== 'ACTIVE');
  let fitted: ModelRegistry = {
    ...registry,
    pipeline: {
      ...registry.pipeline,
      resources: [
        ...running,
        ...summary(
          resources.filter((r) => r.status === 'ACTIVE'),
          'ACTIVE',
        ),
      ],
    },
  };
  if (bytes(fitted) <= maxBytes) return fitted;
  const cut = (text: string | undefined) => (text && text.length > 300 ? `${text.slice(0, 297)}...` : text);
  fitted = {
    ...fitted,
    pipeline: {
      ...fitted.pipeline,
      ...(fitted.pipeline.reason !== undefined ? { reason: cut(fitted.pipeline.reason) } : {}),
      resources: fitted.pipeline.resources.map((r) => ({
        ...r,
        ...(r.failureReason !== undefined ? { failureReason: cut(r.failureReason) } : {}),
      })),
    },
  };
  if (bytes(fitted) <= maxBytes) return fitted;
  return { ...fitted, pipeline: { ...fitted.pipeline, resources: summary(resources, 'see movierecs status') } };
}
