/**
 * The one workshop configuration.
 *
 * It is read once, from the `workshop` object in `cdk.json`'s context, with any of its keys
 * overridable on the command line (`npx cdk synth -c natGateways=2`). It is validated here, as a
 * whole, before any construct exists: every problem is reported at once, each naming the setting,
 * the value given and what is allowed. The result is frozen and passed down as typed props.
 *
 * This module is shared by the CDK app and runtime code alike, so it imports nothing from
 * `aws-cdk-lib`.
 */
import { RATING_EVENT_TYPE, SCHEMA_FIELDS } from './data/movielens/schemas';
import { filterExpressionProblems, filterParameters } from './personalize/controller/filter-expressions';
import { instanceMemoryGiB, WEB_MEMORY_GIB_BY_EDITION } from './shared/instance-memory';
import { z } from 'zod';

/** Regions where Amazon Personalize is offered (AWS General Reference, Personalize endpoints). */
export const PERSONALIZE_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-central-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'cn-north-1',
] as const;

/**
 * Personalize regions this kit refuses, each with the reason. The AWS China partition: the web
 * instances check the database server's certificate against the RDS certificate bundle for the
 * commercial regions, which does not hold the China certificate authorities, and no address of a
 * China bundle was found documented; the site could not reach its database.
 */
const UNSUPPORTED_REGIONS: Readonly<Partial<Record<(typeof PERSONALIZE_REGIONS)[number], string>>> = {
  'cn-north-1':
    'is in the AWS China partition, which this kit does not support: its web instances check the database ' +
    "server's certificate against the RDS certificate bundle for the commercial regions, which lacks the China " +
    'certificate authorities, so the site could not connect to its database',
};

/** The regions a workshop may be deployed to. */
export const SUPPORTED_REGIONS = PERSONALIZE_REGIONS.filter((region) => UNSUPPORTED_REGIONS[region] === undefined);

/** MovieLens editions the kit can prepare. */
export const MOVIELENS_EDITIONS = ['ml-100k', 'ml-latest-small', 'ml-25m'] as const;
export type MovieLensEdition = (typeof MOVIELENS_EDITIONS)[number];

/** What a solution is used for on the site, and so which recipes fit it. */
export const SOLUTION_TYPES = ['recommend', 'ranking', 'sims'] as const;
export type SolutionType = (typeof SOLUTION_TYPES)[number];

/** The current Personalize recipes that fit each solution type. */
export const RECIPES_BY_TYPE: Readonly<Record<SolutionType, readonly string[]>> = {
  recommend: ['aws-user-personalization-v2', 'aws-user-personalization', 'aws-popularity-count'],
  sims: ['aws-sims', 'aws-similar-items'],
  ranking: ['aws-personalized-ranking-v2', 'aws-personalized-ranking'],
};

/** HRNN recipes, which the seed workshop used and Amazon Personalize has retired. */
export const RETIRED_HRNN_RECIPES = ['aws-hrnn', 'aws-hrnn-metadata', 'aws-hrnn-coldstart'] as const;

/** Default quota: campaigns per dataset group (one campaign per solution here). */
export const MAX_SOLUTIONS = 5;
/** The VPC spans two availability zones; more NAT gateways than zones is meaningless. */
export const AVAILABILITY_ZONES = 2;
export const MAX_INSTANCES_LIMIT = 20;
export const MAX_CAMPAIGN_TPS = 500;

export interface SolutionConfig {
  /** Display name on the site, e.g. "Personal Recommendations". */
  readonly name: string;
  readonly type: SolutionType;
  /** Personalize recipe name, e.g. `aws-user-personalization-v2`. */
  readonly recipe: string;
  /** Minimum provisioned transactions per second of the solution's campaign (billed hourly); default 1. */
  readonly campaignMinTps: number;
}

/**
 * How review timestamps are shifted, as in the seed notebook.
 * `newestAt`: shift so that the newest review lands on this instant (ISO 8601, UTC).
 * `seconds`: add this fixed number of seconds to every timestamp.
 */
export type TimestampShift =
  { readonly kind: 'newestAt'; readonly newestAt: string } | { readonly kind: 'seconds'; readonly seconds: number };

export interface WorkshopConfig {
  /** Prefix of every stack and resource name; several copies can share an account. */
  readonly prefix: string;
  readonly region: string;
  /** Explicit account; when absent the stacks deploy to the CLI's current account. */
  readonly account?: string;
  readonly natGateways: number;
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly dbInstanceClass: string;
  readonly dbEngineVersion: string;
  /**
   * Keep a final RDS snapshot when the stack is deleted; the instance, its secret and the VPC go.
   * The snapshot bills until it is deleted.
   */
  readonly retainDatabase: boolean;
  readonly allowedCidr: string;
  readonly certificateArn?: string;
  readonly domainName?: string;
  readonly dataset: MovieLensEdition;
  /** Where the MovieLens zips are downloaded from (`<url>/<dataset>.zip`). */
  readonly movieLensBaseUrl: string;
  /** Count and skip malformed MovieLens lines (listed in the manifest) instead of failing. */
  readonly skipBadLines: boolean;
  readonly positiveRatingThreshold: number;
  readonly timestampShift: TimestampShift;
  readonly solutions: readonly SolutionConfig[];
  /**
   * The dataset group's filters, by purpose (Personalize filter expressions, checked at synth):
   * `genre` takes the parameter $GENRE, `excludeRated` leaves out what the user has rated.
   */
  readonly filters: FilterConfig;
  readonly waitForModels: boolean;
  /**
   * Any text; a new value runs the Personalize pipeline again on the next deploy although nothing
   * else changed (e.g. after freeing a quota). Empty by default.
   */
  readonly pipelineRun: string;
}

export interface FilterConfig {
  readonly genre: string;
  readonly excludeRated: string;
}

/**
 * The default filters. Genres: the Items schema's GENRES column (categorical, so a movie matches
 * each of its genres); the app passes `{"GENRE": "\"Horror\""}`. Rated: every movie the user has a
 * `rating` event for (the prepared interactions' and the web app's PutEvents' event type).
 */
export const DEFAULT_FILTERS: FilterConfig = {
  genre: 'INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)',
  excludeRated: `EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("${RATING_EVENT_TYPE}")`,
};

/** The context key in `cdk.json` that holds the workshop settings. */
export const CONFIG_CONTEXT_KEY = 'workshop';

export const DEFAULT_SOLUTIONS: readonly SolutionConfig[] = [
  {
    name: 'Personal Recommendations',
    type: 'recommend',
    recipe: 'aws-user-personalization-v2',
    campaignMinTps: 1,
  },
  { name: 'Similar Items', type: 'sims', recipe: 'aws-sims', campaignMinTps: 1 },
  {
    name: 'Personal Ranking',
    type: 'ranking',
    recipe: 'aws-personalized-ranking-v2',
    campaignMinTps: 1,
  },
];

/** Thrown when the configuration is invalid; `problems` holds one line per problem. */
export class WorkshopConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid workshop configuration (cdk.json context "${CONFIG_CONTEXT_KEY}" and -c overrides), ` +
        `${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'WorkshopConfigError';
  }
}

// ---------------------------------------------------------------------------------------------
// Validation rules. Each message says what is allowed; the setting and the value are added by
// formatProblem so every line reads "setting: got <value>; <what is allowed>".

const INSTANCE_SIZE = '(nano|micro|small|medium|large|xlarge|[0-9]+xlarge|metal(-[0-9]+xl)?)';
/** Same shape as aws-cdk-lib's InstanceType parser, plus a known size. */
const INSTANCE_TYPE_RE = new RegExp(`^[a-z]+[0-9]{1,2}[a-z-]*\\.${INSTANCE_SIZE}$`);
const DB_INSTANCE_CLASS_RE = new RegExp(`^db\\.[a-z]+[0-9]{1,2}[a-z-]*\\.${INSTANCE_SIZE}$`);
/**
 * No hyphen: resource names are `<prefix>-...` and the roles are granted `<prefix>-*`; with a
 * hyphen allowed, `Movie-*` would also grant `Movie-Test-...`, another copy's resources.
 */
const PREFIX_RE = /^[A-Za-z][A-Za-z0-9]{0,19}$/;
const PIPELINE_RUN_RE = /^[A-Za-z0-9._-]{0,40}$/;
const ACCOUNT_RE = /^[0-9]{12}$/;
const DB_ENGINE_RE = /^(16|17)(\.[0-9]{1,2})?$/;
const CERTIFICATE_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate\/[0-9a-f-]{36}$/;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const SOLUTION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,39}$/;

function isIpv4Cidr(value: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && Number(match[5]) <= 32;
}

/** Timestamps are seconds since 1970 of at most 10 digits (as MovieLens writes them): so is a shift. */
const MAX_SHIFT_SECONDS = 9_999_999_999;

function isIsoInstant(value: string): boolean {
  const at = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) && at >= 0 && at / 1000 <= MAX_SHIFT_SECONDS;
}

const TIMESTAMP_SHIFT_RULE =
  'must be the instant the newest review should land on (ISO 8601 UTC from 1970 to 2286, e.g. "2019-04-01T00:00:00Z") ' +
  `or a whole number of seconds to add, from -${MAX_SHIFT_SECONDS} to ${MAX_SHIFT_SECONDS} (e.g. 660833618)`;

// A schema's `error` also words the failures of its checks (.int, .min, .regex, .refine...), so
// each rule states its message once.
const wholeNumber = (min: number, max: number, why = '') =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}${why}` })
    .int()
    .min(min)
    .max(max);

const booleanSetting = z.boolean({ error: 'must be true or false' });

/** Adds a problem found by a cross-field rule; `path` is relative to the value being refined. */
function addProblem(ctx: z.RefinementCtx, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', path, message });
}

const recipeRule = z.string({ error: 'must be a Personalize recipe name' }).superRefine((recipe, ctx) => {
  if ((RETIRED_HRNN_RECIPES as readonly string[]).includes(recipe)) {
    addProblem(
      ctx,
      'Amazon Personalize retired the HRNN recipes ("Legacy HRNN recipes are no longer available"); ' +
        'use their successor aws-user-personalization-v2',
    );
  }
});

const solutionRule = z
  .strictObject(
    {
      name: z.string({ error: 'must be text' }).regex(SOLUTION_NAME_RE, {
        error: 'must be 1-40 letters, digits, spaces, "-" or "_", starting with a letter or digit',
      }),
      type: z.enum(SOLUTION_TYPES, { error: `must be one of ${SOLUTION_TYPES.join(', ')}` }),
      recipe: recipeRule,
      campaignMinTps: wholeNumber(
        1,
        MAX_CAMPAIGN_TPS,
        ' (each campaign bills at least this many TPS per hour)',
      ).default(1),
    },
    { error: 'must be an object {name, type, recipe, campaignMinTps}' },
  )
  .superRefine((solution, ctx) => {
    const allowed = RECIPES_BY_TYPE[solution.type] as readonly string[] | undefined;
    if (!allowed || typeof solution.recipe !== 'string') return;
    const retired = (RETIRED_HRNN_RECIPES as readonly string[]).includes(solution.recipe);
    if (!retired && !allowed.includes(solution.recipe)) {
      addProblem(ctx, `must be a recipe for type "${solution.type}": one of ${allowed.join(', ')}`, ['recipe']);
    }
  });

/**
 * A Personalize filter expression for item recommendations (the Developer Guide's syntax, the
 * Items schema's fields), taking exactly the parameters the web app passes.
 */
function filterExpressionRule(parameters: readonly string[]) {
  return z.string({ error: 'must be a Personalize filter expression, as text' }).superRefine((expression, ctx) => {
    for (const problem of filterExpressionProblems(expression, {
      Items: SCHEMA_FIELDS.items,
      Users: SCHEMA_FIELDS.users,
      Interactions: SCHEMA_FIELDS.interactions,
    }))
      addProblem(ctx, problem);
    const taken = filterParameters(expression);
    if (taken.join(',') !== parameters.join(','))
      addProblem(
        ctx,
        parameters.length
          ? `must take the parameter ${parameters.map((p) => `$${p}`).join(', ')} (the web app passes it), not ${taken.length ? taken.map((p) => `$${p}`).join(', ') : 'none'}`
          : `must take no parameter (the web app passes none), not ${taken.map((p) => `$${p}`).join(', ')}`,
      );
  });
}

const configSchema = z
  .strictObject({
    prefix: z.string({ error: 'must be text' }).regex(PREFIX_RE, {
      error:
        'must be 1-20 letters or digits, starting with a letter (it prefixes stack and resource names; no hyphen, ' +
        "so that one copy's names never start another's: Movie- would also match Movie-Test-)",
    }),
    region: z
      .enum(PERSONALIZE_REGIONS, {
        error: `must be a region where Amazon Personalize is offered and this kit runs: ${SUPPORTED_REGIONS.join(', ')}`,
      })
      .superRefine((region, ctx) => {
        const reason = UNSUPPORTED_REGIONS[region];
        if (reason) addProblem(ctx, `${reason}; choose one of ${SUPPORTED_REGIONS.join(', ')}`);
      }),
    account: z.string({ error: 'must be a 12-digit AWS account id, as text' }).regex(ACCOUNT_RE, {
      error: 'must be a 12-digit AWS account id',
    }),
    natGateways: wholeNumber(1, AVAILABILITY_ZONES, ' (instances in private subnets need one; at most one per AZ)'),
    instanceType: z.string({ error: 'must be text' }).regex(INSTANCE_TYPE_RE, {
      error: 'must be an EC2 instance type such as t4g.small, t3.medium or m7g.large',
    }),
    minInstances: wholeNumber(1, MAX_INSTANCES_LIMIT),
    maxInstances: wholeNumber(1, MAX_INSTANCES_LIMIT),
    dbInstanceClass: z.string({ error: 'must be text' }).regex(DB_INSTANCE_CLASS_RE, {
      error: 'must be an RDS instance class such as db.t4g.micro or db.m7g.large',
    }),
    dbEngineVersion: z.string({ error: 'must be text such as "16" or "17.4"' }).regex(DB_ENGINE_RE, {
      error: 'must be PostgreSQL 16 or 17: "16", "17" or a minor version such as "17.4"',
    }),
    retainDatabase: booleanSetting,
    allowedCidr: z.string({ error: 'must be an IPv4 CIDR such as 0.0.0.0/0 or 203.0.113.0/24' }).refine(isIpv4Cidr),
    certificateArn: z.string({ error: 'must be an ACM certificate ARN' }).regex(CERTIFICATE_ARN_RE, {
      error: 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
    }),
    domainName: z.string({ error: 'must be a DNS name such as movies.example.com' }).regex(DOMAIN_RE),
    dataset: z.enum(MOVIELENS_EDITIONS, { error: `must be one of ${MOVIELENS_EDITIONS.join(', ')}` }),
    movieLensBaseUrl: z
      .string({ error: 'must be an https:// or http:// URL' })
      .refine((url) => /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(url), {
        error: 'must be an https:// or http:// URL, e.g. https://files.grouplens.org/datasets/movielens',
      }),
    skipBadLines: booleanSetting,
    positiveRatingThreshold: z
      .number({ error: 'must be a number from 0 to 5 (ratings above it count as positive)' })
      .min(0)
      .max(5),
    timestampShift: z.union(
      [
        z.string().refine(isIsoInstant, { error: TIMESTAMP_SHIFT_RULE }),
        z.number().int().min(-MAX_SHIFT_SECONDS).max(MAX_SHIFT_SECONDS),
      ],
      {
        error: TIMESTAMP_SHIFT_RULE,
      },
    ),
    solutions: z
      .array(solutionRule, { error: 'must be a list of {name, type, recipe, campaignMinTps}' })
      .min(1, { error: `must list 1 to ${MAX_SOLUTIONS} solutions` })
      .max(MAX_SOLUTIONS, {
        error: `must list 1 to ${MAX_SOLUTIONS} solutions (Personalize allows ${MAX_SOLUTIONS} campaigns per dataset group by default)`,
      }),
    filters: z.strictObject(
      {
        genre: filterExpressionRule(['GENRE']),
        excludeRated: filterExpressionRule([]),
      },
      { error: 'must be {genre, excludeRated}: two Personalize filter expressions' },
    ),
    waitForModels: booleanSetting,
    pipelineRun: z.string({ error: 'must be text' }).regex(PIPELINE_RUN_RE, {
      error: 'must be up to 40 letters, digits, ".", "_" or "-"; any new value runs the Personalize pipeline again',
    }),
  })
  .partial({ account: true, certificateArn: true, domainName: true })
  .superRefine((config, ctx) => {
    // Refinements run after a field failed a check (a pattern, a range) but not after a type error;
    // the types are checked here anyway, so a zod upgrade that changed this could not crash.
    if (
      typeof config.minInstances === 'number' &&
      typeof config.maxInstances === 'number' &&
      config.minInstances > config.maxInstances
    ) {
      addProblem(ctx, `must be at least minInstances (${config.minInstances})`, ['maxInstances']);
    }
    const memory = typeof config.instanceType === 'string' ? instanceMemoryGiB(config.instanceType) : undefined;
    const needed = typeof config.dataset === 'string' ? WEB_MEMORY_GIB_BY_EDITION[config.dataset] : undefined;
    if (memory !== undefined && needed !== undefined && memory < needed) {
      addProblem(
        ctx,
        `has ${memory} GiB of memory; dataset ${config.dataset} needs an instance with at least ${needed} GiB ` +
          '(the site trains its local models on every rating at start), e.g. t4g.large',
        ['instanceType'],
      );
    }
    if ((config.certificateArn === undefined) !== (config.domainName === undefined)) {
      const missing = config.certificateArn === undefined ? 'certificateArn' : 'domainName';
      addProblem(
        ctx,
        'must be set together with ' +
          (missing === 'certificateArn' ? 'domainName' : 'certificateArn') +
          ' (HTTPS needs both the certificate and the name it is issued for)',
        [missing],
      );
    }
    const certRegion =
      typeof config.certificateArn === 'string' ? CERTIFICATE_ARN_RE.exec(config.certificateArn)?.[1] : undefined;
    if (certRegion && certRegion !== config.region) {
      addProblem(
        ctx,
        `must be a certificate in the deployment region ${config.region} (a load balancer cannot use one from ${certRegion})`,
        ['certificateArn'],
      );
    }
    const seen = new Map<string, number>();
    const solutions: unknown = config.solutions;
    if (!Array.isArray(solutions)) return;
    solutions.forEach((solution: unknown, index) => {
      const name = (solution as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return;
      const key = solutionSlug(name);
      const first = seen.get(key);
      if (first !== undefined) {
        addProblem(
          ctx,
          `must be unique: solutions[${first}] already has this name (compared ignoring case and spacing)`,
          ['solutions', index, 'name'],
        );
      } else {
        seen.set(key, index);
      }
    });
  });

/** A name's resource-safe form: "Personal Recommendations" -> "personal-recommendations". */
export function solutionSlug(name: string): string {
  // Whitespace at either end becomes a hyphen and is stripped with the others: no trim needed.
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export const DEFAULT_CONFIG = {
  prefix: 'MovieRecs',
  region: 'us-east-1',
  natGateways: 1,
  instanceType: 't4g.small',
  minInstances: 1,
  maxInstances: 2,
  dbInstanceClass: 'db.t4g.micro',
  dbEngineVersion: '17',
  retainDatabase: false,
  allowedCidr: '0.0.0.0/0',
  dataset: 'ml-100k',
  movieLensBaseUrl: 'https://files.grouplens.org/datasets/movielens',
  skipBadLines: false,
  positiveRatingThreshold: 3.6,
  timestampShift: '2019-04-01T00:00:00Z',
  solutions: DEFAULT_SOLUTIONS,
  filters: DEFAULT_FILTERS,
  waitForModels: false,
  pipelineRun: '',
} as const;

/** The settings a user can give, with the kind of value each takes on the command line. */
const SETTING_KINDS: Readonly<Record<keyof typeof configSchema.shape, 'text' | 'json' | 'textOrNumber'>> = {
  prefix: 'text',
  region: 'text',
  account: 'text',
  natGateways: 'json',
  instanceType: 'text',
  minInstances: 'json',
  maxInstances: 'json',
  dbInstanceClass: 'text',
  dbEngineVersion: 'text',
  retainDatabase: 'json',
  allowedCidr: 'text',
  certificateArn: 'text',
  domainName: 'text',
  dataset: 'text',
  movieLensBaseUrl: 'text',
  skipBadLines: 'json',
  positiveRatingThreshold: 'json',
  timestampShift: 'textOrNumber',
  solutions: 'json',
  filters: 'json',
  waitForModels: 'json',
  pipelineRun: 'text',
};

export const SETTING_NAMES = Object.keys(SETTING_KINDS) as readonly (keyof WorkshopConfig)[];

/**
 * `-c key=value` arrives as text. Turn it into the value the setting takes where it reads as
 * one (`-c natGateways=2`, `-c retainDatabase=true`, `-c solutions='[...]'`); otherwise keep the
 * text so the validation reports exactly what was given.
 */
function fromCommandLine(key: keyof typeof SETTING_KINDS, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  switch (SETTING_KINDS[key]) {
    case 'text':
      return value;
    case 'textOrNumber':
      return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    case 'json':
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
  }
}

/** A context reader: `(key) => value`, e.g. `(key) => app.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

/**
 * Reads the workshop settings from context: the `workshop` object, then each setting given as
 * its own context key (how `-c natGateways=2` arrives), then validates them.
 */
export function loadWorkshopConfig(readContext: ContextReader): WorkshopConfig {
  let base = readContext(CONFIG_CONTEXT_KEY) ?? {};
  if (typeof base === 'string') {
    try {
      base = JSON.parse(base);
    } catch {
      throw new WorkshopConfigError([
        `${CONFIG_CONTEXT_KEY}: got ${JSON.stringify(base)}; must be a JSON object of settings`,
      ]);
    }
  }
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    throw new WorkshopConfigError([
      `${CONFIG_CONTEXT_KEY}: got ${JSON.stringify(base)}; must be an object of settings`,
    ]);
  }
  const overrides: Record<string, unknown> = {};
  for (const key of Object.keys(SETTING_KINDS) as (keyof typeof SETTING_KINDS)[]) {
    const value = readContext(key);
    if (value !== undefined) overrides[key] = fromCommandLine(key, value);
  }
  return parseWorkshopConfig({ ...(base as Record<string, unknown>), ...overrides });
}

/** Validates raw settings (defaults filled in) and returns the frozen config. */
export function parseWorkshopConfig(raw: Record<string, unknown>): WorkshopConfig {
  const input: Record<string, unknown> = { ...DEFAULT_CONFIG, ...raw };
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new WorkshopConfigError(result.error.issues.flatMap((issue) => formatProblem(issue, input)));
  }
  const parsed = result.data;
  const shift = parsed.timestampShift;
  const config: WorkshopConfig = {
    ...parsed,
    timestampShift:
      typeof shift === 'number' ? { kind: 'seconds', seconds: shift } : { kind: 'newestAt', newestAt: shift },
  };
  return deepFreeze(config);
}

function formatProblem(issue: z.core.$ZodIssue, input: Record<string, unknown>): string[] {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${pathName(issue.path)}.` : '';
    const known = issue.path.length ? 'name, type, recipe, campaignMinTps' : SETTING_NAMES.join(', ');
    return issue.keys.map((key) =>
      key === 'performAutoTraining' && issue.path.length
        ? `${where}${key}: is not supported: automatic training retrains and bills every week without a deploy; ` +
          'the kit trains once per deploy (new data or settings train a new version)'
        : `${where}${key}: is not a setting; known settings are ${known}`,
    );
  }
  const value = valueAt(input, issue.path);
  return [`${pathName(issue.path)}: got ${describe(value)}; ${issue.message}`];
}

function pathName(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
