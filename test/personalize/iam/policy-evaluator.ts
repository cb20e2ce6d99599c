/**
 * A small IAM evaluator for identity-based policies found in a synthesized CloudFormation template.
 *
 * `rolePolicy(template, functionLogicalId, context)` collects every statement that applies to an
 * AWS::Lambda::Function's execution role (the role's inline `Policies`, AWS::IAM::Policy and
 * AWS::IAM::RolePolicy resources naming the role, AWS::IAM::ManagedPolicy resources of the same
 * template attached either way) with CloudFormation intrinsics resolved to plain strings.
 * `isAllowed(policy, { action, resource, context })` then decides a request the way IAM decides
 * one identity-based policy set: an explicit Deny wins, otherwise an Allow must match the action,
 * the resource and every condition; anything else is an implicit deny. Denials carry a reason that
 * names the request and each statement considered, so a failing test says what grant is missing.
 *
 * Deliberately not modelled: resource-based policies, permission boundaries, SCPs, session
 * policies, policy variables (`${aws:username}`; a Resource containing `${` throws), and
 * AWS-managed policies (their ARNs are reported in `externalManagedPolicyArns`, never evaluated).
 */

/** A CloudFormation template as plain JSON (`Template.toJSON()` or the assembly's template). */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly [key: string]: unknown;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** How intrinsics resolve. */
export interface ResolveContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stackName?: string;
  /** Defaults to `amazonaws.com`. */
  readonly urlSuffix?: string;
  /**
   * Values for references, by key:
   * - `Ref` of a resource or parameter: its logical id (`MyBucket`);
   * - `Fn::GetAtt`: `LogicalId.Attribute` (`MyRole.Arn`);
   * - `Fn::GetStackOutput`: the output name, or `StackName.OutputName` (tried first);
   * - `Fn::ImportValue`: the export name.
   */
  readonly refs?: Readonly<Record<string, string>>;
  /**
   * When true, a reference missing from `refs` throws instead of resolving to a placeholder.
   * Placeholders are deterministic and wildcard-free (`<LogicalId>`,
   * `arn:<partition>:placeholder:<region>:<account>:LogicalId/Attribute`), so they never widen a
   * grant: a statement whose Resource is a placeholder matches only that placeholder.
   */
  readonly strict?: boolean;
}

/** One statement after resolution: every value a plain string. */
export interface ResolvedStatement {
  /** Where it came from, e.g. `AWS::IAM::Policy MyRoleDefaultPolicy1234#0 (Sid ListPersonalize)`. */
  readonly source: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** operator -> condition key -> values */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** The statements that apply to one role. */
export interface RolePolicy {
  readonly functionLogicalId?: string;
  readonly roleLogicalId: string;
  readonly statements: readonly ResolvedStatement[];
  /** Managed policy ARNs not defined in this template (e.g. AWSLambdaBasicExecutionRole): not evaluated. */
  readonly externalManagedPolicyArns: readonly string[];
}

/** A request to decide. */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. `personalize:CreateDatasetGroup`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** Request context keys (`iam:PassedToService`, `aws:ResourceTag/owner`, ...). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface Decision {
  readonly allowed: boolean;
  readonly decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** For an Allow: the statement that allowed. For a denial: why, with the statements considered. */
  readonly reason: string;
  readonly statement?: ResolvedStatement;
}

// ---------------------------------------------------------------------------------------------
// Collecting a role's statements
// ---------------------------------------------------------------------------------------------

/** The statements of the execution role of the AWS::Lambda::Function `functionLogicalId`. */
export function rolePolicy(template: CfnTemplate, functionLogicalId: string, context: ResolveContext): RolePolicy {
  const resources = template.Resources ?? {};
  const fn = resources[functionLogicalId];
  if (!fn) {
    throw new Error(
      `rolePolicy: no resource ${functionLogicalId} in the template (functions: ${functionIds(template)})`,
    );
  }
  if (fn.Type !== 'AWS::Lambda::Function') {
    throw new Error(`rolePolicy: ${functionLogicalId} is a ${fn.Type}, not an AWS::Lambda::Function`);
  }
  const roleLogicalId = roleOf(fn.Properties?.Role, functionLogicalId);
  return { ...statementsForRole(template, roleLogicalId, context), functionLogicalId };
}

/** The statements that apply to the AWS::IAM::Role `roleLogicalId`. */
export function statementsForRole(template: CfnTemplate, roleLogicalId: string, context: ResolveContext): RolePolicy {
  const resources = template.Resources ?? {};
  const role = resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') {
    throw new Error(`statementsForRole: ${roleLogicalId} is not an AWS::IAM::Role in the template`);
  }
  const roleProps = role.Properties ?? {};
  const roleName = typeof roleProps.RoleName === 'string' ? roleProps.RoleName : undefined;
  const namesRole = (entry: unknown) => isRef(entry, roleLogicalId) || (roleName !== undefined && entry === roleName);

  const statements: ResolvedStatement[] = [];
  const externalManagedPolicyArns: string[] = [];
  const add = (document: unknown, where: string) =>
    statements.push(...resolveDocument(document, where, template, context));

  for (const [index, inline] of asArray(roleProps.Policies).entries()) {
    const p = inline as { PolicyName?: unknown; PolicyDocument?: unknown };
    add(p.PolicyDocument, `AWS::IAM::Role ${roleLogicalId} Policies[${index}] (${String(p.PolicyName)})`);
  }
  const attachedHere = new Set<string>();
  for (const arn of asArray(roleProps.ManagedPolicyArns)) {
    const local = refTarget(arn);
    if (local && resources[local]?.Type === 'AWS::IAM::ManagedPolicy') {
      attachedHere.add(local);
    } else {
      externalManagedPolicyArns.push(resolveValue(arn, template, context));
    }
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
        if (asArray(props.Roles).some(namesRole)) add(props.PolicyDocument, `AWS::IAM::Policy ${logicalId}`);
        break;
      case 'AWS::IAM::RolePolicy':
        if (namesRole(props.RoleName)) add(props.PolicyDocument, `AWS::IAM::RolePolicy ${logicalId}`);
        break;
      case 'AWS::IAM::ManagedPolicy':
        if (attachedHere.has(logicalId) || asArray(props.Roles).some(namesRole)) {
          add(props.PolicyDocument, `AWS::IAM::ManagedPolicy ${logicalId}`);
        }
        break;
    }
  }
  return { roleLogicalId, statements, externalManagedPolicyArns };
}

function roleOf(role: unknown, functionLogicalId: string): string {
  if (isObject(role) && 'Fn::GetAtt' in role) {
    const getAtt = role['Fn::GetAtt'];
    const [logicalId, attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt).split('.');
    if (attribute === 'Arn' && typeof logicalId === 'string') return logicalId;
  }
  throw new Error(
    `rolePolicy: the Role of ${functionLogicalId} is not {"Fn::GetAtt": [<role>, "Arn"]} of a role in this template: ` +
      JSON.stringify(role),
  );
}

function functionIds(template: CfnTemplate): string {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id]) => id)
    .join(', ');
}

/** The statements of one policy document, every value resolved. */
export function resolveDocument(document: unknown, where: string, template: CfnTemplate, context: ResolveContext) {
  if (!isObject(document)) throw new Error(`${where}: PolicyDocument is not an object`);
  return asArray(document.Statement).map((raw, index) => resolveStatement(raw, `${where}#${index}`, template, context));
}

function resolveStatement(
  raw: unknown,
  where: string,
  template: CfnTemplate,
  context: ResolveContext,
): ResolvedStatement {
  if (!isObject(raw)) throw new Error(`${where}: statement is not an object`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new Error(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(effect)}`);
  const sid = typeof raw.Sid === 'string' ? raw.Sid : undefined;
  const source = sid ? `${where} (Sid ${sid})` : where;
  const list = (key: string) =>
    raw[key] === undefined
      ? undefined
      : asArray(raw[key]).map((v) => resolveValue(v, template, context, `${source} ${key}`));
  const actions = list('Action');
  const notActions = list('NotAction');
  const resources = list('Resource');
  const notResources = list('NotResource');
  if ((actions === undefined) === (notActions === undefined)) {
    throw new Error(`${source}: a statement needs exactly one of Action and NotAction`);
  }
  if ((resources === undefined) === (notResources === undefined)) {
    throw new Error(`${source}: an identity-based statement needs exactly one of Resource and NotResource`);
  }
  for (const r of [...(resources ?? []), ...(notResources ?? [])]) {
    if (r.includes('${')) throw new Error(`${source}: policy variables are not supported: ${r}`);
  }
  const conditions: Record<string, Record<string, string[]>> = {};
  if (raw.Condition !== undefined) {
    if (!isObject(raw.Condition)) throw new Error(`${source}: Condition is not an object`);
    for (const [operator, block] of Object.entries(raw.Condition)) {
      if (!isObject(block)) throw new Error(`${source}: Condition ${operator} is not an object`);
      conditions[operator] = Object.fromEntries(
        Object.entries(block).map(([key, values]) => [
          key,
          asArray(values).map((v) => resolveValue(v, template, context, `${source} Condition ${operator} ${key}`)),
        ]),
      );
    }
  }
  return { source, sid, effect, actions, notActions, resources, notResources, conditions };
}

// ---------------------------------------------------------------------------------------------
// Intrinsics
// ---------------------------------------------------------------------------------------------

const PSEUDO: Record<string, (c: ResolveContext) => string | undefined> = {
  'AWS::Partition': (c) => c.partition,
  'AWS::Region': (c) => c.region,
  'AWS::AccountId': (c) => c.accountId,
  'AWS::URLSuffix': (c) => c.urlSuffix ?? 'amazonaws.com',
  'AWS::StackName': (c) => c.stackName,
  'AWS::StackId': (c) =>
    c.stackName
      ? `arn:${c.partition}:cloudformation:${c.region}:${c.accountId}:stack/${c.stackName}/00000000-0000-0000-0000-000000000000`
      : undefined,
};

/**
 * Resolves a CloudFormation value to a string. Supports Ref (pseudo parameters, resources,
 * parameters), Fn::Join, Fn::GetAtt, Fn::Select, Fn::Split, Fn::Sub, Fn::GetStackOutput and
 * Fn::ImportValue; anything else throws with `where` in the message.
 */
export function resolveValue(value: unknown, template: CfnTemplate, context: ResolveContext, where = 'value'): string {
  const resolved = resolveAny(value, template, context, where);
  if (typeof resolved !== 'string') {
    throw new Error(
      `${where}: expected a string, resolved to ${JSON.stringify(resolved)} from ${JSON.stringify(value)}`,
    );
  }
  return resolved;
}

function resolveAny(value: unknown, template: CfnTemplate, context: ResolveContext, where: string): string | string[] {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, template, context, where));
  if (!isObject(value)) throw new Error(`${where}: cannot resolve ${JSON.stringify(value)}`);
  const keys = Object.keys(value);
  if (keys.length !== 1) throw new Error(`${where}: not an intrinsic function: ${JSON.stringify(value)}`);
  const [fn] = keys;
  const arg = value[fn];
  const str = (v: unknown) => resolveValue(v, template, context, where);
  switch (fn) {
    case 'Ref':
      return resolveRef(String(arg), template, context, where);
    case 'Fn::GetAtt': {
      const [logicalId, ...attribute] = Array.isArray(arg) ? arg.map(str) : String(arg).split('.');
      return resolveGetAtt(logicalId, attribute.join('.'), template, context, where);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw new Error(`${where}: malformed Fn::Join ${JSON.stringify(arg)}`);
      const parts = resolveAny(arg[1], template, context, where);
      if (!Array.isArray(parts)) throw new Error(`${where}: Fn::Join needs a list, got ${JSON.stringify(arg[1])}`);
      return parts.join(str(arg[0]));
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw new Error(`${where}: malformed Fn::Select ${JSON.stringify(arg)}`);
      const index = Number(str(arg[0]));
      const list = resolveAny(arg[1], template, context, where);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new Error(`${where}: Fn::Select index ${index} out of range of ${JSON.stringify(list)}`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw new Error(`${where}: malformed Fn::Split ${JSON.stringify(arg)}`);
      return str(arg[1]).split(str(arg[0]));
    }
    case 'Fn::Sub':
      return resolveSub(arg, template, context, where);
    case 'Fn::GetStackOutput': {
      if (!isObject(arg) || typeof arg.OutputName !== 'string') {
        throw new Error(`${where}: malformed Fn::GetStackOutput ${JSON.stringify(arg)}`);
      }
      const stack = arg.StackName === undefined ? undefined : str(arg.StackName);
      const refs = context.refs ?? {};
      const qualified = stack ? `${stack}.${arg.OutputName}` : undefined;
      const found = (qualified !== undefined ? refs[qualified] : undefined) ?? refs[arg.OutputName];
      if (found !== undefined) return found;
      if (context.strict)
        throw new Error(`${where}: no value in context.refs for Fn::GetStackOutput ${qualified ?? arg.OutputName}`);
      return `<${qualified ?? arg.OutputName}>`;
    }
    case 'Fn::ImportValue': {
      const name = str(arg);
      const found = context.refs?.[name];
      if (found !== undefined) return found;
      if (context.strict) throw new Error(`${where}: no value in context.refs for Fn::ImportValue ${name}`);
      return `<import:${name}>`;
    }
    default:
      throw new Error(`${where}: unsupported intrinsic ${fn} in ${JSON.stringify(value)}`);
  }
}

function resolveRef(name: string, template: CfnTemplate, context: ResolveContext, where: string): string {
  const pseudo = PSEUDO[name];
  if (pseudo) {
    const v = pseudo(context);
    if (v === undefined) throw new Error(`${where}: ${name} needs context.stackName`);
    return v;
  }
  if (name.startsWith('AWS::')) throw new Error(`${where}: unsupported pseudo parameter ${name}`);
  const found = context.refs?.[name];
  if (found !== undefined) return found;
  const parameter = template.Parameters?.[name];
  if (parameter) {
    const ssmBacked = parameter.Type?.startsWith('AWS::SSM::Parameter::');
    if (parameter.Default !== undefined && !ssmBacked) return String(parameter.Default);
    throw new Error(`${where}: parameter ${name} has no usable Default; give its value in context.refs`);
  }
  if (!template.Resources?.[name]) throw new Error(`${where}: Ref to ${name}, which is not in the template`);
  if (context.strict) throw new Error(`${where}: no value in context.refs for Ref ${name}`);
  return `<${name}>`;
}

function resolveGetAtt(
  logicalId: string,
  attribute: string,
  template: CfnTemplate,
  context: ResolveContext,
  where: string,
): string {
  const key = `${logicalId}.${attribute}`;
  const found = context.refs?.[key];
  if (found !== undefined) return found;
  if (!template.Resources?.[logicalId])
    throw new Error(`${where}: Fn::GetAtt of ${logicalId}, which is not in the template`);
  if (context.strict) throw new Error(`${where}: no value in context.refs for Fn::GetAtt ${key}`);
  return `arn:${context.partition}:placeholder:${context.region}:${context.accountId}:${logicalId}/${attribute}`;
}

function resolveSub(arg: unknown, template: CfnTemplate, context: ResolveContext, where: string): string {
  const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [arg, {}];
  if (typeof text !== 'string' || !isObject(variables))
    throw new Error(`${where}: malformed Fn::Sub ${JSON.stringify(arg)}`);
  return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return resolveValue(variables[name], template, context, where);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return resolveGetAtt(name.slice(0, dot), name.slice(dot + 1), template, context, where);
    }
    return resolveRef(name, template, context, where);
  });
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/**
 * Decides `request` against `policy` (a RolePolicy or bare statements). `allowed` is the answer;
 * `reason` explains it.
 */
export function isAllowed(policy: RolePolicy | readonly ResolvedStatement[], request: AuthorizationRequest): Decision {
  const statements = 'statements' in policy ? policy.statements : policy;
  const who = 'statements' in policy ? describeRole(policy) : 'the given statements';
  const what = `${request.action} on ${request.resource}`;
  const checks = statements.map((s) => ({ statement: s, check: checkStatement(s, request) }));
  const deny = checks.find((c) => c.statement.effect === 'Deny' && c.check.matches);
  if (deny) {
    return {
      allowed: false,
      decision: 'ExplicitDeny',
      statement: deny.statement,
      reason: `AccessDenied: ${what}: explicitly denied by ${deny.statement.source}`,
    };
  }
  const allow = checks.find((c) => c.statement.effect === 'Allow' && c.check.matches);
  if (allow) {
    return {
      allowed: true,
      decision: 'Allow',
      statement: allow.statement,
      reason: `${what}: allowed by ${allow.statement.source}`,
    };
  }
  const considered = checks.map(({ statement, check }) => `  - ${statement.effect} ${statement.source}: ${check.why}`);
  return {
    allowed: false,
    decision: 'ImplicitDeny',
    reason:
      `AccessDenied: ${what}: no statement of ${who} allows it` +
      (request.context && Object.keys(request.context).length
        ? ` (request context ${JSON.stringify(request.context)})`
        : '') +
      `; ${statements.length} statement(s) considered:\n` +
      (considered.length ? considered.join('\n') : '  (none)'),
  };
}

/** Every request must be allowed; returns the first denial, or the last Allow. */
export function areAllowed(
  policy: RolePolicy | readonly ResolvedStatement[],
  requests: readonly AuthorizationRequest[],
): Decision {
  if (requests.length === 0) throw new Error('areAllowed: no requests');
  let last: Decision | undefined;
  for (const request of requests) {
    last = isAllowed(policy, request);
    if (!last.allowed) return last;
  }
  return last as Decision;
}

function describeRole(policy: RolePolicy): string {
  return policy.functionLogicalId
    ? `role ${policy.roleLogicalId} (function ${policy.functionLogicalId})`
    : `role ${policy.roleLogicalId}`;
}

interface StatementCheck {
  readonly matches: boolean;
  readonly why: string;
}

function checkStatement(s: ResolvedStatement, request: AuthorizationRequest): StatementCheck {
  const actionMatches = s.actions
    ? s.actions.some((p) => actionMatch(p, request.action))
    : !(s.notActions ?? []).some((p) => actionMatch(p, request.action));
  if (!actionMatches) {
    return {
      matches: false,
      why: `action not matched (${s.actions ? 'Action' : 'NotAction'} ${list(s.actions ?? s.notActions)})`,
    };
  }
  const resourceMatches = s.resources
    ? s.resources.some((p) => resourceMatch(p, request.resource))
    : !(s.notResources ?? []).some((p) => resourceMatch(p, request.resource));
  if (!resourceMatches) {
    return {
      matches: false,
      why: `action matched, resource not matched (${s.resources ? 'Resource' : 'NotResource'} ${list(s.resources ?? s.notResources)})`,
    };
  }
  for (const [operator, block] of Object.entries(s.conditions)) {
    for (const [key, values] of Object.entries(block)) {
      if (!conditionHolds(operator, key, values, request.context ?? {})) {
        const actual = lookup(request.context ?? {}, key);
        return {
          matches: false,
          why: `action and resource matched, condition ${operator} ${key} ${list(values)} failed (request has ${
            actual === undefined ? 'no such key' : list(actual)
          })`,
        };
      }
    }
  }
  return { matches: true, why: 'matched' };
}

function list(values: readonly string[] | undefined): string {
  return `[${(values ?? []).join(', ')}]`;
}

/** Glob match: `*` any run of characters (also `/` and `:`), `?` exactly one. */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let compiled = compiledGlobs.get(key);
  if (!compiled) {
    const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
    compiled = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    compiledGlobs.set(key, compiled);
  }
  return compiled.test(text);
}

/** Simulations ask the same patterns thousands of times. */
const compiledGlobs = new Map<string, RegExp>();

/** IAM action match: case-insensitive, with wildcards. */
export function actionMatch(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/**
 * IAM Resource match: case-sensitive glob over the whole ARN. (IAM documents wildcards per ARN
 * segment, with a trailing `*` of a segment expanding across colons; the whole-string glob agrees
 * for every pattern whose wildcards end their segment, which is how grants are written here.)
 */
export function resourceMatch(pattern: string, resource: string): boolean {
  return globMatch(pattern, resource, false);
}

/** ArnLike: each of the six colon-separated ARN parts matched separately (the last takes the rest). */
export function arnLike(pattern: string, arn: string): boolean {
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return globMatch(pattern, arn, false);
  return p.every((part, i) => globMatch(part, a[i], false));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function lookup(
  context: Readonly<Record<string, string | readonly string[]>>,
  key: string,
): readonly string[] | undefined {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) {
    if (k.toLowerCase() === lower) return typeof v === 'string' ? [v] : v;
  }
  return undefined;
}

type Matcher = (policyValue: string, requestValue: string) => boolean;

const MATCHERS: Record<string, { readonly match: Matcher; readonly negated: boolean }> = {
  StringEquals: { match: (p, r) => p === r, negated: false },
  StringNotEquals: { match: (p, r) => p === r, negated: true },
  StringEqualsIgnoreCase: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { match: (p, r) => globMatch(p, r), negated: false },
  StringNotLike: { match: (p, r) => globMatch(p, r), negated: true },
  ArnEquals: { match: (p, r) => arnLike(p, r), negated: false },
  ArnLike: { match: (p, r) => arnLike(p, r), negated: false },
  ArnNotEquals: { match: (p, r) => arnLike(p, r), negated: true },
  ArnNotLike: { match: (p, r) => arnLike(p, r), negated: true },
  Bool: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
};

/**
 * One condition key of one operator. Values are OR-ed; keys and operators are AND-ed by the caller.
 * A key missing from the request fails a positive operator and satisfies a negated one (IAM
 * semantics); `...IfExists` makes a missing key satisfy either.
 */
function conditionHolds(
  operator: string,
  key: string,
  values: readonly string[],
  context: Readonly<Record<string, string | readonly string[]>>,
): boolean {
  if (operator.includes(':')) throw new Error(`Condition operator ${operator} (set operators) is not supported`);
  const actual = lookup(context, key);
  if (operator === 'Null') {
    return values.some((v) => (v.toLowerCase() === 'true' ? actual === undefined : actual !== undefined));
  }
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const matcher = MATCHERS[base];
  if (!matcher) throw new Error(`Condition operator ${operator} is not supported`);
  if (actual === undefined) return ifExists || matcher.negated;
  const anyMatch = actual.some((r) => values.some((p) => matcher.match(p, r)));
  return matcher.negated ? !anyMatch : anyMatch;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function refTarget(value: unknown): string | undefined {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.Ref === 'string' ? value.Ref : undefined;
}

function isRef(value: unknown, logicalId: string): boolean {
  return refTarget(value) === logicalId;
}

/** The logical ids of the template's Lambda functions whose logical id starts with `prefix`. */
export function functionsStartingWith(template: CfnTemplate, prefix: string): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))
    .map(([id]) => id);
}
