/**
 * The hand-computed example of the local models' tests (local-models, local-filters).
 * Positives (above 3): user 1 {A,B}, 2 {A,B}, 3 {A,C}, 4 {B}; user 4 rated C 1, user 5 rated D 2.
 * Popularity: A and B have 3 positives and 3 ratings each (A first by id), C 1, D 0.
 * Cosine: A-B 2/sqrt(3*3) = 0.667, A-C 1/sqrt(3*1) = 0.577, B-C 0.
 */
import { LocalModels } from '../../app-src/recommenders/local';
import type { RatingRow } from '../../app-src/recommenders/port';

export const A = 10;
export const B = 20;
export const C = 30;
export const D = 40;

export const rating = (userId: number, movieId: number, value: number, timestamp = 1000): RatingRow => ({
  userId,
  movieId,
  rating: value,
  timestamp,
});

export const TINY: RatingRow[] = [
  rating(1, A, 5),
  rating(1, B, 4),
  rating(2, A, 5),
  rating(2, B, 5),
  rating(3, A, 4),
  rating(3, C, 5),
  rating(4, B, 5),
  rating(4, C, 1),
  rating(5, D, 2),
];

export const tiny = () => LocalModels.train(TINY, { positiveThreshold: 3 });
