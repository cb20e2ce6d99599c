/**
 * The front page's Personalize timeline (the phases' states from the resources the controller
 * reports, lib/personalize/controller) and its metrics chart.
 */
import { frontPage, metricsChart, pipelineSteps, PIPELINE_PHASES } from '../../app-src/pages/front';
import type { Model } from '../../app-src/recommenders/port';
import type { PipelineProgress } from '../../app-src/recommenders/registry';

type Resource = PipelineProgress['resources'][number];

const pipeline = (resources: Resource[], status: PipelineProgress['status'] = 'pending'): PipelineProgress => ({
  status,
  updatedAt: '2026-12-07T06:00:00.000Z',
  resources,
});
const states = (p: PipelineProgress) => pipelineSteps(p).map((s) => [s.name, s.state]);

describe('pipelineSteps', () => {
  it('the dataset group just asked for: datasets current, the rest to come', () => {
    expect(
      states(
        pipeline([
          { resource: 'dataset-group', stage: 'dataset group', status: 'CREATE PENDING' },
          { resource: 'solution:top-picks', stage: 'solution', status: 'WAITING FOR DATASETS' },
        ]),
      ),
    ).toEqual([
      ['Datasets', 'current'],
      ['Data import', 'pending'],
      ['Solutions training', 'pending'],
      ['Campaigns creating', 'pending'],
    ]);
  });

  it('imports running: datasets done, import current with its start, the rest to come', () => {
    const steps = pipelineSteps(
      pipeline([
        { resource: 'dataset-group', stage: 'dataset group', status: 'ACTIVE' },
        { resource: 'dataset:interactions', stage: 'dataset', status: 'ACTIVE' },
        {
          resource: 'import:interactions',
          stage: 'import',
          status: 'CREATE IN_PROGRESS',
          startedAt: '2026-12-07T05:50:00.000Z',
        },
        { resource: 'import:items', stage: 'import', status: 'ACTIVE' },
        { resource: 'training:top-picks', stage: 'training', status: 'WAITING FOR IMPORTS' },
      ]),
    );
    expect(steps.map((s) => [s.name, s.state])).toEqual([
      ['Datasets', 'done'],
      ['Data import', 'current'],
      ['Solutions training', 'pending'],
      ['Campaigns creating', 'pending'],
    ]);
    expect(steps[1]).toMatchObject({ done: 1, total: 2, startedAt: '2026-12-07T05:50:00.000Z' });
  });

  it('a failed training marks its phase failed; a phase the registry counted away is done once a later one began', () => {
    expect(
      states(
        pipeline(
          [
            { resource: '6 more steps', stage: 'summary', status: 'ACTIVE' },
            { resource: 'training:top-picks', stage: 'training', status: 'CREATE FAILED', failureReason: 'no data' },
            { resource: 'campaign:top-picks', stage: 'campaign', status: 'WAITING FOR TRAINING' },
          ],
          'failed',
        ),
      ),
    ).toEqual([
      ['Datasets', 'done'],
      ['Data import', 'done'],
      ['Solutions training', 'failed'],
      ['Campaigns creating', 'pending'],
    ]);
  });

  it('nothing created yet: every phase to come', () => {
    expect(
      pipelineSteps(pipeline([{ resource: 'dataset-group', stage: 'dataset group', status: 'MISSING' }])).map(
        (s) => s.state,
      ),
    ).toEqual(['pending', 'pending', 'pending', 'pending']);
  });

  it('every resource active: every phase done', () => {
    const all = PIPELINE_PHASES.flatMap((p) => p.stages.map((stage) => ({ resource: stage, stage, status: 'ACTIVE' })));
    expect(pipelineSteps(pipeline(all)).every((s) => s.state === 'done')).toBe(true);
  });
});

describe('the timeline on the front page', () => {
  const data = (p: PipelineProgress | undefined) => ({
    models: [],
    summary: undefined,
    pipeline: p,
    problems: [],
    evaluationProtocol: 'protocol',
  });

  it('says what runs, since when, and how much of it is done', () => {
    const body = frontPage(
      data(
        pipeline([
          { resource: 'training:a', stage: 'training', status: 'ACTIVE' },
          {
            resource: 'training:b',
            stage: 'training',
            status: 'CREATE IN_PROGRESS',
            startedAt: '2026-12-07T05:38:00.000Z',
          },
        ]),
      ),
      Date.parse('2026-12-07T06:00:00.000Z'),
    );
    expect(body).toContain('<ol class="timeline" aria-label="Amazon Personalize progress">');
    expect(body).toMatch(/data-state="current" aria-current="step">\s*<span class="step-name">Solutions training/);
    expect(body).toContain('in progress, 1 of 2 done');
    expect(body).toContain('started 05:38 UTC, 22 min ago');
    // The resources stay one click away.
    expect(body).toMatch(/<details>\s*<summary>Each resource<\/summary>/);
  });

  it('a failed pipeline shows the timeline in an alert; a finished or absent one shows none', () => {
    const failed = frontPage(
      data(pipeline([{ resource: 'import:items', stage: 'import', status: 'CREATE FAILED' }], 'failed')),
    );
    expect(failed).toMatch(/<section\s+class="error"\s+role="alert"/);
    expect(failed).toMatch(/data-state="failed"[^>]*>\s*<span class="step-name">Data import/);
    expect(frontPage(data(pipeline([], 'done')))).not.toContain('class="timeline"');
    expect(frontPage(data(undefined))).not.toContain('class="timeline"');
  });
});

describe('the metrics chart', () => {
  const model = (id: string, metrics: Model['metrics']): Model => ({
    id,
    name: id,
    type: 'recommend',
    source: 'local',
    recipe: 'local-test',
    sortOrder: 1,
    metrics,
  });

  it('draws each precision as a bar as long as its share of the largest, with the value as text', () => {
    const chart = metricsChart([
      model('local:a', { precisionAt5: 0.2, precisionAt10: 0.1 }),
      model('local:b', { precisionAt5: 0.05, precisionAt10: 0.04, precisionAt25: 0.02 }),
      model('local:none', { coverage: 0.5 }),
    ]).toString();
    const bars = [
      ...chart.matchAll(/<span>(precision@\d+)<\/span>[\s\S]*?<rect width="([\d.]+)"[\s\S]*?class="value">([^<]+)</g),
    ].map((m) => [m[1], Number(m[2]), m[3]]);
    expect(bars).toEqual([
      ['precision@5', 100, '0.200'],
      ['precision@10', 50, '0.100'],
      ['precision@25', 0, '–'],
      ['precision@5', 25, '0.050'],
      ['precision@10', 20, '0.040'],
      ['precision@25', 10, '0.020'],
    ]);
    // A model with no precision at all is left out; text, not SVG text, so it reads at any width.
    expect(chart).not.toContain('local:none');
    expect(chart).not.toContain('<text');
  });

  it('says so when no model has metrics yet', () => {
    expect(metricsChart([model('local:a', {})]).toString()).toContain('No model has offline metrics yet.');
  });
});
