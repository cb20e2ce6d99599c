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
  readonly evaluationProtocol: string;
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

export function frontPage(data: FrontPageData): string {
  return page(
    'Models',
    html`<h1>Movie recommendations: the models</h1>
      ${data.problems.map((p) => html`<div class="notice" role="status">${p}</div>`)} ${pipelineBanner(data.pipeline)}
      <div class="front">
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
                      MovieLens edition ${data.summary.edition}; ratings above ${data.summary.positiveThreshold} count
                      as positive.
                    </p>`
                : html`<p>No data is loaded yet.</p>`
            }
            <form method="get" action="/recommend/random">
              <button type="submit">Select Random User</button>
            </form>
          </section>
          ${guide(data.evaluationProtocol)}
        </div>
        <div class="models">
          <section class="card" aria-labelledby="models-heading">
            <h2 id="models-heading">Models and offline metrics</h2>
            <p class="muted">Larger is better for every metric. Local models are baselines trained here.</p>
            <div class="scroll-x">
              <table>
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
            ${metricsChart(data.models)}
          </section>
        </div>
      </div>`,
  );
}

function pipelineBanner(pipeline: PipelineProgress | undefined): SafeHtml | string {
  if (!pipeline || pipeline.status === 'done') return '';
  if (pipeline.status === 'failed') {
    return html`<div class="error" role="alert">
      <strong>The Amazon Personalize pipeline failed.</strong> ${pipeline.reason ?? ''} The local models still work.
    </div>`;
  }
  return html`<div class="notice" role="status">
    <strong>Amazon Personalize is still working</strong>${pipeline.reason ? html`: ${pipeline.reason}` : ''}. Its models
    appear here as their campaigns become active; the local models work meanwhile.
    ${
      pipeline.resources.length
        ? html`<table>
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
                    <td>${r.resource}</td>
                    <td>${r.stage}</td>
                    <td>${r.status}${r.failureReason ? html` (${r.failureReason})` : ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
  </div>`;
}

/** Precision@5/10/25 per model as grouped bars, drawn on the server. */
export function metricsChart(models: readonly Model[]): SafeHtml | string {
  const keys = ['precisionAt5', 'precisionAt10', 'precisionAt25'] as const;
  const shown = models.filter((m) => !fromCandidateLists(m) && keys.some((k) => m.metrics[k] !== undefined));
  if (shown.length === 0) return html`<p class="muted">No model has offline metrics yet.</p>`;
  const max = Math.max(...shown.flatMap((m) => keys.map((k) => m.metrics[k] ?? 0)), 0.0001);
  const rowHeight = 54;
  const labelWidth = 220;
  const barWidth = 360;
  const height = shown.length * rowHeight + 30;
  const colours = ['#2d5bd7', '#6f8fe8', '#b3c4f2'];
  return html`<svg
    class="chart"
    viewBox="0 0 ${labelWidth + barWidth + 70} ${height}"
    width="${labelWidth + barWidth + 70}"
    role="img"
    aria-label="Precision at 5, 10 and 25 for each model"
  >
    ${shown.map(
      (m, i) =>
        html`<text x="0" y="${i * rowHeight + 28}" font-size="13">${m.name.slice(0, 32)}</text> ${keys.map((k, j) => {
            const value = m.metrics[k] ?? 0;
            const width = Math.max(1, Math.round((value / max) * barWidth));
            const y = i * rowHeight + 8 + j * 14;
            return html`<rect x="${labelWidth}" y="${y}" width="${width}" height="12" fill="${colours[j]}" />
              <text x="${labelWidth + width + 4}" y="${y + 10}" font-size="10">${value.toFixed(3)}</text>`;
          })}`,
    )}
    ${keys.map(
      (k, j) =>
        html`<rect x="${labelWidth + j * 110}" y="${height - 16}" width="10" height="10" fill="${colours[j]}" />
          <text x="${labelWidth + j * 110 + 14}" y="${height - 7}" font-size="11"
            >${k.replace('precisionAt', 'precision@')}</text
          >`,
    )}
  </svg>`;
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
