/**
 * Ties the simulation to the template: the simulated Personalize refuses (AccessDeniedException)
 * every call that the IAM statements synthesized for the calling function's role do not allow.
 * Apply runs as the reconcile function, teardown as the isComplete function, exactly as deployed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Authorizer } from '../../lib/personalize/controller/simulation/simulated-personalize';
import type { SynthesizedWorkshop } from '../infra/helpers';
import { CfnTemplate, functionsStartingWith, isAllowed, rolePolicy } from './iam/policy-evaluator';

/** What desiredFor() passes as the role Personalize assumes. */
export const PERSONALIZE_ROLE_ARN = 'arn:aws:iam::123456789012:role/personalize';

export interface ControllerAuthorizers {
  /** The reconcile function's role (apply). */
  readonly apply: Authorizer;
  /** The isComplete function's role (teardown). */
  readonly teardown: Authorizer;
}

const cache = new Map<string, ControllerAuthorizers>();
const REPO_ROOT = path.join(__dirname, '..', '..');

/** The controller's roles for a prefix, from the synthesized Personalize stack (cached per prefix). */
export function controllerAuthorizers(prefix: string): ControllerAuthorizers {
  const cached = cache.get(prefix);
  if (cached) return cached;
  const template = personalizeTemplate(prefix);
  const context = {
    partition: 'aws',
    region: 'us-east-1',
    accountId: '123456789012',
    refs: Object.fromEntries(stackOutputs(template).map((name) => [name, outputValue(name)])),
    // Placeholders (the registry parameter, the role) never widen a grant: they match only themselves.
    strict: false,
  };
  const authorizer = (functionPrefix: string): Authorizer => {
    const [functionId, ...others] = functionsStartingWith(template, functionPrefix);
    if (!functionId || others.length) throw new Error(`expected one function ${functionPrefix}*`);
    const policy = rolePolicy(template, functionId, context);
    return (request) => {
      const decision = isAllowed(policy, request);
      return decision.allowed ? undefined : decision.reason;
    };
  };
  const authorizers = { apply: authorizer('ControllerReconcile'), teardown: authorizer('ControllerIsComplete') };
  cache.set(prefix, authorizers);
  return authorizers;
}

/**
 * The synthesized Personalize stack. Synthesizing takes seconds, and every test file (and, under
 * mutation testing, every mutant run) needs it, so it is kept in the OS temp folder under a hash
 * of everything it is built from: the code under lib/, cdk.json and the locked dependencies.
 */
function personalizeTemplate(prefix: string): CfnTemplate {
  const hash = createHash('sha256').update(prefix);
  for (const file of [...filesUnder(path.join(REPO_ROOT, 'lib')), 'cdk.json', 'package-lock.json'].sort()) {
    hash.update(file).update(fs.readFileSync(path.resolve(REPO_ROOT, file)));
  }
  const cached = path.join(os.tmpdir(), `movierecs-personalize-template-${hash.digest('hex').slice(0, 24)}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8')) as CfnTemplate;
  // Loaded only when needed: aws-cdk-lib takes seconds to import, which every mutant run would pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthWorkshop } = require('../infra/helpers') as { synthWorkshop: (o: object) => SynthesizedWorkshop };
  // Bundling does not change a template's IAM; skipping it makes the synth fast.
  const template = synthWorkshop({ prefix, 'aws:cdk:bundling-stacks': [] }).personalize.toJSON() as CfnTemplate;
  const partial = `${cached}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(template));
  fs.renameSync(partial, cached); // atomic: a parallel test file reads a whole template or none
  return template;
}

function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [path.relative(REPO_ROOT, full)];
  });
}

/** The output names the template reads from other stacks (`Fn::GetStackOutput`). */
function stackOutputs(template: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const output = (value as Record<string, { OutputName?: string }>)['Fn::GetStackOutput'];
      if (output?.OutputName) found.add(output.OutputName);
      Object.values(value).forEach(walk);
    }
  };
  walk(template);
  return [...found];
}

function outputValue(name: string): string {
  if (name.includes('PersonalizeAccessRole')) return PERSONALIZE_ROLE_ARN;
  return `<${name}>`;
}
