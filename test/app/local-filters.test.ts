/**
 * Issue 18: the local models honour the page's Genre control through `allows`: the nearest
 * allowed neighbours or the best allowed scores, then allowed popular movies, never a movie it
 * refuses. The hand-computed example of tiny-ratings.ts.
 */
import { describeLocalModels, LocalRecommender } from '../../app-src/recommenders/local';
import type { Model, MovieFilter } from '../../app-src/recommenders/port';
import { A, B, C, D, tiny } from './tiny-ratings';

const only =
  (...ids: number[]) =>
  (id: number) =>
    ids.includes(id);

describe('LocalModels with allows', () => {
  test('similar items: the nearest allowed neighbours, then allowed popular movies', () => {
    const local = tiny();
    // B is A's nearest neighbour; refused, C comes first, then the popular D.
    expect(local.similar(A, 3, only(C, D))).toEqual([C, D]);
    // One wanted: the nearest allowed one, past the nearer refused neighbour.
    expect(local.similar(A, 1, only(C, D))).toEqual([C]);
    // No neighbour allowed: allowed popular movies only, never the base movie.
    expect(local.similar(B, 5, only(B, D))).toEqual([D]);
    expect(local.similar(A, 3, () => false)).toEqual([]);
    // Without allows, as before.
    expect(local.similar(A, 3)).toEqual([B, C, D]);
  });

  test('most popular: the allowed popular movies the user has not rated', () => {
    const local = tiny();
    expect(local.recommendPopular(99, 3, only(B, D))).toEqual([B, D]);
    // User 4 rated B and C.
    expect(local.recommendPopular(4, 5, only(B, C, D))).toEqual([D]);
  });

  test('item-kNN: the best allowed scores, then allowed popular movies', () => {
    const local = tiny();
    // User 1 liked A and B: C scores (A's neighbour), D fills. With C refused, D alone.
    expect(local.recommendKnn(1, 5)).toEqual([C, D]);
    expect(local.recommendKnn(1, 5, only(D))).toEqual([D]);
    // Unknown user: allowed popular movies.
    expect(local.recommendKnn(99, 3, (id) => id !== A)).toEqual([B, C, D]);
  });

  test('EASE: the best allowed scores, then allowed popular movies; ranking keeps only the allowed', () => {
    const local = tiny();
    const ease = local.trainEase({ lambda: 1, maxItems: 10, minPositives: 1 });
    expect(local.recommendEase(ease, 3, 5)).toEqual([B, D]);
    expect(local.recommendEase(ease, 3, 5, only(D))).toEqual([D]);
    expect(local.rankEase(ease, 3, [D, B, C], only(B, D))).toEqual([B, D]);
    expect(local.rank(3, [D, B, C], only(D, C))).toEqual([C, D]);
  });
});

describe('LocalRecommender with a MovieFilter', () => {
  const models = Object.fromEntries(describeLocalModels().map((m) => [m.id, m])) as Record<string, Model>;
  const filter = (...ids: number[]): MovieFilter => ({ genre: 'Test', allows: only(...ids) });

  test('passes the filter to each model', async () => {
    const local = tiny();
    const port = new LocalRecommender(local);
    await expect(port.recommend(models['local:popular'], 99, 3, filter(B, D))).resolves.toEqual([B, D]);
    await expect(port.recommend(models['local:knn'], 1, 5, filter(D))).resolves.toEqual([D]);
    await expect(port.similar(models['local:similar'], A, 2, 1, filter(C, D))).resolves.toEqual([C, D]);
    await expect(port.rank(models['local:ranking'], 3, [D, B], filter(D))).resolves.toEqual([D]);
    local.useEase(local.trainEase({ lambda: 1, maxItems: 10, minPositives: 1 }), 1);
    await expect(port.recommend(models['local:ease'], 3, 5, filter(D))).resolves.toEqual([D]);
  });
});
