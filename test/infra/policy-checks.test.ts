import { IConstruct } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildWorkshop, readViolations, synthOrExplain } from './helpers';

/** Every acknowledgement recorded in a construct tree: where, which finding, why. */
interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * The kit's cdk-nag acknowledgements in a construct tree (stored as `Annotation::<finding id>`).
 * aws-cdk-lib records a few of its own for its CloudFormation validation; those are not ours.
 */
function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  const NAG = 'Annotation::AwsSolutions-';
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (id.startsWith(NAG)) found.push({ path: construct.node.path, id: id.slice('Annotation::'.length), reason });
      }
    }
  }
  return found;
}

const CONFIGS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'HTTPS and a narrow range': {
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
    domainName: 'movies.example.com',
    allowedCidr: '203.0.113.0/24',
  },
  'retained database, two NATs, x86, another prefix, explicit account, waiting for models, ml-25m': {
    waitForModels: true,
    dataset: 'ml-25m',
    retainDatabase: true,
    natGateways: 2,
    instanceType: 't3.large',
    prefix: 'Demo',
    account: '123456789012',
    region: 'eu-west-1',
  },
};

describe('cdk-nag AwsSolutions', () => {
  test.each(Object.entries(CONFIGS))('no unacknowledged finding in any stack: %s', (_name, overrides) => {
    const built = buildWorkshop(overrides);
    expect(() => synthOrExplain(built)).not.toThrow();
    expect(readViolations(built.outdir)).toEqual([]);
  });

  test('the checks do run: an unacknowledged open bucket fails synth with its findings', () => {
    const built = buildWorkshop();
    new s3.Bucket(built.stacks.data, 'Unchecked');
    expect(() => synthOrExplain(built)).toThrow(/AwsSolutions-S1 at MovieRecs-Data\/Unchecked\/Resource/);
    const rules = readViolations(built.outdir).map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

describe('acknowledgements', () => {
  test('the list, as reviewed (a new one must be added here on purpose)', () => {
    const built = buildWorkshop();
    const list = acknowledgementsIn(built.app)
      .map((a) => `${a.path} ${a.id}`)
      .sort();
    expect(list).toMatchInlineSnapshot(`
     [
       "MovieRecs-Data/Data/WebDataRead AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/web/*]",
       "MovieRecs-Data/MovieLens/Handler/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Data/MovieLens/Handler/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/personalize/*]",
       "MovieRecs-Data/MovieLens/Handler/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/web/*]",
       "MovieRecs-Data/MovieLens/Handler/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/MovieRecs-Personalize/*]",
       "MovieRecs-Data/MovieLens/Handler/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/MovieRecs-Web/*]",
       "MovieRecs-Data/MovieLens/Provider/framework-onEvent/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Data/MovieLens/Provider/framework-onEvent/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<MovieLensHandler667944DC.Arn>:*]",
       "MovieRecs-Data/PersonalizeAccess/Role AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/personalize/*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:campaign/*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:dataset-group/MovieRecs-movies*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:dataset/MovieRecs-movies*/*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:event-tracker/*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:filter/*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:metric-attribution/*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:schema/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/IsComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:solution/*]",
       "MovieRecs-Personalize/Controller/OnEvent/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Personalize/Controller/OnEvent/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<ControllerPipeline649689B6.Name>:*]",
       "MovieRecs-Personalize/Controller/Pipeline/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]",
       "MovieRecs-Personalize/Controller/Pipeline/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerReconcileBF8FB2EC.Arn>:*]",
       "MovieRecs-Personalize/Controller/Pipeline/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerReportFailureA94EB5E1.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/framework-isComplete/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Personalize/Controller/Provider/framework-isComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerIsComplete4F759EA3.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/framework-isComplete/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerOnEventD8ED3603.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/framework-onEvent/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Personalize/Controller/Provider/framework-onEvent/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerIsComplete4F759EA3.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/framework-onEvent/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerOnEventD8ED3603.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/framework-onTimeout/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Personalize/Controller/Provider/framework-onTimeout/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerIsComplete4F759EA3.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/framework-onTimeout/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerOnEventD8ED3603.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/waiter-state-machine AwsSolutions-SF2",
       "MovieRecs-Personalize/Controller/Provider/waiter-state-machine/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]",
       "MovieRecs-Personalize/Controller/Provider/waiter-state-machine/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerProviderframeworkisCompleteA26BCEE0.Arn>:*]",
       "MovieRecs-Personalize/Controller/Provider/waiter-state-machine/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<ControllerProviderframeworkonTimeout37AC81B2.Arn>:*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:campaign/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:dataset-group/MovieRecs-movies*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:dataset-import-job/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:dataset/MovieRecs-movies*/*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:event-tracker/*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:filter/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:metric-attribution/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:schema/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/Reconcile/ServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:solution/MovieRecs-*]",
       "MovieRecs-Personalize/Controller/ReportFailure/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
       "MovieRecs-Web/Database/Instance AwsSolutions-RDS10",
       "MovieRecs-Web/Database/Instance AwsSolutions-RDS11",
       "MovieRecs-Web/Database/Instance AwsSolutions-RDS3",
       "MovieRecs-Web/Database/Instance/Secret AwsSolutions-SMG4",
       "MovieRecs-Web/Site/AccessLogs AwsSolutions-S1",
       "MovieRecs-Web/Site/AdminPassword AwsSolutions-SMG4",
       "MovieRecs-Web/Site/InstanceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
       "MovieRecs-Web/Site/InstanceRole/DefaultPolicy AwsSolutions-IAM5[Resource::*]",
       "MovieRecs-Web/Site/InstanceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:campaign/MovieRecs-*]",
       "MovieRecs-Web/Site/InstanceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:filter/MovieRecs-*]",
       "MovieRecs-Web/Site/InstanceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:solution/MovieRecs-*]",
       "MovieRecs-Web/Site/Instances AwsSolutions-AS3",
       "MovieRecs-Web/Site/LoadBalancerSecurityGroup AwsSolutions-EC23",
       "MovieRecs-Web/Site/SessionSecret AwsSolutions-SMG4",
     ]
    `);
  });

  test('each sits on a resource construct, never on a stack or the app', () => {
    const built = buildWorkshop();
    const stackPaths = new Set(built.app.node.children.map((c) => c.node.path));
    for (const ack of acknowledgementsIn(built.app)) {
      expect(stackPaths.has(ack.path)).toBe(false);
      expect(ack.path.split('/').length).toBeGreaterThanOrEqual(3);
    }
  });

  test('each gives its own specific reason', () => {
    const acks = acknowledgementsIn(buildWorkshop().app);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThanOrEqual(60);
      expect(ack.reason).not.toMatch(/^(workshop|demo|not needed|n\/a)\b/i);
    }
    const reasons = acks.map((a) => a.reason);
    // No copy-paste reasons: each acknowledgement says why it holds for its own construct.
    const repeated = reasons.filter((r, i) => reasons.indexOf(r) !== i);
    expect(repeated).toEqual([]);
  });

  test.each([
    ['defaults', {}],
    [
      'waiting for models, retained database, narrow range',
      { waitForModels: true, retainDatabase: true, allowedCidr: '203.0.113.0/24' },
    ],
  ])('each is needed (%s): without it, its finding appears on that construct', (_name, overrides) => {
    // Build again with acknowledgements recorded but not applied, and read what nag reports.
    jest.isolateModules(() => {
      const recorded: { construct: IConstruct; id: string }[] = [];
      jest.doMock('../../lib/policy-checks', () => {
        const actual = jest.requireActual('../../lib/policy-checks');
        return { ...actual, acknowledge: (construct: IConstruct, id: string) => recorded.push({ construct, id }) };
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { buildWorkshop: buildUnacknowledged } = require('./helpers') as typeof import('./helpers');
      const built = buildUnacknowledged(overrides);
      expect(() => built.app.synth()).toThrow(/AwsSolutions/);
      const violations = readViolations(built.outdir);
      expect(recorded.length).toBeGreaterThan(0);
      for (const { construct, id } of recorded) {
        const ruleId = id.startsWith('AwsSolutions-') ? id : `AwsSolutions-${id}`;
        const match = violations.find(
          (v) =>
            v.rule === ruleId &&
            v.paths.some((p) => p === construct.node.path || p.startsWith(`${construct.node.path}/`)),
        );
        expect({ id, path: construct.node.path, found: Boolean(match) }).toEqual({
          id,
          path: construct.node.path,
          found: true,
        });
      }
      jest.dontMock('../../lib/policy-checks');
    });
  });
});
