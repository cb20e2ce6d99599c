/**
 * `movierecs status`: the registry as the controller writes it, read through stand-in sources (no
 * AWS), and the rehearsal on the simulated Personalize.
 */
import { StatusSources } from '../../cli/commands/status';
import { bar, pipelineStatus, renderStatus } from '../../cli/pipeline/status';
import { DEFAULT_SOLUTIONS } from '../../lib/config';
import { names } from '../../lib/personalize/controller/desired';
import { ModelRegistry } from '../../lib/shared/model-registry';
import { cli } from './helpers';

const ESC = String.fromCharCode(27);
const NOW = Date.parse('2026-11-27T10:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
const RECS = names.slot('Personal Recommendations');
const SIMS = names.slot('Similar Items');
const RANK = names.slot('Personal Ranking');

function registry(over: Partial<ModelRegistry['pipeline']> = {}, models: ModelRegistry['models'] = []): ModelRegistry {
  const r = (resource: string, stage: string, status: string, startedMinutesAgo?: number, failureReason?: string) => ({
    resource,
    stage,
    status,
    ...(startedMinutesAgo !== undefined ? { startedAt: minutesAgo(startedMinutesAgo) } : {}),
    ...(failureReason ? { failureReason } : {}),
  });
  return {
    schemaVersion: 2,
    pipeline: {
      status: 'pending',
      updatedAt: minutesAgo(0),
      resources: [
        r('dataset-group', 'dataset group', 'ACTIVE', 40),
        r('import:interactions', 'import', 'ACTIVE', 38),
        r(`training:${RECS}`, 'training', 'CREATE IN_PROGRESS', 20),
        r(`training:${SIMS}`, 'training', 'ACTIVE', 20),
        r(`campaign:${SIMS}`, 'campaign', 'CREATE IN_PROGRESS', 6),
        r(`training:${RANK}`, 'training', 'ACTIVE', 20),
        r(`campaign:${RANK}`, 'campaign', 'ACTIVE', 16),
      ],
      ...over,
    },
    models,
  };
}

const RANKING_MODEL = {
  name: 'Personal Ranking',
  type: 'ranking' as const,
  campaignArn: `arn:aws:personalize:us-east-1:123456789012:campaign/MovieRecs-${RANK}`,
  recipe: 'aws-personalized-ranking-v2',
  sortOrder: 2,
  catalog: 'ml-100k',
  metrics: {},
};

function sources(readings: (ModelRegistry | undefined | Error)[], url = 'http://alb.example/recommend/') {
  const sleeps: number[] = [];
  let read = 0;
  const s: StatusSources = {
    async registry() {
      const next = readings[Math.min(read++, readings.length - 1)];
      if (next instanceof Error) throw next;
      return next === undefined ? undefined : JSON.stringify(next);
    },
    siteUrl: async () => url,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { s, sleeps, reads: () => read };
}

describe('the table', () => {
  it('elapsed, bar and ETA per step from the published durations; the pipeline ETA follows what is left', () => {
    const status = pipelineStatus(
      registry({}, [RANKING_MODEL]),
      NOW,
      { prefix: 'MovieRecs', solutions: DEFAULT_SOLUTIONS },
      { localModels: 4, url: 'http://alb.example/recommend/' },
    );
    const training = status.rows.find((r) => r.resource === `training:${RECS}`)!;
    // user-personalization trains 45 min (+10 s pending): 20 min in, about 25 min left.
    expect(training.elapsedSeconds).toBe(20 * 60);
    expect(training.expectedSeconds).toBe(45 * 60 + 10);
    expect(training.etaSeconds).toBe(25 * 60 + 10);
    expect(training.fraction).toBeCloseTo(1200 / 2710, 5);
    // The slowest chain: that training, then its campaign (12 min + 10 s).
    expect(status.etaSeconds).toBe(25 * 60 + 10 + 12 * 60 + 10);
    expect(status.siteModels).toBe(5);
    const text = renderStatus(status).join('\n');
    expect(text).toMatch(
      new RegExp(`training:${RECS} +training +CREATE IN_PROGRESS +20 min +\\[#########-{11}\\] +~25 min 10 s`),
    );
    expect(text).toContain('pipeline: in progress, all models in ~37 min');
    expect(text).toContain('site: http://alb.example/recommend/ shows 5 models (1 Personalize, 4 local)');
  });

  it('a step past its usual time says so instead of a negative ETA', () => {
    const late = registry({
      resources: [
        {
          resource: 'import:interactions',
          stage: 'import',
          status: 'CREATE IN_PROGRESS',
          startedAt: minutesAgo(50),
        },
      ],
    });
    const text = renderStatus(
      pipelineStatus(late, NOW, { prefix: 'MovieRecs', solutions: DEFAULT_SOLUTIONS }, { localModels: 4 }),
    ).join('\n');
    expect(text).toMatch(/import:interactions +import +CREATE IN_PROGRESS +50 min +\[#{20}\] +longer than usual/);
  });

  it('bars are ASCII, clamped, blank when unknown', () => {
    expect(bar(0.5, 10)).toBe('[#####-----]');
    expect(bar(7, 4)).toBe('[####]');
    expect(bar(undefined, 4)).toBe('      ');
  });
});

describe('movierecs status against the account (stand-in sources)', () => {
  it('prints the table, the URL and the models; exit 0 while pending', async () => {
    const { s } = sources([registry({}, [RANKING_MODEL])]);
    const run = await cli(['status'], { status: s });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`campaign:${RANK}`);
    expect(run.stdout).toContain('site: http://alb.example/recommend/ shows 7 models');
  });

  it('a failed pipeline: the reason, the failed resource, exit 1', async () => {
    const failed = registry({
      status: 'failed',
      reason: `training:${RECS}: Not enough interactions`,
      resources: [
        {
          resource: `training:${RECS}`,
          stage: 'training',
          status: 'CREATE FAILED',
          startedAt: minutesAgo(30),
          failureReason: 'Not enough interactions',
        },
      ],
    });
    const run = await cli(['status'], { status: sources([failed]).s });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`training:${RECS} failed: Not enough interactions`);
    expect(run.stdout).toContain(`pipeline: FAILED: training:${RECS}: Not enough interactions`);
  });

  it('--watch reads until done (exit 0): the table, then the changes, then the table again when piped', async () => {
    const done = registry({
      status: 'done',
      resources: registry().pipeline.resources.map((r) => ({ ...r, status: 'ACTIVE' })),
    });
    const { s, sleeps, reads } = sources([registry(), registry(), done]);
    const run = await cli(['status', '--watch', '--interval', '10'], { status: s });
    expect(run.code).toBe(0);
    expect(reads()).toBe(3);
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(run.stdout).toContain(`] training:${RECS}: ACTIVE`);
    expect(run.stdout.match(/^resource +stage/gm)).toHaveLength(2);
    expect(run.stdout.trimEnd().endsWith('shows 6 models (0 Personalize, 6 local)')).toBe(true);
  });

  it('--watch on a terminal redraws in place', async () => {
    const done = registry({ status: 'done' });
    const run = await cli(['status', '--watch'], { status: sources([registry(), done]).s }, { tty: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`));
  });

  it('--json prints one JSON document per reading', async () => {
    const run = await cli(['status', '--json'], { status: sources([registry()]).s });
    const parsed = JSON.parse(run.stdout) as { pipeline: string; rows: unknown[] };
    expect(parsed.pipeline).toBe('pending');
    expect(parsed.rows).toHaveLength(7);
  });

  it('no registry: says the stack is not deployed there, exit 1', async () => {
    const run = await cli(['status', '-c', 'prefix=Demo'], { status: sources([undefined]).s });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'movierecs status: no model registry /Demo/models in us-east-1: the Demo-Personalize stack is not deployed there',
    );
  });

  it('AWS errors a presenter meets say what to do, with no stack', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const expired = Object.assign(
      new Error('The SSO session associated with this profile has expired or is otherwise invalid.'),
      { name: 'Error' },
    );
    const denied = Object.assign(
      new Error(
        'User: arn:aws:iam::123456789012:user/p is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:123456789012:parameter/MovieRecs/models',
      ),
      { name: 'AccessDeniedException' },
    );
    const [a, b, c] = await Promise.all(
      [noCredentials, expired, denied].map((e) => cli(['status'], { status: sources([e]).s })),
    );
    expect(a.stderr).toContain('no AWS credentials found: run aws configure');
    expect(b.stderr).toContain('your AWS session has expired');
    expect(c.stderr).toContain('your credentials may not call ssm:GetParameter');
    for (const run of [a, b, c]) {
      expect(run.code).toBe(1);
      expect(run.stderr).not.toContain('    at ');
    }
  });
});

describe('movierecs status --simulate', () => {
  it('rehearses the whole pipeline, pacing each minute at 60/speed s, and ends done (exit 0)', async () => {
    const { s, sleeps } = sources([]);
    const run = await cli(['status', '--simulate', '--speed', '120'], { status: s });
    expect(run.code).toBe(0);
    expect(sleeps.length).toBeGreaterThan(60);
    expect(new Set(sleeps)).toEqual(new Set([500]));
    expect(run.stdout).toMatch(/^simulated, 120x: 0 s into the pipeline/);
    expect(run.stdout).toContain('pipeline: in progress, all models in ~1 h 13 min');
    expect(run.stdout).toContain(`campaign:${RECS}: ACTIVE`);
    expect(run.stdout.trimEnd()).toMatch(
      /pipeline: done, every campaign is active\nsite: .* shows 9 models \(3 Personalize, 6 local\)$/,
    );
  });
});
