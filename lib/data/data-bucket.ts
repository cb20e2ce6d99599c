import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, arnPlaceholder } from '../policy-checks';

export interface DataBucketProps {
  /**
   * How long non-current object versions and incomplete uploads are kept.
   * @default - one day: every object can be rebuilt from MovieLens by the preparation step
   */
  readonly incompleteUploadExpiry?: Duration;
}

/**
 * The bucket that holds the prepared MovieLens data (Personalize CSVs and web load files), with
 * its server access logs in a second bucket. Both are encrypted, TLS-only, closed to the public
 * and emptied and deleted with the stack: nothing here is original, so nothing is kept.
 */
export class DataBucket extends Construct {
  /** The data bucket. */
  readonly bucket: s3.Bucket;
  /** Server access logs of the data bucket. */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps = {}) {
    super(scope, id);
    const expiry = props.incompleteUploadExpiry ?? Duration.days(1);

    this.accessLogsBucket = createClosedBucket(this, 'AccessLogs', {
      lifecycleRules: [{ expiration: Duration.days(30) }],
    });

    this.bucket = createClosedBucket(this, 'Bucket', {
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: expiry }],
    });
  }

  /**
   * A managed policy that reads the objects under `keyPrefix` (and lists that prefix). Other
   * stacks attach it to their roles, so the policy, and the reason it holds a wildcard, stay
   * beside the bucket they describe.
   */
  createReadPolicy(id: string, keyPrefix: string, reason: string): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, id, {
      description: `Read ${keyPrefix} in the workshop data bucket`,
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [this.bucket.arnForObjects(`${keyPrefix}*`)],
        }),
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${keyPrefix}*`] } },
        }),
      ],
    });
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${arnPlaceholder(this.bucket)}/${keyPrefix}*]`, reason);
    return policy;
  }
}

/** Encrypted, TLS-only, private, owner-enforced, and removed with the stack. */
export function closedBucketDefaults(): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  };
}

/**
 * A bucket with `closedBucketDefaults()` (plus `props`), whose auto-delete provider logs into a log
 * group deleted with the stack (see `manageProviderLogs`).
 */
export function createClosedBucket(scope: Construct, id: string, props: s3.BucketProps = {}): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, { ...closedBucketDefaults(), ...props });
  if (bucket.node.tryFindChild('AutoDeleteObjectsCustomResource')) {
    manageProviderLogs(scope, 'Custom::S3AutoDeleteObjects');
  }
  return bucket;
}

/** How long the logs of aws-cdk-lib's singleton providers are kept (as our own functions' logs). */
export const PROVIDER_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * Gives the stack's singleton provider of `resourceType` (e.g. `Custom::S3AutoDeleteObjects`, which
 * `autoDeleteObjects: true` adds, or `Custom::VpcRestrictDefaultSG`) a log group that expires and
 * is deleted with the stack. Without it Lambda creates `/aws/lambda/<function name>` on the first
 * invocation: never expiring, unknown to CloudFormation, left behind by every deploy/destroy.
 *
 * The provider is found in the construct tree, where aws-cdk-lib's `CustomResourceProvider`
 * singleton puts it: `<stack>/<resourceType>CustomResourceProvider`, its function `Handler` (a
 * plain `AWS::Lambda::Function` CfnResource; see core/lib/custom-resource-provider/
 * custom-resource-provider-base.ts). Its `LoggingConfig.LogGroup` is pointed at the new group:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-loggingconfig.html
 * That reference makes CloudFormation create the group before the function and delete it after
 * the function; every custom resource that invokes the function refers to it through its
 * ServiceToken, so it is deleted (its handler runs and logs) before the function and the group.
 *
 * Idempotent: call it after each construct that may have created the provider.
 */
export function manageProviderLogs(scope: IConstruct, resourceType: string): logs.LogGroup {
  const stack = Stack.of(scope);
  const provider = stack.node.tryFindChild(`${resourceType}CustomResourceProvider`);
  const handler = provider?.node.tryFindChild('Handler');
  if (!provider || !(handler instanceof CfnResource) || handler.cfnResourceType !== 'AWS::Lambda::Function') {
    throw new Error(
      `${stack.stackName}: no ${resourceType} provider function where aws-cdk-lib puts it ` +
        `(${resourceType}CustomResourceProvider/Handler); has aws-cdk-lib moved it?`,
    );
  }
  const existing = provider.node.tryFindChild('Logs');
  if (existing instanceof logs.LogGroup) return existing;
  const logGroup = new logs.LogGroup(provider, 'Logs', {
    retention: PROVIDER_LOG_RETENTION,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  return logGroup;
}
