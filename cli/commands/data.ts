/**
 * `movierecs data`: the MovieLens preparation on this machine, the same code the Data stack runs
 * in AWS. Settings default to the workshop config in cdk.json; --threshold and --shift override
 * them (and are checked with the config's own rules).
 */
import { Command, Option } from '@commander-js/extra-typings';
import { PassThrough, Readable, Transform } from 'node:stream';
import { MOVIELENS_EDITIONS, MovieLensEdition } from '../../lib/config';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { MovieLensSource, openSource } from '../../lib/data/movielens/source';
import { workshopConfig } from '../config';
import { contextOption, numberFrom, pathOption } from '../options';
import { UsageError } from '../errors';
import { MAX_TIMESTAMP } from '../../lib/data/movielens/ratings';
import type { CliContext } from '../main';
import { Progress, progressOn } from '../progress';

export function dataCommand(context: CliContext) {
  return new Command('data')
    .description('prepare a MovieLens edition for Amazon Personalize and the web app (as the Data stack does)')
    .addOption(
      new Option('--edition <edition>', 'the MovieLens edition').choices(MOVIELENS_EDITIONS).makeOptionMandatory(),
    )
    .requiredOption('--source <zip or folder>', 'the zip GroupLens publishes, or the folder it unpacks to')
    .requiredOption('--out <folder>', 'where to write personalize/ and web/')
    .option('--threshold <0-5>', 'ratings above it become interactions (default: positiveRatingThreshold in cdk.json)')
    .option(
      '--shift <instant | seconds>',
      'newest review moved to this ISO instant, or seconds added (default: timestampShift)',
    )
    .option('--skip-bad-lines', 'count and skip malformed lines instead of failing', false)
    .addOption(contextOption())
    .addHelpText(
      'after',
      '\nExample:\n  npx movierecs data --edition ml-100k --source ml-100k.zip --out prepared/\n' +
        '  (download ml-100k.zip from https://grouplens.org/datasets/movielens/ yourself: its licence forbids redistribution)',
    )
    .action(async (options) => {
      const sourcePath = pathOption('source', options.source);
      const out = pathOption('out', options.out);
      const overrides = [...options.context];
      if (options.threshold !== undefined) {
        overrides.push(`positiveRatingThreshold=${numberFrom('threshold', options.threshold, 0, 5)}`);
      }
      if (options.shift !== undefined) overrides.push(`timestampShift=${shiftOption(options.shift)}`);
      const config = workshopConfig(overrides);
      const progress = progressOn(context.io.stderr);
      const source = withProgress(await openSource(sourcePath), progress);
      const started = Date.now();
      try {
        const manifest = await prepareMovieLens({
          edition: options.edition as MovieLensEdition,
          source,
          sourceDescription: sourcePath,
          sink: new FolderSink(out),
          positiveRatingThreshold: config.positiveRatingThreshold,
          timestampShift: config.timestampShift,
          skipBadLines: options.skipBadLines,
        });
        progress.finish();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        context.out(`prepared ${options.edition} in ${seconds} s into ${out}`);
        for (const [name, file] of Object.entries(manifest.files))
          context.out(`  ${name.padEnd(13)} ${String(file.rows).padStart(10)} rows  ${file.key}`);
        context.out(
          `  ${manifest.counts.usersKept} users and ${manifest.counts.itemsKept} items kept; timestamps shifted by ${manifest.settings.shiftSeconds} s`,
        );
        if (manifest.badLines.count) context.out(`  ${manifest.badLines.count} bad lines skipped (see manifest.json)`);
        if (manifest.formulaLikeTitles.count) {
          context.out(
            `  ${manifest.formulaLikeTitles.count} titles start like a spreadsheet formula (= + - @): written exactly as they are; ` +
              'do not open the CSVs in a spreadsheet without care (see formulaLikeTitles in manifest.json), e.g.',
          );
          for (const example of manifest.formulaLikeTitles.examples.slice(0, 3)) {
            context.out(`    ${example.file}, line ${example.line}: ${example.problem}`);
          }
        }
        if (manifest.warnings.count) {
          context.out(`  ${manifest.warnings.count} lines read with a warning (see manifest.json), e.g.`);
          const [first] = manifest.warnings.examples;
          context.out(`    ${first.file}, line ${first.line}: ${first.problem}`);
        }
      } finally {
        progress.finish();
        await source.close();
      }
    });
}

/**
 * --shift: an ISO instant the newest review is moved to, or whole seconds added to every
 * timestamp; either way a timestamp stays within 0..9999999999 (seconds since 1970, the 10 digits
 * MovieLens writes), so the seconds are at most that much either way and the instant lies
 * between 1970 and 2286. (A shift that still takes a rating out of that range fails in the
 * preparation, naming the line.)
 */
export function shiftOption(value: string): string {
  const rule =
    `--shift must be an ISO instant from 1970-01-01T00:00:00Z to 2286-11-20T17:46:39Z (e.g. 2019-04-01T00:00:00Z) ` +
    `or whole seconds from -${MAX_TIMESTAMP} to ${MAX_TIMESTAMP} (e.g. 660833618), got "${value.slice(0, 40)}"`;
  if (/^-?\d+$/.test(value)) {
    if (value.replace(/^-?0*/, '').length > 10 || Math.abs(Number(value)) > MAX_TIMESTAMP) throw new UsageError(rule);
    return String(Number(value));
  }
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !(at >= 0 && at / 1000 <= MAX_TIMESTAMP)) throw new UsageError(rule);
  return value;
}

/** The source, with every stream it opens counted (bytes and lines) into `progress`. */
export function withProgress(source: MovieLensSource, progress: Progress): MovieLensSource {
  const passes = new Map<string, number>();
  return {
    has: (file) => source.has(file),
    readAll: (file) => source.readAll(file),
    size: (file) => source.size(file),
    label: (file) => source.label(file),
    close: () => source.close(),
    async open(file): Promise<Readable> {
      const [stream, total] = await Promise.all([source.open(file), source.size(file)]);
      const pass = (passes.get(file) ?? 0) + 1;
      passes.set(file, pass);
      const label = pass > 1 ? `${file} (pass ${pass})` : file;
      let bytes = 0;
      let rows = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows++;
          progress.update({ label, done: bytes, total, unit: 'bytes', rows });
          done(null, chunk);
        },
      });
      stream.on('error', (error) => counter.destroy(error));
      return stream.pipe(counter).pipe(new PassThrough({ highWaterMark: 256 * 1024 }));
    },
  };
}
