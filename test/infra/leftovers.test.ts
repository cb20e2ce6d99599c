import { Template } from 'aws-cdk-lib/assertions';
import { synthWorkshop, SynthesizedWorkshop, TemplateResource } from './helpers';

/**
 * `cdk destroy --all` leaves nothing behind: every Lambda function, including the singletons that
 * aws-cdk-lib adds for `autoDeleteObjects` and `restrictDefaultSecurityGroup`, logs into a log
 * group that the stack owns and deletes. Lambda otherwise creates `/aws/lambda/<function name>`
 * itself on the first invocation, never expiring and unknown to CloudFormation.
 */

let workshop: SynthesizedWorkshop;
beforeAll(() => {
  workshop = synthWorkshop();
});

type Resources = Record<string, TemplateResource>;

const templates = (): [string, Template][] => [
  ['Data', workshop.data],
  ['Personalize', workshop.personalize],
  ['Web', workshop.web],
];

/** The logical ids a value refers to through Ref and Fn::GetAtt. */
function referencesIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) into.add(inner);
      else if (key === 'Fn::GetAtt') into.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      else referencesIn(inner, into);
    }
  }
  return into;
}

/** Direct dependencies of a resource: DependsOn plus references in its properties. */
function directDependencies(resource: TemplateResource): Set<string> {
  const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
  return new Set([...dependsOn, ...referencesIn(resource.Properties ?? {})]);
}

/** Everything CloudFormation must create before `id` (and so deletes after it). */
function dependencyClosure(resources: Resources, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...directDependencies(resources[id])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next) || !resources[next]) continue;
    seen.add(next);
    stack.push(...directDependencies(resources[next]));
  }
  return seen;
}

interface ManagedLogGroup {
  /** The log group's logical id. */
  readonly logGroup: string;
  /** How the function is tied to it. */
  readonly how: 'LoggingConfig' | 'default name';
}

/**
 * The log group a function writes to, when the stack owns it: either the function's
 * LoggingConfig.LogGroup refers to a stack log group, or a stack log group carries Lambda's
 * default name `/aws/lambda/<Ref of the function>`.
 */
function managedLogGroupOf(resources: Resources, functionId: string): ManagedLogGroup | undefined {
  const configured = resources[functionId].Properties?.LoggingConfig?.LogGroup;
  if (configured !== undefined) {
    const [logGroup] = [...referencesIn(configured)].filter((id) => resources[id]?.Type === 'AWS::Logs::LogGroup');
    return logGroup ? { logGroup, how: 'LoggingConfig' } : undefined;
  }
  const defaultName = JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: functionId }]] });
  const named = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::Logs::LogGroup' && JSON.stringify(r.Properties?.LogGroupName) === defaultName,
  );
  return named ? { logGroup: named[0], how: 'default name' } : undefined;
}

/** Resources that invoke a function through CloudFormation: custom resources whose ServiceToken is it. */
function invokersOf(resources: Resources, functionId: string): string[] {
  return Object.entries(resources)
    .filter(([, r]) => referencesIn(r.Properties?.ServiceToken ?? null).has(functionId))
    .map(([id]) => id);
}

/** The ordering problems of one template (empty when every log group outlives its invokers). */
function orderingProblems(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [functionId] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
    const managed = managedLogGroupOf(resources, functionId);
    if (!managed) continue; // reported by the retention test
    // LoggingConfig: the function refers to the group, so it exists before the function runs.
    if (managed.how === 'LoggingConfig' && !dependencyClosure(resources, functionId).has(managed.logGroup)) {
      problems.push(`${functionId} does not depend on ${managed.logGroup}`);
    }
    // Custom resources run the function on create, update and delete: CloudFormation must delete
    // them (and so the function's last log lines) before the log group.
    for (const invoker of invokersOf(resources, functionId)) {
      if (!dependencyClosure(resources, invoker).has(managed.logGroup)) {
        problems.push(`${invoker} (invokes ${functionId}) does not depend on ${managed.logGroup}`);
      }
    }
  }
  return problems;
}

describe('the ordering check', () => {
  const fn = { Type: 'AWS::Lambda::Function', Properties: {} };
  const named = {
    Type: 'AWS::Logs::LogGroup',
    DeletionPolicy: 'Delete',
    Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Fn' }]] }, RetentionInDays: 7 },
  };
  const invoker = { Type: 'Custom::Thing', Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] } } };

  test('reports a group named after the function that a custom resource does not wait for', () => {
    expect(orderingProblems({ Fn: fn, Logs: named, Thing: invoker })).toEqual([
      'Thing (invokes Fn) does not depend on Logs',
    ]);
    expect(orderingProblems({ Fn: fn, Logs: named, Thing: { ...invoker, DependsOn: ['Logs'] } })).toEqual([]);
  });

  test('accepts a group the function refers to in LoggingConfig', () => {
    const configured = { ...fn, Properties: { LoggingConfig: { LogGroup: { Ref: 'Logs' } } } };
    const group = { Type: 'AWS::Logs::LogGroup', Properties: {} };
    expect(orderingProblems({ Fn: configured, Logs: group, Thing: invoker })).toEqual([]);
  });
});

describe('no log group outlives the stacks', () => {
  test('the singleton providers of aws-cdk-lib are in the templates (the cases this file guards)', () => {
    const handlers = (template: Template) =>
      Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('Custom'));
    expect(handlers(workshop.data)).toEqual([expect.stringMatching(/^CustomS3AutoDeleteObjects/)]);
    expect(handlers(workshop.web).sort()).toEqual([
      expect.stringMatching(/^CustomS3AutoDeleteObjects/),
      expect.stringMatching(/^CustomVpcRestrictDefaultSG/),
    ]);
  });

  test.each(['Data', 'Personalize', 'Web'])(
    '%s: every Lambda function logs into a log group the stack deletes, with a retention',
    (name) => {
      const [, template] = templates().find(([n]) => n === name)!;
      const resources = template.toJSON().Resources as Resources;
      const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
      const unmanaged = functions.filter((id) => {
        const managed = managedLogGroupOf(resources, id);
        if (!managed) return true;
        const group = resources[managed.logGroup];
        return (
          group.DeletionPolicy !== 'Delete' ||
          group.UpdateReplacePolicy !== 'Delete' ||
          typeof group.Properties?.RetentionInDays !== 'number'
        );
      });
      expect(unmanaged).toEqual([]);
    },
  );

  test.each(['Data', 'Personalize', 'Web'])(
    '%s: the log group is created before and deleted after every custom resource that invokes the function',
    (name) => {
      const [, template] = templates().find(([n]) => n === name)!;
      const problems = orderingProblems(template.toJSON().Resources as Resources);
      expect(problems).toEqual([]);
    },
  );
});
