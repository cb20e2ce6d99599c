/**
 * With the notebook's fixed shift, our interactions are the pandas notebook's, byte for byte:
 * same rows kept, same timestamps, same order. Runs where Debian's python3-pandas is installed
 * (.ci/run installs it); elsewhere it says so and skips.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { SyntheticEdition, writeSynthetic } from '../../data/synthetic/generate';
import { tempDir } from './helpers';

const PYTHON = '/usr/bin/python3';
const NOTEBOOK_SHIFT = 660833618;
const hasPandas = spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
if (!hasPandas)
  console.warn(
    `skipping the pandas equivalence tests: ${PYTHON} cannot import pandas (apt-get install python3-pandas)`,
  );
const testWithPandas = hasPandas ? test : test.skip;

const CASES: [SyntheticEdition, 'ml-100k' | 'ml-latest-small', string, '100k' | 'latest', number][] = [
  ['ml-100k', 'ml-100k', 'u.data', '100k', 3.6],
  ['ml-latest', 'ml-latest-small', 'ratings.csv', 'latest', 3.6],
  ['ml-latest', 'ml-latest-small', 'ratings.csv', 'latest', 4.0],
];

testWithPandas.each(CASES)(
  "%s, threshold %s: identical to the notebook's pandas output",
  async (synthetic, edition, ratingsFile, format, threshold) => {
    const input = tempDir();
    writeSynthetic({ edition: synthetic, users: 400, items: 900, ratings: 30000, seed: 11 }, input);
    const out = tempDir();
    const source = await openSource(input);
    await prepareMovieLens({
      edition,
      source,
      sourceDescription: input,
      sink: new FolderSink(out),
      positiveRatingThreshold: threshold,
      timestampShift: { kind: 'seconds', seconds: NOTEBOOK_SHIFT },
    });
    await source.close();

    const pandasOut = path.join(tempDir(), 'pandas.csv');
    const result = spawnSync(
      PYTHON,
      [
        path.join(__dirname, '..', '..', 'bench', 'pandas_transform.py'),
        '--input',
        path.join(input, ratingsFile),
        '--format',
        format,
        '--threshold',
        String(threshold),
        '--shift',
        String(NOTEBOOK_SHIFT),
        '--output',
        pandasOut,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const ours = readFileSync(path.join(out, 'personalize', 'interactions.csv'), 'utf8');
    const theirs = readFileSync(pandasOut, 'utf8');
    expect(ours.split('\n').length).toBeGreaterThan(1000);
    expect(ours).toBe(theirs);
  },
);
