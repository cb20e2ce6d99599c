import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MOVIELENS_EDITIONS, type MovieLensEdition } from '../../lib/config';
import { appServiceUnit } from '../../lib/web/bootstrap';
import {
  BOOT_ALLOWANCE,
  INSTANCE_SLOWDOWN,
  MAX_READINESS_TIMEOUT,
  MEASURED_START_SECONDS,
  readinessTimeoutFor,
  readinessTimeoutProblems,
  SLOWEST_EDITION,
} from '../../lib/web/start-time';
import { WebStack } from '../../lib/web/web-stack';
import { isAllowed, resolveDocument, statementsForRole } from '../personalize/iam/policy-evaluator';
import { cdkJsonContext, resourcesOf, synthWorkshop, SynthesizedWorkshop } from './helpers';

type Resource = { Properties?: Record<string, any>; [k: string]: any };

let workshop: SynthesizedWorkshop;
let web: Template;
beforeAll(() => {
  workshop = synthWorkshop();
  web = workshop.web;
});

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  workshop.stacks.web.getLogicalId(construct.node.defaultChild as never);

/** Subnet logical ids by the subnet type CDK tags them with (Public, Private, Isolated). */
function subnetsOfType(template: Template, type: string): string[] {
  return resourcesOf(template, 'AWS::EC2::Subnet')
    .filter(([, subnet]) =>
      (subnet.Properties?.Tags as { Key: string; Value: string }[]).some(
        (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === type,
      ),
    )
    .map(([id]) => id);
}

interface Rule {
  group: string;
  direction: 'in' | 'out';
  protocol: string;
  from?: number;
  to?: number;
  peer: string;
}

/** Every security-group rule of a template, inline or standalone, in one shape. */
function securityGroupRules(template: Template): Rule[] {
  const rules: Rule[] = [];
  const peerOf = (rule: Record<string, any>) =>
    rule.CidrIp ?? rule.CidrIpv6 ?? JSON.stringify(rule.SourceSecurityGroupId ?? rule.DestinationSecurityGroupId);
  for (const [id, group] of resourcesOf(template, 'AWS::EC2::SecurityGroup')) {
    for (const rule of (group.Properties?.SecurityGroupIngress as Record<string, any>[] | undefined) ?? []) {
      rules.push({
        group: id,
        direction: 'in',
        protocol: rule.IpProtocol,
        from: rule.FromPort,
        to: rule.ToPort,
        peer: peerOf(rule),
      });
    }
    for (const rule of (group.Properties?.SecurityGroupEgress as Record<string, any>[] | undefined) ?? []) {
      rules.push({
        group: id,
        direction: 'out',
        protocol: rule.IpProtocol,
        from: rule.FromPort,
        to: rule.ToPort,
        peer: peerOf(rule),
      });
    }
  }
  for (const [type, direction] of [
    ['AWS::EC2::SecurityGroupIngress', 'in'],
    ['AWS::EC2::SecurityGroupEgress', 'out'],
  ] as const) {
    for (const [, rule] of resourcesOf(template, type)) {
      const p = rule.Properties as Record<string, any>;
      rules.push({
        group: p.GroupId['Fn::GetAtt'][0],
        direction,
        protocol: p.IpProtocol,
        from: p.FromPort,
        to: p.ToPort,
        peer: peerOf(p),
      });
    }
  }
  return rules;
}

const sgRef = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] });

/** The launch template's user data as the instance sees it, with `placeholder` for each reference. */
function renderUserData(template: Template, placeholder = '<token>'): string {
  const [[, lt]] = resourcesOf(template, 'AWS::EC2::LaunchTemplate');
  const parts = lt.Properties!.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as unknown[];
  return parts.map((part) => (typeof part === 'string' ? part : placeholder)).join('');
}

/** The instance's own wait for its site to answer /healthz, from its user data, in seconds. */
function healthWaitSeconds(template: Template): number {
  const wait = /movierecs_deadline=\$\(\(SECONDS \+ (\d+)\)\)/.exec(renderUserData(template))?.[1];
  if (!wait) throw new Error('the user data sets no health wait');
  return Number(wait);
}

/** An ISO 8601 duration as CloudFormation takes it (PT1H30M, PT20M, PT90S), in seconds. */
function isoSeconds(iso: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  if (!match || iso === 'PT') throw new Error(`not a duration in hours, minutes and seconds: ${iso}`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

const autoScalingGroup = (template: Template) => resourcesOf(template, 'AWS::AutoScaling::AutoScalingGroup')[0][1];

/** How long CloudFormation waits for each instance's signal (the group's CreationPolicy), in seconds. */
const readinessSeconds = (template: Template) =>
  isoSeconds(autoScalingGroup(template).CreationPolicy.ResourceSignal.Timeout);

/** How long the group keeps the load balancer's health check off a new instance, in seconds. */
const graceSeconds = (template: Template) => Number(autoScalingGroup(template).Properties?.HealthCheckGracePeriod);

/** The Web stack alone, for a given edition (the workshop app passes none yet). */
function webStackFor(dataset?: MovieLensEdition): Template {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-synth-')),
    context: cdkJsonContext(),
  });
  const env = { region: 'us-east-1' };
  const data = new Stack(app, 'Data', { env });
  const prebuilt = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-prebuilt-'));
  fs.writeFileSync(path.join(prebuilt, 'app.js'), 'console.log(1)');
  const stack = new WebStack(app, 'Web', {
    env,
    prefix: 'MovieRecs',
    dataBucket: new s3.Bucket(data, 'Bucket'),
    dataReadPolicy: iam.ManagedPolicy.fromManagedPolicyName(data, 'Read', 'MovieRecs-WebDataRead'),
    dataManifestKey: 'personalize/manifest.json',
    appBundle: { prebuilt },
    natGateways: 1,
    instanceType: new ec2.InstanceType('t4g.large'),
    minInstances: 1,
    maxInstances: 2,
    databaseInstanceType: new ec2.InstanceType('t4g.micro'),
    databaseEngineVersion: rds.PostgresEngineVersion.VER_17,
    retainDatabase: false,
    allowedCidr: '0.0.0.0/0',
    dataset,
  });
  return Template.fromStack(stack);
}

/** The content of the file the user data writes to `file` (through a heredoc). */
function writtenFile(script: string, file: string): string {
  const lines = script.split('\n');
  const start = lines.indexOf(`cat > ${file} <<'MOVIERECS_EOF'`);
  if (start < 0) throw new Error(`the user data writes no ${file}`);
  const end = lines.indexOf('MOVIERECS_EOF', start);
  return lines.slice(start + 1, end).join('\n');
}

interface BootstrapRun {
  readonly status: number | null;
  /** Every stubbed command, as `name args...`, in order. */
  readonly calls: string[];
  /** The arguments of each cfn-signal call. */
  readonly signals: string[];
  /** The arguments of each `aws cloudformation signal-resource` call. */
  readonly cliSignals: string[];
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the user data under bash with its absolute paths moved into a temporary root and stand-ins
 * (shell snippets) for the commands that need a real instance. `sleep` advances bash's SECONDS
 * instead of waiting, so the health wait's deadline comes at once. cfn-signal is not on the image:
 * the stand-in dnf puts it on the PATH when it installs aws-cfn-bootstrap, as the real one does.
 */
function runBootstrap(script: string, stubs: Record<string, string>): BootstrapRun {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-bootstrap-'));
  const bin = path.join(root, 'bin');
  const packages = path.join(root, 'packages');
  const state = path.join(root, 'state');
  fs.mkdirSync(bin);
  fs.mkdirSync(packages);
  fs.mkdirSync(state);
  fs.mkdirSync(path.join(root, 'etc', 'systemd', 'system'), { recursive: true }); // there on the image
  fs.mkdirSync(path.join(root, 'etc', 'logrotate.d'), { recursive: true }); // made by the logrotate package
  const agentBin = path.join(root, 'opt', 'aws', 'amazon-cloudwatch-agent', 'bin'); // made by its package
  fs.mkdirSync(agentBin, { recursive: true });
  const log = path.join(root, 'calls.log');
  const all: Record<string, string> = {
    dnf: `case "$*" in *aws-cfn-bootstrap*) cp '${packages}/cfn-signal' '${bin}/' ;; esac`,
    // `is-failed` answers "not failed" (1) unless a test says otherwise.
    systemctl: '[ "$1" = is-failed ] && exit 1; exit 0',
    'cfn-signal': 'exit 0',
    aws: 'exit 0',
    unzip: 'mkdir -p "${@: -1}"',
    useradd: 'exit 0',
    journalctl: 'echo "movierecs: start failed: the data is not prepared"',
    'amazon-cloudwatch-agent-ctl': 'exit 0',
    ...stubs,
  };
  const installedBy: Record<string, string> = { 'amazon-cloudwatch-agent-ctl': agentBin, 'cfn-signal': packages };
  for (const [name, body] of Object.entries(all)) {
    const file = path.join(installedBy[name] ?? bin, name);
    fs.writeFileSync(file, `#!/bin/bash\necho "${name} $*" >> '${log}'\n${body}\n`);
    fs.chmodSync(file, 0o755);
  }
  const moved = script
    .replace(/(^|[\s'>=:])\/(etc|opt|var)\//gm, `$1${root}/$2/`)
    .replace('#!/bin/bash\n', '#!/bin/bash\nsleep() { SECONDS=$((SECONDS + $1)); }\n');
  const result = spawnSync('bash', ['-c', moved], {
    env: { PATH: `${bin}:/usr/bin:/bin`, STATE: state, HOME: root },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  fs.rmSync(root, { recursive: true, force: true });
  const cliSignal = 'aws cloudformation signal-resource ';
  return {
    status: result.status,
    calls,
    signals: calls.filter((c) => c.startsWith('cfn-signal ')).map((c) => c.slice('cfn-signal '.length)),
    cliSignals: calls.filter((c) => c.startsWith(cliSignal)).map((c) => c.slice(cliSignal.length)),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}
const DISABLED_EGRESS = { protocol: 'icmp', from: 252, to: 86, peer: '255.255.255.255/32' };

test('snapshot', () => {
  expect(web.toJSON()).toMatchSnapshot();
});

describe('network', () => {
  test('two AZs, each with a public, a private-with-egress and an isolated subnet', () => {
    expect(subnetsOfType(web, 'Public')).toHaveLength(2);
    expect(subnetsOfType(web, 'Private')).toHaveLength(2);
    expect(subnetsOfType(web, 'Isolated')).toHaveLength(2);
  });

  test('one NAT gateway by default', () => {
    web.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('the NAT count follows natGateways', () => {
    const two = synthWorkshop({ natGateways: 2 });
    two.web.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('flow logs go to a log group deleted with the stack', () => {
    web.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', LogDestinationType: 'cloud-watch-logs' });
    web.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 7 } });
  });
});

describe('security groups', () => {
  const groups = () => ({
    alb: idOf(workshop.stacks.web.site.loadBalancerSecurityGroup),
    app: idOf(workshop.stacks.web.site.instanceSecurityGroup),
    db: idOf(workshop.stacks.web.database.securityGroup),
  });

  test('exactly these rules exist: allowed range -> ALB:80 -> app:8000 -> db:5432, app -> HTTPS out', () => {
    const { alb, app, db } = groups();
    const rules = securityGroupRules(web).filter((r) => r.group !== idOf(workshop.stacks.web.network.vpc as never));
    const expected: Rule[] = [
      { group: alb, direction: 'in', protocol: 'tcp', from: 80, to: 80, peer: '0.0.0.0/0' },
      { group: alb, direction: 'out', protocol: 'tcp', from: 8000, to: 8000, peer: sgRef(app) },
      { group: app, direction: 'in', protocol: 'tcp', from: 8000, to: 8000, peer: sgRef(alb) },
      { group: app, direction: 'out', protocol: 'tcp', from: 443, to: 443, peer: '0.0.0.0/0' },
      { group: app, direction: 'out', protocol: 'tcp', from: 5432, to: 5432, peer: sgRef(db) },
      { group: db, direction: 'in', protocol: 'tcp', from: 5432, to: 5432, peer: sgRef(app) },
      { group: db, direction: 'out', ...DISABLED_EGRESS },
    ];
    const key = (r: Rule) => JSON.stringify([r.group, r.direction, r.protocol, r.from, r.to, r.peer]);
    expect(rules.map(key).sort()).toEqual(expected.map(key).sort());
  });

  test('no rule anywhere opens port 22 or all ports', () => {
    for (const overrides of [{}, { allowedCidr: '203.0.113.0/24' }]) {
      const template = Object.keys(overrides).length ? synthWorkshop(overrides).web : web;
      const rules = securityGroupRules(template);
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        expect(rule.protocol).not.toBe('-1');
        if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
          expect(rule.from! <= 22 && 22 <= rule.to!).toBe(false);
        }
      }
    }
  });

  test('the load balancer admits only allowedCidr', () => {
    const narrowed = synthWorkshop({ allowedCidr: '203.0.113.0/24' });
    const ingress = securityGroupRules(narrowed.web).filter((r) => r.direction === 'in' && !r.peer.startsWith('{'));
    expect(ingress).toEqual([expect.objectContaining({ protocol: 'tcp', from: 80, to: 80, peer: '203.0.113.0/24' })]);
  });
});

describe('load balancer', () => {
  test('internet-facing, in the public subnets, dropping invalid headers, logging access', () => {
    const [[, alb]] = resourcesOf(web, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(alb.Properties?.Scheme).toBe('internet-facing');
    expect(alb.Properties?.Subnets.map((s: { Ref: string }) => s.Ref).sort()).toEqual(
      subnetsOfType(web, 'Public').sort(),
    );
    expect(alb.Properties?.LoadBalancerAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    );
  });

  test('HTTP on 80 forwards to the app port with the /healthz health check', () => {
    web.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    web.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    web.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8000,
      Protocol: 'HTTP',
      HealthCheckPath: '/healthz',
      TargetType: 'instance',
    });
  });

  describe('with a certificate', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    let https: SynthesizedWorkshop;
    beforeAll(() => {
      https = synthWorkshop({ certificateArn, domainName: 'movies.example.com' });
    });

    test('HTTPS on 443 with the certificate and a modern TLS policy, HTTP redirected to it', () => {
      https.web.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
      https.web.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: certificateArn }],
        SslPolicy: Match.stringLikeRegexp('TLS13'),
        DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
      https.web.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
        ],
      });
    });

    test('both ports open to allowedCidr only', () => {
      const ingress = securityGroupRules(https.web).filter((r) => r.direction === 'in' && !r.peer.startsWith('{'));
      expect(ingress.map((r) => [r.from, r.peer]).sort()).toEqual([
        [443, '0.0.0.0/0'],
        [80, '0.0.0.0/0'],
      ]);
    });

    test('the URLs use the domain name', () => {
      https.web.hasOutput('AppUrl', { Value: 'https://movies.example.com/recommend/' });
      // The app is told it is served over HTTPS (Secure cookies, HSTS); over plain HTTP it is not.
      const userDataOf = (template: Template) =>
        JSON.stringify(resourcesOf(template, 'AWS::EC2::LaunchTemplate')[0][1].Properties?.LaunchTemplateData.UserData);
      expect(userDataOf(https.web)).toContain('SITE_HTTPS=true');
      expect(userDataOf(web)).not.toContain('SITE_HTTPS');
      https.web.hasOutput('AdminUrl', { Value: 'https://movies.example.com/admin/' });
    });
  });
});

describe('instances', () => {
  const launchTemplate = (template: Template) =>
    resourcesOf(template, 'AWS::EC2::LaunchTemplate')[0][1].Properties!.LaunchTemplateData;

  test('IMDSv2 required, encrypted root volume, no key pair, detailed monitoring', () => {
    const data = launchTemplate(web);
    expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    expect(data.BlockDeviceMappings).toEqual([
      {
        DeviceName: '/dev/xvda',
        Ebs: { Encrypted: true, VolumeSize: 16, VolumeType: 'gp3', DeleteOnTermination: true },
      },
    ]);
    expect(data.KeyName).toBeUndefined();
    expect(data.Monitoring).toEqual({ Enabled: true });
    expect(data.InstanceType).toBe('t4g.small');
  });

  test("Amazon Linux 2023 for the instance type's architecture, resolved by EC2 at launch, not at deploy", () => {
    // A deploy-time SSM parameter changed the template with every AMI release, and so replaced the
    // instances on the next deploy; `resolve:ssm:` in the launch template leaves the template alone.
    expect(launchTemplate(web).ImageId).toBe(
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64',
    );
    const parameters = Object.values(web.toJSON().Parameters ?? {}) as { Type: string }[];
    expect(parameters.map((p) => p.Type)).not.toContainEqual(expect.stringMatching(/AWS::EC2::Image::Id/));
    const intel = synthWorkshop({ instanceType: 't3.small' });
    expect(launchTemplate(intel.web).ImageId).toBe(
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64',
    );
    expect(launchTemplate(intel.web).InstanceType).toBe('t3.small');
  });

  test('the Auto Scaling group runs in the private subnets with ELB health checks and the configured size', () => {
    const [[, asg]] = resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup');
    expect(asg.Properties?.VPCZoneIdentifier.map((s: { Ref: string }) => s.Ref).sort()).toEqual(
      subnetsOfType(web, 'Private').sort(),
    );
    expect(asg.Properties).toMatchObject({ MinSize: '1', MaxSize: '2', HealthCheckType: 'ELB' });
    const sized = synthWorkshop({ minInstances: 2, maxInstances: 4 });
    sized.web.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '4' });
    // Every new group waits for one health signal per minimum instance.
    sized.web.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      CreationPolicy: { ResourceSignal: { Count: 2, Timeout: Match.stringLikeRegexp('^PT') } },
    });
  });

  test('an update builds a new group beside the old one, which goes only once the new one is healthy', () => {
    const [[, asg]] = resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup');
    // AutoScalingReplacingUpdate: the old group keeps serving until the new one has its signals;
    // a rolling update with one instance kept none in service and waited for nothing.
    expect(asg.UpdatePolicy?.AutoScalingReplacingUpdate).toEqual({ WillReplace: true });
    expect(asg.UpdatePolicy?.AutoScalingRollingUpdate).toBeUndefined();
    // The matching CreationPolicy: minInstances success signals within the timeout.
    expect(asg.CreationPolicy).toEqual({ ResourceSignal: { Count: 1, Timeout: expect.stringMatching(/^PT/) } });
  });

  test('each instance signals the group only after the site answers /healthz on the instance', () => {
    const script = renderUserData(web);
    const asgId = resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup')[0][0];
    expect(script).toContain(`--stack 'MovieRecs-Web' --resource '${asgId}' --region 'us-east-1'`);
    const install = script.indexOf('dnf install -y aws-cfn-bootstrap');
    const start = script.indexOf('systemctl enable --now movierecs.service');
    const health = script.indexOf(
      "curl --fail --silent --output /dev/null --max-time 5 'http://127.0.0.1:8000/healthz'",
    );
    const success = script.indexOf('movierecs_signal 0 ');
    expect([install, start, health, success].every((i) => i >= 0)).toBe(true);
    expect(install < start && start < health && health < success).toBe(true);
    // The instance gives up (and says why) before CloudFormation stops waiting.
    expect(healthWaitSeconds(web)).toBeGreaterThan(0);
    expect(healthWaitSeconds(web)).toBeLessThan(readinessSeconds(web));
  });

  test('the failure signal is armed before the first command that can fail, the first dnf included', () => {
    const lines = renderUserData(web).split('\n');
    const trap = lines.indexOf('trap movierecs_on_exit EXIT');
    const firstDnf = lines.findIndex((line) => /^dnf /.test(line));
    expect(trap).toBeGreaterThan(0);
    expect(firstDnf).toBeGreaterThan(0);
    expect(trap).toBeLessThan(firstDnf);
    // Only `set` and the signal functions' definitions come before it.
    const before = lines
      .slice(1, trap)
      .filter((line) => /^[a-z]/.test(line) && !/^movierecs_[a-z_]+\(\) \{$/.test(line));
    expect(before).toEqual(['set -euo pipefail']);
  });

  describe('how long an instance may take to start', () => {
    test("the load balancer's health check spares an instance for as long as CloudFormation waits for it", () => {
      // A grace shorter than the instance's own wait terminated slow first starts (ml-25m) as
      // unhealthy while they were still loading, and the deploy timed out.
      expect(graceSeconds(web)).toBeGreaterThanOrEqual(healthWaitSeconds(web));
      expect(graceSeconds(web)).toBeGreaterThanOrEqual(readinessSeconds(web));
      // The instance's wait and the boot before it fit in CloudFormation's.
      expect(healthWaitSeconds(web) + BOOT_ALLOWANCE.toSeconds()).toBeLessThanOrEqual(readinessSeconds(web));
    });

    test('each edition waits long enough for its measured start on an instance, and no longer than it needs', () => {
      const waits = Object.fromEntries(
        MOVIELENS_EDITIONS.map((edition) => {
          const template = webStackFor(edition);
          expect(healthWaitSeconds(template)).toBeGreaterThanOrEqual(
            MEASURED_START_SECONDS[edition] * INSTANCE_SLOWDOWN,
          );
          expect(graceSeconds(template)).toBeGreaterThanOrEqual(healthWaitSeconds(template));
          expect(readinessSeconds(template)).toBe(readinessTimeoutFor(edition).toSeconds());
          return [edition, readinessSeconds(template)];
        }),
      );
      expect(waits['ml-25m']).toBeGreaterThan(waits['ml-100k']);
      // Without an edition the Web stack waits for the slowest; the workshop passes its own.
      expect(SLOWEST_EDITION).toBe('ml-25m');
      expect(readinessSeconds(webStackFor())).toBe(waits['ml-25m']);
      expect(readinessSeconds(web)).toBe(waits['ml-100k']);
    });

    test('every edition fits the limits: grace at most 7200 s, CloudFormation at most 12 hours', () => {
      for (const edition of MOVIELENS_EDITIONS) {
        expect(readinessTimeoutProblems(readinessTimeoutFor(edition))).toEqual([]);
      }
      expect(MAX_READINESS_TIMEOUT.toSeconds()).toBeLessThanOrEqual(Duration.hours(12).toSeconds());
      expect(readinessTimeoutProblems(Duration.seconds(7201))).toEqual([
        "readinessTimeout must be at most 7200 s (the Auto Scaling group's health check grace period equals it), got 7201 s",
      ]);
      expect(readinessTimeoutProblems(Duration.minutes(5))).toEqual([
        'readinessTimeout must be at least 330 s (the 300 s boot allowance and a 30 s health wait), got 300 s',
      ]);
      expect(readinessTimeoutProblems(Duration.seconds(330))).toEqual([]);
      expect(readinessTimeoutProblems(Duration.seconds(7200))).toEqual([]);
    });
  });

  describe('the bootstrap script, run with stand-ins for dnf, systemctl, curl, aws and cfn-signal', () => {
    const cfnSignalArgs = () =>
      `--stack MovieRecs-Web --resource ${resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup')[0][0]} --region us-east-1`;
    /**
     * curl answers the health check with `health` and the instance metadata service as EC2 does
     * (IMDSv2: a token, then the instance id with it); the certificate download always succeeds.
     */
    const run = (stubs: { health: string; systemctl?: string; aws?: string; dnf?: string }) =>
      runBootstrap(renderUserData(web), {
        curl: [
          'case "$*" in',
          `  *healthz*) ${stubs.health} ;;`,
          '  *"-X PUT"*/latest/api/token*) echo imds-token ;;',
          '  *"X-aws-ec2-metadata-token: imds-token"*/latest/meta-data/instance-id*) echo i-0123456789abcdef0 ;;',
          '  *) while [ $# -gt 0 ]; do [ "$1" = --output ] && : > "$2"; shift; done ;;',
          'esac',
        ].join('\n'),
        ...(stubs.systemctl ? { systemctl: stubs.systemctl } : {}),
        ...(stubs.aws ? { aws: stubs.aws } : {}),
        ...(stubs.dnf ? { dnf: stubs.dnf } : {}),
      });

    test('installs, fetches the bundle, starts the app and its log, then signals success once /healthz answers', () => {
      const result = run({
        health: 'n=$(cat "$STATE/curl" 2>/dev/null || echo 0); echo $((n+1)) > "$STATE/curl"; [ "$n" -ge 2 ]',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const order = [
        'dnf install -y aws-cfn-bootstrap',
        'dnf install -y nodejs22 amazon-cloudwatch-agent unzip logrotate',
        'useradd --system --no-create-home --home-dir /nonexistent --shell /sbin/nologin movierecs',
        'aws s3 cp --only-show-errors --region us-east-1 s3://',
        'unzip -q ',
        'curl --fail --silent --show-error --retry 3 --output ',
        'systemctl daemon-reload',
        'systemctl enable --now movierecs.service movierecs-log.service',
        'amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:',
      ].map((prefix) => result.calls.findIndex((c) => c.startsWith(prefix)));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(result.calls.filter((c) => c.startsWith('curl') && c.includes('/healthz'))).toHaveLength(3);
      expect(result.signals).toEqual([`${cfnSignalArgs()} --exit-code 0`]);
      expect(result.cliSignals).toEqual([]);
      expect(result.stdout).toContain('movierecs: MovieRecs site answers /healthz on port 8000\n');
      expect(result.calls.at(-1)).toMatch(/^cfn-signal /);
    });

    test('signals failure, with the reason and the last log lines in its output, when /healthz never answers', () => {
      const result = run({ health: 'exit 7' });
      expect(result.status).not.toBe(0);
      expect(result.signals).toEqual([`${cfnSignalArgs()} --exit-code 1`]);
      expect(result.stderr).toMatch(
        /^movierecs: MovieRecs site did not answer \/healthz on port 8000 within \d+ s; last log: movierecs: start failed: the data is not prepared +; see log group /m,
      );
    });

    test('signals failure at once when the app keeps failing to start (a broken bundle), not after the wait', () => {
      const result = run({ health: 'exit 7', systemctl: 'exit 0' });
      expect(result.status).toBe(1);
      expect(result.signals).toEqual([`${cfnSignalArgs()} --exit-code 1`]);
      expect(result.stderr).toContain('movierecs: MovieRecs site failed to start, five times: movierecs: start failed');
      expect(result.calls.filter((c) => c.includes('/healthz'))).toHaveLength(1);
    });

    test('signals failure when a bootstrap step fails before the site starts', () => {
      const result = run({ health: 'exit 0', aws: 'exit 3' });
      expect(result.status).toBe(3);
      expect(result.signals).toEqual([`${cfnSignalArgs()} --exit-code 3`]);
      expect(result.stderr).toContain('movierecs: MovieRecs bootstrap failed (exit 3) before the site was healthy');
      expect(result.calls.some((c) => c.startsWith('systemctl'))).toBe(false);
      expect(result.calls.some((c) => c.includes('/healthz'))).toBe(false);
    });

    test('signals failure with the AWS CLI when the first package install fails, before cfn-signal exists', () => {
      const result = run({
        health: 'exit 0',
        dnf: 'echo "Error: Failed to download metadata for repo \'amazonlinux\'" >&2; exit 1',
      });
      expect(result.status).toBe(1);
      const asgId = resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup')[0][0];
      // SignalResource: this stack's group, this instance (its id from the metadata service), FAILURE.
      expect(result.cliSignals).toEqual([
        `--region us-east-1 --stack-name MovieRecs-Web --logical-resource-id ${asgId} --unique-id i-0123456789abcdef0 --status FAILURE`,
      ]);
      expect(result.signals).toEqual([]);
      // The API carries no reason: it is in the bootstrap's output, after dnf's own message.
      expect(result.stderr).toContain(
        "Error: Failed to download metadata for repo 'amazonlinux'\nmovierecs: MovieRecs bootstrap failed (exit 1) before the site was healthy; see log group ",
      );
      // Nothing ran after the failed install but the signal.
      expect(result.calls.filter((c) => !c.startsWith('curl ')).map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(
        ['dnf install -y', 'aws cloudformation signal-resource'],
      );
    });
  });

  describe("shellcheck (Debian's package; required in CI)", () => {
    const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    const available = shellcheck.status === 0;
    if (!available && (process.env.CI || process.env.REQUIRE_SHELLCHECK)) {
      throw new Error(
        'shellcheck is required here (CI or REQUIRE_SHELLCHECK) but is not installed: apt-get install shellcheck',
      );
    }
    (available ? test : test.skip)('the user data as deployed passes shellcheck with no finding', () => {
      // Each CloudFormation reference becomes a plain word, as the deployed value is (ARNs, names).
      const script = renderUserData(web, 'resolved-reference');
      const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
        input: script,
        encoding: 'utf8',
      });
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    });
    (available ? test : test.skip)('and finds what it should (the check can fail)', () => {
      const result = spawnSync('shellcheck', ['--shell=bash', '-'], {
        input: '#!/bin/bash\nrm -rf $DIR/*\n',
        encoding: 'utf8',
      });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain('SC2115');
    });
  });

  describe('what the bootstrap writes', () => {
    const script = () => renderUserData(web);

    test("the app runs from the bundle on AL2023's Node.js 22 as the service user, sandboxed, restarted on failure", () => {
      const unit = writtenFile(script(), '/etc/systemd/system/movierecs.service');
      const lines = unit.split('\n');
      expect(lines).toEqual(
        expect.arrayContaining([
          'User=movierecs',
          'EnvironmentFile=/etc/movierecs/app.env',
          // Three quarters of the t4g.small's 2 GiB for the heap (Node's default is about a quarter).
          'ExecStart=/usr/bin/node-22 --enable-source-maps --max-old-space-size=1536 /opt/movierecs/app/app.js instance',
          'Restart=on-failure',
          'StartLimitBurst=5',
          'NoNewPrivileges=yes',
          'ProtectSystem=strict',
          'ProtectHome=yes',
          'PrivateTmp=yes',
          'CapabilityBoundingSet=',
          'WantedBy=multi-user.target',
        ]),
      );
      expect(unit).not.toMatch(/DynamicUser|User=root/);
    });

    test('the settings are names only: region, port, registry, both secrets, the bucket, the manifest, the CA file', () => {
      const env = writtenFile(script(), '/etc/movierecs/app.env');
      expect(env.split('\n').map((line) => line.split('=')[0])).toEqual([
        'AWS_REGION',
        'MOVIERECS_PREFIX',
        'PORT',
        'MODEL_REGISTRY_PARAMETER',
        'DATABASE_SECRET_ARN',
        'ADMIN_SECRET_ARN',
        'SESSION_SECRET_ARN',
        'DATA_BUCKET',
        'DATA_MANIFEST_KEY',
        'DATABASE_CA_FILE',
      ]);
      expect(env).toContain(
        'AWS_REGION=us-east-1\nMOVIERECS_PREFIX=MovieRecs\nPORT=8000\nMODEL_REGISTRY_PARAMETER=/MovieRecs/models',
      );
      expect(env).toContain('DATABASE_CA_FILE=/etc/movierecs/rds-ca.pem');
      // The manifest key comes from the Data stack's preparation, whatever the edition.
      const userData = JSON.stringify(launchTemplate(web).UserData);
      expect(userData).toMatch(
        /DATA_MANIFEST_KEY=",\{"Fn::GetStackOutput":\{"StackName":"MovieRecs-Data","Region":"us-east-1","OutputName":"PublishOutputFnGetAttMovieLens[A-Za-z0-9]*ManifestKey[A-Za-z0-9]*"\}/,
      );
      expect(script()).toContain(
        `--output /etc/movierecs/rds-ca.pem 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem'`,
      );
    });

    test("the journal goes to a file the CloudWatch agent sends to the stack's log group, with the bootstrap output", () => {
      const forwarder = writtenFile(script(), '/etc/systemd/system/movierecs-log.service');
      expect(forwarder).toContain('ExecStart=/usr/bin/journalctl --unit=movierecs.service --boot --lines=all --follow');
      expect(forwarder).toContain('StandardOutput=append:/var/log/movierecs/app.log');
      const [[, lt]] = resourcesOf(web, 'AWS::EC2::LaunchTemplate');
      const parts = lt.Properties!.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as unknown[];
      const logGroupRef = { Ref: idOf(workshop.stacks.web.site.logGroup) };
      expect(parts).toContainEqual(logGroupRef);
      const agent = JSON.parse(writtenFile(renderUserData(web, 'LOG_GROUP'), '/etc/movierecs/cloudwatch-agent.json'));
      expect(agent.logs.logs_collected.files.collect_list).toEqual([
        {
          file_path: '/var/log/movierecs/app.log',
          log_group_name: 'LOG_GROUP',
          log_stream_name: '{instance_id}/app',
          timezone: 'UTC',
        },
        {
          file_path: '/var/log/cloud-init-output.log',
          log_group_name: 'LOG_GROUP',
          log_stream_name: '{instance_id}/bootstrap',
          timezone: 'UTC',
        },
      ]);
      expect(writtenFile(script(), '/etc/logrotate.d/movierecs')).toContain('copytruncate');
    });
  });

  describe('the log group', () => {
    test('kept one month, deleted with the stack, named in an output', () => {
      const [[id, group]] = resourcesOf(web, 'AWS::Logs::LogGroup').filter(([logicalId]) =>
        logicalId.startsWith('SiteLogs'),
      );
      expect(group.Properties?.RetentionInDays).toBe(30);
      expect(group.DeletionPolicy).toBe('Delete');
      expect(group.UpdateReplacePolicy).toBe('Delete');
      web.hasOutput('LogGroupName', { Value: { Ref: id } });
    });
  });

  describe('the app bundle', () => {
    test('is the built app, shipped as an asset the instance fetches', () => {
      const [[, lt]] = resourcesOf(web, 'AWS::EC2::LaunchTemplate');
      const userData = JSON.stringify(lt.Properties!.LaunchTemplateData.UserData);
      const key = /'s3:\/\/[^']*?\/([0-9a-f]{64})\.zip'/.exec(renderUserData(web, 'BUCKET'))?.[1];
      expect(key).toBeDefined();
      expect(userData).toContain(`${key}.zip`);
      const staged = path.join(workshop.outdir, `asset.${key}`);
      expect(fs.readdirSync(staged).sort()).toEqual(['app.js', 'app.js.map']);
      expect(fs.statSync(path.join(staged, 'app.js')).size).toBeGreaterThan(1_000_000);
    });

    test('a changed bundle is a changed launch template (a replacing update); the same bundle is not', () => {
      const folder = (content: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-prebuilt-'));
        fs.writeFileSync(path.join(dir, 'app.js'), content);
        return dir;
      };
      const userDataWith = (dir: string) =>
        JSON.stringify(
          resourcesOf(synthWorkshop({}, { appBundle: { prebuilt: dir } }).web, 'AWS::EC2::LaunchTemplate')[0][1]
            .Properties!.LaunchTemplateData.UserData,
        );
      const first = userDataWith(folder('console.log(1)'));
      expect(userDataWith(folder('console.log(1)'))).toBe(first);
      expect(userDataWith(folder('console.log(2)'))).not.toBe(first);
    });
  });

  test('the bootstrap passes names and ARNs, never a password', () => {
    const userData = JSON.stringify(launchTemplate(web).UserData);
    expect(userData).toContain('MODEL_REGISTRY_PARAMETER=/MovieRecs/models');
    expect(userData).toContain('DATABASE_SECRET_ARN=');
    expect(userData).toContain('ADMIN_SECRET_ARN=');
    expect(userData).toContain('SESSION_SECRET_ARN=');
    expect(userData).not.toMatch(/resolve:secretsmanager|SecretString|GetSecretValue/);
  });
});

describe('instance role', () => {
  const role = () => workshop.stacks.web.site.instanceRole;

  test("holds exactly: Session Manager, its two secrets, web data and the manifest, its bundle, its log group, the model registry, this prefix's campaigns and models, its stack's signal", () => {
    const [[, policy]] = resourcesOf(web, 'AWS::IAM::Policy').filter(
      ([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: idOf(role()) }]),
    );
    const statements = policy.Properties?.PolicyDocument.Statement;
    const personalizeArn = (resource: string) => ({
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
    });
    const dataStackOutput = (name: RegExp) => ({
      'Fn::GetStackOutput': {
        OutputName: expect.stringMatching(name),
        Region: 'us-east-1',
        StackName: 'MovieRecs-Data',
      },
    });
    const bundleKey = () => /'s3:\/\/[^']*?\/([0-9a-f]{64}\.zip)'/.exec(renderUserData(web, 'BUCKET'))![1];
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: [
          { Ref: idOf(workshop.stacks.web.database.secret as never) },
          { Ref: idOf(workshop.stacks.web.site.adminSecret) },
          { Ref: idOf(workshop.stacks.web.site.sessionSecret) },
        ],
      },
      {
        Sid: 'ReadAppBundleAndManifest',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          {
            'Fn::Join': [
              '',
              ['arn:aws:s3:::', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-us-east-1' }, `/${bundleKey()}`],
            ],
          },
          {
            'Fn::Join': [
              '',
              [
                dataStackOutput(/^PublishOutputFnGetAttDataBucket.*Arn/),
                '/',
                dataStackOutput(/^PublishOutputFnGetAttMovieLens.*ManifestKey/),
              ],
            ],
          },
        ],
      },
      {
        Sid: 'WriteAppLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [idOf(workshop.stacks.web.site.logGroup), 'Arn'] },
      },
      {
        Sid: 'ReadModelRegistry',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: {
          'Fn::Join': ['', ['arn:aws:ssm:us-east-1:', { Ref: 'AWS::AccountId' }, ':parameter/MovieRecs/models']],
        },
      },
      {
        Sid: 'QueryWorkshopCampaigns',
        Effect: 'Allow',
        Action: ['personalize:GetPersonalizedRanking', 'personalize:GetRecommendations'],
        Resource: [personalizeArn('campaign/MovieRecs-*'), personalizeArn('filter/MovieRecs-*')],
      },
      // PutEvents: the API reference requires the wildcard resource (the call names a tracking id).
      { Sid: 'SendRatingEvents', Effect: 'Allow', Action: 'personalize:PutEvents', Resource: '*' },
      {
        Sid: 'DescribeWorkshopModels',
        Effect: 'Allow',
        Action: ['personalize:DescribeCampaign', 'personalize:DescribeSolution', 'personalize:DescribeSolutionVersion'],
        Resource: [personalizeArn('campaign/MovieRecs-*'), personalizeArn('solution/MovieRecs-*')],
      },
      // Added by aws-cdk-lib with `signals`: the instance may signal this stack only.
      { Effect: 'Allow', Action: 'cloudformation:SignalResource', Resource: { Ref: 'AWS::StackId' } },
    ]);
    const [, roleResource] = resourcesOf(web, 'AWS::IAM::Role').find(([id]) => id === idOf(role()))!;
    const managed = JSON.stringify(roleResource.Properties?.ManagedPolicyArns);
    expect(roleResource.Properties?.ManagedPolicyArns).toHaveLength(2);
    expect(managed).toContain('policy/AmazonSSMManagedInstanceCore');
    expect(managed).toContain('MovieRecs-Data'); // the Data stack's web read policy
  });

  test("allows every call the app and its log agent make on this workshop's resources, and none on another's", () => {
    const account = '123456789012';
    const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${account}:${resource}`;
    const dbSecret = arn('secretsmanager', 'secret:DatabaseSecret-AbCdEf');
    const adminSecret = arn('secretsmanager', 'secret:AdminPassword-GhIjKl');
    const sessionSecret = arn('secretsmanager', 'secret:SessionSecret-MnOpQr');
    const logGroup = 'MovieRecs-Web-SiteLogs-1234';
    const bucket = 'movierecs-data-bucket';
    const manifestKey = 'personalize/ml-100k/abc123/manifest.json';
    const stackOutput = (pattern: RegExp) => {
      const name = JSON.stringify(web.toJSON()).match(new RegExp(`"OutputName":"(${pattern.source})"`))?.[1];
      if (!name) throw new Error(`no Data stack output like ${pattern}`);
      return name;
    };
    const dataPolicyArn = arn('iam', 'policy/MovieRecs-Data-WebDataRead');
    const context = {
      partition: 'aws',
      region: 'us-east-1',
      accountId: account,
      stackName: 'MovieRecs-Web',
      strict: true,
      refs: {
        [stackOutput(/PublishOutputRefDataWebDataRead[A-Za-z0-9]*/)]: dataPolicyArn,
        [idOf(workshop.stacks.web.database.secret as never)]: dbSecret,
        [idOf(workshop.stacks.web.site.adminSecret)]: adminSecret,
        [idOf(workshop.stacks.web.site.sessionSecret)]: sessionSecret,
        [`${idOf(workshop.stacks.web.site.logGroup)}.Arn`]: arn('logs', `log-group:${logGroup}:*`),
        [stackOutput(/PublishOutputFnGetAttDataBucket[A-Za-z0-9]*Arn[A-Za-z0-9]*/)]: `arn:aws:s3:::${bucket}`,
        [stackOutput(/PublishOutputFnGetAttMovieLens[A-Za-z0-9]*ManifestKey[A-Za-z0-9]*/)]: manifestKey,
        // For the Data stack's template (its web read policy).
        [workshop.stacks.data.getLogicalId(workshop.stacks.data.bucket.node.defaultChild as never) + '.Arn']:
          `arn:aws:s3:::${bucket}`,
      },
    };
    const webPolicy = statementsForRole(web.toJSON(), idOf(role()), context);
    // The role's one managed policy from the Data stack (AmazonSSMManagedInstanceCore aside).
    expect(webPolicy.externalManagedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      dataPolicyArn,
    ]);
    const [[, dataReadPolicy]] = resourcesOf(workshop.data, 'AWS::IAM::ManagedPolicy').filter(([id]) =>
      id.startsWith('DataWebDataRead'),
    );
    const policy = [
      ...webPolicy.statements,
      ...resolveDocument(dataReadPolicy.Properties?.PolicyDocument, 'WebDataRead', workshop.data.toJSON(), context),
    ];
    const bundleKey = /'s3:\/\/[^']*?\/([0-9a-f]{64}\.zip)'/.exec(renderUserData(web))![1];
    const campaign = arn('personalize', 'campaign/MovieRecs-personal-recommendations');
    const allowed = [
      { action: 'secretsmanager:GetSecretValue', resource: dbSecret },
      { action: 'secretsmanager:GetSecretValue', resource: adminSecret },
      { action: 'secretsmanager:GetSecretValue', resource: sessionSecret },
      { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${manifestKey}` },
      { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/web/ml-100k/abc123/ratings.csv` },
      { action: 's3:GetObject', resource: `arn:aws:s3:::cdk-hnb659fds-assets-${account}-us-east-1/${bundleKey}` },
      { action: 'ssm:GetParameter', resource: arn('ssm', 'parameter/MovieRecs/models') },
      { action: 'personalize:GetRecommendations', resource: campaign },
      {
        action: 'personalize:GetPersonalizedRanking',
        resource: arn('personalize', 'campaign/MovieRecs-personal-ranking'),
      },
      { action: 'personalize:DescribeCampaign', resource: campaign },
      {
        action: 'personalize:DescribeSolutionVersion',
        resource: arn('personalize', 'solution/MovieRecs-similar-items/1a2b3c4d'),
      },
      { action: 'personalize:DescribeSolution', resource: arn('personalize', 'solution/MovieRecs-similar-items') },
      { action: 'logs:CreateLogStream', resource: arn('logs', `log-group:${logGroup}:log-stream:i-0abc/app`) },
      { action: 'logs:PutLogEvents', resource: arn('logs', `log-group:${logGroup}:log-stream:i-0abc/app`) },
      {
        action: 'cloudformation:SignalResource',
        resource: arn('cloudformation', 'stack/MovieRecs-Web/00000000-0000-0000-0000-000000000000'),
      },
    ];
    expect(
      allowed
        .map((request) => isAllowed(policy, request))
        .filter((d) => !d.allowed)
        .map((d) => d.reason),
    ).toEqual([]);
    const denied = [
      // An admin-added campaign of another workshop or of the attendee's own: the app shows "not allowed".
      { action: 'personalize:GetRecommendations', resource: arn('personalize', 'campaign/Other-recommendations') },
      { action: 'personalize:DescribeCampaign', resource: arn('personalize', 'campaign/Other-recommendations') },
      { action: 'personalize:DeleteCampaign', resource: campaign },
      { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/personalize/ml-100k/abc123/interactions.csv` },
      { action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${manifestKey}` },
      { action: 'ssm:GetParameter', resource: arn('ssm', 'parameter/Other/models') },
      { action: 'ssm:PutParameter', resource: arn('ssm', 'parameter/MovieRecs/models') },
      { action: 'secretsmanager:GetSecretValue', resource: arn('secretsmanager', 'secret:someone-else-XyZ') },
      { action: 'logs:PutLogEvents', resource: arn('logs', 'log-group:other:log-stream:x') },
      // The bootstrap's signal (cfn-signal or the AWS CLI) may reach this stack only.
      {
        action: 'cloudformation:SignalResource',
        resource: arn('cloudformation', 'stack/Other-Web/00000000-0000-0000-0000-000000000000'),
      },
    ];
    expect(
      denied
        .map((request) => isAllowed(policy, request))
        .filter((d) => d.allowed)
        .map((d) => d.reason),
    ).toEqual([]);
  });

  test('campaign access follows the prefix', () => {
    const other = synthWorkshop({ prefix: 'Demo' });
    expect(JSON.stringify(other.web.toJSON())).toContain(':campaign/Demo-*');
    expect(JSON.stringify(other.web.toJSON())).toContain(':parameter/Demo/models');
  });
});

describe('database', () => {
  const dbInstance = (template: Template): Resource => resourcesOf(template, 'AWS::RDS::DBInstance')[0][1];

  test('PostgreSQL in the isolated subnets, encrypted, private, credentials from Secrets Manager', () => {
    const db = dbInstance(web);
    expect(db.Properties).toMatchObject({
      Engine: 'postgres',
      EngineVersion: '17',
      DBInstanceClass: 'db.t4g.micro',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      Port: '5432',
    });
    expect(JSON.stringify(db.Properties?.MasterUserPassword)).toMatch(
      /^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:/,
    );
    const [[, subnetGroup]] = resourcesOf(web, 'AWS::RDS::DBSubnetGroup');
    expect(subnetGroup.Properties?.SubnetIds.map((s: { Ref: string }) => s.Ref).sort()).toEqual(
      subnetsOfType(web, 'Isolated').sort(),
    );
    web.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        SecretStringTemplate: '{"username":"movierecs"}',
      }),
    });
  });

  test('deleted with the stack by default, leaving no snapshot or backups', () => {
    const db = dbInstance(web);
    expect(db.DeletionPolicy).toBe('Delete');
    expect(db.UpdateReplacePolicy).toBe('Delete');
    expect(db.Properties).toMatchObject({ DeletionProtection: false, DeleteAutomatedBackups: true });
  });

  test('retainDatabase keeps a final snapshot; nothing is retained, so destroy can delete the VPC', () => {
    const kept = synthWorkshop({ retainDatabase: true });
    const db = dbInstance(kept.web);
    expect(db.DeletionPolicy).toBe('Snapshot');
    expect(db.UpdateReplacePolicy).toBe('Snapshot');
    // Deletion protection would make DeleteDBInstance, and so `cdk destroy`, fail.
    expect(db.Properties).toMatchObject({ DeletionProtection: false, DeleteAutomatedBackups: true });
    // A retained resource in the VPC (the database held its subnets) made the VPC delete fail.
    const retained = Object.entries(kept.web.toJSON().Resources as Record<string, Resource>)
      .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain')
      .map(([id]) => id);
    expect(retained).toEqual([]);
    // The secret goes: whoever restores the snapshot sets a new master password.
    kept.web.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Delete',
      Properties: { GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"movierecs"}' }) },
    });
  });

  test('by default nothing in the Web stack is retained or snapshotted', () => {
    const kept = Object.entries(web.toJSON().Resources as Record<string, Resource>).filter(([, r]) =>
      ['Retain', 'Snapshot', 'RetainExceptOnCreate'].includes(r.DeletionPolicy),
    );
    expect(kept.map(([id]) => id)).toEqual([]);
  });

  test('the engine version and class follow the config', () => {
    const db = dbInstance(synthWorkshop({ dbEngineVersion: '16.4', dbInstanceClass: 'db.t4g.small' }).web);
    expect(db.Properties).toMatchObject({ EngineVersion: '16.4', DBInstanceClass: 'db.t4g.small' });
  });
});

describe('no secret in the template', () => {
  test('the session key is generated once per deployment, read by the instances by ARN only', () => {
    const id = idOf(workshop.stacks.web.site.sessionSecret);
    const [, secret] = resourcesOf(web, 'AWS::SecretsManager::Secret').find(([logicalId]) => logicalId === id)!;
    expect(secret.Properties?.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
    expect(secret.Properties?.SecretString).toBeUndefined();
    // The env file names it; no instance generates its own (app-src/instance.ts reads it at start).
    const [[, template]] = resourcesOf(web, 'AWS::EC2::LaunchTemplate');
    const userData = JSON.stringify(template.Properties?.LaunchTemplateData.UserData);
    expect(userData).toContain(`SESSION_SECRET_ARN=",${JSON.stringify({ Ref: id })}`);
  });

  test('passwords are generated, never written', () => {
    const text = JSON.stringify(web.toJSON());
    expect(text).not.toMatch(/recPassw0rd|DoNotH@ckMe/);
    for (const [, secret] of resourcesOf(web, 'AWS::SecretsManager::Secret')) {
      expect(secret.Properties?.SecretString).toBeUndefined();
      expect(secret.Properties?.GenerateSecretString).toBeDefined();
    }
  });
});

describe('outputs', () => {
  test('app URL, admin URL, admin password command and load balancer name', () => {
    const albUrl = (path: string) => ({
      'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.stringLikeRegexp('SiteLoadBalancer'), 'DNSName'] }, path]],
    });
    web.hasOutput('AppUrl', { Value: albUrl('/recommend/') });
    web.hasOutput('AdminUrl', { Value: albUrl('/admin/') });
    web.hasOutput('AdminPasswordCommand', {
      Value: {
        'Fn::Join': [
          '',
          [
            'aws secretsmanager get-secret-value --region us-east-1 --secret-id ',
            { Ref: idOf(workshop.stacks.web.site.adminSecret) },
            ' --query SecretString --output text',
          ],
        ],
      },
    });
    web.hasOutput('LoadBalancerDnsName', {});
  });

  test('for the curious: the log group, the instances, the database endpoint and its credentials command', () => {
    web.hasOutput('LogGroupName', { Value: { Ref: idOf(workshop.stacks.web.site.logGroup) } });
    web.hasOutput('InstancesCommand', {
      Value: {
        'Fn::Join': [
          '',
          [
            'aws ec2 describe-instances --region us-east-1 --filters Name=tag:aws:autoscaling:groupName,Values=',
            { Ref: idOf(workshop.stacks.web.site.autoScalingGroup) },
            ' Name=instance-state-name,Values=running --query Reservations[].Instances[].InstanceId --output text',
          ],
        ],
      },
    });
    web.hasOutput('DatabaseEndpoint', {
      Value: { 'Fn::GetAtt': [idOf(workshop.stacks.web.database.instance), 'Endpoint.Address'] },
    });
    web.hasOutput('DatabaseSecretCommand', {
      Value: {
        'Fn::Join': [
          '',
          [
            'aws secretsmanager get-secret-value --region us-east-1 --secret-id ',
            { Ref: idOf(workshop.stacks.web.database.secret as never) },
            ' --query SecretString --output text',
          ],
        ],
      },
    });
  });
});

describe('independence from the Personalize stack', () => {
  test('the Web stack depends on the Data stack only', () => {
    expect(workshop.stacks.web.dependencies.map((s) => s.stackName)).toEqual(['MovieRecs-Data']);
    expect(JSON.stringify(web.toJSON())).not.toContain('MovieRecs-Personalize');
  });

  test('the assembly orders Web after Data and not after Personalize', () => {
    const assembly = workshop.app.synth();
    const webArtifact = assembly.getStackByName('MovieRecs-Web');
    const dependsOn = webArtifact.dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
    expect(dependsOn).toEqual(['MovieRecs-Data']);
  });
});

describe('the heap follows the instance', () => {
  test('three quarters of a known instance memory; nothing forced on an unknown type', () => {
    expect(appServiceUnit('app.js', 8)).toContain(
      'ExecStart=/usr/bin/node-22 --enable-source-maps --max-old-space-size=6144 /opt/movierecs/app/app.js instance',
    );
    expect(appServiceUnit('app.js')).toContain(
      'ExecStart=/usr/bin/node-22 --enable-source-maps /opt/movierecs/app/app.js instance',
    );
  });
});
