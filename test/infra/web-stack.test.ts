import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, synthWorkshop, SynthesizedWorkshop } from './helpers';

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

/** The launch template's user data as the instance sees it, with `<token>` for each reference. */
function renderUserData(template: Template): string {
  const [[, lt]] = resourcesOf(template, 'AWS::EC2::LaunchTemplate');
  const parts = lt.Properties!.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as unknown[];
  return parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('');
}

interface BootstrapRun {
  readonly status: number | null;
  /** Every stubbed command, as `name args...`, in order. */
  readonly calls: string[];
  /** The arguments of each cfn-signal call. */
  readonly signals: string[];
  readonly stderr: string;
}

/**
 * Runs the user data under bash with its absolute paths moved into a temporary root and stand-ins
 * (shell snippets) for the commands that need a real instance. `sleep` advances bash's SECONDS
 * instead of waiting, so the health wait's deadline comes at once.
 */
function runBootstrap(script: string, stubs: Record<string, string>): BootstrapRun {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-bootstrap-'));
  const bin = path.join(root, 'bin');
  const state = path.join(root, 'state');
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.mkdirSync(path.join(root, 'etc', 'systemd', 'system'), { recursive: true }); // there on the image
  const log = path.join(root, 'calls.log');
  const all: Record<string, string> = { dnf: 'exit 0', systemctl: 'exit 0', 'cfn-signal': 'exit 0', ...stubs };
  for (const [name, body] of Object.entries(all)) {
    const file = path.join(bin, name);
    fs.writeFileSync(file, `#!/bin/bash\necho "${name} $*" >> '${log}'\n${body}\n`);
    fs.chmodSync(file, 0o755);
  }
  const moved = script
    .replace(/(^|[\s'>=])\/(etc|opt)\//gm, `$1${root}/$2/`)
    .replace('#!/bin/bash\n', '#!/bin/bash\nsleep() { SECONDS=$((SECONDS + $1)); }\n');
  const result = spawnSync('bash', ['-c', moved], {
    env: { PATH: `${bin}:/usr/bin:/bin`, STATE: state, HOME: root },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  fs.rmSync(root, { recursive: true, force: true });
  return {
    status: result.status,
    calls,
    signals: calls.filter((c) => c.startsWith('cfn-signal ')).map((c) => c.slice('cfn-signal '.length)),
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
      CreationPolicy: { ResourceSignal: { Count: 2, Timeout: 'PT20M' } },
    });
  });

  test('an update builds a new group beside the old one, which goes only once the new one is healthy', () => {
    const [[, asg]] = resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup');
    // AutoScalingReplacingUpdate: the old group keeps serving until the new one has its signals;
    // a rolling update with one instance kept none in service and waited for nothing.
    expect(asg.UpdatePolicy?.AutoScalingReplacingUpdate).toEqual({ WillReplace: true });
    expect(asg.UpdatePolicy?.AutoScalingRollingUpdate).toBeUndefined();
    // The matching CreationPolicy: minInstances success signals within the timeout.
    expect(asg.CreationPolicy).toEqual({ ResourceSignal: { Count: 1, Timeout: 'PT20M' } });
  });

  test('each instance signals the group only after the site answers /healthz on the instance', () => {
    const script = renderUserData(web);
    const asgId = resourcesOf(web, 'AWS::AutoScaling::AutoScalingGroup')[0][0];
    expect(script).toContain('dnf install -y aws-cfn-bootstrap');
    expect(script).toContain(`--stack 'MovieRecs-Web' --resource '${asgId}' --region 'us-east-1'`);
    const install = script.indexOf('dnf install -y aws-cfn-bootstrap');
    const trap = script.indexOf('trap movierecs_on_exit EXIT');
    const start = script.indexOf('systemctl enable --now movierecs.service');
    const health = script.indexOf(
      "curl --fail --silent --output /dev/null --max-time 5 'http://127.0.0.1:8000/healthz'",
    );
    const success = script.indexOf('movierecs_signal 0 ');
    expect([install, trap, start, health, success].every((i) => i >= 0)).toBe(true);
    expect(install < trap && trap < start && start < health && health < success).toBe(true);
    // The instance gives up (and says why) before CloudFormation's 20 minutes run out.
    const wait = Number(/movierecs_deadline=\$\(\(SECONDS \+ (\d+)\)\)/.exec(script)?.[1]);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThan(20 * 60);
  });

  describe('the bootstrap script, run with stand-ins for dnf, systemctl, curl and cfn-signal', () => {
    const run = (stubs: { curl: string; systemctl?: string }) => runBootstrap(renderUserData(web), stubs);

    test('signals success once /healthz answers, after waiting for it', () => {
      const result = run({
        curl: 'n=$(cat "$STATE/curl" 2>/dev/null || echo 0); echo $((n+1)) > "$STATE/curl"; [ "$n" -ge 2 ]',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.calls.filter((c) => c.startsWith('curl'))).toHaveLength(3);
      expect(result.signals).toEqual([
        expect.stringContaining('--exit-code 0 --reason MovieRecs site answers /healthz'),
      ]);
      expect(result.calls.at(-1)).toMatch(/^cfn-signal /);
    });

    test('signals failure with the reason when /healthz never answers', () => {
      const result = run({ curl: 'exit 7' });
      expect(result.status).not.toBe(0);
      expect(result.signals).toEqual([
        expect.stringMatching(
          /--exit-code 1 --reason MovieRecs site did not answer \/healthz on port 8000 within \d+ s/,
        ),
      ]);
    });

    test('signals failure when a bootstrap step fails before the site starts', () => {
      const result = run({ curl: 'exit 0', systemctl: 'exit 3' });
      expect(result.status).toBe(3);
      expect(result.signals).toEqual([
        expect.stringContaining('--exit-code 3 --reason MovieRecs bootstrap failed (exit 3)'),
      ]);
      expect(result.calls.some((c) => c.startsWith('curl'))).toBe(false);
    });
  });

  test('the bootstrap passes names and ARNs, never a password', () => {
    const userData = JSON.stringify(launchTemplate(web).UserData);
    expect(userData).toContain('MODEL_REGISTRY_PARAMETER=/MovieRecs/models');
    expect(userData).toContain('DATABASE_SECRET_ARN=');
    expect(userData).toContain('ADMIN_SECRET_ARN=');
    expect(userData).not.toMatch(/resolve:secretsmanager|SecretString|GetSecretValue/);
  });
});

describe('instance role', () => {
  const role = () => workshop.stacks.web.site.instanceRole;

  test("holds exactly: Session Manager, its two secrets, web data, the model registry, this prefix's campaigns, its stack's signal", () => {
    const [[, policy]] = resourcesOf(web, 'AWS::IAM::Policy').filter(
      ([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: idOf(role()) }]),
    );
    const statements = policy.Properties?.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: [
          { Ref: idOf(workshop.stacks.web.database.secret as never) },
          { Ref: idOf(workshop.stacks.web.site.adminSecret) },
        ],
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
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':personalize:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':campaign/MovieRecs-*',
            ],
          ],
        },
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
