import { synthWorkshop } from '../../infra/helpers';
import {
  actionMatch,
  areAllowed,
  arnLike,
  CfnTemplate,
  functionsStartingWith,
  isAllowed,
  ResolveContext,
  resolveValue,
  resourceMatch,
  rolePolicy,
  statementsForRole,
} from './policy-evaluator';

const CONTEXT: ResolveContext = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const ACCOUNT_ARN = (resource: string) => `arn:aws:personalize:us-east-1:123456789012:${resource}`;

/** A CDK-like ARN: arn:<Partition>:personalize:<Region>:<AccountId>:<resource>. */
function cdkArn(resource: string) {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':personalize:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
      ],
    ],
  };
}

/** A template with one function, its role, and `statements` in the role's DefaultPolicy. */
function templateWith(statements: unknown[], extra: Record<string, unknown> = {}): CfnTemplate {
  return {
    Resources: {
      FnServiceRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Statement: [], Version: '2012-10-17' },
          ManagedPolicyArns: [
            {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
              ],
            },
          ],
        },
      },
      FnServiceRoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyDocument: { Statement: statements, Version: '2012-10-17' },
          PolicyName: 'FnServiceRoleDefaultPolicy',
          Roles: [{ Ref: 'FnServiceRole' }],
        },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Handler: 'index.handler', Role: { 'Fn::GetAtt': ['FnServiceRole', 'Arn'] } },
      },
      ...extra,
    },
  } as CfnTemplate;
}

function policyOf(statements: unknown[], extra: Record<string, unknown> = {}, context = CONTEXT) {
  return rolePolicy(templateWith(statements, extra), 'Fn', context);
}

describe('wildcards', () => {
  it('matches actions case-insensitively, with * and ?', () => {
    expect(actionMatch('personalize:CreateDatasetGroup', 'personalize:createdatasetgroup')).toBe(true);
    expect(actionMatch('personalize:Create*', 'personalize:CreateDataset')).toBe(true);
    expect(actionMatch('personalize:Describe*', 'personalize:CreateDataset')).toBe(false);
    expect(actionMatch('personalize:List?chemas', 'personalize:ListSchemas')).toBe(true);
    expect(actionMatch('*', 's3:GetObject')).toBe(true);
    expect(actionMatch('personalize:*', 's3:GetObject')).toBe(false);
  });

  it('matches resources case-sensitively; * crosses / and :', () => {
    expect(resourceMatch(ACCOUNT_ARN('dataset-group/MovieRecs-*'), ACCOUNT_ARN('dataset-group/MovieRecs-movies'))).toBe(
      true,
    );
    expect(resourceMatch(ACCOUNT_ARN('dataset-group/MovieRecs-*'), ACCOUNT_ARN('dataset-group/movierecs-movies'))).toBe(
      false,
    );
    expect(
      resourceMatch(ACCOUNT_ARN('dataset/MovieRecs-*'), ACCOUNT_ARN('dataset/MovieRecs-movies/INTERACTIONS')),
    ).toBe(true);
    expect(resourceMatch('arn:aws:personalize:*', ACCOUNT_ARN('solution/x/abcd1234'))).toBe(true);
    expect(resourceMatch('*', 'anything at all')).toBe(true);
    // Regular-expression characters in a pattern are literal.
    expect(resourceMatch('arn:aws:s3:::a.b', 'arn:aws:s3:::aXb')).toBe(false);
    expect(resourceMatch('arn:aws:s3:::a+b', 'arn:aws:s3:::a+b')).toBe(true);
  });

  it('shows the prefixes-overlap problem: Movie-* also matches Movie-Test-x', () => {
    const policy = policyOf([
      { Action: 'personalize:DeleteDatasetGroup', Effect: 'Allow', Resource: cdkArn('dataset-group/Movie-*') },
    ]);
    const del = (name: string) =>
      isAllowed(policy, { action: 'personalize:DeleteDatasetGroup', resource: ACCOUNT_ARN(`dataset-group/${name}`) });
    expect(del('Movie-movies').allowed).toBe(true);
    expect(del('Movie-Test-x').allowed).toBe(true); // the overlap issue 7 §2.10 is about
    expect(del('MovieTest-x').allowed).toBe(false);
  });

  it('? matches exactly one character, so exact-length grants do not overlap', () => {
    const policy = policyOf([
      { Action: 'personalize:DescribeSolution', Effect: 'Allow', Resource: cdkArn('solution/Movie-????') },
    ]);
    const describe = (name: string) =>
      isAllowed(policy, { action: 'personalize:DescribeSolution', resource: ACCOUNT_ARN(`solution/${name}`) }).allowed;
    expect(describe('Movie-sims')).toBe(true);
    expect(describe('Movie-sim')).toBe(false);
    expect(describe('Movie-simsx')).toBe(false);
    expect(describe('Movie-Test-sims')).toBe(false);
  });

  it('an exact solution grant does not cover its versions (solution/<name>/<id>)', () => {
    const policy = policyOf([
      { Action: 'personalize:DescribeSolutionVersion', Effect: 'Allow', Resource: cdkArn('solution/MovieRecs-sims') },
    ]);
    expect(
      isAllowed(policy, {
        action: 'personalize:DescribeSolutionVersion',
        resource: ACCOUNT_ARN('solution/MovieRecs-sims/abcd1234'),
      }).allowed,
    ).toBe(false);
  });
});

describe('decisions', () => {
  const allowAll = { Action: 'personalize:*', Effect: 'Allow', Resource: '*' };

  it('an explicit Deny wins over any Allow, and says which statement denied', () => {
    const policy = policyOf([
      allowAll,
      { Sid: 'NoDelete', Action: 'personalize:Delete*', Effect: 'Deny', Resource: cdkArn('dataset-group/*') },
    ]);
    const decision = isAllowed(policy, {
      action: 'personalize:DeleteDatasetGroup',
      resource: ACCOUNT_ARN('dataset-group/MovieRecs-movies'),
    });
    expect(decision).toMatchObject({ allowed: false, decision: 'ExplicitDeny' });
    expect(decision.reason).toContain('NoDelete');
    expect(
      isAllowed(policy, { action: 'personalize:DescribeDatasetGroup', resource: ACCOUNT_ARN('dataset-group/x') })
        .allowed,
    ).toBe(true);
  });

  it('denies implicitly when nothing allows, with a reason naming the request and each statement', () => {
    const policy = policyOf([
      { Sid: 'Lists', Action: 'personalize:List*', Effect: 'Allow', Resource: '*' },
      {
        Sid: 'Own',
        Action: 'personalize:CreateDatasetGroup',
        Effect: 'Allow',
        Resource: cdkArn('dataset-group/MovieRecs-*'),
      },
    ]);
    const decision = isAllowed(policy, {
      action: 'personalize:CreateDatasetGroup',
      resource: ACCOUNT_ARN('dataset-group/Other-movies'),
    });
    expect(decision).toMatchObject({ allowed: false, decision: 'ImplicitDeny' });
    expect(decision.reason).toContain(
      'personalize:CreateDatasetGroup on arn:aws:personalize:us-east-1:123456789012:dataset-group/Other-movies',
    );
    expect(decision.reason).toContain('role FnServiceRole (function Fn)');
    expect(decision.reason).toMatch(/Sid Lists\): action not matched/);
    expect(decision.reason).toMatch(/Sid Own\): action matched, resource not matched .*dataset-group\/MovieRecs-\*/);
  });

  it('supports NotAction and NotResource', () => {
    const policy = policyOf([
      { NotAction: 'personalize:Delete*', Effect: 'Allow', Resource: '*' },
      { Action: 'personalize:DeleteSchema', Effect: 'Allow', NotResource: cdkArn('schema/Keep-*') },
    ]);
    const ask = (action: string, resource: string) => isAllowed(policy, { action, resource }).allowed;
    expect(ask('personalize:CreateSchema', ACCOUNT_ARN('schema/x'))).toBe(true);
    expect(ask('personalize:DeleteDataset', ACCOUNT_ARN('dataset/x/ITEMS'))).toBe(false);
    expect(ask('personalize:DeleteSchema', ACCOUNT_ARN('schema/Other-x'))).toBe(true);
    expect(ask('personalize:DeleteSchema', ACCOUNT_ARN('schema/Keep-x'))).toBe(false);
  });

  it('areAllowed needs every request allowed and returns the first denial', () => {
    const policy = policyOf([
      { Action: 'personalize:CreateDataset', Effect: 'Allow', Resource: cdkArn('dataset/MovieRecs-*') },
    ]);
    const decision = areAllowed(policy, [
      { action: 'personalize:CreateDataset', resource: ACCOUNT_ARN('dataset/MovieRecs-movies/INTERACTIONS') },
      { action: 'personalize:CreateDataset', resource: ACCOUNT_ARN('dataset-group/MovieRecs-movies') },
    ]);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('dataset-group/MovieRecs-movies');
  });
});

describe('conditions', () => {
  const role = 'arn:aws:iam::123456789012:role/PersonalizeAccess';
  const passRole = {
    Action: 'iam:PassRole',
    Effect: 'Allow',
    Resource: role,
    Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
  };

  it('iam:PassedToService: StringEquals holds only for the named service, and fails when the key is missing', () => {
    const policy = policyOf([passRole]);
    const pass = (context?: Record<string, string>) =>
      isAllowed(policy, { action: 'iam:PassRole', resource: role, context }).allowed;
    expect(pass({ 'iam:PassedToService': 'personalize.amazonaws.com' })).toBe(true);
    expect(pass({ 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe(false);
    expect(pass()).toBe(false);
    // Condition keys are case-insensitive.
    expect(pass({ 'IAM:passedtoservice': 'personalize.amazonaws.com' })).toBe(true);
    const reason = isAllowed(policy, { action: 'iam:PassRole', resource: role }).reason;
    expect(reason).toContain(
      'condition StringEquals iam:PassedToService [personalize.amazonaws.com] failed (request has no such key)',
    );
  });

  it('OR-s the values of a key and AND-s keys and operators', () => {
    const policy = policyOf([
      {
        Action: 'personalize:DeleteSolution',
        Effect: 'Allow',
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:ResourceTag/owner': ['MovieRecs', 'MovieRecs-admin'],
            'aws:RequestedRegion': 'us-east-1',
          },
          Bool: { 'aws:SecureTransport': 'true' },
        },
      },
    ]);
    const del = (context: Record<string, string>) =>
      isAllowed(policy, { action: 'personalize:DeleteSolution', resource: ACCOUNT_ARN('solution/x'), context }).allowed;
    const base = { 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'true' };
    expect(del({ ...base, 'aws:ResourceTag/owner': 'MovieRecs' })).toBe(true);
    expect(del({ ...base, 'aws:ResourceTag/owner': 'MovieRecs-admin' })).toBe(true);
    expect(del({ ...base, 'aws:ResourceTag/owner': 'Other' })).toBe(false);
    expect(del({ ...base, 'aws:ResourceTag/owner': 'MovieRecs', 'aws:RequestedRegion': 'eu-west-1' })).toBe(false);
    expect(del({ ...base, 'aws:ResourceTag/owner': 'MovieRecs', 'aws:SecureTransport': 'false' })).toBe(false);
  });

  it('StringLike uses wildcards; StringNotEquals holds for a missing key; IfExists tolerates a missing key', () => {
    const policy = policyOf([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: '*',
        Condition: {
          StringLike: { 's3:prefix': 'movielens/*' },
          StringNotEquals: { 'aws:PrincipalTag/team': 'blocked' },
          StringEqualsIfExists: { 'aws:ResourceTag/stage': 'test' },
        },
      },
    ]);
    const get = (context: Record<string, string>) =>
      isAllowed(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context }).allowed;
    expect(get({ 's3:prefix': 'movielens/ml-100k' })).toBe(true);
    expect(get({ 's3:prefix': 'other/ml-100k' })).toBe(false);
    expect(get({ 's3:prefix': 'movielens/x', 'aws:PrincipalTag/team': 'blocked' })).toBe(false);
    expect(get({ 's3:prefix': 'movielens/x', 'aws:ResourceTag/stage': 'prod' })).toBe(false);
    expect(get({ 's3:prefix': 'movielens/x', 'aws:ResourceTag/stage': 'test' })).toBe(true);
  });

  it('ArnLike and ArnEquals compare the six ARN parts; a missing key fails them', () => {
    expect(arnLike('arn:aws:personalize:*:123456789012:dataset-group/*', ACCOUNT_ARN('dataset-group/x'))).toBe(true);
    expect(
      arnLike(
        'arn:aws:personalize:*:123456789012:dataset-group/*',
        'arn:aws:personalize:us-east-1:999999999999:dataset-group/x',
      ),
    ).toBe(false);
    // A * inside the region part does not reach into the account part.
    expect(arnLike('arn:aws:personalize:us-*2:123456789012:x', 'arn:aws:personalize:us-east-1:123456789012:x')).toBe(
      false,
    );
    const policy = policyOf([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: '*',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:*' } },
      },
      {
        Action: 'sqs:DeleteMessage',
        Effect: 'Allow',
        Resource: '*',
        Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } },
      },
    ]);
    const ask = (action: string, context?: Record<string, string>) =>
      isAllowed(policy, { action, resource: '*', context }).allowed;
    expect(ask('sqs:SendMessage', { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' })).toBe(true);
    expect(ask('sqs:SendMessage', { 'aws:SourceArn': 'arn:aws:sns:us-east-1:210987654321:topic' })).toBe(false);
    expect(ask('sqs:SendMessage')).toBe(false);
    expect(ask('sqs:DeleteMessage', { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' })).toBe(true);
    expect(ask('sqs:DeleteMessage', { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic2' })).toBe(false);
  });

  it('a Deny with a condition applies only when the condition holds', () => {
    const policy = policyOf([
      { Action: 'personalize:*', Effect: 'Allow', Resource: '*' },
      {
        Action: 'personalize:Delete*',
        Effect: 'Deny',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:ResourceTag/owner': 'MovieRecs' } },
      },
    ]);
    const del = (context?: Record<string, string>) =>
      isAllowed(policy, { action: 'personalize:DeleteCampaign', resource: ACCOUNT_ARN('campaign/x'), context })
        .decision;
    expect(del({ 'aws:ResourceTag/owner': 'MovieRecs' })).toBe('Allow');
    expect(del({ 'aws:ResourceTag/owner': 'Other' })).toBe('ExplicitDeny');
    expect(del()).toBe('ExplicitDeny'); // negated operator: a missing key satisfies it
  });

  it('refuses condition operators it does not model instead of guessing', () => {
    const policy = policyOf([
      {
        Action: '*',
        Effect: 'Allow',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } },
      },
    ]);
    expect(() => isAllowed(policy, { action: 's3:GetObject', resource: '*' })).toThrow(/not supported/);
    const numeric = policyOf([
      { Action: '*', Effect: 'Allow', Resource: '*', Condition: { NumericLessThan: { 'x:y': '1' } } },
    ]);
    expect(() => isAllowed(numeric, { action: 's3:GetObject', resource: '*' })).toThrow(
      /NumericLessThan is not supported/,
    );
  });
});

describe('collecting the role statements', () => {
  it('takes the role inline Policies, AWS::IAM::Policy, AWS::IAM::RolePolicy and same-template managed policies', () => {
    const template = templateWith([{ Action: 'a:One', Effect: 'Allow', Resource: '*' }], {
      OtherRole: { Type: 'AWS::IAM::Role', Properties: {} },
      OtherPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyDocument: { Statement: [{ Action: 'a:Other', Effect: 'Allow', Resource: '*' }] },
          Roles: [{ Ref: 'OtherRole' }],
        },
      },
      RolePolicy: {
        Type: 'AWS::IAM::RolePolicy',
        Properties: {
          PolicyDocument: { Statement: { Action: 'a:Three', Effect: 'Allow', Resource: '*' } },
          RoleName: { Ref: 'FnServiceRole' },
        },
      },
      Managed: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          PolicyDocument: { Statement: [{ Action: 'a:Four', Effect: 'Allow', Resource: '*' }] },
          Roles: [{ Ref: 'FnServiceRole' }],
        },
      },
      AttachedByArn: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Statement: [{ Action: 'a:Five', Effect: 'Allow', Resource: '*' }] } },
      },
    });
    const roleProps = (template.Resources as Record<string, { Properties: Record<string, unknown> }>).FnServiceRole
      .Properties;
    roleProps.Policies = [
      { PolicyName: 'inline', PolicyDocument: { Statement: [{ Action: 'a:Two', Effect: 'Allow', Resource: '*' }] } },
    ];
    (roleProps.ManagedPolicyArns as unknown[]).push({ Ref: 'AttachedByArn' });

    const policy = rolePolicy(template, 'Fn', CONTEXT);
    const actions = policy.statements.flatMap((s) => s.actions ?? []).sort();
    expect(actions).toEqual(['a:Five', 'a:Four', 'a:One', 'a:Three', 'a:Two']);
    expect(policy.externalManagedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
    expect(policy.roleLogicalId).toBe('FnServiceRole');
    expect(statementsForRole(template, 'OtherRole', CONTEXT).statements.flatMap((s) => s.actions)).toEqual(['a:Other']);
  });

  it('throws clearly for a missing function, a non-function, or a role it cannot follow', () => {
    const template = templateWith([]);
    expect(() => rolePolicy(template, 'Nope', CONTEXT)).toThrow(/no resource Nope .*functions: Fn/);
    expect(() => rolePolicy(template, 'FnServiceRole', CONTEXT)).toThrow(/not an AWS::Lambda::Function/);
    const imported = templateWith([], {
      Imported: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/x' } },
    });
    expect(() => rolePolicy(imported, 'Imported', CONTEXT)).toThrow(/is not \{"Fn::GetAtt"/);
  });

  it('rejects malformed statements and policy variables', () => {
    expect(() => policyOf([{ Action: 'a:b', Effect: 'Maybe', Resource: '*' }])).toThrow(/Effect must be Allow or Deny/);
    expect(() => policyOf([{ Effect: 'Allow', Resource: '*' }])).toThrow(/Action and NotAction/);
    expect(() => policyOf([{ Action: 'a:b', Effect: 'Allow' }])).toThrow(/Resource and NotResource/);
    expect(() => policyOf([{ Action: 'a:b', Effect: 'Allow', Resource: 'arn:aws:s3:::b/${aws:username}' }])).toThrow(
      /policy variables/,
    );
  });
});

describe('intrinsics', () => {
  const template: CfnTemplate = {
    Parameters: {
      Prefix: { Type: 'String', Default: 'MovieRecs' },
      BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
    },
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket' },
      Param: { Type: 'AWS::SSM::Parameter' },
    },
  };
  const resolve = (value: unknown, context: ResolveContext = CONTEXT) => resolveValue(value, template, context);

  it('resolves pseudo parameters, Fn::Join, Fn::Select and Fn::Split', () => {
    expect(resolve(cdkArn('campaign/x'))).toBe(ACCOUNT_ARN('campaign/x'));
    expect(resolve({ 'Fn::Join': ['.', ['s3', { Ref: 'AWS::URLSuffix' }]] })).toBe('s3.amazonaws.com');
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(resolve({ 'Fn::Select': ['0', ['x', { Ref: 'AWS::Region' }]] })).toBe('x');
    expect(resolve({ Ref: 'AWS::StackName' }, { ...CONTEXT, stackName: 'MovieRecs-Personalize' })).toBe(
      'MovieRecs-Personalize',
    );
    expect(() => resolve({ Ref: 'AWS::StackName' })).toThrow(/needs context.stackName/);
    expect(() => resolve({ 'Fn::Select': [5, ['a']] })).toThrow(/out of range/);
  });

  it('resolves Ref and Fn::GetAtt from context.refs, else to deterministic placeholders', () => {
    const refs = { Bucket: 'my-bucket', 'Bucket.Arn': 'arn:aws:s3:::my-bucket' };
    expect(resolve({ Ref: 'Bucket' }, { ...CONTEXT, refs })).toBe('my-bucket');
    expect(resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] }, { ...CONTEXT, refs })).toBe('arn:aws:s3:::my-bucket');
    expect(resolve({ 'Fn::GetAtt': 'Bucket.Arn' }, { ...CONTEXT, refs })).toBe('arn:aws:s3:::my-bucket');
    expect(resolve({ Ref: 'Param' })).toBe('<Param>');
    expect(resolve({ 'Fn::GetAtt': ['Param', 'Arn'] })).toBe('arn:aws:placeholder:us-east-1:123456789012:Param/Arn');
    expect(resolve({ Ref: 'Prefix' })).toBe('MovieRecs');
    expect(() => resolve({ Ref: 'BootstrapVersion' })).toThrow(/no usable Default/);
    expect(() => resolve({ Ref: 'Missing' })).toThrow(/not in the template/);
    expect(() => resolve({ 'Fn::GetAtt': ['Missing', 'Arn'] })).toThrow(/not in the template/);
    expect(() => resolve({ Ref: 'Param' }, { ...CONTEXT, strict: true })).toThrow(
      /no value in context.refs for Ref Param/,
    );
  });

  it('resolves Fn::GetStackOutput (weak cross-stack references) by output name, and Fn::ImportValue by export name', () => {
    const output = {
      'Fn::GetStackOutput': { StackName: 'MovieRecs-Data', Region: 'us-east-1', OutputName: 'RoleArnOutput' },
    };
    const roleArn = 'arn:aws:iam::123456789012:role/Personalize';
    expect(resolve(output, { ...CONTEXT, refs: { RoleArnOutput: roleArn } })).toBe(roleArn);
    expect(
      resolve(output, { ...CONTEXT, refs: { 'MovieRecs-Data.RoleArnOutput': roleArn, RoleArnOutput: 'other' } }),
    ).toBe(roleArn);
    expect(resolve(output)).toBe('<MovieRecs-Data.RoleArnOutput>');
    expect(() => resolve(output, { ...CONTEXT, strict: true })).toThrow(
      /Fn::GetStackOutput MovieRecs-Data.RoleArnOutput/,
    );
    expect(resolve({ 'Fn::ImportValue': 'Shared-Arn' }, { ...CONTEXT, refs: { 'Shared-Arn': 'arn:x' } })).toBe('arn:x');
    expect(resolve({ 'Fn::ImportValue': { 'Fn::Join': ['-', ['Shared', 'Arn']] } })).toBe('<import:Shared-Arn>');
  });

  it('resolves Fn::Sub in both forms', () => {
    expect(
      resolve(
        { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Param}' },
        { ...CONTEXT, refs: { Param: '/p' } },
      ),
    ).toBe('arn:aws:ssm:us-east-1:123456789012:parameter/p');
    expect(resolve({ 'Fn::Sub': ['${Name}-${Bucket.Arn}-${!Literal}', { Name: { Ref: 'AWS::Region' } }] })).toBe(
      'us-east-1-arn:aws:placeholder:us-east-1:123456789012:Bucket/Arn-${Literal}',
    );
  });

  it('throws on an unknown intrinsic instead of silently allowing', () => {
    expect(() => resolve({ 'Fn::If': ['IsProd', 'a', 'b'] })).toThrow(/unsupported intrinsic Fn::If/);
    expect(() => resolve({ 'Fn::GetAZs': '' })).toThrow(/unsupported intrinsic Fn::GetAZs/);
    expect(() => resolve({ Ref: 'AWS::NotificationARNs' })).toThrow(/unsupported pseudo parameter/);
    expect(() => resolve({ a: 1, b: 2 })).toThrow(/not an intrinsic/);
    // ...also when it sits inside a policy statement.
    expect(() => policyOf([{ Action: 'a:b', Effect: 'Allow', Resource: { 'Fn::If': ['C', '*', 'arn:x'] } }])).toThrow(
      /FnServiceRoleDefaultPolicy#0 Resource: unsupported intrinsic Fn::If/,
    );
  });
});

describe('the synthesized Personalize stack', () => {
  // Tolerant of the controller being rewritten: it looks the function up by logical-id prefix and
  // checks only the grants the workshop cannot do without.
  let template: CfnTemplate;
  beforeAll(() => {
    template = synthWorkshop().personalize.toJSON() as CfnTemplate;
  }, 120_000);

  it('lets the reconcile function manage its own dataset group and no other', () => {
    const candidates = functionsStartingWith(template, 'ControllerReconcile');
    expect(candidates).toHaveLength(1);
    const policy = rolePolicy(template, candidates[0], CONTEXT);
    expect(policy.externalManagedPolicyArns).toContain(
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    );
    const create = (name: string) =>
      isAllowed(policy, { action: 'personalize:CreateDatasetGroup', resource: ACCOUNT_ARN(`dataset-group/${name}`) });
    expect(create('MovieRecs-movies').allowed).toBe(true);
    const other = create('Other-movies');
    expect(other.allowed).toBe(false);
    expect(other.reason).toContain('dataset-group/Other-movies');
    expect(isAllowed(policy, { action: 'personalize:ListDatasetGroups', resource: '*' }).allowed).toBe(true);
  });
});
