/**
 * The MovieLens preparation on this machine: the same code the Data stack runs in AWS.
 *
 *   npm run data -- --edition ml-100k --source ml-100k.zip --out prepared/
 *
 * Settings default to the workshop config in cdk.json (positiveRatingThreshold, timestampShift);
 * --threshold and --shift override them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadWorkshopConfig, MOVIELENS_EDITIONS, MovieLensEdition, TimestampShift } from '../../config';
import { DataFileError, BelowPersonalizeMinimumError } from './errors';
import { prepareMovieLens } from './prepare';
import { FolderSink } from './sink';
import { openSource } from './source';

const USAGE =
  'usage: npm run data -- --edition ml-100k|ml-latest-small|ml-25m --source <zip or folder> --out <folder>\n' +
  '                       [--threshold <0-5>] [--shift <ISO instant | seconds>] [--skip-bad-lines]';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      edition: { type: 'string' },
      source: { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'string' },
      shift: { type: 'string' },
      'skip-bad-lines': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.edition || !values.source || !values.out)
    throw new Error(`--edition, --source and --out are required\n${USAGE}`);
  if (!(MOVIELENS_EDITIONS as readonly string[]).includes(values.edition)) {
    throw new Error(`--edition must be one of ${MOVIELENS_EDITIONS.join(', ')}, got "${values.edition}"`);
  }
  const config = workshopConfig(values);
  const source = await openSource(path.resolve(values.source));
  const started = Date.now();
  try {
    const manifest = await prepareMovieLens({
      edition: values.edition as MovieLensEdition,
      source,
      sourceDescription: path.resolve(values.source),
      sink: new FolderSink(path.resolve(values.out)),
      positiveRatingThreshold: config.positiveRatingThreshold,
      timestampShift: config.timestampShift,
      skipBadLines: values['skip-bad-lines'],
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`prepared ${values.edition} in ${seconds} s into ${path.resolve(values.out)}`);
    for (const [name, file] of Object.entries(manifest.files))
      console.log(`  ${name.padEnd(13)} ${String(file.rows).padStart(10)} rows  ${file.key}`);
    console.log(
      `  ${manifest.counts.usersKept} users and ${manifest.counts.itemsKept} items kept; timestamps shifted by ${manifest.settings.shiftSeconds} s`,
    );
    if (manifest.badLines.count) console.log(`  ${manifest.badLines.count} bad lines skipped (see manifest.json)`);
    if (manifest.warnings.count) {
      console.log(`  ${manifest.warnings.count} lines read with a warning (see manifest.json), e.g.`);
      const [first] = manifest.warnings.examples;
      console.log(`    ${first.file}, line ${first.line}: ${first.problem}`);
    }
  } finally {
    await source.close();
  }
}

/** The workshop settings from cdk.json, with --threshold and --shift applied (validated alike). */
function workshopConfig(values: { threshold?: string; shift?: string }): {
  positiveRatingThreshold: number;
  timestampShift: TimestampShift;
} {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'cdk.json'), 'utf8'));
  const context: Record<string, unknown> = { ...cdkJson.context };
  if (values.threshold !== undefined) context.positiveRatingThreshold = values.threshold;
  if (values.shift !== undefined) context.timestampShift = values.shift;
  return loadWorkshopConfig((key) => context[key]);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    const known =
      error instanceof DataFileError ||
      error instanceof BelowPersonalizeMinimumError ||
      error.name === 'WorkshopConfigError';
    console.error(known || !error.stack ? error.message : error.stack);
    process.exit(1);
  });
}
