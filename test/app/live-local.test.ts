/**
 * The local models for a user they were not trained on (issue 18): from a history given, the same
 * answers as for a trained user with that history, at once; and the adapter, which answers a site
 * user from their history and every other user as trained.
 */
import { generateMovies, generateRatings, generateUsers, SyntheticOptions } from '../../data/synthetic/generate';
import { Random } from '../../data/synthetic/random';
import { describeLocalModels, LocalModels, LocalRecommender, type LiveHistory } from '../../app-src/recommenders/local';
import type { Model, RatingRow } from '../../app-src/recommenders/port';

const THRESHOLD = 3.6;

function synthetic(): RatingRow[] {
  const options: SyntheticOptions = { edition: 'ml-100k', users: 150, items: 300, ratings: 8000, seed: 7 };
  const ratings: RatingRow[] = [];
  const random = new Random(options.seed);
  const movies = generateMovies(options, random);
  generateRatings(options, movies, generateUsers(options, random), random, (user, items, values, times) =>
    items.forEach((movieId, i) => ratings.push({ userId: user, movieId, rating: values[i], timestamp: times[i] })),
  );
  return ratings;
}

/** A trained user's history as the site would give it: positives oldest first, every rated movie. */
function historyOf(ratings: readonly RatingRow[], userId: number): LiveHistory {
  const own = ratings
    .filter((r) => r.userId === userId)
    .sort((a, b) => a.timestamp - b.timestamp || a.movieId - b.movieId);
  return { positives: own.filter((r) => r.rating > THRESHOLD).map((r) => r.movieId), rated: own.map((r) => r.movieId) };
}

describe('the ...For methods', () => {
  const ratings = synthetic();
  const local = LocalModels.train(ratings, { positiveThreshold: THRESHOLD });
  const users = [...new Set(ratings.map((r) => r.userId))].slice(0, 15);

  test('give a trained user’s history the trained user’s answers (kNN, popularity, ranking, reasons)', () => {
    const some = local.mostPopular(30);
    for (const userId of users) {
      const history = historyOf(ratings, userId);
      expect(local.recommendKnn(history, 25)).toEqual(local.recommendKnn(userId, 25));
      expect(local.recommendPopular(history, 25)).toEqual(local.recommendPopular(userId, 25));
      expect(local.rank(history, some)).toEqual(local.rank(userId, some));
      expect(local.because(history, some)).toEqual(local.because(userId, some));
    }
  });

  test('EASE: the same answers as for the trained user', () => {
    const ease = local.trainEase({ lambda: 100, maxItems: 200, minPositives: 1 });
    const some = local.mostPopular(30);
    for (const userId of users) {
      const history = historyOf(ratings, userId);
      expect(local.recommendEase(ease, history, 25)).toEqual(local.recommendEase(ease, userId, 25));
      expect(local.rankEase(ease, history, some)).toEqual(local.rankEase(ease, userId, some));
      expect(local.becauseEase(ease, history, some)).toEqual(local.becauseEase(ease, userId, some));
    }
  });

  test('with the Genre control’s allows: the trained user’s answers with the same allows', () => {
    const allowed = new Set(local.mostPopular(300).filter((id) => id % 3 === 0));
    const allows = (id: number) => allowed.has(id);
    const ease = local.trainEase({ lambda: 100, maxItems: 200, minPositives: 1 });
    const some = local.mostPopular(30);
    for (const userId of users) {
      const history = historyOf(ratings, userId);
      const knn = local.recommendKnn(history, 25, allows);
      expect(knn).toEqual(local.recommendKnn(userId, 25, allows));
      expect(knn.every(allows)).toBe(true);
      expect(local.recommendPopular(history, 25, allows)).toEqual(local.recommendPopular(userId, 25, allows));
      expect(local.recommendEase(ease, history, 25, allows)).toEqual(local.recommendEase(ease, userId, 25, allows));
      expect(local.rank(history, some, allows)).toEqual(local.rank(userId, some, allows));
      expect(local.rankEase(ease, history, some, allows)).toEqual(local.rankEase(ease, userId, some, allows));
    }
  });

  test('never recommend a rated movie, and follow the history as it grows', () => {
    const [a, b] = local.mostPopular(2);
    const empty = local.recommendKnn({ positives: [], rated: [] }, 10);
    expect(empty).toEqual(local.mostPopular(10));
    const one = local.recommendKnn({ positives: [a], rated: [a] }, 10);
    expect(one).not.toContain(a);
    const two = local.recommendKnn({ positives: [a, b], rated: [a, b] }, 10);
    expect(two).not.toContain(b);
    expect(two).not.toEqual(one);
    // Unknown movie ids are ignored.
    expect(local.recommendKnn({ positives: [a, 999_999], rated: [a, 999_999] }, 10)).toEqual(one);
  });
});

describe('LocalRecommender with live histories', () => {
  const ratings = synthetic();
  const local = LocalModels.train(ratings, { positiveThreshold: THRESHOLD });
  const models: readonly Model[] = describeLocalModels();
  const knn = models.find((m) => m.id === 'local:knn')!;
  const trained = new LocalRecommender(local);
  const asked: number[] = [];
  const siteUser = 1_000_001;
  const [a, b] = local.mostPopular(2);
  const live = new LocalRecommender(local, async (userId) => {
    asked.push(userId);
    return userId === siteUser ? { positives: [a, b], rated: [a, b] } : undefined;
  });

  test('answers a site user from their history, a trained user as trained, without asking for their history', async () => {
    const userId = ratings[0].userId;
    expect(await live.recommend(knn, userId, 10)).toEqual(await trained.recommend(knn, userId, 10));
    expect(asked).toEqual([]);
    expect(await live.recommend(knn, siteUser, 10)).toEqual(
      local.recommendKnn({ positives: [a, b], rated: [a, b] }, 10),
    );
    expect(asked).toEqual([siteUser]);
  });

  test('passes the Genre control’s filter on, for a site user and a trained one', async () => {
    const allowed = new Set(local.mostPopular(300).filter((id) => id % 2 === 1));
    const filter = { genre: 'Odd', allows: (id: number) => allowed.has(id) };
    const userId = ratings[0].userId;
    expect(await live.recommend(knn, userId, 10, filter)).toEqual(await trained.recommend(knn, userId, 10, filter));
    const mine = await live.recommend(knn, siteUser, 10, filter);
    expect(mine).toEqual(local.recommendKnn({ positives: [a, b], rated: [a, b] }, 10, filter.allows));
    expect(mine.every(filter.allows)).toBe(true);
  });
});
