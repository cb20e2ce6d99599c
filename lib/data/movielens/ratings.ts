import { Readable } from 'node:stream';
import { BadLinePolicy, DataFileError } from './errors';
import { LineSplitter } from './lines';
import { RATINGS_CSV_HEADER } from './editions';
import { MAX_ID as MAX_ID_EXPORTED, MIN_ID as MIN_ID_EXPORTED } from './ids';

// Module-local copies: an imported binding can compile to a property read (a getter, with some
// bundlers) on every line of the hot path.
const MIN_ID = MIN_ID_EXPORTED;
const MAX_ID = MAX_ID_EXPORTED;

/** One rating, reused between lines (the hot path allocates nothing per line). */
export interface RatingRow {
  user: number;
  item: number;
  rating: number;
  timestamp: number;
  /** The rating's bytes in `buffer`, to copy it as written. */
  ratingStart: number;
  ratingEnd: number;
  buffer: Buffer;
  lineNumber: number;
}

export interface ScanRatingsOptions {
  /** `100k`: tab-separated `u.data` without header; `latest`: `ratings.csv` with header. */
  readonly format: '100k' | 'latest';
  /** Name of the file in messages. */
  readonly label: string;
  readonly badLines: BadLinePolicy;
  /** Called for each valid rating. */
  readonly onRating: (row: RatingRow) => void;
  /** Awaited after each input chunk (outputs flush here, respecting backpressure). */
  readonly afterChunk?: () => Promise<void>;
}

const TAB = 9;
const COMMA = 44;
const DOT = 46;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Streams a ratings file, validating every line. Returns the number of lines read. */
export async function scanRatings(input: Readable, options: ScanRatingsOptions): Promise<number> {
  const separator = options.format === '100k' ? TAB : COMMA;
  const row: RatingRow = {
    user: 0,
    item: 0,
    rating: 0,
    timestamp: 0,
    ratingStart: 0,
    ratingEnd: 0,
    buffer: Buffer.alloc(0),
    lineNumber: 0,
  };
  const { badLines, label, onRating } = options;
  const seen = options.format === '100k' ? new RatedPairs() : new GroupedPairs();

  const splitter = new LineSplitter(
    (buffer, start, end, lineNumber) => {
      if (lineNumber === 1) {
        // A UTF-8 byte order mark is not part of the data. (A line shorter than it compares its
        // LF or nothing past its end, never a match.)
        if (buffer.subarray(start, start + 3).equals(UTF8_BOM)) start += 3;
        if (options.format === 'latest') {
          const header = buffer.toString('latin1', start, end);
          // A wrong header means the wrong file: never skipped.
          if (header !== RATINGS_CSV_HEADER) {
            throw new DataFileError(
              label,
              1,
              `expected the header "${RATINGS_CSV_HEADER}", found "${header.slice(0, 80)}"`,
            );
          }
          return;
        }
      }
      if (start === end) return; // blank line
      const problem = parseRatingLine(buffer, start, end, separator, row);
      if (problem) {
        badLines.report(label, lineNumber, problem);
        return;
      }
      const repeated = seen.check(row.user, row.item, lineNumber);
      if (repeated) {
        badLines.report(label, lineNumber, repeated);
        return;
      }
      row.buffer = buffer;
      row.lineNumber = lineNumber;
      onRating(row);
    },
    { label },
  );

  for await (const chunk of input) {
    splitter.push(chunk as Buffer);
    if (options.afterChunk) await options.afterChunk();
  }
  splitter.end();
  if (options.afterChunk) await options.afterChunk();
  return splitter.lines;
}

/**
 * Parses `user<sep>item<sep>rating<sep>timestamp` into `row`; returns what is wrong, or
 * undefined when the line is valid.
 */
export function parseRatingLine(
  buffer: Buffer,
  start: number,
  end: number,
  separator: number,
  row: RatingRow,
): string | undefined {
  // user id
  let i = scanWholeNumber(buffer, start, end, separator);
  if (i < 0) return wholeNumberProblem('user id', buffer, start, end, separator);
  if (i === end) return fieldCount(buffer, start, end, separator);
  if (parsedValue < MIN_ID || parsedValue > MAX_ID) return idRange('user id', buffer, start, end, separator);
  row.user = parsedValue;
  // movie id
  let fieldStart = i + 1;
  i = scanWholeNumber(buffer, fieldStart, end, separator);
  if (i < 0) return wholeNumberProblem('movie id', buffer, fieldStart, end, separator);
  if (i === end) return fieldCount(buffer, start, end, separator);
  if (parsedValue < MIN_ID || parsedValue > MAX_ID) return idRange('movie id', buffer, fieldStart, end, separator);
  row.item = parsedValue;
  // rating, in the form the edition publishes: u.data a whole star 1-5 ("4"), ratings.csv a half
  // star 0.5-5.0 written d.d ("3.5", "4.0"). Anything else is a bad line, never a rating: a form
  // GroupLens never writes ("4.75", "5.", ".5", 400 zeros after the dot) would reach the web
  // database as written.
  fieldStart = i + 1;
  // The published forms are read straight from the bytes (the hot path); anything else is looked
  // at again only to say what is wrong.
  let rating = -1;
  if (separator === TAB) {
    i = fieldStart + 1;
    if (i < end && buffer[i] === separator) rating = wholeStar(buffer, fieldStart, i);
  } else {
    i = fieldStart + 3;
    if (i < end && buffer[i] === separator) rating = halfStar(buffer, fieldStart, i);
  }
  if (rating < 0) {
    i = fieldStart;
    while (i < end && buffer[i] !== separator) i++;
    if (i === end) return fieldCount(buffer, start, end, separator);
    if (i === fieldStart) return 'rating is empty';
    return ratingProblem(buffer, fieldStart, i, separator);
  }
  row.ratingStart = fieldStart;
  row.ratingEnd = i;
  row.rating = rating;
  // timestamp
  fieldStart = i + 1;
  i = scanWholeNumber(buffer, fieldStart, end, separator);
  if (i < 0) return wholeNumberProblem('timestamp', buffer, fieldStart, end, separator);
  if (i < end) return fieldCount(buffer, start, end, separator);
  if (parsedValue > MAX_TIMESTAMP) {
    return `timestamp ${field(buffer, fieldStart, end, separator)} is outside 0..${MAX_TIMESTAMP} (seconds since 1970, at most 10 digits)`;
  }
  row.timestamp = parsedValue;
  return undefined;
}

/**
 * A user rates a movie once in every edition (a second rating of the same movie would show twice
 * on the user's page and count twice as an interaction), so a repeated pair is a bad line. u.data
 * is in no order: the pairs seen are kept (a few hundred thousand at most, under its size cap).
 */
class RatedPairs {
  private readonly byUser = new Map<number, Map<number, number>>();

  /** What is wrong with the pair, or undefined the first time it is seen. */
  check(user: number, item: number, lineNumber: number): string | undefined {
    let items = this.byUser.get(user);
    if (!items) this.byUser.set(user, (items = new Map()));
    const first = items.get(item);
    if (first !== undefined) return repeated(user, item, first);
    items.set(item, lineNumber);
    return undefined;
  }
}

/**
 * ratings.csv lists each user's ratings together (GroupLens publishes it sorted by user, then
 * movie), so a repeated pair is found among the current user's ratings alone: the check holds one
 * user's movies, not ml-25m's 25 million pairs. Within a user any order is taken (a file re-sorted
 * by time loses nothing); while the movies ascend, as published, a repeat can only be the line
 * before, and the movies are indexed only when the order breaks. A user whose ratings come back
 * after another user's is a bad line: its pairs could not be checked.
 */
class GroupedPairs {
  private user = 0;
  private lastItem = 0;
  private lastLine = 0;
  private ascending = true;
  /** The current user's movies and their lines, while they ascend. */
  private readonly items: number[] = [];
  private readonly lines: number[] = [];
  /** The current user's movies by line, once they stop ascending. */
  private index: Map<number, number> | undefined;
  /** Users whose ratings have ended, with the line of their last rating. */
  private readonly ended = new Map<number, number>();

  check(user: number, item: number, lineNumber: number): string | undefined {
    if (user !== this.user) {
      const endedOn = this.ended.get(user);
      if (endedOn !== undefined) {
        return `user ${user}'s ratings are not together: they ended on line ${endedOn}, before user ${this.user}'s (ratings.csv lists each user's ratings together)`;
      }
      if (this.user !== 0) this.ended.set(this.user, this.lastLine);
      this.user = user;
      this.ascending = true;
      this.items.length = 0;
      this.lines.length = 0;
      this.index = undefined;
    } else if (this.ascending && item <= this.lastItem) {
      if (item === this.lastItem) return repeated(user, item, this.lastLine);
      this.ascending = false;
      this.index = new Map(this.items.map((seen, i) => [seen, this.lines[i]]));
    }
    if (this.index) {
      const first = this.index.get(item);
      if (first !== undefined) return repeated(user, item, first);
      this.index.set(item, lineNumber);
    } else {
      this.items.push(item);
      this.lines.push(lineNumber);
    }
    this.lastItem = item;
    this.lastLine = lineNumber;
    return undefined;
  }
}

function repeated(user: number, item: number, first: number): string {
  return `user ${user} rates movie ${item} a second time (first on line ${first})`;
}

/** u.data's form: one digit 1-5; -1 when it is not. */
function wholeStar(buffer: Buffer, start: number, end: number): number {
  if (end - start !== 1) return -1;
  const digit = buffer[start] - 48;
  return digit >= 1 && digit <= 5 ? digit : -1;
}

/** ratings.csv's form: d.d, a half star from 0.5 to 5.0; -1 when it is not. */
function halfStar(buffer: Buffer, start: number, end: number): number {
  if (end - start !== 3 || buffer[start + 1] !== DOT) return -1;
  const whole = buffer[start] - 48;
  const tenth = buffer[start + 2] - 48;
  if (whole < 0 || whole > 5 || (tenth !== 0 && tenth !== 5)) return -1;
  const value = whole + tenth / 10;
  return value >= 0.5 && value <= 5 ? value : -1;
}

function ratingProblem(buffer: Buffer, start: number, end: number, separator: number): string {
  const text = field(buffer, start, end, separator);
  if (!/^\d*\.?\d*$/.test(text) || text === '.') return `rating "${text}" is not a number`;
  return separator === TAB
    ? `rating ${text} is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)`
    : `rating ${text} is not a half star from 0.5 to 5.0 written d.d (as ratings.csv writes them: 0.5, 1.0, … 5.0)`;
}

/** The value of the last scanWholeNumber (module state keeps the hot path allocation-free). */
let parsedValue = 0;

/** The newest timestamp a rating may have: 10 digits, as MovieLens writes them (9 or 10). */
export const MAX_TIMESTAMP = 9_999_999_999;

/** Scans digits up to the separator or the end; returns where it stopped, or -1 if not digits. */
function scanWholeNumber(buffer: Buffer, start: number, end: number, separator: number): number {
  let value = 0;
  let i = start;
  while (i < end && buffer[i] !== separator) {
    const digit = buffer[i] - 48;
    if (digit < 0 || digit > 9) return -1;
    // A 400-digit field grows to Infinity, which every range check here (ids, timestamps) refuses.
    value = value * 10 + digit;
    i++;
  }
  if (i === start) return -1;
  parsedValue = value;
  return i;
}

/** An empty field is named as such: "1<TAB>2<TAB>3<TAB>" has its four fields, the last empty. */
function wholeNumberProblem(what: string, buffer: Buffer, start: number, end: number, separator: number): string {
  const text = field(buffer, start, end, separator);
  return text === '' ? `${what} is empty` : `${what} "${text}" is not a whole number`;
}

/** The field starting at `start`, up to 40 characters for a message. */
function field(buffer: Buffer, start: number, end: number, separator: number): string {
  const rest = buffer.subarray(start, end);
  const stop = rest.indexOf(separator);
  return rest.toString('latin1', 0, Math.min(stop === -1 ? rest.length : stop, 40));
}

function idRange(what: string, buffer: Buffer, start: number, end: number, separator: number): string {
  return `${what} ${field(buffer, start, end, separator)} is outside ${MIN_ID}..${MAX_ID.toLocaleString('en-US')}`;
}

function fieldCount(buffer: Buffer, start: number, end: number, separator: number): string {
  let fields = 1;
  for (let i = start; i < end; i++) if (buffer[i] === separator) fields++;
  const name = separator === TAB ? 'tabs' : 'commas';
  return `expected 4 fields separated by ${name} (user, movie, rating, timestamp), found ${fields}`;
}
