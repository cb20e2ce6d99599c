/**
 * The local workshop's data: the synthetic sample (the same files `npm run data:sample` writes),
 * prepared with the workshop's own settings from cdk.json, exactly as the Data stack prepares the
 * real MovieLens in AWS. Written once into data/sample/ (ignored by git) and reused.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadWorkshopConfig } from '../lib/config';
import { prepareMovieLens } from '../lib/data/movielens/prepare';
import { FolderSink } from '../lib/data/movielens/sink';
import { openSource } from '../lib/data/movielens/source';
import { publishFolder } from '../lib/shared/publish-folder';
import { ensureSample, SAMPLE_DIR } from '../data/synthetic/sample';

export const PREPARED_SAMPLE_DIR = path.join(path.dirname(SAMPLE_DIR), 'prepared');

/** The workshop's preparation settings (cdk.json context), validated like a deploy's. */
export function workshopPreparationSettings(cdkJsonPath = path.join(__dirname, '..', 'cdk.json')) {
  const context: Record<string, unknown> = JSON.parse(readFileSync(cdkJsonPath, 'utf8')).context ?? {};
  const config = loadWorkshopConfig((key) => context[key]);
  return { positiveRatingThreshold: config.positiveRatingThreshold, timestampShift: config.timestampShift };
}

/** Generates and prepares the sample unless a prepared copy is there; returns its folder. */
export async function ensurePreparedSample(folder = PREPARED_SAMPLE_DIR): Promise<string> {
  // Prepared aside and renamed into place: the test workers (and two npm starts) ask for it at
  // once on a fresh clone, and none may load files another is still writing.
  return publishFolder(
    folder,
    (f) => existsSync(path.join(f, 'personalize', 'manifest.json')),
    async (into) => {
      const source = await openSource(ensureSample());
      try {
        await prepareMovieLens({
          edition: 'ml-100k',
          source,
          sourceDescription: 'synthetic sample (data/synthetic/sample.ts)',
          sink: new FolderSink(into),
          ...workshopPreparationSettings(),
        });
      } finally {
        await source.close();
      }
    },
  );
}
