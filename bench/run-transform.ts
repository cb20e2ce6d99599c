/**
 * Runs our interactions transform once, in its own process so its peak memory is its own, and
 * prints one JSON line like bench/pandas_transform.py does.
 *
 *   tsx bench/run-transform.ts --source DIR --edition ml-25m --shift 660833618|newestAt --out DIR
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MovieLensEdition } from '../lib/config';
import { prepareMovieLens, preparedKeys } from '../lib/data/movielens/prepare';
import { FolderSink } from '../lib/data/movielens/sink';
import { openSource } from '../lib/data/movielens/source';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      edition: { type: 'string', default: 'ml-25m' },
      shift: { type: 'string', default: '660833618' },
      threshold: { type: 'string', default: '3.6' },
      out: { type: 'string' },
    },
  });
  if (!values.source || !values.out) throw new Error('--source and --out are required');
  const source = await openSource(values.source);
  const started = process.hrtime.bigint();
  const manifest = await prepareMovieLens({
    edition: values.edition as MovieLensEdition,
    source,
    sourceDescription: values.source,
    sink: new FolderSink(values.out),
    positiveRatingThreshold: Number(values.threshold),
    timestampShift:
      values.shift === 'newestAt'
        ? { kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' }
        : { kind: 'seconds', seconds: Number(values.shift) },
    interactionsOnly: true,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await source.close();
  console.log(
    JSON.stringify({
      rowsRead: manifest.counts.ratingsRead,
      rowsWritten: manifest.counts.interactions,
      seconds,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      output: path.join(values.out, preparedKeys().interactions),
    }),
  );
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
