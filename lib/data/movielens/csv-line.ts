/**
 * One RFC 4180 record from one physical line. The MovieLens CSVs never hold a newline inside a
 * field (MOVIELENS.md), so parsing line by line is exact, and a broken quote costs only its own
 * line: a streaming CSV parser reads on past an unclosed quote and swallows the records after it.
 * csv-parse's one-call API does the same job but re-reads its options on every call (~40 times
 * slower here, seconds for ml-25m's 62,000 movies), hence this small parser.
 */

/** The fields of the line, or what is wrong with it. */
export type CsvLineResult = { readonly fields: string[] } | { readonly problem: string };

const QUOTE = '"';
const COMMA = ',';

export function parseCsvLine(line: string): CsvLineResult {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === QUOTE) {
      // A quoted field: runs to the quote that is not doubled; `""` stands for one quote.
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = line.indexOf(QUOTE, from);
        if (quote === -1) return { problem: `the quote opened at column ${i + 1} is never closed` };
        value += line.slice(from, quote);
        if (line[quote + 1] !== QUOTE) {
          i = quote + 1;
          break;
        }
        value += QUOTE;
        from = quote + 2;
      }
      fields.push(value);
      if (i === line.length) return { fields };
      if (line[i] !== COMMA) {
        return { problem: `a quoted field goes on after its closing quote at column ${i} (a stray " ?)` };
      }
    } else {
      let comma = line.indexOf(COMMA, i);
      if (comma === -1) comma = line.length;
      const value = line.slice(i, comma);
      const quote = value.indexOf(QUOTE);
      if (quote !== -1) {
        return { problem: `a " at column ${i + quote + 1} inside an unquoted field (RFC 4180 quotes such a field)` };
      }
      fields.push(value);
      if (comma === line.length) return { fields };
      i = comma;
    }
    i++; // past the comma
  }
}
