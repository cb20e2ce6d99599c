/**
 * What of one workshop copy (one prefix) is still in an account and region: after
 * `cdk destroy --all` the answer should be nothing. Ownership is proven by the tag every resource
 * of the kit carries (`movierecs:prefix=<prefix>`, lib/workshop.ts; the controller tags its dataset
 * group the same) or, for names the kit chooses, by the name: a prefix holds no hyphen, so
 * `<prefix>-` never matches another copy's. Only proven items are ever deleted.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeVpcsCommand,
  EC2Client,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { names, OWNER_TAG } from '../../lib/personalize/controller/desired';
import { errorName, PersonalizePort, ResourceKind } from '../../lib/personalize/controller/port';
import { stackName } from '../../lib/shared/names';
import { describeStack } from '../aws';

export interface Leftover {
  /** e.g. "CloudFormation stack", "RDS snapshot". */
  readonly kind: string;
  readonly id: string;
  /** Whether it costs money while it exists. */
  readonly bills: boolean;
  readonly detail?: string;
  /** The command that removes it. */
  readonly removeWith: string;
  /** Set when `--delete` may remove it: proven this workshop's, and safe without a stack. */
  readonly remove?: () => Promise<void>;
}

export interface LeftoverReport {
  readonly prefix: string;
  readonly region: string;
  readonly items: readonly Leftover[];
  /** Services that could not be checked, with the reason. */
  readonly unchecked: readonly { readonly what: string; readonly error: unknown }[];
}

export interface LeftoverClients {
  readonly cloudformation: CloudFormationClient;
  readonly personalize: PersonalizePort;
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly rds: RDSClient;
  readonly secrets: SecretsManagerClient;
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
}

type Tag = { Key?: string; Value?: string };
const owned = (tags: readonly Tag[] | undefined, prefix: string) =>
  (tags ?? []).some((t) => t.Key === OWNER_TAG && t.Value === prefix);

export async function findLeftovers(prefix: string, region: string, c: LeftoverClients): Promise<LeftoverReport> {
  const destroy = `npx cdk destroy --all -c prefix=${prefix} -c region=${region}`;
  // Read first and once: while any stack exists, what it owns is removed by cdk destroy, not here.
  const stacks = await stackLeftovers(prefix, c, destroy);
  const stacksLeft = stacks.length > 0;
  const finders: [string, () => Promise<Leftover[]>][] = [
    ['Amazon Personalize', () => personalize(prefix, region, c, stacksLeft ? destroy : undefined)],
    ['S3 buckets', () => buckets(prefix, region, c, stacksLeft)],
    ['CloudWatch log groups', () => logGroups(prefix, region, c, stacksLeft)],
    ['RDS', () => rds(prefix, region, c)],
    ['Secrets Manager', () => secrets(prefix, region, c, stacksLeft)],
    ['SSM parameters', () => parameters(prefix, region, c, stacksLeft)],
    ['EC2 (NAT gateways, Elastic IPs, VPCs)', () => network(prefix, region, c, stacksLeft ? destroy : undefined)],
  ];
  const results = await Promise.all(
    finders.map(async ([what, find]) => {
      try {
        return { items: await find() };
      } catch (error) {
        return { unchecked: { what, error } };
      }
    }),
  );
  return {
    prefix,
    region,
    items: [...stacks, ...results.flatMap((r) => r.items ?? [])],
    unchecked: results.flatMap((r) => (r.unchecked ? [r.unchecked] : [])),
  };
}

async function stackLeftovers(prefix: string, c: LeftoverClients, destroy: string): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const s of ['Data', 'Personalize', 'Web'] as const) {
    const name = stackName(prefix, s);
    const status = (await describeStack(c.cloudformation, name))?.StackStatus;
    if (status) {
      found.push({
        kind: 'CloudFormation stack',
        id: name,
        bills: true,
        detail: `${status}: holds resources that bill`,
        removeWith: status === 'DELETE_FAILED' ? `${destroy} (again: it resumes)` : destroy,
      });
    }
  }
  return found;
}

/**
 * The dataset group the controller makes (`<prefix>-movies`, tagged) and everything in it that
 * bills or blocks its deletion, and the `<prefix>-…` schemas. Removing them is the controller's
 * own teardown (the same ownership checks as `cdk destroy`).
 */
async function personalize(prefix: string, region: string, c: LeftoverClients, destroy?: string): Promise<Leftover[]> {
  const port = c.personalize;
  const teardown = destroy ?? `npx movierecs leftovers --delete -c prefix=${prefix} -c region=${region}`;
  const found: Leftover[] = [];
  const group = (await port.list('datasetGroup')).find((g) => g.name === names.datasetGroup(prefix));
  if (group) {
    const tags = await port.tags(group.arn).catch((error: unknown) => {
      if (errorName(error) === 'ResourceNotFoundException') return {} as Record<string, string>;
      throw error;
    });
    const ours = tags[OWNER_TAG] === prefix;
    found.push({
      kind: 'Personalize dataset group',
      id: group.arn,
      bills: false,
      detail: `${group.status}${ours ? '' : `; NOT tagged ${OWNER_TAG}=${prefix}: not proven this workshop's, never deleted by the kit`}`,
      removeWith: ours ? teardown : 'aws personalize delete-dataset-group (after its contents), by hand',
    });
    const inside = async (kind: ResourceKind, parentArn: string) => port.list(kind, parentArn);
    const solutions = await inside('solution', group.arn);
    const campaigns = (await Promise.all(solutions.map((s) => inside('campaign', s.arn)))).flat();
    for (const campaign of campaigns) {
      found.push({
        kind: 'Personalize campaign',
        id: campaign.arn,
        bills: true,
        detail: `${campaign.status}, bills its minimum TPS every hour`,
        removeWith: teardown,
      });
    }
    for (const solution of solutions) {
      found.push({
        kind: 'Personalize solution',
        id: solution.arn,
        bills: false,
        detail: solution.status,
        removeWith: teardown,
      });
    }
    for (const [kind, label] of [
      ['filter', 'Personalize filter'],
      ['eventTracker', 'Personalize event tracker'],
      ['metricAttribution', 'Personalize metric attribution'],
      ['dataset', 'Personalize dataset'],
    ] as const) {
      for (const r of await inside(kind, group.arn)) {
        found.push({ kind: label, id: r.arn, bills: kind === 'eventTracker', detail: r.status, removeWith: teardown });
      }
    }
  }
  for (const schema of (await port.list('schema')).filter((s) => s.name.startsWith(`${prefix}-`))) {
    found.push({ kind: 'Personalize schema', id: schema.arn, bills: false, removeWith: teardown });
  }
  return found;
}

async function buckets(prefix: string, region: string, c: LeftoverClients, stacksLeft: boolean): Promise<Leftover[]> {
  const { Buckets } = await c.s3.send(new ListBucketsCommand({ BucketRegion: region }));
  const found: Leftover[] = [];
  for (const bucket of Buckets ?? []) {
    const name = bucket.Name!;
    let tags: Tag[];
    try {
      tags = (await c.s3.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? [];
    } catch (error) {
      // An untagged bucket is not the kit's; another owner's bucket may refuse the read.
      if (['NoSuchTagSet', 'NoSuchBucket', 'AccessDenied'].includes(errorName(error))) continue;
      throw error;
    }
    if (!owned(tags, prefix)) continue;
    const versions = await c.s3.send(new ListObjectVersionsCommand({ Bucket: name, MaxKeys: 1000 }));
    const objects = (versions.Versions?.length ?? 0) + (versions.DeleteMarkers?.length ?? 0);
    const bytes = (versions.Versions ?? []).reduce((sum, v) => sum + (v.Size ?? 0), 0);
    found.push({
      kind: 'S3 bucket',
      id: name,
      bills: objects > 0,
      detail: objects
        ? `${objects}${versions.IsTruncated ? '+' : ''} objects, ${Math.round(bytes / 1024)} KB${versions.IsTruncated ? '+' : ''}`
        : 'empty',
      removeWith: `aws s3 rb s3://${name} --force --region ${region}`,
      ...(stacksLeft ? {} : { remove: () => emptyAndDeleteBucket(c.s3, name) }),
    });
  }
  return found;
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key!,
      VersionId: v.VersionId,
    }));
    if (keys.length === 0) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Stack-made log groups are named `<prefix>-<stack>-…`; Lambda and Step Functions defaults too. */
async function logGroups(prefix: string, region: string, c: LeftoverClients, stacksLeft: boolean): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const namePrefix of [`${prefix}-`, `/aws/lambda/${prefix}-`, `/aws/vendedlogs/states/${prefix}-`]) {
    let nextToken: string | undefined;
    do {
      const page = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: namePrefix, nextToken }));
      for (const group of page.logGroups ?? []) {
        const arn = group.arn!.replace(/:\*$/, '');
        const { tags } = await c.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
        const ours = tags?.[OWNER_TAG] === prefix;
        found.push({
          kind: 'CloudWatch log group',
          id: group.logGroupName!,
          bills: (group.storedBytes ?? 0) > 0,
          detail: `${Math.round((group.storedBytes ?? 0) / 1024)} KB stored${ours ? '' : `; not tagged ${OWNER_TAG}=${prefix}: named like ours, not deleted by the kit`}`,
          removeWith: `aws logs delete-log-group --log-group-name ${group.logGroupName} --region ${region}`,
          ...(ours && !stacksLeft
            ? {
                remove: async () =>
                  void (await c.logs.send(new DeleteLogGroupCommand({ logGroupName: group.logGroupName! }))),
              }
            : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return found;
}

async function rds(prefix: string, region: string, c: LeftoverClients): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const { DBInstances } = await c.rds.send(new DescribeDBInstancesCommand({}));
  for (const db of DBInstances ?? []) {
    if (!owned(db.TagList, prefix)) continue;
    found.push({
      kind: 'RDS instance',
      id: db.DBInstanceIdentifier!,
      bills: true,
      detail: `${db.DBInstanceStatus}, ${db.DBInstanceClass}`,
      removeWith: `aws rds delete-db-instance --db-instance-identifier ${db.DBInstanceIdentifier} --skip-final-snapshot --region ${region}`,
    });
  }
  const { DBSnapshots } = await c.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));
  for (const snapshot of DBSnapshots ?? []) {
    if (!owned(snapshot.TagList, prefix)) continue;
    const id = snapshot.DBSnapshotIdentifier!;
    found.push({
      kind: 'RDS snapshot',
      id,
      bills: true,
      detail: `${snapshot.AllocatedStorage} GB, taken ${snapshot.SnapshotCreateTime?.toISOString().slice(0, 10) ?? '?'} (retainDatabase keeps it on purpose)`,
      removeWith: `aws rds delete-db-snapshot --db-snapshot-identifier ${id} --region ${region}`,
      remove: async () => void (await c.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }))),
    });
  }
  return found;
}

async function secrets(prefix: string, region: string, c: LeftoverClients, stacksLeft: boolean): Promise<Leftover[]> {
  const found: Leftover[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.secrets.send(
      new ListSecretsCommand({
        IncludePlannedDeletion: true,
        Filters: [
          { Key: 'tag-key', Values: [OWNER_TAG] },
          { Key: 'tag-value', Values: [prefix] },
        ],
        NextToken,
      }),
    );
    for (const secret of page.SecretList ?? []) {
      if (!owned(secret.Tags, prefix)) continue;
      const scheduled = secret.DeletedDate !== undefined;
      found.push({
        kind: 'Secrets Manager secret',
        id: secret.Name!,
        // A secret scheduled for deletion is not billed; it still holds its name until then.
        bills: !scheduled,
        detail: scheduled
          ? `scheduled for deletion (since ${secret.DeletedDate!.toISOString().slice(0, 10)})`
          : 'active',
        removeWith: `aws secretsmanager delete-secret --secret-id ${secret.ARN} --force-delete-without-recovery --region ${region}`,
        ...(stacksLeft
          ? {}
          : {
              remove: async () =>
                void (await c.secrets.send(
                  new DeleteSecretCommand({ SecretId: secret.ARN!, ForceDeleteWithoutRecovery: true }),
                )),
            }),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

async function parameters(
  prefix: string,
  region: string,
  c: LeftoverClients,
  stacksLeft: boolean,
): Promise<Leftover[]> {
  const { Parameters } = await c.ssm.send(
    new DescribeParametersCommand({
      ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [`/${prefix}/`] }],
    }),
  );
  return (Parameters ?? []).map((p) => ({
    kind: 'SSM parameter',
    id: p.Name!,
    bills: p.Tier === 'Advanced',
    detail: `${p.Tier ?? 'Standard'} tier`,
    removeWith: `aws ssm delete-parameter --name ${p.Name} --region ${region}`,
    ...(stacksLeft
      ? {}
      : { remove: async () => void (await c.ssm.send(new DeleteParameterCommand({ Name: p.Name! }))) }),
  }));
}

async function network(prefix: string, region: string, c: LeftoverClients, destroy?: string): Promise<Leftover[]> {
  const tagFilter = { Name: `tag:${OWNER_TAG}`, Values: [prefix] };
  const found: Leftover[] = [];
  const { NatGateways } = await c.ec2.send(
    new DescribeNatGatewaysCommand({
      Filter: [tagFilter, { Name: 'state', Values: ['pending', 'available', 'deleting'] }],
    }),
  );
  for (const nat of NatGateways ?? []) {
    found.push({
      kind: 'NAT gateway',
      id: nat.NatGatewayId!,
      bills: nat.State !== 'deleting',
      detail: nat.State,
      removeWith: destroy ?? `aws ec2 delete-nat-gateway --nat-gateway-id ${nat.NatGatewayId} --region ${region}`,
    });
  }
  const { Addresses } = await c.ec2.send(new DescribeAddressesCommand({ Filters: [tagFilter] }));
  for (const address of Addresses ?? []) {
    const free = !address.AssociationId;
    found.push({
      kind: 'Elastic IP',
      id: address.AllocationId!,
      bills: true,
      detail: `${address.PublicIp}${free ? ', not associated' : `, associated (${address.AssociationId})`}`,
      removeWith: destroy ?? `aws ec2 release-address --allocation-id ${address.AllocationId} --region ${region}`,
      ...(free && !destroy
        ? {
            remove: async () =>
              void (await c.ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId! }))),
          }
        : {}),
    });
  }
  const { Vpcs } = await c.ec2.send(new DescribeVpcsCommand({ Filters: [tagFilter] }));
  for (const vpc of Vpcs ?? []) {
    found.push({
      kind: 'VPC',
      id: vpc.VpcId!,
      bills: false,
      detail: 'counts against the 5 VPCs per region',
      removeWith:
        destroy ?? `aws ec2 delete-vpc --vpc-id ${vpc.VpcId} --region ${region} (after its subnets and gateways)`,
    });
  }
  return found;
}
