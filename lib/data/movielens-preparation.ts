import * as path from 'node:path';
import { Aws, CfnOutput, CustomResource, Duration, Lazy, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { MovieLensEdition, TimestampShift } from '../config';
import { acknowledge, arnPlaceholder } from '../policy-checks';
import { RuntimeFunction } from '../runtime-function';
import { DATA_KEY_PREFIXES } from '../shared/names';
import { TRANSFORM_VERSION } from './movielens/prepare';

/**
 * Below the provider framework's own 15 minutes: a handler that runs out of time is then reported
 * by the framework, as a failed resource with the reason.
 */
export const HANDLER_TIMEOUT = Duration.minutes(14);
/**
 * How long CloudFormation waits for the framework's answer (its default is an hour): a minute past
 * the framework function's 15-minute limit, so even an answer that never comes fails in minutes.
 */
export const SERVICE_TIMEOUT = Duration.minutes(16);
/** The output of a consumer stack that names the revision (`<edition>/<settings id>/`) it was deployed with. */
export const DATA_REVISION_OUTPUT = 'DataRevision';

export interface MovieLensPreparationProps {
  /** The data bucket the prepared files are written to. */
  readonly bucket: s3.IBucket;
  readonly edition: MovieLensEdition;
  /** Where `<edition>.zip` is downloaded from. */
  readonly baseUrl: string;
  /** Ratings strictly above it become interactions. */
  readonly positiveRatingThreshold: number;
  readonly timestampShift: TimestampShift;
  /**
   * Count and skip malformed lines instead of failing.
   * @default false
   */
  readonly skipBadLines?: boolean;
  /**
   * How long the handler's logs are kept (the log group is deleted with the stack).
   * @default - one month
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Prepares MovieLens inside AWS at deploy time: a custom resource whose handler downloads the
 * edition from GroupLens, streams it through the transform and writes the Personalize CSVs, the
 * web load files and a manifest to the data bucket. The same settings give the same keys, so a
 * redeploy with unchanged settings does no work.
 *
 * Files of an earlier revision are deleted by a later deployment, and only once neither the Data
 * stack (its revision and the one it replaces) nor a consumer stack (see `addConsumerStack`) uses
 * them; deleting the resource deletes no file (the bucket's auto-delete empties it with the stack).
 */
export class MovieLensPreparation extends Construct {
  readonly handler: RuntimeFunction;
  readonly resource: CustomResource;
  private readonly consumerStacks: string[] = [];
  private consumerStatement?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: MovieLensPreparationProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.handler = new RuntimeFunction(this, 'Handler', {
      description: 'Prepares MovieLens for Amazon Personalize and the web database',
      entry: path.join(__dirname, 'movielens', 'handler.ts'),
      handler: 'onEvent',
      // ml-25m: a 235-262 MB zip, 25 million ratings read twice, ~1 GB written; measured locally
      // at 26 s and 180 MB peak RSS, so this leaves room for Lambda's fraction of a CPU.
      memorySize: 1024,
      timeout: HANDLER_TIMEOUT,
      ephemeralStorageSize: Size.gibibytes(2),
      logRetention,
    });
    this.grantOwnPrefixes(props.bucket);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      serviceTimeout: SERVICE_TIMEOUT,
      resourceType: 'Custom::MovieLensPreparation',
      properties: {
        Bucket: props.bucket.bucketName,
        Edition: props.edition,
        BaseUrl: props.baseUrl,
        PositiveRatingThreshold: String(props.positiveRatingThreshold),
        TimestampShift: JSON.stringify(props.timestampShift),
        SkipBadLines: String(props.skipBadLines ?? false),
        TransformVersion: String(TRANSFORM_VERSION),
        ConsumerStacks: Lazy.list({ produce: () => this.consumerStacks }),
        RevisionOutput: DATA_REVISION_OUTPUT,
      },
    });

    const frameworkFunction = provider.node.findChild('framework-onEvent');
    acknowledge(
      frameworkFunction.node.findChild('ServiceRole'),
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The custom-resource framework function of aws-cdk-lib only writes its own logs; AWSLambdaBasicExecutionRole is exactly that.',
    );
    acknowledge(
      frameworkFunction.node.findChild('ServiceRole').node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'The framework invokes the preparation handler, any version of it; the wildcard is the version qualifier of that one function.',
    );
  }

  /** Writes, reads and deletes under `personalize/` and `web/` of the data bucket, nothing else. */
  private grantOwnPrefixes(bucket: s3.IBucket): void {
    const prefixes = [DATA_KEY_PREFIXES.personalize, DATA_KEY_PREFIXES.web];
    const objects = prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WritePreparedFiles',
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: objects,
      }),
    );
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListPreparedFiles',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
      }),
    );
    const role = this.handler.role;
    if (!role) throw new Error('The preparation handler has no role');
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::${arnPlaceholder(bucket)}/${DATA_KEY_PREFIXES.personalize}*]`,
      'The handler writes the Personalize CSVs and manifest under personalize/<edition>/<settings id>/; the keys derive from settings at run time.',
    );
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::${arnPlaceholder(bucket)}/${DATA_KEY_PREFIXES.web}*]`,
      'The handler writes the web database load files under web/<edition>/<settings id>/; the keys derive from settings at run time.',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The handler's role writes only its own logs through this AWS policy; its data access is the inline policy scoped to two prefixes.",
    );
  }

  /**
   * Declares a stack that reads the prepared files: it gets a `DataRevision` output, the revision
   * it is deployed with (resolved when that stack deploys, so after a failed update rolls back it
   * still names the revision its resources use), and the handler, which may read exactly that
   * stack's description, keeps that revision's files while the output names it.
   */
  addConsumerStack(consumer: Stack): CfnOutput {
    if (consumer === Stack.of(this))
      throw new Error(`${consumer.stackName} holds the preparation; it is not a consumer`);
    const name = consumer.stackName;
    if (this.consumerStacks.includes(name)) throw new Error(`${name} is already a consumer of the prepared data`);
    this.consumerStacks.push(name);

    // DescribeStacks by name is authorised on the stack's ARN, whose last part is a stack id.
    const stackArn = `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stack/${name}/*`;
    if (this.consumerStatement) {
      this.consumerStatement.addResources(stackArn);
    } else {
      this.consumerStatement = new iam.PolicyStatement({
        sid: 'ReadConsumerRevisions',
        actions: ['cloudformation:DescribeStacks'],
        resources: [stackArn],
      });
      this.handler.addToRolePolicy(this.consumerStatement);
    }
    const role = this.handler.role;
    if (!role) throw new Error('The preparation handler has no role');
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${name}/*]`,
      `The handler reads the ${DATA_REVISION_OUTPUT} output of ${name} before deleting an old revision; the wildcard is the id CloudFormation gives that one stack.`,
    );

    return new CfnOutput(consumer, DATA_REVISION_OUTPUT, {
      description:
        'The prepared data (edition/settings id) this stack was deployed with; the Data stack keeps its files while this says so',
      value: this.attribute('KeyBase'),
    });
  }

  /** An attribute the handler returns (keys, counts). */
  attribute(
    name:
      | 'InteractionsKey'
      | 'ItemsKey'
      | 'UsersKey'
      | 'ManifestKey'
      | 'WebMoviesKey'
      | 'WebUsersKey'
      | 'WebRatingsKey'
      | 'Interactions'
      | 'KeyBase',
  ): string {
    return this.resource.getAttString(name);
  }
}
