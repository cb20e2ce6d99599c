/**
 * Options several commands share, and the checks of numeric option values: each message names the
 * option, what is allowed and the value given (a UsageError: exit 2).
 */
import { Option } from '@commander-js/extra-typings';
import * as path from 'node:path';
import { collectContext } from './config';
import { UsageError } from './errors';

/** `-c key=value`, repeatable, as for cdk. */
export function contextOption(description = 'override a workshop setting, as for cdk (repeatable)') {
  return new Option('-c, --context <key=value>', description).argParser(collectContext).default([] as string[]);
}

/** A bound as written in messages (as typed on the command line: no separators). */
function grouped(n: number): string {
  return String(n);
}

/**
 * A whole number from `min` to `max`; undefined when the option was not given. Checked on the
 * text before it becomes a number: `99999999999999999999` is out of range, not 1e20.
 */
export function wholeNumber(name: string, value: string, min: number, max: number): number;
export function wholeNumber(name: string, value: string | undefined, min: number, max: number): number | undefined;
export function wholeNumber(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const digits = /^\d+$/.test(value) ? value.replace(/^0+(?=\d)/, '') : undefined;
  const n = digits !== undefined && digits.length <= 16 ? Number(digits) : NaN;
  if (!(n >= min && n <= max)) {
    throw new UsageError(
      `--${name} must be a whole number from ${grouped(min)} to ${grouped(max)}, got "${shown(value)}"`,
    );
  }
  return n;
}

/** A number from `min` to `max`. */
export function numberFrom(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d{1,16}(\.\d{1,16})?$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${grouped(min)} to ${grouped(max)}, got "${shown(value)}"`);
  }
  return n;
}

/**
 * A file or folder named on the command line, resolved. Empty is refused (path.resolve('') is the
 * current folder: `--out ''` would write into it), and so is a NUL byte (no path holds one).
 */
export function pathOption(name: string, value: string): string {
  if (value.trim() === '' || value.includes('\0')) {
    throw new UsageError(`--${name} must name a file or folder (a non-empty path), got "${shown(value)}"`);
  }
  return path.resolve(value);
}

/** A value as quoted in a message: at most 40 characters. */
function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
