/**
 * `movierecs try`: the original notebook's last cell, done right. Asks each active model in the
 * registry for a user (recommendations; ranking of the most popular movies) or for a movie (similar
 * items), and prints the titles with year and genres, the user's own top-rated movies beside them,
 * and each call's latency. Titles and ratings come from the prepared data: the data bucket (the Data
 * stack's outputs) or a folder `--data` prepared with `movierecs data`.
 */
import { Command } from '@commander-js/extra-typings';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  FolderLoadSource,
  LoadSource,
  parseManifest,
  parseMovie,
  parseRating,
  readCsv,
  WEB_HEADERS,
} from '../../app-src/db/load-files';
import { S3LoadSource } from '../../app-src/db/s3-source';
import { PersonalizeRecommender, RecommendationsUnavailableError } from '../../app-src/recommenders/personalize';
import type { Model } from '../../app-src/recommenders/port';
import { WorkshopConfig } from '../../lib/config';
import { parseModelRegistry, RegisteredModel } from '../../lib/shared/model-registry';
import { modelRegistryParameterName, stackName } from '../../lib/shared/names';
import { readRegistryDocument, stackOutputs } from '../aws';
import { workshopConfig } from '../config';
import { contextOption, pathOption, wholeNumber } from '../options';
import { MAX_ID, MIN_ID } from '../../lib/data/movielens/ids';
import { CommandFailure, EXIT, UsageError } from '../errors';
import type { CliContext } from '../main';

export interface TryDependencies {
  /** The registry document, or undefined when there is none. */
  registry(config: WorkshopConfig): Promise<string | undefined>;
  /** The prepared data in the account (the Data stack's outputs), or undefined when not deployed. */
  deployedData(config: WorkshopConfig): Promise<LoadSource | undefined>;
  runtime(region: string): PersonalizeRuntimeClient;
  now(): number;
}

export const awsTryDependencies: TryDependencies = {
  registry: readRegistryDocument,
  async deployedData(config) {
    const outputs = await stackOutputs(config.region, stackName(config.prefix, 'Data'));
    const bucket = outputs?.DataBucketName;
    const manifestKey = outputs?.ManifestKey;
    return bucket && manifestKey
      ? new S3LoadSource(new S3Client({ region: config.region }), bucket, manifestKey)
      : undefined;
  },
  runtime: (region) => new PersonalizeRuntimeClient({ region, maxAttempts: 2 }),
  now: () => performance.now(),
};

interface Movie {
  readonly title: string;
  readonly year?: number;
  readonly genres: readonly string[];
}

/** What try needs of the prepared data: titles, one user's ratings, positives per movie. */
interface Catalogue {
  readonly movies: ReadonlyMap<number, Movie>;
  readonly userRatings: readonly { movieId: number; rating: number }[];
  readonly popular: readonly number[];
}

async function readCatalogue(source: LoadSource, userId: number | undefined): Promise<Catalogue> {
  const text = await source.readManifest();
  if (text === undefined)
    throw new CommandFailure(`${source.description}: no prepared data (personalize/manifest.json)`);
  const manifest = parseManifest(text, source.description);
  const movies = new Map<number, Movie>();
  const moviesKey = manifest.files.webMovies.key;
  await readCsv(await source.open(moviesKey), `${source.description}/${moviesKey}`, WEB_HEADERS.movies, (fields) => {
    const movie = parseMovie(fields);
    movies.set(movie.id, {
      title: movie.title,
      ...(movie.year !== null ? { year: movie.year } : {}),
      genres: movie.genres,
    });
  });
  const userRatings: { movieId: number; rating: number }[] = [];
  const positives = new Map<number, number>();
  const threshold = manifest.settings.positiveRatingThreshold;
  const ratingsKey = manifest.files.webRatings.key;
  // Streamed: ml-25m's ratings are not held in memory, only this user's and a count per movie.
  await readCsv(await source.open(ratingsKey), `${source.description}/${ratingsKey}`, WEB_HEADERS.ratings, (fields) => {
    const r = parseRating(fields);
    if (r.userId === userId) userRatings.push({ movieId: r.movieId, rating: r.rating });
    if (r.rating > threshold) positives.set(r.movieId, (positives.get(r.movieId) ?? 0) + 1);
  });
  const popular = [...positives.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 25)
    .map(([id]) => id);
  userRatings.sort((a, b) => b.rating - a.rating || a.movieId - b.movieId);
  return { movies, userRatings, popular };
}

export function tryCommand(context: CliContext, deps: TryDependencies = awsTryDependencies) {
  return new Command('try')
    .description("ask each active Personalize model for a user or a movie: titles, the user's own favourites, latency")
    .option('--user <id>', 'recommendations and a personal ranking for this user')
    .option('--item <id>', 'similar items for this movie')
    .option('--model <name>', 'only the model of this name (as on the site)')
    .option('--count <n>', 'how many movies per model', '10')
    .option('--data <folder>', 'titles and ratings from this prepared folder instead of the data bucket')
    .addOption(contextOption())
    .addHelpText(
      'after',
      '\nExamples:\n  npx movierecs try --user 42\n  npx movierecs try --item 50 --model "Similar Items"',
    )
    .action(async (options) => {
      const userId = wholeNumber('user', options.user, MIN_ID, MAX_ID);
      const itemId = wholeNumber('item', options.item, MIN_ID, MAX_ID);
      const count = wholeNumber('count', options.count, 1, 100);
      const data = options.data === undefined ? undefined : pathOption('data', options.data);
      if ((userId === undefined) === (itemId === undefined)) {
        throw new UsageError('give --user <id> or --item <id> (one of them)');
      }
      if (data !== undefined && !existsSync(path.join(data, 'personalize', 'manifest.json'))) {
        throw new UsageError(
          `--data ${options.data}: no personalize/manifest.json there (prepare it with movierecs data)`,
        );
      }
      const config = workshopConfig(options.context);
      const text = await deps.registry(config);
      if (text === undefined) {
        throw new CommandFailure(
          `no model registry ${modelRegistryParameterName(config.prefix)} in ${config.region}: deploy first (npx cdk deploy --all)`,
        );
      }
      const wantedTypes = userId !== undefined ? ['recommend', 'ranking'] : ['sims'];
      const models = parseModelRegistry(text).models.filter(
        (m) => wantedTypes.includes(m.type) && (options.model === undefined || m.name === options.model),
      );
      if (models.length === 0) {
        throw new CommandFailure(
          options.model !== undefined
            ? `no active model named "${options.model}" of type ${wantedTypes.join(' or ')} (see movierecs status)`
            : `no active ${wantedTypes.join(' or ')} model yet: the campaigns are still being made (see movierecs status)`,
        );
      }
      const source = data !== undefined ? new FolderLoadSource(data) : await deps.deployedData(config);
      if (!source)
        throw new CommandFailure(
          `the ${stackName(config.prefix, 'Data')} stack is not deployed in ${config.region}; or give --data <prepared folder>`,
        );
      const catalogue = await readCatalogue(source, userId);
      const title = (id: number) => {
        const movie = catalogue.movies.get(id);
        return movie
          ? `${movie.title}${movie.year ? ` (${movie.year})` : ''}  ${movie.genres.join('|')}`
          : `movie ${id} (not in the prepared data)`;
      };
      if (userId !== undefined) {
        if (catalogue.userRatings.length === 0)
          throw new UsageError(`--user ${userId}: no such user in ${source.description}`);
        context.out(`User ${userId}'s top-rated movies (${catalogue.userRatings.length} ratings):`);
        for (const r of catalogue.userRatings.slice(0, 5))
          context.out(`  ${'*'.repeat(Math.round(r.rating))}  ${title(r.movieId)}`);
      } else {
        if (!catalogue.movies.has(itemId!))
          throw new UsageError(`--item ${itemId}: no such movie in ${source.description}`);
        context.out(`Movie ${itemId}: ${title(itemId!)}`);
      }
      const recommender = new PersonalizeRecommender({ client: (region) => deps.runtime(region), timeoutMs: 10_000 });
      let answered = 0;
      for (const registered of models) {
        const model = toModel(registered);
        const started = deps.now();
        try {
          const ids =
            registered.type === 'recommend'
              ? await recommender.recommend(model, userId!, count)
              : registered.type === 'ranking'
                ? (await recommender.rank(model, userId!, catalogue.popular)).slice(0, count)
                : await recommender.similar(model, itemId!, count);
          const ms = Math.round(deps.now() - started);
          answered++;
          const what =
            registered.type === 'ranking'
              ? 'ranks the 25 most popular movies'
              : registered.type === 'sims'
                ? 'similar movies'
                : 'recommends';
          context.out('');
          context.out(`${registered.name} (${registered.recipe}) ${what}, in ${ms} ms:`);
          ids.forEach((id, i) => context.out(`  ${String(i + 1).padStart(2)}. ${title(id)}`));
        } catch (error) {
          if (!(error instanceof RecommendationsUnavailableError)) throw error;
          context.out('');
          context.out(`${registered.name} (${registered.recipe}): ${error.message}`);
        }
      }
      context.exitCode = answered > 0 ? EXIT.ok : EXIT.failed;
    });
}

function toModel(m: RegisteredModel): Model {
  return {
    id: `registry:${m.name}`,
    name: m.name,
    type: m.type,
    recipe: m.recipe,
    source: 'registry',
    campaignArn: m.campaignArn,
    sortOrder: m.sortOrder,
    metrics: m.metrics,
  };
}
