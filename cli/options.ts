/**
 * Options several commands share, and the checks of numeric option values: each message names the
 * option, what is allowed and the value given (a UsageError: exit 2).
 */
import { Option } from '@commander-js/extra-typings';
import { collectContext } from './config';
import { UsageError } from './errors';

/** `-c key=value`, repeatable, as for cdk. */
export function contextOption(description = 'override a workshop setting, as for cdk (repeatable)') {
  return new Option('-c, --context <key=value>', description).argParser(collectContext).default([] as string[]);
}

/** A whole number of at least `min`; undefined when the option was not given. */
export function wholeNumber(name: string, value: string, min?: number): number;
export function wholeNumber(name: string, value: string | undefined, min?: number): number | undefined;
export function wholeNumber(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${value}"`);
  }
  return Number(value);
}

/** A number from `min` to `max`. */
export function numberFrom(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}
