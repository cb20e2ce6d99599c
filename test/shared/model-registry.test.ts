import { emptyModelRegistry, parseModelRegistry } from '../../lib/shared/model-registry';

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
      resources: [{ resource: 'dataset-group', stage: 'create', status: 'ACTIVE', updatedAt: '2026-11-26T10:00:00Z' }],
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
