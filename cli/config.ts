/**
 * The workshop configuration as `cdk` reads it: cdk.json's context, then `-c key=value` overrides
 * (values given as text, as the CDK CLI passes them; lists and objects as JSON). A bad setting is
 * a usage error naming the setting, the value and what is allowed (the config's own messages).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadWorkshopConfig, WorkshopConfig, WorkshopConfigError } from '../lib/config';
import { UsageError } from './errors';

export const REPO_ROOT = path.join(__dirname, '..');

/** Collects repeated `-c key=value` options (commander's variadic collector). */
export function collectContext(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function workshopConfig(
  overrides: readonly string[] = [],
  cdkJsonPath = path.join(REPO_ROOT, 'cdk.json'),
): WorkshopConfig {
  let context: Record<string, unknown>;
  try {
    context = { ...(JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> }).context };
  } catch (error) {
    throw new UsageError(`cannot read the workshop configuration ${cdkJsonPath}: ${(error as Error).message}`);
  }
  for (const pair of overrides) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`-c takes key=value (as for cdk), got "${pair}"`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  try {
    return loadWorkshopConfig((key) => context[key]);
  } catch (error) {
    if (error instanceof WorkshopConfigError) throw new UsageError(error.message);
    throw error;
  }
}
