/**
 * `movierecs leftovers` against an account made of stand-ins: aws-sdk-client-mock for
 * CloudFormation, S3, CloudWatch Logs, RDS, Secrets Manager, SSM and EC2, and the simulated
 * Personalize holding this workshop's pipeline and another copy's.
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
import { cli } from './helpers';

const ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const notFound = (name: string) =>
  Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

interface Account {
  stacks?: string[];
  snapshots?: { id: string; prefix: string }[];
  logGroups?: { name: string; prefix?: string; storedBytes: number }[];
  secrets?: { name: string; prefix: string; deleted?: boolean }[];
  buckets?: { name: string; prefix?: string; objects: number }[];
}

/** An account: the stand-in clients, what was deleted, and the Personalize simulation. */
async function account(state: Account, pipelines: string[] = []) {
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

describe('movierecs leftovers', () => {
  it('a clean account: nothing left, exit 0', async () => {
    const { deps } = await account({});
    const run = await cli(['leftovers'], { leftovers: deps });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('nothing of MovieRecs is left in us-east-1');
  });

  it("finds a planted snapshot, log group, secret and a live pipeline; ignores another prefix's; exit 1", async () => {
    const { deps } = await account(
      {
        snapshots: [
          { id: 'movierecs-web-databaseinstance-final', prefix: 'MovieRecs' },
          { id: 'demo-web-databaseinstance-final', prefix: 'Demo' },
        ],
        logGroups: [
          { name: 'MovieRecs-Web-SiteLogsBCCC85C3-Ab12', prefix: 'MovieRecs', storedBytes: 4096 },
          { name: 'MovieRecs-notes', storedBytes: 0 },
          { name: 'MovieRecsTwo-Web-SiteLogs-Zz', prefix: 'MovieRecsTwo', storedBytes: 4096 },
          { name: 'Demo-Web-SiteLogs-Yy', prefix: 'Demo', storedBytes: 4096 },
        ],
        secrets: [
          { name: 'SiteAdminPassword-x', prefix: 'MovieRecs', deleted: true },
          { name: 'DemoAdminPassword-y', prefix: 'Demo' },
        ],
        buckets: [
          { name: 'movierecs-data-databucket-1a2b', prefix: 'MovieRecs', objects: 3 },
          { name: 'someone-elses-bucket', objects: 5 },
          { name: 'demo-data-databucket-3c4d', prefix: 'Demo', objects: 2 },
        ],
      },
      ['MovieRecs', 'Demo'],
    );
    const run = await cli(['leftovers'], { leftovers: deps });
    expect(run.code).toBe(1);
    const out = run.stdout;
    if (process.env.SHOW_LEFTOVERS) console.log(out);
    expect(out).toContain('BILLS RDS snapshot: movierecs-web-databaseinstance-final (20 GB, taken 2026-11-20');
    expect(out).toContain(
      'remove: aws rds delete-db-snapshot --db-snapshot-identifier movierecs-web-databaseinstance-final --region us-east-1   [--delete removes it]',
    );
    expect(out).toContain('BILLS CloudWatch log group: MovieRecs-Web-SiteLogsBCCC85C3-Ab12 (4 KB stored)');
    expect(out).toMatch(
      / {6}CloudWatch log group: MovieRecs-notes \(0 KB stored; not tagged movierecs:prefix=MovieRecs: named like ours, not deleted by the kit\)\n.*remove: aws logs delete-log-group --log-group-name MovieRecs-notes --region us-east-1\n/,
    );
    expect(out).toContain(
      '      Secrets Manager secret: SiteAdminPassword-x (scheduled for deletion (since 2026-11-26))',
    );
    expect(out).toMatch(/BILLS Personalize campaign: arn:aws:personalize:us-east-1:123456789012:campaign\/MovieRecs-/);
    expect(out).toContain('remove: npx movierecs leftovers --delete -c prefix=MovieRecs -c region=us-east-1');
    expect(out).toContain('BILLS S3 bucket: movierecs-data-databucket-1a2b (3 objects, 6 KB)');
    expect(out).toContain(
      'remove: aws s3 rb s3://movierecs-data-databucket-1a2b --force --region us-east-1   [--delete removes it]',
    );
    expect(out).not.toMatch(/Demo|MovieRecsTwo|someone-elses|demo-data/);
    expect(out.trim().split('\n').at(-1)).toMatch(/^\d+ item\(s\) of MovieRecs left in us-east-1, 6 of them billing$/);
  });

  it('--delete --yes removes what is proven ours, tears Personalize down, and ends clean (exit 0)', async () => {
    const { deps, deleted, sim } = await account(
      {
        snapshots: [
          { id: 'movierecs-final', prefix: 'MovieRecs' },
          { id: 'demo-final', prefix: 'Demo' },
        ],
        logGroups: [
          { name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 4096 },
          { name: 'MovieRecs-notes', storedBytes: 0 },
        ],
        secrets: [{ name: 'SiteAdminPassword-x', prefix: 'MovieRecs' }],
        buckets: [
          { name: 'movierecs-logs', prefix: 'MovieRecs', objects: 2 },
          { name: 'demo-logs', prefix: 'Demo', objects: 2 },
        ],
      },
      ['MovieRecs', 'Demo'],
    );
    const run = await cli(['leftovers', '--delete', '--yes'], { leftovers: deps });
    expect(deleted.sort()).toEqual([
      '2 objects of movierecs-logs',
      'bucket movierecs-logs',
      'log group MovieRecs-Web-SiteLogs-Ab12',
      `secret ${ARN('secretsmanager', 'secret:SiteAdminPassword-x')}`,
      'snapshot movierecs-final',
    ]);
    expect(run.stdout).toContain('Personalize: torn down');
    const groups = (await sim.list('datasetGroup')).map((g) => g.name);
    expect(groups).toEqual(['Demo-movies']);
    const after = run.stdout.slice(run.stdout.indexOf('after --delete:'));
    expect(after).toContain('CloudWatch log group: MovieRecs-notes');
    expect(after).not.toContain('BILLS');
    expect(run.code).toBe(0);
  });

  it('while a stack exists: cdk destroy first, nothing deletable, exit 1', async () => {
    const { deps } = await account(
      {
        stacks: ['MovieRecs-Web'],
        logGroups: [{ name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 1 }],
      },
      [],
    );
    const run = await cli(['leftovers', '--delete', '--yes'], { leftovers: deps });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'BILLS CloudFormation stack: MovieRecs-Web (DELETE_FAILED: holds resources that bill)',
    );
    expect(run.stdout).toContain(
      'remove: npx cdk destroy --all -c prefix=MovieRecs -c region=us-east-1 (again: it resumes)',
    );
    expect(run.stdout).not.toContain('[--delete removes it]');
    expect(run.stdout).toContain(
      "--delete: nothing here is both proven this workshop's and safe to remove without its stacks",
    );
  });

  it('--delete asks first: on no terminal it needs --yes (exit 2); a "no" deletes nothing', async () => {
    const { deps, deleted } = await account({ snapshots: [{ id: 'movierecs-final', prefix: 'MovieRecs' }] });
    const noTerminal = await cli(['leftovers', '--delete'], { leftovers: { ...deps, confirm: undefined } });
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--delete asks before deleting; on no terminal, add --yes to confirm');
    const questions: string[] = [];
    const declined = await cli(['leftovers', '--delete'], {
      leftovers: { ...deps, confirm: async (q) => (questions.push(q), false) },
    });
    expect(questions).toEqual(['Delete 1 item(s) of MovieRecs in us-east-1?']);
    expect(declined.stdout).toContain('nothing deleted');
    expect(declined.code).toBe(1);
    expect(deleted).toEqual([]);
  });

  it('no credentials: says what to do, once, exit 1', async () => {
    const { deps } = await account({});
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const failing = {
      ...deps,
      clients: () => {
        const clients = deps.clients('us-east-1');
        for (const client of [
          clients.cloudformation,
          clients.s3,
          clients.logs,
          clients.rds,
          clients.secrets,
          clients.ssm,
          clients.ec2,
        ]) {
          mockClient(client as never)
            .onAnyCommand()
            .rejects(error);
        }
        return { ...clients, personalize: { ...clients.personalize, list: () => Promise.reject(error) } as never };
      },
    };
    const run = await cli(['leftovers'], { leftovers: failing });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'movierecs leftovers: no AWS credentials found: run aws configure (or aws sso login --profile <name> and set AWS_PROFILE), then try again\n',
    );
  });
});
