import {
  emptyModelRegistry,
  fitModelRegistry,
  MODEL_REGISTRY_MAX_BYTES,
  parseModelRegistry,
} from '../../lib/shared/model-registry';

const model = {
  name: 'Personal Recommendations',
  type: 'recommend',
  campaignArn: 'arn:aws:personalize:us-east-1:123456789012:campaign/MovieRecs-personal-recommendations',
  recipe: 'aws-user-personalization-v2',
  sortOrder: 0,
  catalog: 'ml-100k',
  metrics: { precisionAt5: 0.12, ndcgAt10: 0.2, coverage: 0.4 },
};

const registry = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    schemaVersion: 2,
    pipeline: {
      status: 'pending',
      updatedAt: '2026-11-26T10:00:00Z',
      resources: [{ resource: 'dataset-group', stage: 'create', status: 'ACTIVE' }],
    },
    models: [model],
    ...over,
  });

test('an empty registry round-trips', () => {
  expect(parseModelRegistry(JSON.stringify(emptyModelRegistry()))).toEqual(emptyModelRegistry());
});

test('a registry with a model parses', () => {
  expect(parseModelRegistry(registry()).models[0].campaignArn).toMatch(/campaign\/MovieRecs-/);
});

test('text that is not JSON is named as such', () => {
  expect(() => parseModelRegistry('{models')).toThrow(/Model registry is not JSON/);
});

test('a wrong schema version is rejected', () => {
  expect(() => parseModelRegistry(registry({ schemaVersion: 1 }))).toThrow(/schemaVersion/);
});

test('a model of unknown type is rejected, naming the field', () => {
  expect(() => parseModelRegistry(registry({ models: [{ ...model, type: 'hrnn' }] }))).toThrow(/models\.0\.type/);
});

test('a campaign ARN that is not an ARN is rejected', () => {
  expect(() => parseModelRegistry(registry({ models: [{ ...model, campaignArn: 'campaign-1' }] }))).toThrow(
    /models\.0\.campaignArn/,
  );
});

describe('fitModelRegistry', () => {
  const row = (i: number, status: string, failureReason?: string) => ({
    resource: `training:model-${i}-${'x'.repeat(60)}`,
    stage: 'training',
    status,
    ...(failureReason ? { failureReason } : {}),
  });
  const big = (resources: ReturnType<typeof row>[]) =>
    parseModelRegistry(registry({ pipeline: { status: 'pending', updatedAt: '2026-11-26T10:00:00Z', resources } }));

  test('a registry within the limit is left as it is', () => {
    const small = big([row(1, 'ACTIVE')]);
    expect(fitModelRegistry(small)).toBe(small);
  });

  test('finished steps are counted first, the running ones and the models stay', () => {
    const fitted = fitModelRegistry(
      big([...Array.from({ length: 60 }, (_, i) => row(i, 'ACTIVE')), row(99, 'CREATE IN_PROGRESS')]),
    );
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MODEL_REGISTRY_MAX_BYTES);
    expect(fitted.pipeline.resources.map((r) => r.status)).toEqual(['CREATE IN_PROGRESS', 'ACTIVE']);
    expect(fitted.pipeline.resources[1].resource).toBe('60 more steps');
    expect(fitted.models).toHaveLength(1);
  });

  test('then long reasons are cut, then the running steps are counted too', () => {
    const reasons = fitModelRegistry(
      big(Array.from({ length: 6 }, (_, i) => row(i, 'CREATE FAILED', 'r'.repeat(700)))),
    );
    expect(reasons.pipeline.resources).toHaveLength(6);
    expect(reasons.pipeline.resources.every((r) => r.failureReason?.length === 300)).toBe(true);
    const all = fitModelRegistry(big(Array.from({ length: 80 }, (_, i) => row(i, 'CREATE IN_PROGRESS'))));
    expect(all.pipeline.resources).toEqual([
      { resource: '80 more steps', stage: 'summary', status: 'see movierecs status' },
    ]);
    expect(Buffer.byteLength(JSON.stringify(all))).toBeLessThanOrEqual(MODEL_REGISTRY_MAX_BYTES);
  });
});
