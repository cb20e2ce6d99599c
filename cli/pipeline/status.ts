/**
 * The pipeline as a table, from the model registry's progress records: each resource's stage,
 * status, elapsed time, a bar and an ETA from the durations the original workshop published for
 * that step (import 15 min, training 35-45 min by recipe, campaign 12 min; lib/personalize/
 * controller/simulated-personalize.ts). The Personalize documentation gives no durations and no
 * scaling with data size, so none is applied: a large edition shows "longer than usual" instead.
 */
import { SolutionConfig } from '../../lib/config';
import { names } from '../../lib/personalize/controller/desired';
import {
  PUBLISHED_DURATIONS,
  SimulatedDurations,
} from '../../lib/personalize/controller/simulation/simulated-personalize';
import { ModelRegistry } from '../../lib/shared/model-registry';
import { formatDuration } from '../progress';

export interface StatusRow {
  readonly resource: string;
  readonly stage: string;
  readonly status: string;
  /** Seconds since the resource was created (while it is not done). */
  readonly elapsedSeconds?: number;
  /** Seconds the step usually takes, when known. */
  readonly expectedSeconds?: number;
  /** 0..1 while in progress, 1 when done. */
  readonly fraction?: number;
  readonly etaSeconds?: number;
  readonly failureReason?: string;
}

export interface PipelineStatus {
  readonly pipeline: ModelRegistry['pipeline']['status'];
  readonly reason?: string;
  readonly rows: readonly StatusRow[];
  /** Until every campaign is active, following the steps still to come; undefined when done or unknown. */
  readonly etaSeconds?: number;
  readonly personalizeModels: number;
  readonly siteModels: number;
  readonly siteUrl?: string;
}

const DONE = 'ACTIVE';
const IN_PROGRESS = /^(CREATE|UPDATE) (PENDING|IN_PROGRESS)$|^UPDATE (PENDING|IN_PROGRESS)$/;

/** Expected duration of one step, ms (pending time included). */
export function expectedMs(
  stage: string,
  resource: string,
  status: string,
  recipes: ReadonlyMap<string, string>,
  d: SimulatedDurations = PUBLISHED_DURATIONS,
): number | undefined {
  switch (stage) {
    case 'dataset group':
      return d.pending + d.datasetGroup;
    case 'dataset':
      return d.pending + d.dataset;
    case 'import':
      return d.pending + d.importJob;
    case 'solution':
      return d.pending + d.solution;
    case 'training': {
      const recipe = recipes.get(resource.slice('training:'.length));
      return d.pending + (recipe ? (d.training[recipe] ?? d.training.default) : d.training.default);
    }
    case 'campaign':
      return d.pending + (status.startsWith('UPDATE') ? d.campaignUpdate : d.campaign);
    case 'campaign update':
      return d.campaignUpdate;
    case 'schema update':
      return d.datasetUpdate;
    case 'delete':
      return d.delete;
    default:
      return undefined;
  }
}

/** A solution's slot (as in `training:<slot>`, the slug of its display name) -> recipe, for this configuration. */
export function recipesByShortName(solutions: readonly SolutionConfig[]): Map<string, string> {
  return new Map(solutions.map((s) => [names.slot(s.name), s.recipe]));
}

export function pipelineStatus(
  registry: ModelRegistry,
  now: number,
  config: { prefix: string; solutions: readonly SolutionConfig[] },
  site: { localModels: number; url?: string },
  d: SimulatedDurations = PUBLISHED_DURATIONS,
): PipelineStatus {
  const recipes = recipesByShortName(config.solutions);
  const rows = registry.pipeline.resources.map((r): StatusRow => {
    const expected = expectedMs(r.stage, r.resource, r.status, recipes, d);
    const base = {
      resource: r.resource,
      stage: r.stage,
      status: r.status,
      ...(r.failureReason ? { failureReason: r.failureReason } : {}),
      ...(expected !== undefined ? { expectedSeconds: expected / 1000 } : {}),
    };
    if (r.status === DONE) return { ...base, fraction: 1 };
    if (!IN_PROGRESS.test(r.status) || !r.startedAt) return base;
    const elapsed = Math.max(0, now - Date.parse(r.startedAt));
    return {
      ...base,
      elapsedSeconds: elapsed / 1000,
      ...(expected !== undefined
        ? { fraction: Math.min(1, elapsed / expected), etaSeconds: Math.max(0, expected - elapsed) / 1000 }
        : {}),
    };
  });
  const status = registry.pipeline.status;
  return {
    pipeline: status,
    ...(registry.pipeline.reason ? { reason: registry.pipeline.reason } : {}),
    rows,
    ...(status === 'pending' ? etaOf(rows, recipes, d) : {}),
    personalizeModels: registry.models.length,
    siteModels: registry.models.length + site.localModels,
    ...(site.url ? { siteUrl: site.url } : {}),
  };
}

/**
 * Time until the last campaign is active: per solution, what is left of the imports, then of its
 * training, then of its campaign (a step not started yet counts in full).
 */
function etaOf(
  rows: readonly StatusRow[],
  recipes: ReadonlyMap<string, string>,
  d: SimulatedDurations,
): { etaSeconds?: number } {
  const left = (row: StatusRow | undefined, full: number) =>
    row?.status === DONE ? 0 : row?.etaSeconds !== undefined ? row.etaSeconds : full / 1000;
  const imports = rows.filter((r) => r.stage === 'import');
  const importsLeft = imports.length
    ? Math.max(...imports.map((r) => left(r, d.pending + d.importJob)))
    : (d.pending + d.importJob) / 1000;
  const shorts = [...recipes.keys()];
  if (!shorts.length) return {};
  const perSolution = shorts.map((short) => {
    const training = rows.find((r) => r.resource === `training:${short}`);
    const campaign = rows.find((r) => r.resource === `campaign:${short}`);
    const recipe = recipes.get(short)!;
    const trainingLeft = left(training, d.pending + (d.training[recipe] ?? d.training.default));
    const campaignLeft = left(campaign, d.pending + d.campaign);
    const trained = training?.status === DONE;
    return (trained ? 0 : importsLeft) + trainingLeft + campaignLeft;
  });
  return { etaSeconds: Math.max(...perSolution) };
}

/** `[#######-------------]` (ASCII: reads the same in a terminal and a CI log). */
export function bar(fraction: number | undefined, width = 20): string {
  if (fraction === undefined) return ' '.repeat(width + 2);
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** The table as text lines. */
export function renderStatus(status: PipelineStatus): string[] {
  const header = ['resource', 'stage', 'status', 'elapsed', 'progress', 'ETA'];
  const cells = status.rows.map((r) => [
    r.resource,
    r.stage,
    r.status,
    r.elapsedSeconds !== undefined ? formatDuration(r.elapsedSeconds) : r.status === DONE ? 'done' : '',
    bar(r.fraction),
    r.etaSeconds === undefined ? '' : r.etaSeconds === 0 ? 'longer than usual' : `~${formatDuration(r.etaSeconds)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  for (const r of status.rows) if (r.failureReason) lines.push(`  ${r.resource} failed: ${r.failureReason}`);
  lines.push('');
  const summary =
    status.pipeline === 'done'
      ? 'pipeline: done, every campaign is active'
      : status.pipeline === 'failed'
        ? `pipeline: FAILED: ${status.reason ?? 'see the resources above'}`
        : status.pipeline === 'not-started'
          ? 'pipeline: not started (the Personalize stack has not run yet)'
          : `pipeline: in progress${status.etaSeconds !== undefined ? `, all models in ~${formatDuration(status.etaSeconds)}` : ''}${status.reason ? ` (${status.reason})` : ''}`;
  lines.push(summary);
  lines.push(
    `site: ${status.siteUrl ?? '(Web stack not found)'} shows ${status.siteModels} models (${status.personalizeModels} Personalize, ${status.siteModels - status.personalizeModels} local)`,
  );
  return lines;
}
