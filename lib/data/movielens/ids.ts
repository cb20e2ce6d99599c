/**
 * Ids as the web database and Amazon Personalize take them. Every MovieLens edition numbers users
 * and movies from 1 (u.item's id is its line number; ml-latest's first movie and user are 1), and
 * the web database holds them in PostgreSQL `integer` columns: an id outside 1..2,147,483,647
 * could only fail later (or, above 2^53, be silently changed by a JavaScript number), so it is a
 * bad line here, named by file and line.
 */
export const MIN_ID = 1;
export const MAX_ID = 2_147_483_647;

/** Digits enough for any id (leading zeros aside); a longer run of digits is out of range. */
const WHOLE_NUMBER = /^\d+$/;

/**
 * The id written as `text`, or what is wrong with it. Leading zeros are read as the number they
 * spell; the digits are never turned into a number that could round (a 400-digit id is Infinity).
 */
export function parseId(what: string, text: string): number | { problem: string } {
  if (!WHOLE_NUMBER.test(text)) return { problem: `${what} "${shorten(text)}" is not a whole number` };
  const digits = text.replace(/^0+(?=\d)/, '');
  const value = digits.length > 10 ? Infinity : Number(digits);
  if (value < MIN_ID || value > MAX_ID) {
    return { problem: `${what} ${shorten(text)} is outside ${MIN_ID}..${MAX_ID.toLocaleString('en-US')}` };
  }
  return value;
}

/** A value for a message: at most 40 characters. */
export function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text;
}
