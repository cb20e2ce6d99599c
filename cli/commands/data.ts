/**
 * `movierecs data`: the MovieLens preparation on this machine, the same code the Data stack runs
 * in AWS. Settings default to the workshop config in cdk.json; --threshold and --shift override
 * them (and are checked with the config's own rules).
 */
import { Command, Option } from '@commander-js/extra-typings';
import * as path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { MOVIELENS_EDITIONS, MovieLensEdition } from '../../lib/config';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import { MovieLensSource, openSource } from '../../lib/data/movielens/source';
import { workshopConfig } from '../config';
import { contextOption } from '../options';
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
      const overrides = [...options.context];
      if (options.threshold !== undefined) overrides.push(`positiveRatingThreshold=${options.threshold}`);
      if (options.shift !== undefined) overrides.push(`timestampShift=${options.shift}`);
      const config = workshopConfig(overrides);
      const sourcePath = path.resolve(options.source);
      const out = path.resolve(options.out);
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
