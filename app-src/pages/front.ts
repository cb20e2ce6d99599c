/**
 * /recommend/: the models and their offline metrics (table and chart), the live data summary,
 * Select Random User, the in-app guide, and the controller's progress while it works.
 */
import type { OfflineMetrics } from '../../lib/shared/model-registry';
import type { DataSummary } from '../db/queries';
import { html, SafeHtml } from '../html';
import type { Model } from '../recommenders/port';
import type { PipelineProgress } from '../recommenders/registry';
import { page } from './layout';

export interface FrontPageData {
  readonly models: readonly Model[];
  readonly summary: DataSummary | undefined;
  readonly pipeline: PipelineProgress | undefined;
  readonly problems: readonly string[];
  /** Where the local models stand (EASE training, then ready). */
  readonly localStatus?: string;
  readonly evaluationProtocol: string;
  /** Start as a new user (issue 18; pages/site-user.ts). */
  readonly start?: SafeHtml;
}

const TYPE_LABELS: Record<Model['type'], string> = {
  recommend: 'Recommendations',
  ranking: 'Personal Ranking',
  sims: 'Similar Items',
};

const COLUMNS: readonly (readonly [keyof OfflineMetrics, string])[] = [
  ['precisionAt5', 'precision@5'],
  ['precisionAt10', 'precision@10'],
  ['precisionAt25', 'precision@25'],
  ['ndcgAt10', 'NDCG@10'],
  ['coverage', 'coverage'],
];

const number = new Intl.NumberFormat('en-US');

function metric(value: number | undefined): string {
  return value === undefined ? '–' : value.toFixed(4);
}

/** The local ranking model's metrics come from candidate lists (recommenders/metrics.ts). */
function fromCandidateLists(model: Model): boolean {
  return model.source === 'local' && model.type === 'ranking' && model.metrics.precisionAt5 !== undefined;
}

/** A model's name, with "(local)" for a local model whose name does not already say so. */
export function modelName(model: Model): string {
  return model.source === 'local' && !/\blocal\b/i.test(model.name) ? `${model.name} (local)` : model.name;
}

/** One line per metric, shown next to the chart (the guide says more). */
export const METRIC_NOTES: readonly (readonly [string, string])[] = [
  ['precision@5', 'Of the top 5 movies recommended to a held-out user, the share they went on to like.'],
  ['precision@10', 'The same for the top 10.'],
  ['precision@25', 'The same for the top 25: a longer list finds more, but each pick counts less.'],
  ['NDCG@10', 'Like precision@10, but a liked movie counts more the nearer the top it was.'],
  ['coverage', 'The share of all movies the model recommends to anyone: low means it keeps to a few hits.'],
];

export function frontPage(data: FrontPageData, now: number = Date.now()): string {
  return page(
    'Models',
    html`<h1>Movie recommendations: the models</h1>
      <div class="start card">
        <p>Pick a user to see what each model recommends for them.</p>
        <form method="get" action="/recommend/random">
          <button type="submit">Select Random User</button>
        </form>
      </div>
      ${data.start ?? ''} ${data.problems.map((p) => html`<div class="notice" role="status">${p}</div>`)}
      ${pipelineBanner(data.pipeline, now)}
      ${data.localStatus ? html`<p class="local-status notice" role="status">${data.localStatus}</p>` : ''}
      <section class="card" aria-labelledby="models-heading">
        <h2 id="models-heading">Models and offline metrics</h2>
        <p class="muted">Larger is better for every metric. Local models are baselines trained here.</p>
        <p class="scroll-note muted" aria-hidden="true">The table scrolls sideways: every metric is to the right →</p>
        <div class="scroll-x">
          <table class="stack-js">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Recipe</th>
                ${COLUMNS.map(([, label]) => html`<th class="num">${label}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${data.models.map(
                (m) =>
                  html`<tr>
                    <td>${modelName(m)}${fromCandidateLists(m) ? html`<sup>*</sup>` : ''}</td>
                    <td>${TYPE_LABELS[m.type]}</td>
                    <td>${m.recipe}</td>
                    ${COLUMNS.map(([key]) => html`<td class="num">${metric(m.metrics[key])}</td>`)}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${
          data.models.some(fromCandidateLists)
            ? html`<p class="muted" data-note="ranking-metrics">
                * Scored by ordering a candidate list per test user (their held-out movies among movies they never
                rated), an easier task: not comparable with the recommenders' figures, and left out of the chart.
              </p>`
            : ''
        }
        <div class="metrics-body">
          ${metricsChart(data.models)}
          <div>
            <h3 id="metric-notes-heading" class="bars-title">What each metric means</h3>
            <dl class="metric-notes" aria-labelledby="metric-notes-heading">
              ${METRIC_NOTES.map(
                ([name, note]) =>
                  html`<dt>${name}</dt>
                    <dd>${note}</dd>`,
              )}
            </dl>
          </div>
        </div>
      </section>
      <div class="front-side">
        <section class="card" aria-labelledby="data-heading">
          <h2 id="data-heading">The data</h2>
          ${
            data.summary
              ? html`<table>
                    <tr>
                      <th>Users</th>
                      <td class="num" data-count="users">${number.format(data.summary.users)}</td>
                    </tr>
                    <tr>
                      <th>Movies</th>
                      <td class="num" data-count="movies">${number.format(data.summary.movies)}</td>
                    </tr>
                    <tr>
                      <th>Interactions (ratings)</th>
                      <td class="num" data-count="ratings">${number.format(data.summary.ratings)}</td>
                    </tr>
                  </table>
                  <p class="muted">
                    MovieLens edition ${data.summary.edition}; ratings above ${data.summary.positiveThreshold} count as
                    positive.
                  </p>`
              : html`<p>No data is loaded yet.</p>`
          }
        </section>
        ${guide(data.evaluationProtocol)}
      </div>`,
  );
}

function pipelineBanner(pipeline: PipelineProgress | undefined, now: number): SafeHtml | string {
  if (!pipeline || pipeline.status === 'done') return '';
  const failed = pipeline.status === 'failed';
  return html`<section
    class="${failed ? 'error' : 'notice'}"
    role="${failed ? 'alert' : 'status'}"
    aria-labelledby="pipeline-heading"
  >
    ${
      failed
        ? html`<strong id="pipeline-heading">The Amazon Personalize pipeline failed.</strong> ${pipeline.reason ?? ''}
            The local models still work.`
        : html`<strong id="pipeline-heading">Amazon Personalize is still working</strong>${
              pipeline.reason ? html`: ${pipeline.reason}` : ''
            }.
            Its models appear here as their campaigns become active; the local models work meanwhile.`
    }
    ${pipelineTimeline(pipeline, now)}
    ${
      pipeline.resources.length
        ? html`<details>
            <summary>Each resource</summary>
            <table class="stack">
              <thead>
                <tr>
                  <th>Resource</th>
                  <th>Stage</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                ${pipeline.resources.map(
                  (r) =>
                    html`<tr>
                      <td data-label="Resource">${r.resource}</td>
                      <td data-label="Stage">${r.stage}</td>
                      <td data-label="Status">${r.status}${r.failureReason ? html` (${r.failureReason})` : ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </details>`
        : ''
    }
  </section>`;
}

/** Precision@5/10/25 per model as rows of bars: HTML text, so it reads at text size on a phone too. */
export function metricsChart(models: readonly Model[]): SafeHtml | string {
  const keys = ['precisionAt5', 'precisionAt10', 'precisionAt25'] as const;
  const shown = models.filter((m) => !fromCandidateLists(m) && keys.some((k) => m.metrics[k] !== undefined));
  if (shown.length === 0) return html`<p class="muted">No model has offline metrics yet.</p>`;
  const max = Math.max(...shown.flatMap((m) => keys.map((k) => m.metrics[k] ?? 0)), 0.0001);
  const colours = ['#2d5bd7', '#6f8fe8', '#9fb3ee'];
  return html`<figure class="bars chart" data-chart="precision">
    <figcaption class="bars-title">Precision at 5, 10 and 25 for each model</figcaption>
    ${shown.map(
      (m) =>
        html`<div class="bars-model" data-chart-model="${m.id}">
          <div class="bars-name">${modelName(m)}</div>
          ${keys.map((k, j) => {
            const value = m.metrics[k];
            const width = value === undefined ? 0 : Math.max(0.5, (value / max) * 100);
            return html`<div class="bar">
              <span>${k.replace('precisionAt', 'precision@')}</span>
              <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect width="${width.toFixed(2)}" height="10" fill="${colours[j]}" />
              </svg>
              <span class="value">${value === undefined ? '–' : value.toFixed(3)}</span>
            </div>`;
          })}
        </div>`,
    )}
  </figure>`;
}

/** The pipeline's phases, in the order they run; each resource's stage names its phase. */
export const PIPELINE_PHASES: readonly { readonly name: string; readonly stages: readonly string[] }[] = [
  { name: 'Datasets', stages: ['dataset group', 'schema', 'dataset', 'schema update'] },
  { name: 'Data import', stages: ['import'] },
  { name: 'Solutions training', stages: ['solution', 'training'] },
  { name: 'Campaigns creating', stages: ['campaign', 'campaign update'] },
];

export type StepState = 'done' | 'current' | 'pending' | 'failed';

export interface TimelineStep {
  readonly name: string;
  readonly state: StepState;
  readonly done: number;
  readonly total: number;
  /** The earliest start among the phase's running resources (ISO), if any says. */
  readonly startedAt?: string;
}

const DONE = 'ACTIVE';
const RUNNING = /^(CREATE|UPDATE) (PENDING|IN_PROGRESS)$/;

/**
 * The phases' states from the resources the controller reports. A phase with a failed resource
 * failed; all ACTIVE is done; something running or some done is current; else pending (waiting
 * for an earlier phase, or not created yet). A phase with no resources listed counts as done once
 * a later phase has begun (the registry may count finished steps instead of listing them).
 */
export function pipelineSteps(pipeline: PipelineProgress): TimelineStep[] {
  const steps = PIPELINE_PHASES.map(({ name, stages }): TimelineStep => {
    const rows = pipeline.resources.filter((r) => stages.includes(r.stage));
    const done = rows.filter((r) => r.status === DONE).length;
    const running = rows.filter((r) => RUNNING.test(r.status));
    const started = running
      .map((r) => r.startedAt)
      .filter((t): t is string => t !== undefined)
      .sort();
    const state: StepState = rows.some((r) => /FAILED/.test(r.status))
      ? 'failed'
      : rows.length > 0 && done === rows.length
        ? 'done'
        : running.length > 0 || done > 0
          ? 'current'
          : 'pending';
    return { name, state, done, total: rows.length, ...(started.length ? { startedAt: started[0] } : {}) };
  });
  return steps.map((step, i) =>
    step.total === 0 && steps.slice(i + 1).some((later) => later.state !== 'pending')
      ? { ...step, state: 'done' }
      : step,
  );
}

const STATE_WORDS: Record<StepState, string> = {
  done: 'done',
  current: 'in progress',
  pending: 'to come',
  failed: 'failed',
};

/** "in progress, 3 of 4 done"; the count only where it says something. */
function stepText(step: TimelineStep): string {
  const count = (step.state === 'current' || step.state === 'failed') && step.total > 1;
  return count ? `${STATE_WORDS[step.state]}, ${step.done} of ${step.total} done` : STATE_WORDS[step.state];
}

function minutesAgo(iso: string, now: number): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  const time = iso.slice(11, 16);
  return minutes < 1 ? `started ${time} UTC, just now` : `started ${time} UTC, ${minutes} min ago`;
}

function pipelineTimeline(pipeline: PipelineProgress, now: number): SafeHtml | string {
  if (pipeline.resources.length === 0) return '';
  return html`<ol class="timeline" aria-label="Amazon Personalize progress">
    ${pipelineSteps(pipeline).map(
      (step) =>
        html`<li data-state="${step.state}" ${step.state === 'current' ? html`aria-current="step"` : ''}>
          <span class="step-name">${step.name}</span>
          <span class="step-state">${stepText(step)}</span>
          ${step.startedAt ? html`<span class="step-state">${minutesAgo(step.startedAt, now)}</span>` : ''}
        </li>`,
    )}
  </ol>`;
}

function guide(protocol: string): SafeHtml {
  return html`<section class="card" aria-labelledby="guide-heading">
    <h2 id="guide-heading">Guide</h2>
    <details open>
      <summary>What each mode shows</summary>
      <p>
        Pick a user (Select Random User), then choose a Personalize Mode. <strong>Recommendations</strong> shows what
        two models (Model 1 and Model 2) recommend for that user, side by side. <strong>Personal Ranking</strong>
        takes the most popular movies of a genre and shows them re-ordered for the user by a ranking model.
        <strong>Similar Items</strong> starts from the user's top-rated movie and shows movies like it; click a tile to
        make it the new starting movie, and choose Ordering "Personalized" to re-rank the list for the user.
      </p>
    </details>
    <details>
      <summary>What the metrics mean</summary>
      <p>
        precision@K: the share of the top K recommendations that the user went on to like. NDCG@10 also rewards putting
        those movies near the top. Coverage: the share of all movies that the model recommends to anyone. For all of
        them, larger is better.
      </p>
    </details>
    <details>
      <summary>How the models were trained</summary>
      <p>
        The Amazon Personalize models (their recipes are in the table) are trained by the kit's controller on the
        ratings above the threshold, with timestamps shifted as the original workshop did; their metrics are the ones
        Personalize reports. The local models are baselines trained on this server at start: most popular, and
        item-to-item nearest neighbours on co-occurring positive ratings.
      </p>
      <p>${protocol}</p>
    </details>
  </section>`;
}
