/**
 * The small synthetic sample the tests and the local workshop use, in the ml-100k layout. It is
 * generated, never committed: files named like MovieLens' must not be in the repository (its
 * licence forbids redistribution), and the generator is deterministic, so every machine gets the
 * same bytes.
 *
 *   npm run data:sample        # writes data/sample/ml-100k (ignored by git)
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { publishFolderSync } from '../../lib/shared/publish-folder';
import { SyntheticOptions, writeSynthetic } from './generate';

export const SAMPLE_OPTIONS: SyntheticOptions = {
  edition: 'ml-100k',
  users: 600,
  items: 1000,
  ratings: 50000,
  seed: 1,
};
export const SAMPLE_FILES = ['u.data', 'u.item', 'u.user'] as const;
export const SAMPLE_DIR = path.join(__dirname, '..', 'sample', 'ml-100k');

/** Writes the sample into `folder` unless it is already there; returns the folder. */
export function ensureSample(folder = SAMPLE_DIR): string {
  // Built aside and renamed into place: parallel test workers never read a half-written sample.
  return publishFolderSync(
    folder,
    (f) => SAMPLE_FILES.every((file) => existsSync(path.join(f, file))),
    (into) => writeSynthetic(SAMPLE_OPTIONS, into),
  );
}
