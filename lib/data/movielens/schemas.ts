/**
 * The Personalize schemas (Avro JSON in `data/schemas/`) and the data rules Personalize enforces.
 * The CSV headers are derived from the schemas, so the two cannot drift apart.
 */
import interactionsSchema from '../../../data/schemas/interactions.json';
import itemsSchema from '../../../data/schemas/items.json';
import usersSchema from '../../../data/schemas/users.json';

export interface AvroSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly fields: readonly {
    readonly name: string;
    readonly type: string | readonly string[];
    readonly categorical?: boolean;
  }[];
  readonly version: string;
}

export const SCHEMAS: Readonly<Record<'interactions' | 'items' | 'users', AvroSchema>> = {
  interactions: interactionsSchema as AvroSchema,
  items: itemsSchema as AvroSchema,
  users: usersSchema as AvroSchema,
};

/** CSV header of each Personalize file: the schema's field names, in schema order. */
export const SCHEMA_FIELDS: Readonly<Record<keyof typeof SCHEMAS, readonly string[]>> = {
  interactions: SCHEMAS.interactions.fields.map((f) => f.name),
  items: SCHEMAS.items.fields.map((f) => f.name),
  users: SCHEMAS.users.fields.map((f) => f.name),
};

/**
 * The event type of a rating, in the prepared interactions (EVENT_TYPE) and in the web app's
 * PutEvents; filters name it (`Interactions.EVENT_TYPE IN ("rating")`). EVENT_VALUE holds the stars.
 */
export const RATING_EVENT_TYPE = 'rating';

export interface PersonalizeMinimums {
  /** Interactions needed to train. */
  readonly interactions: number;
  /** Users with at least two interactions needed to train. */
  readonly usersWithTwoInteractions: number;
}

/** Amazon Personalize's minimums for training a solution version. */
export const PERSONALIZE_MINIMUMS: PersonalizeMinimums = { interactions: 1000, usersWithTwoInteractions: 25 };
