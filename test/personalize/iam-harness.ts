/**
 * Ties the simulation to the template: the simulated Personalize refuses (AccessDeniedException)
 * every call that the IAM statements synthesized for the calling function's role do not allow.
 * Apply runs as the reconcile function, teardown as the isComplete function, exactly as deployed.
 */
import { Authorizer } from '../../lib/personalize/controller/simulated-personalize';
import { synthWorkshop } from '../infra/helpers';
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

/** The controller's roles for a prefix, from the synthesized Personalize stack (cached per prefix). */
export function controllerAuthorizers(prefix: string): ControllerAuthorizers {
  const cached = cache.get(prefix);
  if (cached) return cached;
  // Bundling does not change a template's IAM; skipping it makes the synth fast.
  const workshop = synthWorkshop({ prefix, 'aws:cdk:bundling-stacks': [] });
  const template = workshop.personalize.toJSON() as CfnTemplate;
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
