import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { ensureSample, SAMPLE_FILES } from '../../data/synthetic/sample';
import { tempDir } from './helpers';

const bytesOf = (folder: string) => SAMPLE_FILES.map((f) => readFileSync(path.join(folder, f)));

test('the sample is generated the same on every machine, and an existing one is left alone', () => {
  const first = bytesOf(ensureSample(tempDir()));
  const second = ensureSample(tempDir());
  expect(bytesOf(second).every((bytes, i) => bytes.equals(first[i]))).toBe(true);
  const before = readFileSync(path.join(second, 'u.data'));
  ensureSample(second);
  expect(readFileSync(path.join(second, 'u.data')).equals(before)).toBe(true);
});

test('it stays small: at most 2 MB', () => {
  const bytes = bytesOf(ensureSample(tempDir())).reduce((sum, b) => sum + b.length, 0);
  expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
});

test("it prepares with the workshop defaults and meets Personalize's minimums", async () => {
  const folder = ensureSample(tempDir());
  const source = await openSource(folder);
  const manifest = await prepareMovieLens({
    edition: 'ml-100k',
    source,
    sourceDescription: folder,
    sink: new FolderSink(tempDir()),
    positiveRatingThreshold: 3.6,
    timestampShift: { kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' },
  });
  expect(manifest.counts).toMatchObject({ ratingsRead: 50000, movies: 1000, users: 600, usersKept: 600 });
  expect(manifest.counts.interactions).toBeGreaterThan(20000);
  expect(manifest.counts.usersWithAtLeastTwoInteractions).toBeGreaterThanOrEqual(25);
  expect(manifest.timestamps.newestShifted).toBe(Date.parse('2019-04-01T00:00:00Z') / 1000);
});
