/**
 * The simulated runtime's filters: an item filter expression (already accepted by CreateFilter,
 * `filter-expressions.ts`) applied to one item for one user, with the request's `filterValues`.
 * What it reads: the item's fields (`Items.<FIELD>`, categorical values split on "|") and the
 * user's events (`Interactions.EVENT_TYPE`, matched ignoring case as the guide says). Expressions
 * chained with "|" combine as the guide's "Combining multiple expressions" says: the union of the
 * INCLUDE parts minus the union of the EXCLUDE parts. An EXCLUDE part whose parameter has no value
 * is not used; an INCLUDE part without one is refused (rule runtime/filter).
 */
import { FilterPart, parseFilterExpression } from '../filter-expressions';
import { refuse } from './store';

export interface FilterSubject {
  /** The item's fields by name (`GENRES`: "Action|Comedy", `YEAR`: "1995"). */
  readonly fields: Readonly<Record<string, string | undefined>>;
  /** The event types the user has for this item. */
  readonly eventTypes: readonly string[];
}

type Test = (subject: FilterSubject) => boolean;

interface Part {
  readonly include: boolean;
  readonly test: Test;
}

/** The test a filter makes of each item, for the given values; throws a ledger refusal. */
export function compileFilter(expression: string, values: Readonly<Record<string, string>> = {}): Test {
  const { parts, problems } = parseFilterExpression(expression);
  if (problems.length) throw new Error(`the simulation cannot read the filter ${expression}: ${problems.join('; ')}`);
  const compiled = parts.map((part) => compilePart(part, values)).filter((p): p is Part => p !== undefined);
  const includes = compiled.filter((p) => p.include);
  const excludes = compiled.filter((p) => !p.include);
  return (subject) =>
    (includes.length === 0 || includes.some((p) => p.test(subject))) && !excludes.some((p) => p.test(subject));
}

/** One expression; undefined when it is an EXCLUDE whose parameter has no value (not used). */
function compilePart(part: FilterPart, values: Readonly<Record<string, string>>): Part | undefined {
  let test: Test | undefined;
  for (const { dataset, column, operator, operands, join, inIf } of part.conditions) {
    if (inIf) continue; // the IF clause reads the user's metadata: the simulation reads no users
    if (dataset === 'CurrentItem') throw new Error(`the simulation does not evaluate CurrentItem conditions`);
    const resolved: string[] = [];
    for (const operand of operands) {
      if (!operand.startsWith('$')) {
        resolved.push(unquote(operand));
        continue;
      }
      const value = values[operand.slice(1)];
      if (value === undefined) {
        if (part.include)
          throw refuse('runtime/filter', `the INCLUDE filter needs a value for ${operand} in filterValues`);
        return undefined;
      }
      resolved.push(...parseValues(operand.slice(1), value));
    }
    const condition = conditionOf(dataset, column, operator, resolved);
    test = test === undefined ? condition : combine(test, join ?? 'AND', condition);
  }
  return { include: part.include, test: test ?? (() => false) };
}

function combine(left: Test, join: 'AND' | 'OR', right: Test): Test {
  return join === 'AND' ? (s) => left(s) && right(s) : (s) => left(s) || right(s);
}

function conditionOf(dataset: string, column: string, operator: string, operands: readonly string[]): Test {
  if (dataset === 'Interactions') {
    const wanted = new Set(operands.map((o) => o.toLowerCase()));
    const hit = (s: FilterSubject) => s.eventTypes.some((t) => wanted.has(t.toLowerCase()));
    return operator === 'NOT IN' ? (s) => !hit(s) : hit;
  }
  const valuesOf = (s: FilterSubject) => (s.fields[column] ?? '').split('|').filter((v) => v !== '');
  switch (operator) {
    case 'IN':
      return (s) => valuesOf(s).some((v) => operands.includes(v));
    case 'NOT IN':
      return (s) => !valuesOf(s).some((v) => operands.includes(v));
    default: {
      const bound = Number(operands[0]);
      const compare: Record<string, (a: number) => boolean> = {
        '=': (a) => a === bound,
        '<': (a) => a < bound,
        '>': (a) => a > bound,
        '<=': (a) => a <= bound,
        '>=': (a) => a >= bound,
      };
      return (s) => {
        const value = Number(s.fields[column]);
        return s.fields[column] !== undefined && Number.isFinite(value) && compare[operator](value);
      };
    }
  }
}

/** rule runtime/filter-values-quoted: `"\"Horror\",\"Comedy\""` is two values; a number may be bare. */
function parseValues(name: string, text: string): string[] {
  if (text.trim() === '')
    throw refuse(
      'runtime/filter-values-quoted',
      `filterValues.${name} is empty: give each string value in double quotes`,
    );
  const values: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const match = re.exec(text);
    if (!match)
      throw refuse(
        'runtime/filter-values-quoted',
        `filterValues.${name} ${JSON.stringify(text)}: give each string value in double quotes`,
      );
    values.push(unquote(match[1]));
    at = re.lastIndex;
    if (match[2] === '') break;
  }
  return values;
}

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, '$1') : token;
}
