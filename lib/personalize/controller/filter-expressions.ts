/**
 * Amazon Personalize filter expressions for item recommendations, checked for the syntax and the
 * rules the Developer Guide gives, so that a bad expression fails at synth (config) and in the
 * simulated CreateFilter from this one function:
 *
 * - structure (creating-filter-expressions): `EXCLUDE/INCLUDE ItemID WHERE dataset type.field
 *   IN/NOT IN (value/parameter)`, conditions chained with AND/OR, an optional
 *   `IF CurrentUser.attribute ...` once at the end, expressions chained with `|`
 *   (multiple-expression-example); values are quoted strings or numbers, parameters `$NAME`;
 *   other operators (`=`, `<`, `>`, `<=`, `>=`) take one value or parameter;
 * - guidelines (filter-expression-guidelines-requirements): interactions are filtered only by
 *   event type; Item interactions and Items cannot be used in one expression; a parameter cannot
 *   be used with NOT IN; at most 10 distinct dataset fields per filter;
 * - CreateFilter (API reference): `filterExpression` is 1 to 2,500 characters.
 *
 * `fields`, when given, are the columns of each dataset's schema: a field the schema lacks is a
 * problem (Interactions.EVENT_TYPE is checked like any other field).
 */

export const FILTER_EXPRESSION_MAX_LENGTH = 2500;
export const MAX_FIELDS_PER_FILTER = 10;
/** "The maximum number of distinct dataset fields across all filters in a dataset group is 20." */
export const MAX_FIELDS_PER_DATASET_GROUP = 20;

export type FilterDataset = 'Items' | 'Interactions' | 'Users';
export type SchemaFields = Partial<Record<FilterDataset, readonly string[]>>;

const TOKEN =
  /\s*("(?:[^"\\]|\\.)*"|\$[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?|<=|>=|[()|,<>=]|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)/y;

/** The tokens of an expression, or why it cannot be read. */
function tokenize(expression: string): string[] | string {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(expression);
    if (!match) return `cannot read "${expression.slice(at).trim().slice(0, 20)}"`;
    tokens.push(match[1]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

const isValue = (t: string | undefined) => t !== undefined && (/^"/.test(t) || /^-?\d/.test(t));
const isParameter = (t: string | undefined) => t !== undefined && t.startsWith('$');
const upper = (t: string | undefined) => (t ?? '').toUpperCase();

/** The dataset fields a filter uses (`Items.GENRES`, ...), distinct; empty when it does not parse. */
export function filterFields(expression: string): string[] {
  const tokens = tokenize(expression);
  if (typeof tokens === 'string') return [];
  return [...new Set(tokens.filter((t) => /^(Items|Interactions|Users|CurrentUser|CurrentItem)\./.test(t)))];
}

/** The `$PARAMETERS` a filter takes, without the `$`, in order of first use. */
export function filterParameters(expression: string): string[] {
  const tokens = tokenize(expression);
  if (typeof tokens === 'string') return [];
  return [...new Set(tokens.filter(isParameter).map((t) => t.slice(1)))];
}

/** One condition of an expression: `Items.GENRES IN ("Horror", $GENRE)`, `Items.YEAR >= 1996`. */
export interface FilterCondition {
  readonly dataset: string;
  readonly column: string;
  /** IN, NOT IN, =, <, >, <= or >=. */
  readonly operator: string;
  /** Quoted values as written (with their quotes), numbers, `$PARAMETERS`. */
  readonly operands: readonly string[];
  /** How it joins the condition before it (the first has none). */
  readonly join?: 'AND' | 'OR';
  /** Part of the IF clause at the end (CurrentUser). */
  readonly inIf: boolean;
}

/** One expression of a filter (they chain with "|"). */
export interface FilterPart {
  readonly include: boolean;
  readonly conditions: readonly FilterCondition[];
}

/** Why an item filter expression is not one the Developer Guide defines; empty when it is. */
export function filterExpressionProblems(expression: string, fields?: SchemaFields): string[] {
  return parseFilterExpression(expression, fields).problems;
}

/**
 * An item filter expression read: its parts (what the simulated runtime evaluates) and why it is
 * not one the Developer Guide defines (none when it is; the parts are then whole).
 */
export function parseFilterExpression(
  expression: string,
  fields?: SchemaFields,
): { readonly parts: FilterPart[]; readonly problems: string[] } {
  if (expression.trim().length === 0) return { parts: [], problems: ['is empty'] };
  if (expression.length > FILTER_EXPRESSION_MAX_LENGTH)
    return {
      parts: [],
      problems: [`is ${expression.length} characters; CreateFilter takes at most ${FILTER_EXPRESSION_MAX_LENGTH}`],
    };
  const tokens = tokenize(expression);
  if (typeof tokens === 'string') return { parts: [], problems: [tokens] };
  const problems: string[] = [];
  const pieces: string[][] = [[]];
  for (const token of tokens) {
    if (token === '|') pieces.push([]);
    else pieces[pieces.length - 1].push(token);
  }
  const parts = pieces.map((piece, index) => {
    const where = pieces.length > 1 ? `expression ${index + 1}: ` : '';
    const conditions: FilterCondition[] = [];
    for (const problem of oneExpressionProblems(piece, fields, conditions)) problems.push(`${where}${problem}`);
    return { include: upper(piece[0]) === 'INCLUDE', conditions };
  });
  const used = filterFields(expression).filter((f) => !f.startsWith('Current'));
  if (used.length > MAX_FIELDS_PER_FILTER)
    problems.push(`uses ${used.length} dataset fields; a filter may use at most ${MAX_FIELDS_PER_FILTER}`);
  return { parts, problems };
}

/** Checks one expression; each condition read is added to `conditions`. */
function oneExpressionProblems(
  tokens: readonly string[],
  fields: SchemaFields | undefined,
  conditions: FilterCondition[],
): string[] {
  const shape = 'must read EXCLUDE|INCLUDE ItemID WHERE <Dataset>.<FIELD> IN (<values or $PARAMETER>)';
  if (!['EXCLUDE', 'INCLUDE'].includes(upper(tokens[0]))) return [`must start with INCLUDE or EXCLUDE (${shape})`];
  if (tokens[1] !== 'ItemID') return [`must filter ItemID after ${tokens[0]} (item recommendations)`];
  if (upper(tokens[2]) !== 'WHERE') return [`needs WHERE after ItemID (${shape})`];
  const problems: string[] = [];
  const datasets = new Set<string>();
  let at = 3;
  let inIf = false;
  let join: 'AND' | 'OR' | undefined;
  for (;;) {
    const field = tokens[at];
    const match = /^(Items|Interactions|Users|CurrentUser|CurrentItem)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(field ?? '');
    if (!match) return [...problems, `expects <Dataset>.<FIELD> at "${field ?? 'the end'}" (${shape})`];
    const [, dataset, column] = match;
    if (inIf && dataset !== 'CurrentUser') problems.push(`an IF condition checks only CurrentUser, not ${dataset}`);
    if (!inIf && dataset === 'CurrentUser') problems.push('CurrentUser is used only in the IF condition at the end');
    if (!inIf && dataset !== 'CurrentItem') datasets.add(dataset);
    if (dataset === 'Interactions' && column !== 'EVENT_TYPE')
      problems.push(`interactions are filtered only by event type (Interactions.EVENT_TYPE), not ${column}`);
    const schemaOf = dataset === 'CurrentUser' ? 'Users' : dataset === 'CurrentItem' ? 'Items' : dataset;
    const known = fields?.[schemaOf as FilterDataset];
    if (known && !known.includes(column)) problems.push(`${field}: the ${schemaOf} schema has no field ${column}`);
    at++;
    const operands: string[] = [];
    let operator = upper(tokens[at]);
    if (operator === 'NOT' && upper(tokens[at + 1]) === 'IN') {
      operator = 'NOT IN';
      at++;
    }
    at++;
    if (operator === 'IN' || operator === 'NOT IN') {
      if (tokens[at] !== '(') return [...problems, `expects "(" after ${operator} (${shape})`];
      at++;
      for (;;) {
        const value = tokens[at];
        if (isParameter(value) && operator === 'NOT IN')
          problems.push(
            `${field} NOT IN cannot take a parameter (${value}); use IN and the opposite of INCLUDE/EXCLUDE`,
          );
        if (!isValue(value) && !isParameter(value))
          return [...problems, `expects a quoted value or a $PARAMETER at "${value ?? 'the end'}"`];
        operands.push(value);
        at++;
        if (tokens[at] === ',') {
          at++;
          continue;
        }
        if (tokens[at] !== ')') return [...problems, `expects "," or ")" at "${tokens[at] ?? 'the end'}"`];
        at++;
        break;
      }
    } else if (['=', '<', '>', '<=', '>='].includes(operator)) {
      let value = tokens[at];
      const wrapped = value === '(';
      if (wrapped) value = tokens[++at];
      if (!isValue(value) && !isParameter(value))
        return [...problems, `expects a value or a $PARAMETER after ${operator} at "${value ?? 'the end'}"`];
      operands.push(value);
      at++;
      if (wrapped) {
        if (tokens[at] !== ')') return [...problems, `expects ")" at "${tokens[at] ?? 'the end'}"`];
        at++;
      }
    } else {
      return [...problems, `expects IN, NOT IN, =, <, >, <= or >= after ${field}`];
    }
    conditions.push({ dataset, column, operator, operands, inIf, ...(join ? { join } : {}) });
    const next = upper(tokens[at]);
    if (at >= tokens.length) break;
    if (next === 'AND' || next === 'OR') {
      if (inIf && next === 'OR') problems.push('an IF condition is extended only with AND');
      join = next;
      at++;
      continue;
    }
    if (next === 'IF' && !inIf) {
      inIf = true;
      join = undefined;
      at++;
      continue;
    }
    return [...problems, `unexpected "${tokens[at]}"`];
  }
  if (datasets.has('Interactions') && datasets.has('Items'))
    problems.push('cannot use Item interactions and Items in one expression; chain two expressions with |');
  return problems;
}
