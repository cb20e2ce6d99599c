/**
 * The MovieLens preparation: what the seed notebook did with pandas, for every edition, in
 * constant memory (ratings are streamed twice, never held).
 *
 * 1. Read the movies (and users) and validate them.
 * 2. When the shift is "newest review lands on <instant>", a first pass over the ratings finds
 *    the newest timestamp and counts, and Personalize's minimums are checked before anything is
 *    written. (A fixed shift in seconds, the notebook's way, needs no first pass.)
 * 3. Write items, users and the web load files, then stream the ratings once more into the
 *    interactions (rating > threshold, timestamp shifted) and all ratings for the web database.
 *    In the one-pass case the minimums are checked at the end and every output is aborted, so
 *    nothing becomes visible, when they are not met.
 * 4. Write the manifest last: its presence means the files are complete.
 */
import { createHash } from 'node:crypto';
import { MovieLensEdition, TimestampShift } from '../../config';
import { CsvOutput, WrittenFile } from './csv-output';
import { EDITION_LAYOUTS, fileSizeCap, SIZE_CAP_FACTOR } from './editions';
import { BadLinePolicy, BelowPersonalizeMinimumError, DataFileError, DataWarnings, SkippedLine } from './errors';
import { Movie, parseLatestMovies, parseMl100kItems, parseMl100kUsers, User } from './catalog';
import { MAX_TIMESTAMP as MAX_TIMESTAMP_EXPORTED, RatingRow, scanRatings } from './ratings';
import { IdCounter } from './id-counter';
import { cappedSource, MovieLensSource } from './source';
import { OutputSink } from './sink';
import { PersonalizeMinimums, PERSONALIZE_MINIMUMS, RATING_EVENT_TYPE, SCHEMA_FIELDS } from './schemas';

/** A module-local copy: read on every rating (an imported binding can compile to a getter call). */
const MAX_TIMESTAMP = MAX_TIMESTAMP_EXPORTED;

/**
 * Bump when the output of the same input and settings changes: it is part of the keys.
 * 2: titles keep the text after their year ("(V)"), stray ")" dropped; odd release dates warn.
 */
export const TRANSFORM_VERSION = 2;

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
  /** Lines kept with a field taken as missing (an odd u.item release date). */
  readonly warnings: { readonly count: number; readonly examples: readonly SkippedLine[] };
  /**
   * Titles written exactly as they are that start like a spreadsheet formula (= + - @ tab CR):
   * listed so a presenter who opens the CSVs in a spreadsheet is warned.
   */
  readonly formulaLikeTitles: { readonly count: number; readonly examples: readonly SkippedLine[] };
}

export async function prepareMovieLens(options: PrepareOptions): Promise<Manifest> {
  const layout = EDITION_LAYOUTS[options.edition];
  const keys = preparedKeys(options.keyBase);
  const skipBadLines = options.skipBadLines ?? false;
  const badLines = new BadLinePolicy(skipBadLines);
  const warnings = new DataWarnings();
  const formulaLike = new DataWarnings();
  const minimums = options.minimums ?? PERSONALIZE_MINIMUMS;
  const { sink } = options;
  const source = cappedSource(
    options.source,
    (fileName) => fileSizeCap(options.edition, fileName),
    (fileName, cap) =>
      `${SIZE_CAP_FACTOR} × the ${cap / SIZE_CAP_FACTOR} bytes GroupLens publishes for ${options.edition}'s ${fileName}`,
  );
  const threshold = options.positiveRatingThreshold;

  // 1. The catalog.
  const movies: Movie[] =
    layout.format === '100k'
      ? parseMl100kItems(
          await source.readAll(layout.moviesFile),
          source.label(layout.moviesFile),
          badLines,
          warnings,
          formulaLike,
        )
      : parseLatestMovies(
          await source.readAll(layout.moviesFile),
          source.label(layout.moviesFile),
          badLines,
          formulaLike,
        );
  const users: User[] | undefined = layout.usersFile
    ? parseMl100kUsers(await source.readAll(layout.usersFile), source.label(layout.usersFile), badLines)
    : undefined;
  const ratingsLabel = source.label(layout.ratingsFile);

  // 2. With a shift to an instant, a first pass finds the newest timestamp; minimums are checked.
  let firstPass: RatingStats | undefined;
  let shift: number;
  if (options.timestampShift.kind === 'newestAt') {
    firstPass = new RatingStats(threshold);
    const stats = firstPass;
    const firstPassBadLines = new BadLinePolicy(skipBadLines);
    await scanRatings(await source.open(layout.ratingsFile), {
      format: layout.format,
      label: ratingsLabel,
      badLines: firstPassBadLines,
      onRating: (row) => stats.observe(row),
    });
    checkMinimums(stats, minimums);
    shift = Math.floor(Date.parse(options.timestampShift.newestAt) / 1000) - stats.newest;
  } else {
    shift = options.timestampShift.seconds;
  }

  // 3. Every output, committed only once all are written and the minimums hold.
  const outputs: CsvOutput[] = [];
  const open = async (key: string, header: readonly string[]) => {
    const output = new CsvOutput(key, await sink.create(key, 'text/csv'), header);
    outputs.push(output);
    return output;
  };
  const stats = new RatingStats(threshold);
  const files: Record<string, WrittenFile> = {};
  try {
    const catalogOutputs = options.interactionsOnly ? [] : await writeCatalog(movies, users, keys, open);
    const interactionsOut = await open(keys.interactions, SCHEMA_FIELDS.interactions);
    const ratingsOut = options.interactionsOnly
      ? undefined
      : await open(keys.webRatings, ['user_id', 'movie_id', 'rating', 'timestamp']);
    await scanRatings(await source.open(layout.ratingsFile), {
      format: layout.format,
      label: ratingsLabel,
      badLines,
      onRating: (row) => {
        stats.observe(row);
        const shifted = row.timestamp + shift;
        if (shifted < 0 || shifted > MAX_TIMESTAMP) {
          throw new DataFileError(
            ratingsLabel,
            row.lineNumber,
            `timestamp ${row.timestamp} shifted by ${shift} s is ${shifted}, outside 0..${MAX_TIMESTAMP} (seconds since 1970): choose another shift`,
          );
        }
        // A positive rating is a `rating` event valued by its stars (the web app's PutEvents sends the
        // same), so filters can name the event type and recipes can read the value.
        if (row.rating > threshold)
          interactionsOut
            .int(row.user)
            .int(row.item)
            .int(shifted)
            .text(RATING_EVENT_TYPE)
            .raw(row.buffer, row.ratingStart, row.ratingEnd)
            .endRow();
        if (ratingsOut) {
          ratingsOut.int(row.user).int(row.item).raw(row.buffer, row.ratingStart, row.ratingEnd).int(shifted).endRow();
        }
      },
      afterChunk: async () => {
        await interactionsOut.flushIfFull();
        if (ratingsOut) await ratingsOut.flushIfFull();
      },
    });
    if (firstPass && !firstPass.sameAs(stats)) throw new Error(`${ratingsLabel} changed while it was being read`);
    checkMinimums(stats, minimums);
    for (const [name, output] of [...catalogOutputs, ['interactions', interactionsOut] as const]) {
      files[name] = await output.close();
    }
    if (ratingsOut) files.webRatings = await ratingsOut.close();
  } catch (error) {
    await Promise.allSettled(outputs.map((output) => output.abort()));
    throw error;
  }

  // 4. The manifest, last.
  const manifest: Manifest = {
    manifestVersion: 1,
    transformVersion: TRANSFORM_VERSION,
    edition: options.edition,
    source: options.sourceDescription,
    settings: {
      positiveRatingThreshold: threshold,
      timestampShift: options.timestampShift,
      shiftSeconds: shift,
      skipBadLines,
    },
    files,
    counts: {
      ratingsRead: stats.ratingsRead,
      interactions: stats.interactions,
      usersKept: stats.keptUsers.distinct,
      itemsKept: stats.keptItems.distinct,
      usersWithAtLeastTwoInteractions: stats.keptUsers.countAtLeast(2),
      movies: movies.length,
      users: users ? users.length : null,
    },
    timestamps: {
      newestSource: stats.newest,
      newestShifted: stats.newest + shift,
      oldestShifted: stats.oldest + shift,
    },
    badLines: { count: badLines.count, examples: badLines.examples },
    warnings: { count: warnings.count, examples: warnings.examples },
    formulaLikeTitles: { count: formulaLike.count, examples: formulaLike.examples },
  };
  const manifestSink = await sink.create(keys.manifest, 'application/json');
  await manifestSink.write(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  await manifestSink.close();
  return manifest;
}

type OpenOutput = (key: string, header: readonly string[]) => Promise<CsvOutput>;

/** Items, users and the web load files for movies and users; returns them unclosed, by name. */
async function writeCatalog(
  movies: readonly Movie[],
  users: readonly User[] | undefined,
  keys: PreparedKeys,
  open: OpenOutput,
): Promise<(readonly [string, CsvOutput])[]> {
  const items = await open(keys.items, SCHEMA_FIELDS.items);
  const webMovies = await open(keys.webMovies, ['id', 'title', 'year', 'genres']);
  for (const movie of movies) {
    const genres = movie.genres.join('|');
    items
      .int(movie.id)
      .text(genres || undefined)
      .text(movie.year)
      .endRow();
    webMovies.int(movie.id).text(movie.title).text(movie.year).text(genres).endRow();
    await items.flushIfFull();
    await webMovies.flushIfFull();
  }
  const written: (readonly [string, CsvOutput])[] = [
    ['items', items],
    ['webMovies', webMovies],
  ];
  if (users) {
    const personalizeUsers = await open(keys.users, SCHEMA_FIELDS.users);
    const webUsers = await open(keys.webUsers, ['id', 'age', 'gender', 'occupation', 'zip']);
    for (const user of users) {
      personalizeUsers.int(user.id).int(user.age).text(user.gender).text(user.occupation).endRow();
      webUsers.int(user.id).int(user.age).text(user.gender).text(user.occupation).text(user.zip).endRow();
      await personalizeUsers.flushIfFull();
      await webUsers.flushIfFull();
    }
    written.push(['users', personalizeUsers], ['webUsers', webUsers]);
  }
  return written;
}

function checkMinimums(stats: RatingStats, minimums: PersonalizeMinimums): void {
  if (stats.interactions < minimums.interactions) {
    throw new BelowPersonalizeMinimumError(
      'interactions (ratings above the threshold)',
      minimums.interactions,
      stats.interactions,
    );
  }
  const usersWithTwo = stats.keptUsers.countAtLeast(2);
  if (usersWithTwo < minimums.usersWithTwoInteractions) {
    throw new BelowPersonalizeMinimumError(
      'users with at least 2 interactions',
      minimums.usersWithTwoInteractions,
      usersWithTwo,
    );
  }
}

/** What a pass over the ratings saw. */
class RatingStats {
  ratingsRead = 0;
  interactions = 0;
  newest = -Infinity;
  oldest = Infinity;
  readonly keptUsers = new IdCounter();
  readonly keptItems = new IdCounter();

  constructor(private readonly threshold: number) {}

  observe(row: RatingRow): void {
    this.ratingsRead++;
    if (row.timestamp > this.newest) this.newest = row.timestamp;
    if (row.timestamp < this.oldest) this.oldest = row.timestamp;
    if (row.rating > this.threshold) {
      this.interactions++;
      this.keptUsers.add(row.user);
      this.keptItems.add(row.item);
    }
  }

  sameAs(other: RatingStats): boolean {
    return (
      this.ratingsRead === other.ratingsRead && this.interactions === other.interactions && this.newest === other.newest
    );
  }
}
