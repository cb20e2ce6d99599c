/**
 * An AWS account made of stand-ins for the presenter's tools: aws-sdk-client-mock for
 * CloudFormation, S3, CloudWatch Logs, RDS, Secrets Manager, SSM and EC2, and the simulated
 * Personalize, optionally holding whole pipelines of some prefixes.
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
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { LeftoverDependencies } from '../../cli/commands/leftovers';
import { workshopConfig } from '../../cli/config';
import { rehearse, simulatedDesired } from '../../cli/pipeline/simulation';
import { PUBLISHED_DURATIONS, SimulatedPersonalize } from '../../lib/personalize/controller/simulated-personalize';

export const ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const notFound = (name: string) =>
  Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

export interface Account {
  stacks?: string[];
  snapshots?: { id: string; prefix: string }[];
  logGroups?: { name: string; prefix?: string; storedBytes: number }[];
  secrets?: { name: string; prefix: string; deleted?: boolean }[];
  buckets?: { name: string; prefix?: string; objects: number }[];
}

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
  const cloudformation = new CloudFormationClient({ region: 'us-east-1' });
  const cfn = mockClient(cloudformation);
  cfn.on(DescribeStacksCommand).callsFake(async ({ StackName }: { StackName: string }) => {
    if (!(state.stacks ?? []).includes(StackName)) throw notFound(StackName);
    return { Stacks: [{ StackName, StackStatus: 'DELETE_FAILED', CreationTime: new Date() }] };
  });
  const s3 = new S3Client({ region: 'us-east-1' });
  const bucket = (name: string) => (state.buckets ?? []).find((b) => b.name === name);
  mockClient(s3)
    .on(ListBucketsCommand)
    .callsFake(async () => ({ Buckets: (state.buckets ?? []).map((b) => ({ Name: b.name })) }))
    .on(GetBucketTaggingCommand)
    .callsFake(async ({ Bucket }: { Bucket: string }) => {
      const b = bucket(Bucket);
      if (!b?.prefix) throw Object.assign(new Error('The TagSet does not exist'), { name: 'NoSuchTagSet' });
      return { TagSet: [{ Key: 'movierecs:prefix', Value: b.prefix }] };
    })
    .on(ListObjectVersionsCommand)
    .callsFake(async ({ Bucket }: { Bucket: string }) => ({
      Versions: Array.from({ length: bucket(Bucket)!.objects }, (_, i) => ({
        Key: `web/f${i}.csv`,
        VersionId: 'null',
        Size: 2048,
      })),
    }))
    .on(DeleteObjectsCommand)
    .callsFake(async ({ Bucket, Delete }: { Bucket: string; Delete: { Objects: unknown[] } }) => {
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
  logsMock.on(DescribeLogGroupsCommand).callsFake(async ({ logGroupNamePrefix }: { logGroupNamePrefix: string }) => ({
    logGroups: (state.logGroups ?? [])
      .filter((g) => g.name.startsWith(logGroupNamePrefix))
      .map((g) => ({ logGroupName: g.name, arn: ARN('logs', `log-group:${g.name}:*`), storedBytes: g.storedBytes })),
  }));
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
  mockClient(rds)
    .on(DescribeDBInstancesCommand)
    .resolves({ DBInstances: [] })
    .on(DescribeDBSnapshotsCommand)
    .callsFake(async () => ({
      DBSnapshots: (state.snapshots ?? []).map((s) => ({
        DBSnapshotIdentifier: s.id,
        AllocatedStorage: 20,
        SnapshotCreateTime: new Date('2026-11-20T00:00:00Z'),
        TagList: [{ Key: 'movierecs:prefix', Value: s.prefix }],
      })),
    }))
    .on(DeleteDBSnapshotCommand)
    .callsFake(async ({ DBSnapshotIdentifier }: { DBSnapshotIdentifier: string }) => {
      deleted.push(`snapshot ${DBSnapshotIdentifier}`);
      state.snapshots = state.snapshots!.filter((s) => s.id !== DBSnapshotIdentifier);
      return {};
    });
  const secrets = new SecretsManagerClient({ region: 'us-east-1' });
  mockClient(secrets)
    .on(ListSecretsCommand)
    .callsFake(async (input: { Filters: { Key: string; Values: string[] }[] }) => {
      const wanted = input.Filters.find((f) => f.Key === 'tag-value')!.Values[0];
      return {
        SecretList: (state.secrets ?? [])
          .filter((s) => s.prefix === wanted)
          .map((s) => ({
            Name: s.name,
            ARN: ARN('secretsmanager', `secret:${s.name}`),
            Tags: [{ Key: 'movierecs:prefix', Value: s.prefix }],
            ...(s.deleted ? { DeletedDate: new Date('2026-11-26T00:00:00Z') } : {}),
          })),
      };
    })
    .on(DeleteSecretCommand)
    .callsFake(async ({ SecretId }: { SecretId: string }) => {
      deleted.push(`secret ${SecretId}`);
      state.secrets = state.secrets!.filter((s) => ARN('secretsmanager', `secret:${s.name}`) !== SecretId);
      return {};
    });
  const ssm = new SSMClient({ region: 'us-east-1' });
  mockClient(ssm).on(DescribeParametersCommand).resolves({ Parameters: [] });
  const ec2 = new EC2Client({ region: 'us-east-1' });
  mockClient(ec2)
    .on(DescribeNatGatewaysCommand)
    .resolves({ NatGateways: [] })
    .on(DescribeAddressesCommand)
    .resolves({ Addresses: [] })
    .on(DescribeVpcsCommand)
    .resolves({ Vpcs: [] });
  const deps: LeftoverDependencies = {
    clients: () => ({ cloudformation, personalize: sim, s3, logs, rds, secrets, ssm, ec2 }),
    sleep: async (ms) => sim.advance(ms),
    confirm: async () => {
      throw new Error('the test did not expect a question');
    },
  };
  return { deps, deleted, sim };
}
