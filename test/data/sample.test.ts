import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { writeSynthetic } from '../../data/synthetic/generate';
import { tempDir } from './helpers';

const SAMPLE = path.join(__dirname, '..', '..', 'data', 'sample', 'ml-100k');
const FILES = ['u.data', 'u.item', 'u.user'];

test('the committed sample is synthetic: exactly what data/README.md says the generator writes', () => {
  const fresh = tempDir();
  writeSynthetic({ edition: 'ml-100k', users: 600, items: 1000, ratings: 50000, seed: 1 }, fresh);
  for (const file of FILES) {
    expect({ file, same: readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(SAMPLE, file))) }).toEqual({
      file,
      same: true,
    });
  }
});

test('it stays small: at most 2 MB', () => {
  const bytes = FILES.reduce((sum, f) => sum + readFileSync(path.join(SAMPLE, f)).length, 0);
  expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
});

test("it prepares with the workshop defaults and meets Personalize's minimums", async () => {
  const source = await openSource(SAMPLE);
  const manifest = await prepareMovieLens({
    edition: 'ml-100k',
    source,
    sourceDescription: SAMPLE,
    sink: new FolderSink(tempDir()),
    positiveRatingThreshold: 3.6,
    timestampShift: { kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' },
  });
  expect(manifest.counts).toMatchObject({ ratingsRead: 50000, movies: 1000, users: 600, usersKept: 600 });
  expect(manifest.counts.interactions).toBeGreaterThan(20000);
  expect(manifest.counts.usersWithAtLeastTwoInteractions).toBeGreaterThanOrEqual(25);
  expect(manifest.timestamps.newestShifted).toBe(Date.parse('2019-04-01T00:00:00Z') / 1000);
});
