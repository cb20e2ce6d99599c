/**
 * The site offers only the Personalize models of the catalogue it loaded: the same movie id is
 * another film in another MovieLens edition (during a generation change the registry lists the
 * previous edition's models until the new ones serve).
 */
import type { AdminModels } from '../../app-src/db/admin-models';
import { ModelCatalog } from '../../app-src/recommenders/catalog';
import type { Model } from '../../app-src/recommenders/port';
import { StaticRegistry } from '../../app-src/recommenders/registry';
import { MODEL_REGISTRY_SCHEMA_VERSION, type RegisteredModel } from '../../lib/shared/model-registry';

const noAdmin = { list: async () => [] } as unknown as AdminModels;
const local: Model = {
  id: 'local:popular',
  name: 'Most popular (local)',
  type: 'recommend',
  source: 'local',
  recipe: 'local-popularity',
  sortOrder: 100,
  metrics: {},
};
const registered = (name: string, catalog: string, sortOrder: number): RegisteredModel => ({
  name,
  type: 'recommend',
  campaignArn: `arn:aws:personalize:us-east-1:123456789012:campaign/MovieRecs-${name.toLowerCase().replace(/ /g, '-')}`,
  recipe: 'aws-user-personalization-v2',
  sortOrder,
  catalog,
  metrics: {},
});
const registry = (...models: RegisteredModel[]) =>
  new StaticRegistry({
    schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
    pipeline: { status: 'pending', updatedAt: '2026-12-01T00:00:00.000Z', resources: [] },
    models,
  });

test('models of the loaded catalogue are offered; others are held back with a notice that says why', async () => {
  const catalog = new ModelCatalog(
    [local],
    registry(registered('Same edition', 'ml-100k', 1), registered('Other edition', 'ml-latest-small', 2)),
    noAdmin,
    'ml-100k',
  );
  const view = await catalog.view();
  expect(view.models.map((m) => m.name)).toEqual(['Same edition', 'Most popular (local)']);
  expect(view.problems).toEqual([
    '1 Amazon Personalize model was trained on ml-latest-small, and this site serves ml-100k: the same movie id is ' +
      'another film there, so they are not offered. The models of ml-100k appear here when their campaigns are active.',
  ]);
});

test('with every registry model of the loaded catalogue there is no notice', async () => {
  const catalog = new ModelCatalog(
    [local],
    registry(registered('A', 'ml-25m', 1), registered('B', 'ml-25m', 2)),
    noAdmin,
    'ml-25m',
  );
  const view = await catalog.view();
  expect(view.models.map((m) => m.name)).toEqual(['A', 'B', 'Most popular (local)']);
  expect(view.problems).toEqual([]);
});

test('all of another catalogue: only the local models, and the notice counts them', async () => {
  const catalog = new ModelCatalog(
    [local],
    registry(registered('A', 'ml-100k', 1), registered('B', 'ml-100k', 2)),
    noAdmin,
    'ml-25m',
  );
  const view = await catalog.view();
  expect(view.models.map((m) => m.source)).toEqual(['local']);
  expect(view.problems[0]).toMatch(/^2 Amazon Personalize models were trained on ml-100k, and this site serves ml-25m/);
});
