import { RemovalPolicy, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
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

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...closedBucketDefaults(),
      lifecycleRules: [{ expiration: Duration.days(30) }],
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...closedBucketDefaults(),
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
