/**
 * The small files: movies (`u.item`, `movies.csv`) and users (`u.user`). They are read whole,
 * decoded with their published encoding, and validated line by line.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { parseCsvLine } from './csv-line';
import { BadLinePolicy, DataFileError, DataWarnings } from './errors';
import { ML100K_GENRES, ML100K_OCCUPATIONS, ML_LATEST_GENRES, MOVIES_CSV_HEADER, NO_GENRES_LISTED } from './editions';
import { splitLines } from './lines';
import { parseId, shorten } from './ids';

export interface Movie {
  readonly id: number;
  /** The title without its "(year)" (see splitTitle). */
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

/** `01-Jan-1995`, and the one-digit day of u.item 1373 (`4-Feb-1971`). */
const RELEASE_DATE = /^(?:0?[1-9]|[12]\d|3[01])-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d{4})$/;
const WHOLE_NUMBER = /^\d+$/;
/** u.user's zips: US zip codes (some with a leading zero) and Canadian postal codes (`T8H1N`). */
const ZIP_CODE = /^[0-9A-Za-z]{1,10}$/;
const LATEST_GENRE_SET: ReadonlySet<string> = new Set(ML_LATEST_GENRES);

/**
 * What a spreadsheet may read as the start of a formula (OWASP's "CSV injection" list): a title
 * starting with one is written exactly as it is (Personalize and the app need the value) and
 * listed, so a presenter who opens the files in a spreadsheet is warned. (Spaces around a title
 * are dropped, so a tab or CR can only lead a title that is nothing else.)
 */
export const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'] as const;

/**
 * A control character in a title (NUL, a tab, a CR inside quotes, DEL): no MovieLens title holds
 * one, PostgreSQL's text refuses NUL at load, and the others would reach the site and the CSVs as
 * invisible characters. The title's column is named.
 */
function controlCharacter(title: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const at = title.search(/[\u0000-\u001f\u007f]/);
  if (at === -1) return undefined;
  const code = title.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  return `the title holds a control character (U+${code}) at its character ${at + 1}`;
}

function noteFormulaLike(title: string, label: string, lineNumber: number, formulaLike: DataWarnings): void {
  if (title !== '' && (FORMULA_STARTS as readonly string[]).includes(title[0])) {
    formulaLike.report(
      label,
      lineNumber,
      `title "${shorten(title)}" starts with ${JSON.stringify(title[0])}: a spreadsheet may run it as a formula (written exactly as it is)`,
    );
  }
}

/** The oldest age u.user may give (its ages run from 7 to 73). */
const MAX_AGE = 150;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * "Toy Story (1995)" -> { title: "Toy Story", year: 1995 }. The year is taken out wherever it
 * stands before other parenthesised text, which stays with the title as a user reads it:
 * "The Naked Truth (1957) (Your Past Is Showing)" -> "The Naked Truth (Your Past Is Showing)",
 * 1957; "Land Before Time III (1995) (V)" -> "Land Before Time III (V)", 1995. A title without
 * a year in parentheses keeps it all and has none: a bare trailing number ("Irwin & Fran 2013",
 * "Babylon 5", "Blade Runner 2049") may be part of the name. Surrounding spaces are dropped.
 *
 * The year is a 4-digit year in parentheses, or a range (`2006–2007` with an EN DASH,
 * `1975-1979`, `2016–`); the last one that only parenthesised text (`(V)`), stray closing
 * parentheses (`(1983))`, a typo in ml-25m) and spaces follow. This was the regular expression
 * `^(.*)\((\d{4})(?:\s*[-\u2013]\s*(?:\d{4})?)?\)((?:\s*\([^()]*\))*)[\s)]*$`, whose backtracking
 * took seconds on a crafted title of 96 KB; the scan below gives the same answers (a test
 * compares them on many generated titles) in time linear in the title's length.
 */
export function splitTitle(raw: string): { title: string; year: number | undefined } {
  const found = findTitleYear(raw);
  const before = found ? raw.slice(0, found.open).trim() : '';
  if (!found || !before) return { title: raw.trim(), year: undefined };
  const after = raw.slice(found.close + 1, found.groupsEnd).trim();
  return { title: after === '' ? before : `${before} ${after}`, year: found.year };
}

const OPEN = 40; // (
const CLOSE = 41; // )
const HYPHEN = 45;
const EN_DASH = 0x2013;

/** `\s` of a JavaScript regular expression (which is also what String.prototype.trim drops). */
function isSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** What `.` does not match: the title before the year cannot hold one. */
function isLineTerminator(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Four digits from `at`. */
function isYear(raw: string, at: number): boolean {
  return (
    at + 4 <= raw.length &&
    isDigit(raw.charCodeAt(at)) &&
    isDigit(raw.charCodeAt(at + 1)) &&
    isDigit(raw.charCodeAt(at + 2)) &&
    isDigit(raw.charCodeAt(at + 3))
  );
}

/**
 * After "(yyyy" at `at`: the index of the ")" that closes the year, or -1. Either ")" at once, or
 * `\s*[-–]\s*`, an optional second year, then ")".
 */
function yearClose(raw: string, at: number, nextNonSpace: Int32Array): number {
  const n = raw.length;
  if (at >= n) return -1;
  if (raw.charCodeAt(at) === CLOSE) return at;
  const dash = nextNonSpace[at];
  if (dash >= n) return -1;
  const code = raw.charCodeAt(dash);
  if (code !== HYPHEN && code !== EN_DASH) return -1;
  const next = nextNonSpace[dash + 1];
  if (isYear(raw, next) && raw.charCodeAt(next + 4) === CLOSE) return next + 4;
  return next < n && raw.charCodeAt(next) === CLOSE ? next : -1;
}

/**
 * Where the title's year stands: the index of its "(" and ")", the year, and where the
 * parenthesised text after it ends. One pass from the right computes, for every position, whether
 * the rest of the title is only "(…)" groups, spaces and stray ")" (and where the groups end,
 * taking as many as the expression's greedy `*` would); then the last "(yyyy…)" followed by such a
 * rest is the year.
 */
function findTitleYear(raw: string): { open: number; close: number; year: number; groupsEnd: number } | undefined {
  const n = raw.length;
  // tail[i]: raw[i..] is "(…)" groups, then only spaces and ")"; groupsEnd[i]: where the groups end.
  const tail = new Uint8Array(n + 1);
  const groupsEnd = new Int32Array(n + 1);
  // The first index >= i that is not a space, and that holds "(" or ")" (n if none).
  const nextNonSpace = new Int32Array(n + 1);
  const nextParen = new Int32Array(n + 1);
  let onlyClosing = true;
  tail[n] = 1;
  groupsEnd[n] = n;
  nextNonSpace[n] = n;
  nextParen[n] = n;
  for (let i = n - 1; i >= 0; i--) {
    const code = raw.charCodeAt(i);
    const space = isSpace(code);
    nextNonSpace[i] = space ? nextNonSpace[i + 1] : i;
    nextParen[i] = code === OPEN || code === CLOSE ? i : nextParen[i + 1];
    onlyClosing = onlyClosing && (space || code === CLOSE);
    // A group `\s*\([^()]*\)` here, then a valid rest: taken first, as the greedy `*` does.
    const j = nextNonSpace[i];
    const k = j < n && raw.charCodeAt(j) === OPEN ? nextParen[j + 1] : n;
    if (k < n && raw.charCodeAt(k) === CLOSE && tail[k + 1]) {
      tail[i] = 1;
      groupsEnd[i] = groupsEnd[k + 1];
    } else if (onlyClosing) {
      tail[i] = 1;
      groupsEnd[i] = i;
    }
  }
  // The year: the last "(" (nothing before it a line terminator) opening "(yyyy)" or a range.
  let limit = n - 1;
  for (let i = 0; i < n; i++) {
    if (isLineTerminator(raw.charCodeAt(i))) {
      limit = i;
      break;
    }
  }
  for (let p = limit; p >= 0; p--) {
    if (raw.charCodeAt(p) !== OPEN) continue;
    if (!isYear(raw, p + 1)) continue;
    const close = yearClose(raw, p + 5, nextNonSpace);
    if (close === -1 || !tail[close + 1]) continue;
    return { open: p, close, year: Number(raw.slice(p + 1, p + 5)), groupsEnd: groupsEnd[close + 1] };
  }
  return undefined;
}
/**
 * `u.item`: `id|title (year)|release date|video release date|IMDb URL|` and 19 genre flags,
 * ISO-8859-1 encoded.
 */
export function parseMl100kItems(
  bytes: Buffer,
  label: string,
  badLines: BadLinePolicy,
  warnings: DataWarnings,
  formulaLike: DataWarnings = new DataWarnings(),
): Movie[] {
  const movies: Movie[] = [];
  const ids = new FirstLines('movie id');
  const expectedFields = 5 + ML100K_GENRES.length;
  for (const { text, lineNumber } of splitLines(bytes, { label })) {
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
    const [rawId, rawTitle, releaseDate] = fields;
    const id = ids.read(rawId, lineNumber);
    if (typeof id !== 'number') {
      badLines.report(label, lineNumber, id.problem);
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
    const control = controlCharacter(rawTitle);
    if (control) {
      badLines.report(label, lineNumber, control);
      continue;
    }
    // The release date only stands in for a title without a year: an odd one is a warning, not a
    // failed deploy.
    const released = RELEASE_DATE.exec(releaseDate);
    if (!released && releaseDate !== '') {
      warnings.report(label, lineNumber, `release date "${releaseDate}" is not like 01-Jan-1995; taken as missing`);
    }
    const { title, year } = splitTitle(rawTitle);
    noteFormulaLike(title, label, lineNumber, formulaLike);
    movies.push({
      id,
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
  const ids = new FirstLines('user id');
  for (const { text, lineNumber } of splitLines(bytes, { label })) {
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
    const [rawId, age, gender, occupation, zip] = fields;
    const id = ids.read(rawId, lineNumber);
    if (typeof id !== 'number') {
      badLines.report(label, lineNumber, id.problem);
      continue;
    }
    if (!WHOLE_NUMBER.test(age) || age.length > 3 || Number(age) > MAX_AGE) {
      badLines.report(label, lineNumber, `age "${shorten(age)}" is not a whole number from 0 to ${MAX_AGE}`);
      continue;
    }
    if (gender !== 'M' && gender !== 'F') {
      badLines.report(label, lineNumber, `gender "${gender}" is not M or F`);
      continue;
    }
    if (!ML100K_OCCUPATIONS.includes(occupation)) {
      badLines.report(
        label,
        lineNumber,
        `occupation "${shorten(occupation)}" is not one of u.occupation's (${ML100K_OCCUPATIONS.join(', ')})`,
      );
      continue;
    }
    if (!ZIP_CODE.test(zip)) {
      badLines.report(label, lineNumber, `zip code "${shorten(zip)}" is not 1 to 10 letters or digits`);
      continue;
    }
    users.push({ id, age: Number(age), gender, occupation, zip });
  }
  return users;
}

/**
 * `movies.csv`: `movieId,title,genres` with a header, RFC 4180 quoting, UTF-8, CRLF. Parsed line
 * by line (no field holds a newline), so a broken quote costs its own line and no other.
 */
export function parseLatestMovies(
  bytes: Buffer,
  label: string,
  badLines: BadLinePolicy,
  formulaLike: DataWarnings = new DataWarnings(),
): Movie[] {
  const lines = splitLines(bytes, { label });
  const movies: Movie[] = [];
  const ids = new FirstLines('movie id');
  let header = true;
  for (const { text, lineNumber } of lines) {
    // A UTF-8 byte order mark is not part of the header (GroupLens writes none; editors may).
    const raw = header && text.subarray(0, 3).equals(UTF8_BOM) ? text.subarray(3) : text;
    // Checked per line to name the line; an invalid byte would read as U+FFFD in a title.
    if (!isUtf8(raw)) {
      throw new DataFileError(label, lineNumber, 'the text is not valid UTF-8 (movies.csv is published in UTF-8)');
    }
    const line = raw.toString('utf8');
    if (header) {
      if (line !== MOVIES_CSV_HEADER) {
        throw new DataFileError(label, lineNumber, `expected the header "${MOVIES_CSV_HEADER}", found "${line}"`);
      }
      header = false;
      continue;
    }
    if (line === '') continue;
    const parsed = parseCsvLine(line);
    if ('problem' in parsed) {
      badLines.report(label, lineNumber, parsed.problem);
      continue;
    }
    const record = parsed.fields;
    if (record.length !== 3) {
      badLines.report(label, lineNumber, `expected 3 fields (movieId, title, genres), found ${record.length}`);
      continue;
    }
    const [rawId, rawTitle, genres] = record;
    const id = ids.read(rawId, lineNumber);
    if (typeof id !== 'number') {
      badLines.report(label, lineNumber, id.problem);
      continue;
    }
    const genreList = genres === NO_GENRES_LISTED || genres === '' ? [] : genres.split('|');
    const unknown = genreList.find((genre) => !LATEST_GENRE_SET.has(genre));
    if (unknown !== undefined) {
      badLines.report(
        label,
        lineNumber,
        `genre "${shorten(unknown)}" is not one of movies.csv's genres (${ML_LATEST_GENRES.join(', ')}; or "${NO_GENRES_LISTED}" alone)`,
      );
      continue;
    }
    const control = controlCharacter(rawTitle);
    if (control) {
      badLines.report(label, lineNumber, control);
      continue;
    }
    const { title, year } = splitTitle(rawTitle);
    noteFormulaLike(title, label, lineNumber, formulaLike);
    movies.push({ id, title, year, genres: genreList });
  }
  if (header) throw new DataFileError(label, 1, `the file is empty; expected the header "${MOVIES_CSV_HEADER}"`);
  return movies;
}

/**
 * Ids listed twice: every edition lists a movie (a user) once; the same title under two ids is
 * two movies (MOVIELENS.md: "Chasing Amy (1997)" 246 and 268). A second line of an id would be a
 * second row of one key in Personalize's items and the web database (whose key refuses it at
 * load): a bad line, naming the line of the first.
 */
class FirstLines {
  private readonly lines = new Map<number, number>();

  constructor(private readonly what: string) {}

  /** The id written as `text`, or what is wrong with it: out of range, or listed before. */
  read(text: string, lineNumber: number): number | { problem: string } {
    const id = parseId(this.what, text);
    if (typeof id !== 'number') return id;
    const first = this.lines.get(id);
    if (first !== undefined) return { problem: `${this.what} ${id} is listed twice (first on line ${first})` };
    this.lines.set(id, lineNumber);
    return id;
  }
}

/**
 * True when the line has non-ASCII bytes and they are all well-formed UTF-8: text that was
 * re-encoded to UTF-8 ("MisÃ©rables" when read as Latin-1). A genuine Latin-1 accent (a lone
 * 0xE9) is never well-formed UTF-8.
 */
export function looksUtf8(line: Buffer): boolean {
  return !isAscii(line) && isUtf8(line);
}
