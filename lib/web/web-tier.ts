import { Aws, CfnElement, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { createClosedBucket } from '../data/data-bucket';
import { acknowledge } from '../policy-checks';
import { instanceMemoryGiB } from '../shared/instance-memory';
import { APP_PORT, HEALTH_CHECK_PATH, modelRegistryParameterName, personalizeResourceName } from '../shared/names';
import { AppBundle, AppBundleProps } from './app-bundle';
import { bootstrapUserData } from './bootstrap';
import { Database } from './database';
import { BOOT_ALLOWANCE, readinessTimeoutFor, readinessTimeoutProblems, SLOWEST_EDITION } from './start-time';

/** HTTPS on the load balancer: the ACM certificate and the name it is issued for. */
export interface HttpsSettings {
  readonly certificateArn: string;
  readonly domainName: string;
}

export interface WebTierProps {
  /** Resource prefix: names the model registry parameter and the campaigns the app may call. */
  readonly prefix: string;
  readonly vpc: ec2.IVpc;
  readonly database: Database;
  /** The data bucket; its name is passed to the app. */
  readonly dataBucket: s3.IBucket;
  /**
   * The prepared data's manifest.json in the data bucket (the Data stack's `ManifestKey`). A new
   * data revision is a new key, so a new launch template: the new instances load it in one
   * transaction while the old ones keep serving the old data, then replace them.
   */
  readonly dataManifestKey: string;
  /** @default - the app is built from app-src/ at synth */
  readonly appBundle?: AppBundleProps;
  /**
   * How long the app's and the bootstraps' logs are kept; the log group is deleted with the stack.
   * @default one month
   */
  readonly logRetention?: logs.RetentionDays;
  /** The Data stack's policy that reads the web load files. */
  readonly dataReadPolicy: iam.IManagedPolicy;
  /** Instance type; the Amazon Linux 2023 image's architecture follows it. */
  readonly instanceType: ec2.InstanceType;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Who may reach the load balancer. */
  readonly allowedCidr: string;
  /**
   * Serve HTTPS on 443 and redirect HTTP to it.
   * @default - HTTP on port 80 only
   */
  readonly https?: HttpsSettings;
  /**
   * Root volume size.
   * @default 16 GiB
   */
  readonly rootVolumeGiB?: number;
  /**
   * How long CloudFormation waits for each new instance to report that the site answers its
   * health check (on create and on every replacing update). The instance's own health wait is this
   * less the boot allowance, and the Auto Scaling group's health check grace period equals it.
   * @default - long enough for the slowest edition's start (start-time.ts)
   */
  readonly readinessTimeout?: Duration;
}

/**
 * The web tier: an internet-facing load balancer in the public subnets forwarding to an Auto
 * Scaling group of Amazon Linux 2023 instances in the private subnets. No SSH anywhere: operators
 * use Session Manager.
 */
export class WebTier extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly instanceRole: iam.Role;
  readonly instanceSecurityGroup: ec2.SecurityGroup;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The site admin's generated password (plain text secret). */
  readonly adminSecret: secretsmanager.Secret;
  /**
   * The key that signs the admin's cookies and CSRF tokens, generated once per deployment and read
   * by every instance: a session opened on one instance holds on the others.
   */
  readonly sessionSecret: secretsmanager.Secret;
  /** The site's base URL, e.g. `http://<alb-dns>` or `https://movies.example.com`. */
  readonly baseUrl: string;
  /** The app's log and each instance's bootstrap output (streams `<instance id>/app`, `/bootstrap`). */
  readonly logGroup: logs.LogGroup;
  /** What the instances run. */
  readonly bundle: AppBundle;

  constructor(scope: Construct, id: string, props: WebTierProps) {
    super(scope, id);
    validateWebTierProps(props);
    const stack = Stack.of(this);

    this.adminSecret = new secretsmanager.Secret(this, 'AdminPassword', {
      description: `Password of the ${props.prefix} workshop site's admin user`,
      generateSecretString: { passwordLength: 24, excludePunctuation: true },
    });
    acknowledge(
      this.adminSecret,
      'AwsSolutions-SMG4',
      'The presenter reads the admin password from this secret during the workshop; rotating it would change it under a running session.',
    );

    this.sessionSecret = new secretsmanager.Secret(this, 'SessionSecret', {
      description: `Key that signs the ${props.prefix} workshop site's admin cookies and CSRF tokens (shared by its instances)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(
      this.sessionSecret,
      'AwsSolutions-SMG4',
      'A new key would only log the admin out; the app reads it once at start, so a rotation needs new instances anyway (a new deployment generates a new key).',
    );

    this.bundle = new AppBundle(this, 'App', props.appBundle);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.instanceRole = this.createInstanceRole(props);

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: 'Workshop load balancer: HTTP(S) from the allowed range, out to the app port only',
      allowAllOutbound: false,
    });
    this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: props.vpc,
      description: 'Workshop app instances: app port from the load balancer; out to HTTPS and the database',
      allowAllOutbound: false,
    });
    this.instanceSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to AWS APIs and package repositories through the NAT gateway',
    );
    props.database.allowConnectionsFrom(this.instanceSecurityGroup);

    const readinessTimeout = props.readinessTimeout ?? readinessTimeoutFor(SLOWEST_EDITION);
    const healthWait = readinessTimeout.minus(BOOT_ALLOWANCE);
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: amazonLinux2023ResolvedAtLaunch(props.instanceType),
      instanceType: props.instanceType,
      role: this.instanceRole,
      securityGroup: this.instanceSecurityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 16, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
      userData: bootstrapUserData({
        region: stack.region,
        prefix: props.prefix,
        port: APP_PORT,
        modelRegistryParameter: modelRegistryParameterName(props.prefix),
        databaseSecretArn: props.database.secret.secretArn,
        adminSecretArn: this.adminSecret.secretArn,
        sessionSecretArn: this.sessionSecret.secretArn,
        https: props.https !== undefined,
        dataBucketName: props.dataBucket.bucketName,
        dataManifestKey: props.dataManifestKey,
        bundle: {
          bucket: this.bundle.asset.s3BucketName,
          key: this.bundle.asset.s3ObjectKey,
          entryFile: this.bundle.entryFile,
        },
        logGroupName: this.logGroup.logGroupName,
        instanceMemoryGiB: instanceMemoryGiB(props.instanceType.toString()),
        signal: {
          stackName: stack.stackName,
          // The group is created below; its logical id is only read at synth.
          resourceLogicalId: Lazy.string({
            produce: () => (this.autoScalingGroup.node.defaultChild as CfnElement).logicalId,
          }),
          healthWaitSeconds: healthWait.toSeconds(),
        },
      }),
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: props.minInstances,
      maxCapacity: props.maxInstances,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        // The load balancer's check fails until the app has loaded and trained; were the grace
        // shorter than the instance's own wait, a slow first start (ml-25m) would be terminated as
        // unhealthy and the deploy would time out. Equal to the readiness timeout: past it
        // CloudFormation has given up on the instance anyway.
        gracePeriod: readinessTimeout,
      }),
      // A change to the launch template (new user data, instance type...) builds a complete new
      // group beside the old one; CloudFormation deletes the old group only after the new one has
      // minInstances success signals, each sent once the site answers its health check. A failure
      // signal or the timeout rolls back to the old group, which never stopped serving.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html
      // (AutoScalingReplacingUpdate, "remember to specify a matching CreationPolicy").
      // A rolling update cannot do this with one instance: MinInstancesInService must be below
      // MaxSize, and the config allows maxInstances = minInstances.
      updatePolicy: autoscaling.UpdatePolicy.replacingUpdate(),
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: readinessTimeout }),
    });
    this.autoScalingGroup.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: 60 });
    acknowledge(
      this.autoScalingGroup,
      'AwsSolutions-AS3',
      "Scaling events are recorded in the group's activity history; a workshop has no on-call operator to notify.",
    );

    const accessLogs = createClosedBucket(this, 'AccessLogs', {
      lifecycleRules: [{ expiration: Duration.days(30) }],
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      "This bucket is the load balancer's access-log destination; logging its own access would write logs about logs.",
    );

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');

    const targets: elbv2.AddApplicationTargetsProps = {
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.autoScalingGroup],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    };
    const allowed = ec2.Peer.ipv4(props.allowedCidr);
    if (props.https) {
      const https = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(props.https.certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
      });
      https.addTargets('App', targets);
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
      this.loadBalancerSecurityGroup.addIngressRule(allowed, ec2.Port.tcp(443), 'HTTPS from the allowed range');
      this.loadBalancerSecurityGroup.addIngressRule(
        allowed,
        ec2.Port.tcp(80),
        'HTTP from the allowed range, redirected to HTTPS',
      );
      this.baseUrl = `https://${props.https.domainName}`;
    } else {
      const http = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
      });
      http.addTargets('App', targets);
      this.loadBalancerSecurityGroup.addIngressRule(allowed, ec2.Port.tcp(80), 'HTTP from the allowed range');
      this.baseUrl = `http://${this.loadBalancer.loadBalancerDnsName}`;
    }
    if (props.allowedCidr === '0.0.0.0/0') {
      acknowledge(
        this.loadBalancerSecurityGroup,
        'AwsSolutions-EC23',
        'The workshop site is public by default: attendees join from networks unknown in advance. Set allowedCidr to narrow it.',
      );
    }
  }

  private createInstanceRole(props: WebTierProps): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Workshop app instances: Session Manager, their secrets, web data, model registry, campaign queries',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      "AWS-maintained policy for Session Manager, which replaces SSH; AWS keeps it in step with the SSM agent's needs.",
    );

    props.database.secret.grantRead(role);
    this.adminSecret.grantRead(role);
    this.sessionSecret.grantRead(role);

    role.addManagedPolicy(props.dataReadPolicy);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAppBundleAndManifest',
        actions: ['s3:GetObject'],
        resources: [
          this.bundle.asset.bucket.arnForObjects(this.bundle.asset.s3ObjectKey),
          props.dataBucket.arnForObjects(props.dataManifestKey),
        ],
      }),
    );
    // The CloudWatch agent: streams in this group only (it never creates the group, which exists).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteAppLogs',
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadModelRegistry',
        actions: ['ssm:GetParameter'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: modelRegistryParameterName(props.prefix).replace(/^\//, ''),
          }),
        ],
      }),
    );
    // Pseudo parameters (not the stack's concrete region) keep the ARN's rendering, and so the
    // acknowledgement below, the same for every configuration.
    const campaignPattern = `campaign/${personalizeResourceName(props.prefix, '*')}`;
    const campaigns = `arn:${Aws.PARTITION}:personalize:${Aws.REGION}:${Aws.ACCOUNT_ID}:${campaignPattern}`;
    // A request with a filter is authorized on the filter too (the Service Authorization
    // Reference lists filter among these actions' resource types); the controller names the
    // dataset group's filters <prefix>-<generation>-<purpose>-<hash>.
    const filterPattern = `filter/${personalizeResourceName(props.prefix, '*')}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryWorkshopCampaigns',
        actions: ['personalize:GetRecommendations', 'personalize:GetPersonalizedRanking'],
        resources: [campaigns, `arn:${Aws.PARTITION}:personalize:${Aws.REGION}:${Aws.ACCOUNT_ID}:${filterPattern}`],
      }),
    );
    // An attendee's ratings go to the dataset group's event tracker (issue 18). PutEvents names
    // the tracker by its tracking id, not an ARN, and the API reference says the caller "must
    // have permission to perform the personalize:PutEvents action with the wildcard * in the
    // Resource element"; the action writes interactions only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendRatingEvents',
        actions: ['personalize:PutEvents'],
        resources: ['*'],
      }),
    );
    // The admin page's recipe check (app-src/recommenders/arn.ts): campaign -> solution version ->
    // solution. A solution version's ARN is `solution/<solution name>/<id>`, under the solution's.
    const solutionPattern = `solution/${personalizeResourceName(props.prefix, '*')}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeWorkshopModels',
        actions: [
          'personalize:DescribeCampaign',
          'personalize:DescribeSolution',
          'personalize:DescribeSolutionVersion',
        ],
        resources: [campaigns, `arn:${Aws.PARTITION}:personalize:${Aws.REGION}:${Aws.ACCOUNT_ID}:${solutionPattern}`],
      }),
    );

    const policy = role.node.findChild('DefaultPolicy');
    acknowledge(
      policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:${campaignPattern}]`,
      `Campaigns are created by the Personalize controller after this stack, named ${personalizeResourceName(props.prefix, '')}…; the role may query only this workshop's campaigns.`,
    );
    acknowledge(
      policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:${filterPattern}]`,
      `Filters are created by the Personalize controller after this stack, named ${personalizeResourceName(props.prefix, '')}…; the role may use only this workshop's filters in its queries.`,
    );
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'personalize:PutEvents only: the API reference requires the wildcard * as its resource (the call names a tracking id, not an ARN); it appends rating events and reads nothing.',
    );
    acknowledge(
      policy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:${solutionPattern}]`,
      `Solutions and their versions are created by the Personalize controller after this stack, named ${personalizeResourceName(props.prefix, '')}…; the role may only describe them (the admin page's recipe check).`,
    );
    return role;
  }
}

/**
 * Amazon Linux 2023 for the instance type's architecture, as a launch template ImageId of the form
 * `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-<arch>`: EC2 reads the
 * public parameter when it launches an instance, not CloudFormation at deploy time.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html
 *
 * So the template is the same whatever AWS has published, and a new Amazon Linux release never
 * replaces the running instances on a deploy (with `latestAmazonLinux2023()` the template
 * parameter resolved to a new AMI id, a new launch template version, and a replacement each
 * time). New instances (scale-out, replacement of an unhealthy one, a replacing update after an
 * intended change) start from the newest image. Synth needs no lookup and no account, unlike
 * `cachedInContext`, which fails under `--no-lookups` until cdk.context.json holds an AMI id.
 */
function amazonLinux2023ResolvedAtLaunch(instanceType: ec2.InstanceType): ec2.IMachineImage {
  const cpuType =
    instanceType.architecture === ec2.InstanceArchitecture.ARM_64
      ? ec2.AmazonLinuxCpuType.ARM_64
      : ec2.AmazonLinuxCpuType.X86_64;
  return ec2.MachineImage.resolveSsmParameterAtLaunch(
    ec2.AmazonLinux2023ImageSsmParameter.ssmParameterName({
      cpuType,
      kernel: ec2.AmazonLinux2023Kernel.KERNEL_6_1,
    }),
    {
      os: ec2.OperatingSystemType.LINUX,
    },
  );
}

/** Checks the props before anything is created (tokens are skipped). */
function validateWebTierProps(props: WebTierProps): void {
  const problems: string[] = [];
  if (!Number.isInteger(props.minInstances) || props.minInstances < 1) {
    problems.push(`minInstances must be a whole number of at least 1, got ${props.minInstances}`);
  }
  if (!Number.isInteger(props.maxInstances) || props.maxInstances < props.minInstances) {
    problems.push(
      `maxInstances must be a whole number of at least minInstances (${props.minInstances}), got ${props.maxInstances}`,
    );
  }
  if (props.readinessTimeout) problems.push(...readinessTimeoutProblems(props.readinessTimeout));
  if (problems.length) throw new Error(`WebTier: ${problems.join('; ')}`);
}
