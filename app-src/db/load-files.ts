/**
 * The web load files that `npm run data` and the Data stack write (prepare.ts, `writeCatalog`):
 *
 *   web/movies.csv    id,title,year,genres          genres joined with "|", year may be empty
 *   web/users.csv     id,age,gender,occupation,zip  only for editions with users (ml-100k)
 *   web/ratings.csv   user_id,movie_id,rating,timestamp
 *   personalize/manifest.json                       written last: its presence means complete
 *
 * These files are ours, so they are read strictly: any line that does not parse fails the load
 * with the file and line, and nothing is loaded. Free of aws-cdk-lib.
 */
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { parseCsvLine } from '../../lib/data/movielens/csv-line';
import { DataFileError } from '../../lib/data/movielens/errors';
import { LineSplitter } from '../../lib/data/movielens/lines';
import type { Manifest } from '../../lib/data/movielens/prepare';
import type { RatingRow } from '../recommenders/port';

export interface MovieRow {
  readonly id: number;
  readonly title: string;
  readonly year: number | null;
  readonly genres: readonly string[];
}

export interface UserRow {
  readonly id: number;
  readonly age: number;
  readonly gender: string;
  readonly occupation: string;
  readonly zip: string;
}

/** Where the prepared files are: a local folder, or (on an instance) the data bucket. */
export interface LoadSource {
  /** Where the files come from, for messages (a folder, `s3://bucket/`). */
  readonly description: string;
  /** The manifest's text, or undefined when there is none (nothing prepared yet). */
  readManifest(): Promise<string | undefined>;
  /** The file under `key` (a key as the manifest lists it). */
  open(key: string): Promise<Readable>;
}

/** The folder `npm run data -- … --out <folder>` wrote. */
export class FolderLoadSource implements LoadSource {
  readonly description: string;
  constructor(private readonly folder: string) {
    this.description = path.resolve(folder);
  }
  async readManifest(): Promise<string | undefined> {
    try {
      return await readFile(path.join(this.folder, 'personalize', 'manifest.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
  async open(key: string): Promise<Readable> {
    const file = path.join(this.folder, ...key.split('/'));
    const stream = createReadStream(file);
    // Surface a missing file here, not mid-load.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }
}

/** The manifest, with the fields the loader relies on checked; the error names the source. */
export function parseManifest(text: string, description: string): Manifest {
  let value: Manifest;
  try {
    value = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new Error(`${description}: manifest.json is not JSON (${(error as Error).message})`, { cause: error });
  }
  const files = value?.files;
  const listed = (file: { key?: unknown; rows?: unknown } | undefined) =>
    typeof file?.key === 'string' && file.key !== '' && Number.isSafeInteger(file.rows);
  if (
    value?.manifestVersion !== 1 ||
    !listed(files?.webMovies) ||
    !listed(files?.webRatings) ||
    (files.webUsers !== undefined && !listed(files.webUsers)) ||
    !Number.isFinite(value.settings?.positiveRatingThreshold)
  ) {
    throw new Error(
      `${description}: manifest.json is not a manifest of this kit's preparation (manifestVersion 1 with web files and settings); prepare the data again with npm run data`,
    );
  }
  return value;
}

export const WEB_HEADERS = {
  movies: ['id', 'title', 'year', 'genres'],
  users: ['id', 'age', 'gender', 'occupation', 'zip'],
  ratings: ['user_id', 'movie_id', 'rating', 'timestamp'],
} as const;

type Fields = readonly string[];

/**
 * Reads a CSV stream line by line: checks the header, hands each record's fields to `onRow`
 * (which throws a string problem for a bad value), and awaits `afterChunk` after each chunk (the
 * loader's backpressure). Returns the number of records.
 */
export async function readCsv(
  stream: Readable,
  label: string,
  header: readonly string[],
  onRow: (fields: Fields, line: number) => void,
  afterChunk?: () => Promise<void>,
): Promise<number> {
  let records = 0;
  let failure: unknown;
  const splitter = new LineSplitter((buffer, start, end, line) => {
    if (failure) return;
    try {
      const text = buffer.toString('utf8', start, end);
      if (line === 1) {
        if (text !== header.join(',')) {
          throw new DataFileError(label, 1, `the header is "${text}", expected "${header.join(',')}"`);
        }
        return;
      }
      if (text === '') return;
      const parsed = parseCsvLine(text);
      if ('problem' in parsed) throw new DataFileError(label, line, parsed.problem);
      if (parsed.fields.length !== header.length) {
        throw new DataFileError(label, line, `${parsed.fields.length} fields, expected ${header.length}`);
      }
      onRow(parsed.fields, line);
      records++;
    } catch (error) {
      failure =
        error instanceof DataFileError ? error : new DataFileError(label, line, String(error), { cause: error });
    }
  });
  for await (const chunk of stream) {
    splitter.push(chunk as Buffer);
    if (!failure && afterChunk) {
      try {
        await afterChunk();
      } catch (error) {
        failure = error;
      }
    }
    if (failure) {
      stream.destroy();
      break;
    }
  }
  if (!failure) splitter.end();
  if (failure) throw failure;
  if (splitter.lines === 0) throw new DataFileError(label, undefined, 'the file is empty (no header)');
  return records;
}

function wholeNumber(value: string, field: string, min = 0): number {
  if (!/^\d+$/.test(value)) throw `${field} "${value}" is not a whole number`;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) throw `${field} "${value}" is out of range`;
  return number;
}

export function parseMovie(fields: Fields): MovieRow {
  const [id, title, year, genres] = fields;
  if (title === '') throw 'title is empty';
  return {
    id: wholeNumber(id, 'id', 1),
    title,
    year: year === '' ? null : wholeNumber(year, 'year'),
    genres: genres === '' ? [] : genres.split('|'),
  };
}

export function parseUser(fields: Fields): UserRow {
  const [id, age, gender, occupation, zip] = fields;
  return { id: wholeNumber(id, 'id', 1), age: wholeNumber(age, 'age'), gender, occupation, zip };
}

export function parseRating(fields: Fields): RatingRow {
  const [user, movie, rating, timestamp] = fields;
  const value = Number(rating);
  if (!/^\d(\.\d+)?$/.test(rating) || value < 0.5 || value > 5) throw `rating "${rating}" is not between 0.5 and 5`;
  return {
    userId: wholeNumber(user, 'user_id', 1),
    movieId: wholeNumber(movie, 'movie_id', 1),
    rating: value,
    timestamp: wholeNumber(timestamp, 'timestamp'),
  };
}

/** All ratings of a prepared folder or bucket, in file order (for training and evaluation). */
export async function readRatings(source: LoadSource, manifest: Manifest): Promise<RatingRow[]> {
  const key = manifest.files.webRatings.key;
  const ratings: RatingRow[] = [];
  await readCsv(await source.open(key), `${source.description}/${key}`, WEB_HEADERS.ratings, (fields) =>
    ratings.push(parseRating(fields)),
  );
  return ratings;
}
