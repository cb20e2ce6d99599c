/**
 * What every route area shares: the error a route throws for a bad request, the HTML reply, and the
 * readers of the query string, path ids and form bodies that turn bad input into a 4xx page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A request the app refuses, with a message for the page. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const MAX_PARAM_LENGTH = 200;

/** A server-rendered page, never cached (it shows per-request state). */
export const sendHtml = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);

/**
 * C0 and C1 control characters and DEL: PostgreSQL's text type refuses a NUL (a 500 before this
 * check), and none of the others belong in a name, an ARN, a number or a query parameter.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** A positive whole number in a path, or a 404 that says what an id looks like. */
export function parseId(text: string, what: 'user' | 'model' | 'movie'): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) {
    throw new HttpError(404, `"${text.slice(0, 40)}" is not a ${what} id: ${what} ids are whole numbers from 1.`);
  }
  return Number(text);
}

/**
 * The query string's single values; a repeated, oversized or unknown-valued key is a 400. A
 * checkbox's form sends a hidden value for "unticked" and then, when ticked, the box's own: for the
 * `checkboxes` keys, exactly those two values (`unticked`, then another) count as the last.
 */
export function readQuery(
  request: FastifyRequest,
  allowed: readonly string[],
  checkboxes: Readonly<Record<string, string>> = {},
): Record<string, string | undefined> {
  const query = (request.query ?? {}) as Record<string, string | string[]>;
  const values: Record<string, string | undefined> = {};
  for (const key of allowed) {
    let value = query[key];
    const unticked = Object.hasOwn(checkboxes, key) ? checkboxes[key] : undefined;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      unticked !== undefined &&
      value[0] === unticked &&
      value[1] !== unticked
    )
      value = value[1];
    if (Array.isArray(value))
      throw new HttpError(400, `The query parameter "${key}" is given ${value.length} times; give it once.`);
    if (value !== undefined && value.length > MAX_PARAM_LENGTH) {
      throw new HttpError(400, `The query parameter "${key}" is longer than ${MAX_PARAM_LENGTH} characters.`);
    }
    if (value !== undefined && CONTROL_CHARACTERS.test(value))
      throw new HttpError(400, `The query parameter "${key}" holds control characters; they are not allowed.`);
    values[key] = value;
  }
  return values;
}

/** The form's fields as single strings; anything else in the body is refused. */
export function formBody<K extends string>(body: unknown, fields: readonly K[]): Record<K, string> {
  if (typeof body !== 'object' || body === null) throw new HttpError(400, 'The form is empty.');
  const values = {} as Record<K, string>;
  for (const field of fields) {
    const value = (body as Record<string, unknown>)[field];
    if (Array.isArray(value)) throw new HttpError(400, `The form field "${field}" is given more than once.`);
    if (value !== undefined && typeof value !== 'string')
      throw new HttpError(400, `The form field "${field}" is not text.`);
    // A password is hashed, never stored or shown: it may hold whatever the admin chose.
    if (field !== 'password' && typeof value === 'string' && CONTROL_CHARACTERS.test(value))
      throw new HttpError(400, `The form field "${field}" holds control characters; they are not allowed.`);
    values[field] = (value ?? '') as string;
  }
  return values;
}
