/**
 * `movierecs leftovers` and `cost --running` read every page of every list and describe call: the
 * stand-in account answers one item a page and each test plants what the user must be told about
 * after another prefix's (or another name's) item, so it is on the second page. A finder that
 * reads one page misses it and the test fails.
 *
 * Not here: CloudFormation (DescribeStacks by name answers one stack, no pages), EC2
 * DescribeAddresses (no pages: every address at once), the tag reads of one resource, and
 * Personalize (the controller's port follows nextToken itself, test/personalize).
 */
import { Account, account } from './account';
import { cli } from './helpers';

const ONE_A_PAGE = 1;

describe('leftovers: what is ours on the second page is found', () => {
  it.each<[string, Account, string]>([
    [
      'S3 ListBuckets (ContinuationToken)',
      {
        buckets: [
          { name: 'someone-elses-bucket', objects: 1 },
          { name: 'movierecs-data-databucket-1a2b', prefix: 'MovieRecs', objects: 1 },
        ],
      },
      'BILLS S3 bucket: movierecs-data-databucket-1a2b (1 objects, 2 KB)',
    ],
    [
      'S3 ListObjectVersions (KeyMarker): every object counted',
      { buckets: [{ name: 'movierecs-data-databucket-1a2b', prefix: 'MovieRecs', objects: 3 }] },
      'BILLS S3 bucket: movierecs-data-databucket-1a2b (3 objects, 6 KB)',
    ],
    [
      'CloudWatch Logs DescribeLogGroups (nextToken)',
      {
        logGroups: [
          { name: 'MovieRecs-notes', storedBytes: 0 },
          { name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 4096 },
        ],
      },
      'BILLS CloudWatch log group: MovieRecs-Web-SiteLogs-Ab12 (4 KB stored)',
    ],
    [
      'RDS DescribeDBInstances (Marker)',
      {
        databases: [
          { id: 'demo-database', prefix: 'Demo' },
          { id: 'movierecs-database', prefix: 'MovieRecs' },
        ],
      },
      'BILLS RDS instance: movierecs-database (available, db.t4g.micro)',
    ],
    [
      'RDS DescribeDBSnapshots (Marker)',
      {
        snapshots: [
          { id: 'demo-final', prefix: 'Demo' },
          { id: 'movierecs-final', prefix: 'MovieRecs' },
        ],
      },
      'BILLS RDS snapshot: movierecs-final (20 GB',
    ],
    [
      'Secrets Manager ListSecrets (NextToken)',
      {
        secrets: [
          { name: 'DemoAdminPassword-y', prefix: 'Demo' },
          { name: 'SiteAdminPassword-x', prefix: 'MovieRecs' },
        ],
      },
      'BILLS Secrets Manager secret: SiteAdminPassword-x (active)',
    ],
    [
      'SSM DescribeParameters (NextToken; the first page comes back empty)',
      { parameters: [{ name: '/Demo/models' }, { name: '/MovieRecs/models', tier: 'Advanced' }] },
      'BILLS SSM parameter: /MovieRecs/models (Advanced tier)',
    ],
    [
      'EC2 DescribeNatGateways (NextToken; the first page comes back empty)',
      {
        natGateways: [
          { id: 'nat-0demo', prefix: 'Demo' },
          { id: 'nat-0ours', prefix: 'MovieRecs' },
        ],
      },
      'BILLS NAT gateway: nat-0ours (available)',
    ],
    [
      'EC2 DescribeVpcs (NextToken; the first page comes back empty)',
      {
        vpcs: [
          { id: 'vpc-0demo', prefix: 'Demo' },
          { id: 'vpc-0ours', prefix: 'MovieRecs' },
        ],
      },
      '      VPC: vpc-0ours (counts against the 5 VPCs per region)',
    ],
  ])('%s', async (_call, planted, line) => {
    const { deps } = await account({ ...planted, pageSize: ONE_A_PAGE });
    const run = await cli(['leftovers'], { leftovers: deps });
    expect(run.stdout).toContain(line);
    expect(run.stdout).not.toMatch(/Demo|demo|someone-elses/);
    // A VPC does not bill: exit 1 only for what bills.
    expect(run.code).toBe(line.startsWith('BILLS') ? 1 : 0);
  });

  it('--delete empties a bucket of many pages and deletes it', async () => {
    const { deps, deleted } = await account({
      pageSize: ONE_A_PAGE,
      buckets: [{ name: 'movierecs-logs', prefix: 'MovieRecs', objects: 3 }],
    });
    const run = await cli(['leftovers', '--delete', '--yes'], { leftovers: deps });
    expect(deleted).toEqual([
      '1 objects of movierecs-logs',
      '1 objects of movierecs-logs',
      '1 objects of movierecs-logs',
      'bucket movierecs-logs',
    ]);
    expect(run.code).toBe(0);
  });
});

describe('cost --running: what is ours on the second page is counted', () => {
  it('the database and the NAT gateway behind another prefix', async () => {
    const { deps } = await account({
      pageSize: ONE_A_PAGE,
      databases: [
        { id: 'demo-database', prefix: 'Demo' },
        { id: 'movierecs-database', prefix: 'MovieRecs' },
      ],
      natGateways: [
        { id: 'nat-0demo', prefix: 'Demo' },
        { id: 'nat-0ours', prefix: 'MovieRecs' },
      ],
    });
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 campaign(s) (at 1 TPS minimum each), 1 NAT gateway(s), 1 database(s)');
  });
});
