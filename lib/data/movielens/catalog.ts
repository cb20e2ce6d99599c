/**
 * The small files: movies (`u.item`, `movies.csv`) and users (`u.user`). They are read whole,
 * decoded with their published encoding, and validated line by line.
 */
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { BadLinePolicy, DataFileError } from './errors';
import { ML100K_GENRES, MOVIES_CSV_HEADER, NO_GENRES_LISTED } from './editions';
import { splitLines } from './lines';

export interface Movie {
  readonly id: number;
  /** The title without its trailing "(year)". */
  readonly title: string;
  readonly year: number | undefined;
  readonly genres: readonly string[];
}

export interface User {
  readonly id: number;
  readonly age: number;
  readonly gender: string;
  readonly occupation: string;
  readonly zip: string;
}

const TITLE_YEAR = /^(.*?)\s*\((\d{4})(?:\s*[-\u2013]\s*(?:\d{4})?)?\)\s*$/;
const RELEASE_DATE = /^\d{2}-[A-Za-z]{3}-(\d{4})$/;
const WHOLE_NUMBER = /^\d+$/;

/** "Toy Story (1995)" -> { title: "Toy Story", year: 1995 }; a title without a year keeps it all. */
export function splitTitle(raw: string): { title: string; year: number | undefined } {
  const match = TITLE_YEAR.exec(raw);
  if (!match || match[1].trim() === '') return { title: raw.trim(), year: undefined };
  return { title: match[1].trim(), year: Number(match[2]) };
}

/**
 * `u.item`: `id|title (year)|release date|video release date|IMDb URL|` and 19 genre flags,
 * ISO-8859-1 encoded.
 */
export function parseMl100kItems(bytes: Buffer, label: string, badLines: BadLinePolicy): Movie[] {
  const movies: Movie[] = [];
  const expectedFields = 5 + ML100K_GENRES.length;
  for (const { text, lineNumber } of splitLines(bytes)) {
    if (text.length === 0) continue;
    if (looksUtf8(text)) {
      throw new DataFileError(
        label,
        lineNumber,
        'the text looks UTF-8 encoded; u.item is published in ISO-8859-1 (Latin-1)',
      );
    }
    const fields = text.toString('latin1').split('|');
    if (fields.length !== expectedFields) {
      badLines.report(label, lineNumber, `expected ${expectedFields} fields separated by "|", found ${fields.length}`);
      continue;
    }
    const [id, rawTitle, releaseDate] = fields;
    if (!WHOLE_NUMBER.test(id)) {
      badLines.report(label, lineNumber, `movie id "${id}" is not a whole number`);
      continue;
    }
    const flags = fields.slice(5);
    const badFlag = flags.findIndex((flag) => flag !== '0' && flag !== '1');
    if (badFlag !== -1) {
      badLines.report(
        label,
        lineNumber,
        `genre flag ${ML100K_GENRES[badFlag]} is "${flags[badFlag]}", expected 0 or 1`,
      );
      continue;
    }
    if (releaseDate !== '' && !RELEASE_DATE.test(releaseDate)) {
      badLines.report(label, lineNumber, `release date "${releaseDate}" is not like 01-Jan-1995`);
      continue;
    }
    const { title, year } = splitTitle(rawTitle);
    const released = RELEASE_DATE.exec(releaseDate);
    movies.push({
      id: Number(id),
      title,
      year: year ?? (released ? Number(released[1]) : undefined),
      // "unknown" marks a movie without genres, not a genre.
      genres: ML100K_GENRES.filter((genre, i) => flags[i] === '1' && genre !== 'unknown'),
    });
  }
  return movies;
}

/** `u.user`: `id|age|gender|occupation|zip`. */
export function parseMl100kUsers(bytes: Buffer, label: string, badLines: BadLinePolicy): User[] {
  const users: User[] = [];
  for (const { text, lineNumber } of splitLines(bytes)) {
    if (text.length === 0) continue;
    const fields = text.toString('latin1').split('|');
    if (fields.length !== 5) {
      badLines.report(
        label,
        lineNumber,
        `expected 5 fields separated by "|" (id, age, gender, occupation, zip), found ${fields.length}`,
      );
      continue;
    }
    const [id, age, gender, occupation, zip] = fields;
    if (!WHOLE_NUMBER.test(id)) {
      badLines.report(label, lineNumber, `user id "${id}" is not a whole number`);
      continue;
    }
    if (!WHOLE_NUMBER.test(age)) {
      badLines.report(label, lineNumber, `age "${age}" is not a whole number`);
      continue;
    }
    if (gender !== 'M' && gender !== 'F') {
      badLines.report(label, lineNumber, `gender "${gender}" is not M or F`);
      continue;
    }
    users.push({ id: Number(id), age: Number(age), gender, occupation, zip });
  }
  return users;
}

/**
 * `movies.csv`: `movieId,title,genres` with a header, RFC 4180 quoting, UTF-8. Parsed record by
 * record, so memory stays flat even for ml-25m's catalog.
 */
export async function parseLatestMovies(bytes: Buffer, label: string, badLines: BadLinePolicy): Promise<Movie[]> {
  checkUtf8(bytes, label);
  // Fed in slices so the parser's backpressure holds few records at a time.
  const parser = Readable.from(slices(bytes, 64 * 1024)).pipe(
    parseCsv({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: badLines.skip,
      on_skip: (error: { lines?: number; message: string } | undefined) => {
        if (error) badLines.report(label, error.lines ?? 0, error.message);
      },
    }),
  );
  const movies: Movie[] = [];
  let header = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header) {
        header = false;
        if (record.join(',') !== MOVIES_CSV_HEADER) {
          throw new DataFileError(label, 1, `expected the header "${MOVIES_CSV_HEADER}", found "${record.join(',')}"`);
        }
        continue;
      }
      if (record.length !== 3) {
        badLines.report(label, info.lines, `expected 3 fields (movieId, title, genres), found ${record.length}`);
        continue;
      }
      const [id, rawTitle, genres] = record;
      if (!WHOLE_NUMBER.test(id)) {
        badLines.report(label, info.lines, `movie id "${id}" is not a whole number`);
        continue;
      }
      const { title, year } = splitTitle(rawTitle);
      movies.push({
        id: Number(id),
        title,
        year,
        genres: genres === NO_GENRES_LISTED || genres === '' ? [] : genres.split('|'),
      });
    }
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    const csvError = error as { lines?: number; message: string };
    throw new DataFileError(label, csvError.lines, csvError.message, { cause: error });
  }
  if (header) throw new DataFileError(label, 1, `the file is empty; expected the header "${MOVIES_CSV_HEADER}"`);
  return movies;
}

/** Checks the bytes are UTF-8; an invalid byte is reported with its line. */
function checkUtf8(bytes: Buffer, label: string): void {
  if (isUtf8(bytes)) return;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  {
    for (const { text, lineNumber } of splitLines(bytes)) {
      try {
        decoder.decode(text);
      } catch {
        throw new DataFileError(label, lineNumber, 'the text is not valid UTF-8 (movies.csv is published in UTF-8)');
      }
    }
    throw new DataFileError(label, undefined, 'the text is not valid UTF-8');
  }
}

/**
 * True when every byte above 0x7F in the line belongs to a well-formed UTF-8 sequence: text that
 * was re-encoded to UTF-8 ("MisÃ©rables" when read as Latin-1). A genuine Latin-1 accent (a lone
 * 0xE9) is never a well-formed sequence.
 */
export function looksUtf8(line: Buffer): boolean {
  let sawMultibyte = false;
  for (let i = 0; i < line.length; i++) {
    const byte = line[i];
    if (byte < 0x80) continue;
    const length =
      byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > line.length) return false;
    for (let k = 1; k < length; k++) if ((line[i + k] & 0xc0) !== 0x80) return false;
    sawMultibyte = true;
    i += length - 1;
  }
  return sawMultibyte;
}

function* slices(bytes: Buffer, size: number): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}
