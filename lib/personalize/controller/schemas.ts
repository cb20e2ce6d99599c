/**
 * What Amazon Personalize accepts as the replacement of a dataset's schema (Developer Guide,
 * "Replacing a dataset's schema to add new columns",
 * https://docs.aws.amazon.com/personalize/latest/dg/updating-dataset-schema.html):
 * "you must keep all fields in the previous schema and you can't change their data types or
 * attributes", and "Any new fields must support null data". The controller checks it before
 * UpdateDataset and the simulation enforces it, from this one function.
 */

interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly [attribute: string]: unknown;
}

function fieldsOf(schema: string): AvroField[] | undefined {
  try {
    const parsed = JSON.parse(schema) as { fields?: unknown };
    if (!Array.isArray(parsed.fields)) return undefined;
    return parsed.fields.filter(
      (f): f is AvroField => typeof f === 'object' && f !== null && typeof (f as AvroField).name === 'string',
    );
  } catch {
    return undefined;
  }
}

/** Whether an Avro type accepts null: `"null"` or a union that lists it. */
export function acceptsNull(type: unknown): boolean {
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
}

/** Canonical text of a field (its attributes in a stable order), to compare two of them. */
function canonical(field: AvroField): string {
  return JSON.stringify(
    Object.keys(field)
      .sort()
      .map((key) => [key, field[key]]),
  );
}

/** Why `next` cannot replace `previous`; empty when it can. */
export function schemaReplacementProblems(previous: string, next: string): string[] {
  const before = fieldsOf(previous);
  const after = fieldsOf(next);
  if (!before || !after) return ['a schema is not an Avro record with a fields list'];
  const problems: string[] = [];
  for (const field of before) {
    const kept = after.find((f) => f.name === field.name);
    if (!kept) problems.push(`field ${field.name} is removed`);
    else if (canonical(kept) !== canonical(field)) problems.push(`field ${field.name} changes its type or attributes`);
  }
  for (const field of after.filter((f) => !before.some((b) => b.name === f.name))) {
    if (!acceptsNull(field.type)) problems.push(`new field ${field.name} does not accept null`);
  }
  return problems;
}
