import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATA_KEY_PREFIXES } from '../shared/names';
import { acknowledge, arnPlaceholder } from '../policy-checks';

export interface PersonalizeAccessProps {
  /** The bucket holding the prepared data. */
  readonly bucket: s3.IBucket;
  /**
   * The key prefix Personalize may read.
   * @default - `personalize/`, where the MovieLens preparation writes the Personalize CSVs
   */
  readonly keyPrefix?: string;
}

/**
 * What Amazon Personalize needs to import our data: a bucket policy that lets the service read
 * the Personalize files, and the role Personalize assumes, both limited to this account (and,
 * for the role, to Personalize resources of this account and region) against the confused
 * deputy problem.
 */
export class PersonalizeAccess extends Construct {
  /** The role Amazon Personalize assumes for import jobs. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PersonalizeAccessProps) {
    super(scope, id);
    const keyPrefix = props.keyPrefix ?? DATA_KEY_PREFIXES.personalize;
    const objects = props.bucket.arnForObjects(`${keyPrefix}*`);
    const servicePrincipal = new iam.ServicePrincipal('personalize.amazonaws.com');
    const sourceArn = Stack.of(this).formatArn({ service: 'personalize', resource: '*' });

    // Personalize reads import files with its service principal, checked by the bucket policy. The
    // statements are the documented ones ("Giving Amazon Personalize access to Amazon S3
    // resources": s3:GetObject and s3:ListBucket for personalize.amazonaws.com), with no
    // aws:SourceAccount condition: nothing documents that the service's own S3 requests carry it,
    // and if they did not, every import would fail. The confused-deputy guard is on the role's
    // trust policy below, where Personalize documents it; objects are limited to `personalize/`.
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PersonalizeListBucket',
        principals: [servicePrincipal],
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
      }),
    );
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PersonalizeGetObjects',
        principals: [servicePrincipal],
        actions: ['s3:GetObject'],
        resources: [objects],
      }),
    );

    this.role = new iam.Role(this, 'Role', {
      description: 'Assumed by Amazon Personalize to read the prepared MovieLens files',
      assumedBy: servicePrincipal.withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': sourceArn },
      }),
      inlinePolicies: {
        ReadPreparedData: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:ListBucket'],
              resources: [props.bucket.bucketArn],
            }),
            new iam.PolicyStatement({
              actions: ['s3:GetObject'],
              resources: [objects],
            }),
          ],
        }),
      },
    });
    acknowledge(
      this.role,
      `AwsSolutions-IAM5[Resource::${arnPlaceholder(props.bucket)}/${keyPrefix}*]`,
      `Import jobs read the CSV files the MovieLens preparation writes under ${keyPrefix}; their names vary by edition, so the role reads that prefix of this one bucket.`,
    );
  }
}
