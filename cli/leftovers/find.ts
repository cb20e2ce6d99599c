/**
 * What of one workshop copy (one prefix) is still in an account and region: after
 * `cdk destroy --all` the answer should be nothing. Ownership is proven by the tag every resource
 * of the kit carries (`movierecs:prefix=<prefix>`, lib/workshop.ts; the controller tags its dataset
 * group the same) or, for names the kit chooses, by the name: a prefix holds no hyphen, so
 * `<prefix>-` never matches another copy's. Only proven items are ever deleted.
 *
 * Every list and describe call reads all its pages: AWS answers one page at a time (RDS 100 records,
 * SSM 10 parameters, …), and where a filter is applied after paging (SSM, EC2) a first page can be
 * empty with more to come. A check that read one page would call an account clean that still bills.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  ListTagsForResourceCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeAddressesCommand,
  EC2Client,
  paginateDescribeNatGateways,
  paginateDescribeVpcs,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteDBSnapshotCommand,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  ListObjectVersionsCommand,
  ListObjectVersionsCommandOutput,
  paginateListBuckets,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteSecretCommand, paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, paginateDescribeParameters, SSMClient } from '@aws-sdk/client-ssm';
import { OWNER_TAG } from '../../lib/personalize/controller/desired';
import { isGroupOf } from '../../lib/personalize/controller/groups';
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
  /**
   * Kept on purpose: the final RDS snapshot that `retainDatabase: true` asks for. It bills, so it is
   * listed, but `--delete` removes it only when `--include-retained` names it: a presenter who
   * retained the database must not lose it behind a prompt about log groups and buckets.
   */
  readonly retained?: boolean;
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

/** The services checked besides CloudFormation (always read: it decides what is deletable). */
export type LeftoverService = 'personalize' | 's3' | 'logs' | 'rds' | 'secrets' | 'ssm' | 'ec2';

/**
 * What of `prefix` is in the account. Each service is read on its own: one that cannot be read
 * (AccessDenied, say) is reported in `unchecked` and the others are still read. `only` limits the
 * reads to the services a caller counts (`cost --running` needs no buckets, logs or parameters).
 */
export async function findLeftovers(
  prefix: string,
  region: string,
  c: LeftoverClients,
  only?: readonly LeftoverService[],
): Promise<LeftoverReport> {
  const destroy = `npx cdk destroy --all -c prefix=${prefix} -c region=${region}`;
  // Read first and once: while any stack exists, what it owns is removed by cdk destroy, not here.
  // Stacks that could not be read may exist: then nothing that a stack owns is deletable here either.
  const unchecked: { what: string; error: unknown }[] = [];
  let stacks: Leftover[] = [];
  try {
    stacks = await stackLeftovers(prefix, c, destroy);
  } catch (error) {
    unchecked.push({ what: 'CloudFormation stacks', error });
  }
  const stacksLeft = stacks.length > 0 || unchecked.length > 0;
  const finders: [LeftoverService, string, () => Promise<Leftover[]>][] = [
    ['personalize', 'Amazon Personalize', () => personalize(prefix, region, c, stacksLeft ? destroy : undefined)],
    ['s3', 'S3 buckets', () => buckets(prefix, region, c, stacksLeft)],
    ['logs', 'CloudWatch log groups', () => logGroups(prefix, region, c, stacksLeft)],
    ['rds', 'RDS', () => rds(prefix, region, c)],
    ['secrets', 'Secrets Manager', () => secrets(prefix, region, c, stacksLeft)],
    ['ssm', 'SSM parameters', () => parameters(prefix, region, c, stacksLeft)],
    [
      'ec2',
      'EC2 (NAT gateways, Elastic IPs, VPCs)',
      () => network(prefix, region, c, stacksLeft ? destroy : undefined),
    ],
  ];
  const results = await Promise.all(
    finders
      .filter(([service]) => !only || only.includes(service))
      .map(async ([, what, find]) => {
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
    unchecked: [...unchecked, ...results.flatMap((r) => (r.unchecked ? [r.unchecked] : []))],
  };
}

/** Every item of every page of a list or describe call (an SDK paginator or {@link objectVersions}). */
async function everyPage<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
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
 * The dataset groups the controller makes (`<prefix>-movies-<generation>`, tagged) and everything in them that
 * bills or blocks its deletion, and the `<prefix>-…` schemas. Removing them is the controller's
 * own teardown (the same ownership checks as `cdk destroy`).
 */
async function personalize(prefix: string, region: string, c: LeftoverClients, destroy?: string): Promise<Leftover[]> {
  const port = c.personalize;
  const teardown = destroy ?? `npx movierecs leftovers --delete -c prefix=${prefix} -c region=${region}`;
  const found: Leftover[] = [];
  // One group per generation (two while a generation change is under way).
  for (const group of (await port.list('datasetGroup')).filter((g) => isGroupOf(prefix, g.name))) {
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
  // Unpaged ListBuckets is refused on accounts whose bucket quota was raised above 10,000: page always.
  const all = await everyPage(
    paginateListBuckets({ client: c.s3, pageSize: 1000 }, { BucketRegion: region }),
    (p) => p.Buckets,
  );
  const found: Leftover[] = [];
  for (const bucket of all) {
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
    let objects = 0;
    let bytes = 0;
    for await (const page of objectVersions(c.s3, name)) {
      objects += (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
      bytes += (page.Versions ?? []).reduce((sum, v) => sum + (v.Size ?? 0), 0);
    }
    found.push({
      kind: 'S3 bucket',
      id: name,
      bills: objects > 0,
      detail: objects ? `${objects} objects, ${Math.round(bytes / 1024)} KB` : 'empty',
      removeWith: `aws s3 rb s3://${name} --force --region ${region}`,
      ...(stacksLeft ? {} : { remove: () => emptyAndDeleteBucket(c.s3, name) }),
    });
  }
  return found;
}

/**
 * Every page of a bucket's object versions and delete markers, the markers of one page leading to the
 * next (S3 offers no paginator for ListObjectVersions).
 */
async function* objectVersions(s3: S3Client, bucket: string): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000, KeyMarker, VersionIdMarker }),
    );
    yield page;
    if (!page.IsTruncated) return;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  } while (KeyMarker !== undefined);
}

/** Deletes the first page of versions until none is left (each pass lists what the last one left). */
async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key!,
      VersionId: v.VersionId,
    }));
    if (keys.length === 0) break;
    const { Errors } = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
    );
    // A refused object would be listed again on the next pass, for ever: stop and say which.
    if (Errors?.length) {
      const [first] = Errors;
      throw new Error(
        `${Errors.length} object(s) of ${bucket} were not deleted, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
      );
    }
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Stack-made log groups are named `<prefix>-<stack>-…`; Lambda and Step Functions defaults too. */
async function logGroups(prefix: string, region: string, c: LeftoverClients, stacksLeft: boolean): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const namePrefix of [`${prefix}-`, `/aws/lambda/${prefix}-`, `/aws/vendedlogs/states/${prefix}-`]) {
    const groups = await everyPage(
      paginateDescribeLogGroups({ client: c.logs }, { logGroupNamePrefix: namePrefix }),
      (p) => p.logGroups,
    );
    for (const group of groups) {
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
  }
  return found;
}

async function rds(prefix: string, region: string, c: LeftoverClients): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const instances = await everyPage(paginateDescribeDBInstances({ client: c.rds }, {}), (p) => p.DBInstances);
  for (const db of instances) {
    if (!owned(db.TagList, prefix)) continue;
    found.push({
      kind: 'RDS instance',
      id: db.DBInstanceIdentifier!,
      bills: true,
      detail: `${db.DBInstanceStatus}, ${db.DBInstanceClass}`,
      removeWith: `aws rds delete-db-instance --db-instance-identifier ${db.DBInstanceIdentifier} --skip-final-snapshot --region ${region}`,
    });
  }
  const snapshots = await everyPage(
    paginateDescribeDBSnapshots({ client: c.rds }, { SnapshotType: 'manual' }),
    (p) => p.DBSnapshots,
  );
  // The kit takes no snapshot of its own but the final one of `retainDatabase: true` (the instance
  // copies its tags to it); a tagged manual snapshot was kept on purpose, by that setting or by hand.
  for (const snapshot of snapshots) {
    if (!owned(snapshot.TagList, prefix)) continue;
    const id = snapshot.DBSnapshotIdentifier!;
    found.push({
      kind: 'RDS snapshot',
      id,
      bills: true,
      retained: true,
      detail: `${snapshot.AllocatedStorage} GB, taken ${snapshot.SnapshotCreateTime?.toISOString().slice(0, 10) ?? '?'}; kept on purpose: retainDatabase: true keeps the final snapshot`,
      removeWith: `aws rds delete-db-snapshot --db-snapshot-identifier ${id} --region ${region}`,
      remove: async () => void (await c.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }))),
    });
  }
  return found;
}

async function secrets(prefix: string, region: string, c: LeftoverClients, stacksLeft: boolean): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const list = await everyPage(
    paginateListSecrets(
      { client: c.secrets, pageSize: 100 },
      {
        IncludePlannedDeletion: true,
        Filters: [
          { Key: 'tag-key', Values: [OWNER_TAG] },
          { Key: 'tag-value', Values: [prefix] },
        ],
      },
    ),
    (p) => p.SecretList,
  );
  for (const secret of list) {
    if (!owned(secret.Tags, prefix)) continue;
    const scheduled = secret.DeletedDate !== undefined;
    found.push({
      kind: 'Secrets Manager secret',
      id: secret.Name!,
      // A secret scheduled for deletion is not billed; it still holds its name until then.
      bills: !scheduled,
      detail: scheduled ? `scheduled for deletion (since ${secret.DeletedDate!.toISOString().slice(0, 10)})` : 'active',
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
  return found;
}

async function parameters(
  prefix: string,
  region: string,
  c: LeftoverClients,
  stacksLeft: boolean,
): Promise<Leftover[]> {
  // SSM filters each page after reading it: a page can come back empty with more to follow.
  const list = await everyPage(
    paginateDescribeParameters(
      { client: c.ssm, pageSize: 50 },
      { ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [`/${prefix}/`] }] },
    ),
    (page) => page.Parameters,
  );
  return list.map((p) => ({
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
  const natGateways = await everyPage(
    paginateDescribeNatGateways(
      { client: c.ec2 },
      { Filter: [tagFilter, { Name: 'state', Values: ['pending', 'available', 'deleting'] }] },
    ),
    (p) => p.NatGateways,
  );
  for (const nat of natGateways) {
    found.push({
      kind: 'NAT gateway',
      id: nat.NatGatewayId!,
      bills: nat.State !== 'deleting',
      detail: nat.State,
      removeWith: destroy ?? `aws ec2 delete-nat-gateway --nat-gateway-id ${nat.NatGatewayId} --region ${region}`,
    });
  }
  // DescribeAddresses has no pages: it answers every address of the region at once.
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
  const vpcs = await everyPage(paginateDescribeVpcs({ client: c.ec2 }, { Filters: [tagFilter] }), (p) => p.Vpcs);
  for (const vpc of vpcs) {
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
