/**
 * `movierecs synthetic` and `movierecs sample`: MovieLens-shaped data made here (the licence forbids
 * committing the real files), in the formats GroupLens publishes.
 */
import { Command, Option } from '@commander-js/extra-typings';
import * as path from 'node:path';
import { SyntheticOptions, writeSynthetic, zipFolder } from '../../data/synthetic/generate';
import { SAMPLE_DIR, SAMPLE_FILES, SAMPLE_OPTIONS } from '../../data/synthetic/sample';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors';
import { pathOption, wholeNumber } from '../options';
import type { CliContext } from '../main';
import { progressOn } from '../progress';

/**
 * The most the generator makes. ml-100k's u.data is shuffled in memory (as many rows as ratings);
 * ml-latest streams its ratings, user by user, so it goes to ml-25m's size and a little beyond.
 */
export const SYNTHETIC_LIMITS = {
  'ml-100k': { users: 100_000, items: 100_000, ratings: 2_000_000 },
  'ml-latest': { users: 1_000_000, items: 1_000_000, ratings: 30_000_000 },
} as const;
const MAX_SEED = 2_147_483_647;

const DEFAULTS = {
  'ml-100k': { users: 943, items: 1682, ratings: 100000 },
  'ml-latest': { users: 610, items: 9742, ratings: 100836 },
} as const;

export function syntheticCommand(context: CliContext) {
  return new Command('synthetic')
    .description('generate a synthetic MovieLens edition (same files and formats as GroupLens publishes)')
    .addOption(
      new Option('--edition <edition>', 'which layout').choices(['ml-100k', 'ml-latest'] as const).default('ml-100k'),
    )
    .option('--users <n>', 'number of users (default: as the real edition)')
    .option('--items <n>', 'number of movies (default: as the real edition)')
    .option('--ratings <n>', 'number of ratings (default: as the real edition)')
    .option('--seed <n>', 'random seed: the same seed writes the same bytes', '1')
    .option('--out <folder>', 'where to write (default: <edition>-synthetic)')
    .option('--zip', 'also pack the folder as GroupLens zips it (<out>.zip)', false)
    .option('--ratings-only', 'write only the ratings file', false)
    .addHelpText(
      'after',
      '\nExamples:\n  npx movierecs synthetic --edition ml-100k --out synthetic/ --zip\n' +
        '  npx movierecs synthetic --edition ml-latest --users 162541 --items 62423 --ratings 25000095 --ratings-only',
    )
    .action(async (options) => {
      const edition = options.edition;
      const defaults = DEFAULTS[edition];
      const limits = SYNTHETIC_LIMITS[edition];
      const settings: SyntheticOptions = {
        edition,
        users: wholeNumber('users', options.users, 1, limits.users) ?? defaults.users,
        items: wholeNumber('items', options.items, 1, limits.items) ?? defaults.items,
        ratings: wholeNumber('ratings', options.ratings, 1, limits.ratings) ?? defaults.ratings,
        seed: wholeNumber('seed', options.seed, 1, MAX_SEED),
        ratingsOnly: options.ratingsOnly,
      };
      if (settings.ratings > settings.users * settings.items) {
        throw new UsageError(
          `--ratings ${settings.ratings} is more than users x items (${settings.users * settings.items}): raise --users or --items`,
        );
      }
      const out = pathOption('out', options.out ?? `${edition}-synthetic`);
      const progress = progressOn(context.io.stderr);
      const started = Date.now();
      let files: string[];
      try {
        files = writeSynthetic(settings, out, (done, total) =>
          progress.update({ label: 'ratings', done, total, unit: 'count' }),
        );
      } finally {
        progress.finish();
      }
      if (options.zip) {
        await zipFolder(out, files, edition === 'ml-100k' ? 'ml-100k' : 'ml-latest-small', `${out}.zip`);
        context.out(`wrote ${out}.zip`);
      }
      context.out(`wrote ${files.join(', ')} to ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
}

export function sampleCommand(context: CliContext) {
  return new Command('sample')
    .description('write the synthetic sample npm start uses (data/sample/ml-100k), unless it is there')
    .option('--out <folder>', 'another folder', SAMPLE_DIR)
    .option('--force', 'write it again even if it is there', false)
    .addHelpText('after', '\nExample:\n  npx movierecs sample')
    .action((options) => {
      const out = pathOption('out', options.out);
      const present = SAMPLE_FILES.every((file) => existsSync(path.join(out, file)));
      if (present && !options.force) {
        context.out(`synthetic sample already in ${out} (--force to write it again)`);
        return;
      }
      writeSynthetic(SAMPLE_OPTIONS, out);
      context.out(`wrote the synthetic sample (${SAMPLE_FILES.join(', ')}) to ${out}`);
    });
}
