/**
 * The MovieLens preparation: what the seed notebook did with pandas, for every edition, in
 * constant memory (ratings are streamed twice, never held).
 *
 * 1. Read the movies (and users) and validate them.
 * 2. First pass over the ratings: validate, count, find the newest timestamp.
 * 3. Check Personalize's minimums before writing anything.
 * 4. Write items, users and the web load files; second pass writes the interactions
 *    (rating > threshold, timestamp shifted) and all ratings for the web database.
 * 5. Write the manifest last: its presence means the files are complete.
 */
import { createHash } from 'node:crypto';
import { MovieLensEdition, TimestampShift } from '../../config';
import { CsvOutput, WrittenFile } from './csv-output';
import { EDITION_LAYOUTS } from './editions';
import { BadLinePolicy, BelowPersonalizeMinimumError, SkippedLine } from './errors';
import { Movie, parseLatestMovies, parseMl100kItems, parseMl100kUsers, User } from './catalog';
import { scanRatings } from './ratings';
import { MovieLensSource } from './source';
import { OutputSink } from './sink';
import { PersonalizeMinimums, PERSONALIZE_MINIMUMS, SCHEMA_FIELDS } from './schemas';

/** Bump when the output of the same input and settings changes: it is part of the keys. */
export const TRANSFORM_VERSION = 1;

export interface PrepareSettings {
  readonly edition: MovieLensEdition;
  /** Ratings strictly above this become interactions (the notebook: 3.6). */
  readonly positiveRatingThreshold: number;
  readonly timestampShift: TimestampShift;
  /** Count and skip malformed lines instead of failing on the first. */
  readonly skipBadLines?: boolean;
}

export interface PrepareOptions extends PrepareSettings {
  readonly source: MovieLensSource;
  /** Where the input came from (URL or path), recorded in the manifest. */
  readonly sourceDescription: string;
  readonly sink: OutputSink;
  /** Folder inside `personalize/` and `web/` (e.g. `ml-100k/3f2a…/`); empty for a flat layout. */
  readonly keyBase?: string;
  /** Write only the interactions (the benchmark's like-for-like comparison with pandas). */
  readonly interactionsOnly?: boolean;
  readonly minimums?: PersonalizeMinimums;
}

export interface PreparedKeys {
  readonly interactions: string;
  readonly items: string;
  readonly users: string;
  readonly manifest: string;
  readonly webMovies: string;
  readonly webUsers: string;
  readonly webRatings: string;
}

export function preparedKeys(keyBase = ''): PreparedKeys {
  return {
    interactions: `personalize/${keyBase}interactions.csv`,
    items: `personalize/${keyBase}items.csv`,
    users: `personalize/${keyBase}users.csv`,
    manifest: `personalize/${keyBase}manifest.json`,
    webMovies: `web/${keyBase}movies.csv`,
    webUsers: `web/${keyBase}users.csv`,
    webRatings: `web/${keyBase}ratings.csv`,
  };
}

/** A short id of everything that determines the output: same settings, same keys. */
export function settingsId(settings: PrepareSettings, sourceDescription: string): string {
  const canonical = JSON.stringify({
    transformVersion: TRANSFORM_VERSION,
    edition: settings.edition,
    source: sourceDescription,
    positiveRatingThreshold: settings.positiveRatingThreshold,
    timestampShift: settings.timestampShift,
    skipBadLines: settings.skipBadLines ?? false,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export interface Manifest {
  readonly manifestVersion: 1;
  readonly transformVersion: number;
  readonly edition: MovieLensEdition;
  readonly source: string;
  readonly settings: {
    readonly positiveRatingThreshold: number;
    readonly timestampShift: TimestampShift;
    readonly shiftSeconds: number;
    readonly skipBadLines: boolean;
  };
  readonly files: Readonly<Record<string, WrittenFile>>;
  readonly counts: {
    readonly ratingsRead: number;
    readonly interactions: number;
    readonly usersKept: number;
    readonly itemsKept: number;
    readonly usersWithAtLeastTwoInteractions: number;
    readonly movies: number;
    readonly users: number | null;
  };
  readonly timestamps: {
    readonly newestSource: number;
    readonly newestShifted: number;
    readonly oldestShifted: number;
  };
  readonly badLines: { readonly count: number; readonly examples: readonly SkippedLine[] };
}

export async function prepareMovieLens(options: PrepareOptions): Promise<Manifest> {
  const layout = EDITION_LAYOUTS[options.edition];
  const keys = preparedKeys(options.keyBase);
  const badLines = new BadLinePolicy(options.skipBadLines ?? false);
  const minimums = options.minimums ?? PERSONALIZE_MINIMUMS;
  const { source, sink } = options;
  const threshold = options.positiveRatingThreshold;

  // 1. The catalog.
  const movies: Movie[] =
    layout.format === '100k'
      ? parseMl100kItems(await source.readAll(layout.moviesFile), source.label(layout.moviesFile), badLines)
      : parseLatestMovies(await source.readAll(layout.moviesFile), source.label(layout.moviesFile), badLines);
  const users: User[] | undefined = layout.usersFile
    ? parseMl100kUsers(await source.readAll(layout.usersFile), source.label(layout.usersFile), badLines)
    : undefined;

  const catalogBadLines = badLines.count;

  // 2. First pass: validate and count.
  const ratingsLabel = source.label(layout.ratingsFile);
  const keptPerUser = new Map<number, number>();
  const keptItems = new Set<number>();
  let ratingsRead = 0;
  let interactions = 0;
  let newest = -Infinity;
  let oldest = Infinity;
  await scanRatings(await source.open(layout.ratingsFile), {
    format: layout.format,
    label: ratingsLabel,
    badLines,
    onRating: (row) => {
      ratingsRead++;
      if (row.timestamp > newest) newest = row.timestamp;
      if (row.timestamp < oldest) oldest = row.timestamp;
      if (row.rating > threshold) {
        interactions++;
        keptPerUser.set(row.user, (keptPerUser.get(row.user) ?? 0) + 1);
        keptItems.add(row.item);
      }
    },
  });
  const badLinesAfterFirstPass = badLines.count;

  // 3. Personalize's minimums, before anything is written.
  let usersWithTwo = 0;
  for (const count of keptPerUser.values()) if (count >= 2) usersWithTwo++;
  if (interactions < minimums.interactions) {
    throw new BelowPersonalizeMinimumError(
      'interactions (ratings above the threshold)',
      minimums.interactions,
      interactions,
    );
  }
  if (usersWithTwo < minimums.usersWithTwoInteractions) {
    throw new BelowPersonalizeMinimumError(
      'users with at least 2 interactions',
      minimums.usersWithTwoInteractions,
      usersWithTwo,
    );
  }
  const shift =
    options.timestampShift.kind === 'seconds'
      ? options.timestampShift.seconds
      : Math.floor(Date.parse(options.timestampShift.newestAt) / 1000) - newest;

  // 4. Items, users and the web load files.
  const files: Record<string, WrittenFile> = {};
  const open = async (key: string, header: readonly string[]) =>
    new CsvOutput(key, await sink.create(key, 'text/csv'), header);
  if (!options.interactionsOnly) {
    const items = await open(keys.items, SCHEMA_FIELDS.items);
    const webMovies = await open(keys.webMovies, ['id', 'title', 'year', 'genres']);
    for (const movie of movies) {
      items
        .int(movie.id)
        .text(movie.genres.join('|') || undefined)
        .text(movie.year)
        .endRow();
      webMovies.int(movie.id).text(movie.title).text(movie.year).text(movie.genres.join('|')).endRow();
      await items.flushIfFull();
      await webMovies.flushIfFull();
    }
    files.items = await items.close();
    files.webMovies = await webMovies.close();
    if (users) {
      const personalizeUsers = await open(keys.users, SCHEMA_FIELDS.users);
      const webUsers = await open(keys.webUsers, ['id', 'age', 'gender', 'occupation', 'zip']);
      for (const user of users) {
        personalizeUsers.int(user.id).int(user.age).text(user.gender).text(user.occupation).endRow();
        webUsers.int(user.id).int(user.age).text(user.gender).text(user.occupation).text(user.zip).endRow();
        await personalizeUsers.flushIfFull();
        await webUsers.flushIfFull();
      }
      files.users = await personalizeUsers.close();
      files.webUsers = await webUsers.close();
    }
  }

  // Second pass: interactions, and every rating for the web database.
  const interactionsOut = await open(keys.interactions, SCHEMA_FIELDS.interactions);
  const ratingsOut = options.interactionsOnly
    ? undefined
    : await open(keys.webRatings, ['user_id', 'movie_id', 'rating', 'timestamp']);
  const secondPass = new BadLinePolicy(options.skipBadLines ?? false);
  await scanRatings(await source.open(layout.ratingsFile), {
    format: layout.format,
    label: ratingsLabel,
    badLines: secondPass,
    onRating: (row) => {
      const shifted = row.timestamp + shift;
      if (row.rating > threshold) interactionsOut.int(row.user).int(row.item).int(shifted).endRow();
      if (ratingsOut)
        ratingsOut.int(row.user).int(row.item).raw(row.buffer, row.ratingStart, row.ratingEnd).int(shifted).endRow();
    },
    afterChunk: async () => {
      await interactionsOut.flushIfFull();
      if (ratingsOut) await ratingsOut.flushIfFull();
    },
  });
  // The two passes must agree on what they read.
  if (secondPass.count !== badLinesAfterFirstPass - catalogBadLines) {
    throw new Error(`${ratingsLabel} changed while it was being read`);
  }
  files.interactions = await interactionsOut.close();
  if (ratingsOut) files.webRatings = await ratingsOut.close();
  if (files.interactions.rows !== interactions) {
    throw new Error(
      `${ratingsLabel} changed while it was being read: ${interactions} then ${files.interactions.rows} interactions`,
    );
  }

  // 5. The manifest, last.
  const manifest: Manifest = {
    manifestVersion: 1,
    transformVersion: TRANSFORM_VERSION,
    edition: options.edition,
    source: options.sourceDescription,
    settings: {
      positiveRatingThreshold: threshold,
      timestampShift: options.timestampShift,
      shiftSeconds: shift,
      skipBadLines: options.skipBadLines ?? false,
    },
    files,
    counts: {
      ratingsRead,
      interactions,
      usersKept: keptPerUser.size,
      itemsKept: keptItems.size,
      usersWithAtLeastTwoInteractions: usersWithTwo,
      movies: movies.length,
      users: users ? users.length : null,
    },
    timestamps: { newestSource: newest, newestShifted: newest + shift, oldestShifted: oldest + shift },
    badLines: { count: badLines.count, examples: badLines.examples },
  };
  const manifestSink = await sink.create(keys.manifest, 'application/json');
  await manifestSink.write(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  await manifestSink.close();
  return manifest;
}
