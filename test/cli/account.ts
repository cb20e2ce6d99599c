/**
 * An AWS account made of stand-ins for the presenter's tools: aws-sdk-client-mock for
 * CloudFormation, S3, CloudWatch Logs, RDS, Secrets Manager, SSM and EC2, and the simulated
 * Personalize, optionally holding whole pipelines of some prefixes.
 *
 * Every list and describe call answers in pages of `pageSize` items (all on one page when unset),
 * with the token each service uses. The stand-in pages first and filters each page after, as SSM
 * and EC2 do: a page can come back empty with more to follow. A finder that reads one page misses
 * whatever a test plants after a foreign item.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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
  Filter,
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
import { DescribeParametersCommand, ParameterStringFilter, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { LeftoverDependencies } from '../../cli/commands/leftovers';
import { workshopConfig } from '../../cli/config';
import { rehearse, simulatedDesired } from '../../cli/pipeline/simulation';
import {
  PUBLISHED_DURATIONS,
  SimulatedPersonalize,
} from '../../lib/personalize/controller/simulation/simulated-personalize';

export const ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const notFound = (name: string) =>
  Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

export interface Account {
  stacks?: string[];
  databases?: { id: string; prefix: string }[];
  snapshots?: { id: string; prefix: string }[];
  logGroups?: { name: string; prefix?: string; storedBytes: number }[];
  secrets?: { name: string; prefix: string; deleted?: boolean }[];
  /** `locked`: DeleteObjects refuses every object (AccessDenied per key, as under a bucket policy or Object Lock). */
  buckets?: { name: string; prefix?: string; objects: number; locked?: boolean }[];
  parameters?: { name: string; tier?: 'Standard' | 'Advanced' }[];
  natGateways?: { id: string; prefix: string }[];
  vpcs?: { id: string; prefix: string }[];
  /** Items per page of every list and describe call; unset: everything on one page. */
  pageSize?: number;
  /** Services whose every call is refused with AccessDenied, as for credentials without their read rights. */
  denied?: ('cloudformation' | 's3' | 'logs' | 'rds' | 'secrets' | 'ssm' | 'ec2')[];
}

/**
 * The page of `items` that `token` points at (the first when undefined) and the token of the next,
 * undefined on the last page; `keep` filters the page after it is cut, as SSM and EC2 do.
 */
function page<T>(
  items: readonly T[] | undefined,
  token: string | undefined,
  size: number | undefined,
  keep: (item: T) => boolean = () => true,
): { items: T[]; next?: string } {
  const all = items ?? [];
  const start = token === undefined ? 0 : Number(/^page-(\d+)$/.exec(token)?.[1] ?? NaN);
  if (Number.isNaN(start))
    throw Object.assign(new Error(`invalid token ${token}`), { name: 'InvalidNextTokenException' });
  const end = size ? start + size : all.length;
  return { items: all.slice(start, end).filter(keep), next: end < all.length ? `page-${end}` : undefined };
}

/** EC2's `tag:<key>` filter and the others the finder sends (`state`), as EC2 evaluates them. */
const ec2Match = (filters: Filter[] | undefined, tags: Record<string, string>, state?: string) =>
  (filters ?? []).every(({ Name, Values }) =>
    Name?.startsWith('tag:')
      ? Values?.includes(tags[Name.slice(4)])
      : Name === 'state'
        ? Values?.includes(state!)
        : true,
  );

const accessDenied = (action: string) =>
  Object.assign(new Error(`User: arn:aws:iam::123456789012:user/presenter is not authorized to perform: ${action}`), {
    name: 'AccessDenied',
  });

/** An account: the stand-in clients, what was deleted, and the Personalize simulation. */
export async function account(state: Account, pipelines: string[] = []) {
  const sim = new SimulatedPersonalize(PUBLISHED_DURATIONS);
  for (const prefix of pipelines) {
    const last = await rehearse(
      simulatedDesired(workshopConfig([`prefix=${prefix}`])),
      () => undefined,
      PUBLISHED_DURATIONS,
      undefined,
      sim,
    );
    expect(last.result.status).toBe('done');
  }
  const deleted: string[] = [];
  let refusedDeletes = 0;
  const cloudformation = new CloudFormationClient({ region: 'us-east-1' });
  const cfn = mockClient(cloudformation);
  cfn.on(DescribeStacksCommand).callsFake(async ({ StackName }: { StackName: string }) => {
    if (!(state.stacks ?? []).includes(StackName)) throw notFound(StackName);
    return { Stacks: [{ StackName, StackStatus: 'DELETE_FAILED', CreationTime: new Date() }] };
  });
  const s3 = new S3Client({ region: 'us-east-1' });
  const bucket = (name: string) => (state.buckets ?? []).find((b) => b.name === name);
  const s3Mock = mockClient(s3);
  s3Mock
    .on(ListBucketsCommand)
    .callsFake(async ({ ContinuationToken }: { ContinuationToken?: string }) => {
      const { items, next } = page(state.buckets, ContinuationToken, state.pageSize);
      return { Buckets: items.map((b) => ({ Name: b.name })), ContinuationToken: next };
    })
    .on(GetBucketTaggingCommand)
    .callsFake(async ({ Bucket }: { Bucket: string }) => {
      const b = bucket(Bucket);
      if (!b?.prefix) throw Object.assign(new Error('The TagSet does not exist'), { name: 'NoSuchTagSet' });
      return { TagSet: [{ Key: 'movierecs:prefix', Value: b.prefix }] };
    })
    .on(ListObjectVersionsCommand)
    .callsFake(async ({ Bucket, KeyMarker }: { Bucket: string; KeyMarker?: string }) => {
      const versions = Array.from({ length: bucket(Bucket)!.objects }, (_, i) => ({
        Key: `web/f${i}.csv`,
        VersionId: 'null',
        Size: 2048,
      }));
      const { items, next } = page(versions, KeyMarker, state.pageSize);
      return {
        Versions: items,
        IsTruncated: next !== undefined,
        ...(next ? { NextKeyMarker: next, NextVersionIdMarker: 'null' } : {}),
      };
    })
    .on(DeleteObjectsCommand)
    .callsFake(async ({ Bucket, Delete }: { Bucket: string; Delete: { Objects: { Key: string }[] } }) => {
      if (bucket(Bucket)!.locked) {
        // A finder that retries a refused delete would spin here for ever, starving jest's timeout.
        if (++refusedDeletes > 3) throw new Error(`DeleteObjects on ${Bucket} retried after its refusal`);
        return { Errors: Delete.Objects.map(({ Key }) => ({ Key, Code: 'AccessDenied', Message: 'Access Denied' })) };
      }
      bucket(Bucket)!.objects -= Delete.Objects.length;
      deleted.push(`${Delete.Objects.length} objects of ${Bucket}`);
      return {};
    })
    .on(DeleteBucketCommand)
    .callsFake(async ({ Bucket }: { Bucket: string }) => {
      deleted.push(`bucket ${Bucket}`);
      state.buckets = state.buckets!.filter((b) => b.name !== Bucket);
      return {};
    });
  const logs = new CloudWatchLogsClient({ region: 'us-east-1' });
  const logsMock = mockClient(logs);
  logsMock
    .on(DescribeLogGroupsCommand)
    .callsFake(async ({ logGroupNamePrefix, nextToken }: { logGroupNamePrefix: string; nextToken?: string }) => {
      const { items, next } = page(state.logGroups, nextToken, state.pageSize, (g) =>
        g.name.startsWith(logGroupNamePrefix),
      );
      return {
        logGroups: items.map((g) => ({
          logGroupName: g.name,
          arn: ARN('logs', `log-group:${g.name}:*`),
          storedBytes: g.storedBytes,
        })),
        nextToken: next,
      };
    });
  logsMock.on(ListTagsForResourceCommand).callsFake(async ({ resourceArn }: { resourceArn: string }) => {
    const group = (state.logGroups ?? []).find((g) => ARN('logs', `log-group:${g.name}`) === resourceArn);
    return { tags: group?.prefix ? { 'movierecs:prefix': group.prefix } : {} };
  });
  logsMock.on(DeleteLogGroupCommand).callsFake(async ({ logGroupName }: { logGroupName: string }) => {
    deleted.push(`log group ${logGroupName}`);
    state.logGroups = state.logGroups!.filter((g) => g.name !== logGroupName);
    return {};
  });
  const rds = new RDSClient({ region: 'us-east-1' });
  const rdsMock = mockClient(rds);
  rdsMock
    .on(DescribeDBInstancesCommand)
    .callsFake(async ({ Marker }: { Marker?: string }) => {
      const { items, next } = page(state.databases, Marker, state.pageSize);
      return {
        DBInstances: items.map((d) => ({
          DBInstanceIdentifier: d.id,
          DBInstanceStatus: 'available',
          DBInstanceClass: 'db.t4g.micro',
          TagList: [{ Key: 'movierecs:prefix', Value: d.prefix }],
        })),
        Marker: next,
      };
    })
    .on(DescribeDBSnapshotsCommand)
    .callsFake(async ({ Marker }: { Marker?: string }) => {
      const { items, next } = page(state.snapshots, Marker, state.pageSize);
      return {
        DBSnapshots: items.map((s) => ({
          DBSnapshotIdentifier: s.id,
          AllocatedStorage: 20,
          SnapshotCreateTime: new Date('2026-11-20T00:00:00Z'),
          TagList: [{ Key: 'movierecs:prefix', Value: s.prefix }],
        })),
        Marker: next,
      };
    })
    .on(DeleteDBSnapshotCommand)
    .callsFake(async ({ DBSnapshotIdentifier }: { DBSnapshotIdentifier: string }) => {
      deleted.push(`snapshot ${DBSnapshotIdentifier}`);
      state.snapshots = state.snapshots!.filter((s) => s.id !== DBSnapshotIdentifier);
      return {};
    });
  const secrets = new SecretsManagerClient({ region: 'us-east-1' });
  const secretsMock = mockClient(secrets);
  secretsMock
    .on(ListSecretsCommand)
    .callsFake(async (input: { Filters: { Key: string; Values: string[] }[]; NextToken?: string }) => {
      const wanted = input.Filters.find((f) => f.Key === 'tag-value')!.Values[0];
      const { items, next } = page(state.secrets, input.NextToken, state.pageSize, (s) => s.prefix === wanted);
      return {
        SecretList: items.map((s) => ({
          Name: s.name,
          ARN: ARN('secretsmanager', `secret:${s.name}`),
          Tags: [{ Key: 'movierecs:prefix', Value: s.prefix }],
          ...(s.deleted ? { DeletedDate: new Date('2026-11-26T00:00:00Z') } : {}),
        })),
        NextToken: next,
      };
    })
    .on(DeleteSecretCommand)
    .callsFake(async ({ SecretId }: { SecretId: string }) => {
      deleted.push(`secret ${SecretId}`);
      state.secrets = state.secrets!.filter((s) => ARN('secretsmanager', `secret:${s.name}`) !== SecretId);
      return {};
    });
  const ssm = new SSMClient({ region: 'us-east-1' });
  const ssmMock = mockClient(ssm);
  ssmMock
    .on(DescribeParametersCommand)
    .callsFake(
      async ({ ParameterFilters, NextToken }: { ParameterFilters?: ParameterStringFilter[]; NextToken?: string }) => {
        const beginsWith =
          ParameterFilters?.find((f) => f.Key === 'Name' && f.Option === 'BeginsWith')?.Values?.[0] ?? '';
        const { items, next } = page(state.parameters, NextToken, state.pageSize, (p) => p.name.startsWith(beginsWith));
        return { Parameters: items.map((p) => ({ Name: p.name, Tier: p.tier ?? 'Standard' })), NextToken: next };
      },
    );
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const ec2Mock = mockClient(ec2);
  ec2Mock
    .on(DescribeNatGatewaysCommand)
    .callsFake(async ({ Filter: filters, NextToken }: { Filter?: Filter[]; NextToken?: string }) => {
      const { items, next } = page(state.natGateways, NextToken, state.pageSize, (n) =>
        ec2Match(filters, { 'movierecs:prefix': n.prefix }, 'available'),
      );
      return { NatGateways: items.map((n) => ({ NatGatewayId: n.id, State: 'available' })), NextToken: next };
    })
    .on(DescribeAddressesCommand)
    .resolves({ Addresses: [] })
    .on(DescribeVpcsCommand)
    .callsFake(async ({ Filters: filters, NextToken }: { Filters?: Filter[]; NextToken?: string }) => {
      const { items, next } = page(state.vpcs, NextToken, state.pageSize, (v) =>
        ec2Match(filters, { 'movierecs:prefix': v.prefix }),
      );
      return { Vpcs: items.map((v) => ({ VpcId: v.id })), NextToken: next };
    });
  /** What a refusal needs of a stand-in: to forget its answers and refuse every command by name. */
  type Refusable = {
    reset(): unknown;
    send: { callsFake(fake: (command: { constructor: { name: string } }) => Promise<never>): unknown };
  };
  const stubs: Record<NonNullable<Account['denied']>[number], Refusable> = {
    cloudformation: cfn,
    s3: s3Mock,
    logs: logsMock,
    rds: rdsMock,
    secrets: secretsMock,
    ssm: ssmMock,
    ec2: ec2Mock,
  };
  for (const service of state.denied ?? []) {
    stubs[service].reset();
    stubs[service].send.callsFake(async (command) => {
      throw accessDenied(`${service}:${command.constructor.name.replace(/Command$/, '')}`);
    });
  }
  const deps: LeftoverDependencies = {
    clients: () => ({ cloudformation, personalize: sim, s3, logs, rds, secrets, ssm, ec2 }),
    sleep: async (ms) => sim.advance(ms),
    confirm: async () => {
      throw new Error('the test did not expect a question');
    },
  };
  return { deps, deleted, sim };
}
