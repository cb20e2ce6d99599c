/**
 * `movierecs cost` against a hand computation from the price table (cli/cost/prices.ts), for the
 * default configuration and for the changes that move it.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { estimateCost, originalWorkshopPerHour } from '../../cli/cost/estimate';
import { workshopConfig } from '../../cli/config';
import { account } from './account';
import { cli } from './helpers';

describe('the default configuration, by hand', () => {
  const e = estimateCost(workshopConfig(), 3);

  it('per hour: one t4g.small, one db.t4g.micro with 20 GB gp3, one NAT gateway, the ALB with one LCU, 3 IPv4, 3 campaigns at 1 TPS, 2 secrets', () => {
    const byHand =
      0.0168 + // t4g.small
      0.016 + // db.t4g.micro
      (20 * 0.115) / 730 + // gp3
      0.045 + // NAT gateway
      0.0225 +
      0.008 + // ALB + 1 LCU
      3 * 0.005 + // public IPv4: ALB in 2 AZs, 1 NAT
      3 * 1 * 0.0556 + // campaigns
      (2 * 0.4) / 730; // secrets
    expect(e.perHour).toBeCloseTo(byHand, 10);
    expect(e.hourly.map((l) => l.item)).toEqual([
      'web instances (t4g.small)',
      'database (db.t4g.micro, PostgreSQL, single-AZ)',
      'database storage (gp3)',
      'NAT gateways',
      'application load balancer',
      'public IPv4 addresses',
      'campaign "Personal Recommendations" (aws-user-personalization-v2)',
      'campaign "Similar Items" (aws-sims)',
      'campaign "Personal Ranking" (aws-personalized-ranking-v2)',
      'secrets (database, admin password)',
    ]);
  });

  it('once: ingestion of about 1 MB and the three trainings at their wall-clock hours (45, 35, 35 min)', () => {
    const byHand = 0.0011 * 0.05 + ((45 * 60 + 35 * 60 + 35 * 60) / 3600) * 0.24;
    expect(e.once).toBeCloseTo(byHand, 10);
    expect(e.total).toBeCloseTo(3 * e.perHour + byHand, 10);
    expect(e.unpriced).toEqual([]);
  });
});

describe('what moves the figure', () => {
  it('a second NAT gateway adds its hour and its address', () => {
    const one = estimateCost(workshopConfig(), 1).perHour;
    const two = estimateCost(workshopConfig(['natGateways=2']), 1).perHour;
    expect(two - one).toBeCloseTo(0.045 + 0.005, 10);
  });

  it('campaigns bill at their minimum TPS', () => {
    const solutions = JSON.stringify([{ name: 'Similar Items', type: 'sims', recipe: 'aws-sims', campaignMinTps: 5 }]);
    const e = estimateCost(workshopConfig([`solutions=${solutions}`]), 1);
    expect(e.hourly.find((l) => l.item.startsWith('campaign'))?.perHour).toBeCloseTo(5 * 0.0556, 10);
  });

  it('ml-25m: ingestion of about 0.3 GB; training not estimated, and said so', async () => {
    const e = estimateCost(workshopConfig(['dataset=ml-25m', 'instanceType=t4g.large']), 3);
    expect(e.once).toBeCloseTo(0.3 * 0.05, 10);
    const run = await cli(['cost', '-c', 'dataset=ml-25m', '-c', 'instanceType=t4g.large']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('total once, known parts');
    expect(run.stdout).toContain('plus the training not estimated above');
  });

  it('an instance type the table does not have is named, not silently free', async () => {
    const run = await cli(['cost', '-c', 'instanceType=c7g.large']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Not in the price table (counted as $0): instance type c7g.large');
  });
});

describe('the output', () => {
  it('names the price date and the table, the lines, and the workshop total', async () => {
    const run = await cli(['cost', '--hours', '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prices of us-east-1, as of 2025-01 (cli/cost/prices.ts)');
    expect(run.stdout).toMatch(/NAT gateways +1 +\$0\.0450\/h/);
    const e = estimateCost(workshopConfig(), 3);
    expect(run.stdout).toContain(
      `A 3-hour workshop: $${e.perHour.toFixed(2)}/h x 3 h + $${e.once.toFixed(2)} once = $${e.total.toFixed(2)}`,
    );
    const json = JSON.parse((await cli(['cost', '--json'])).stdout) as { perHour: number };
    expect(json.perHour).toBeCloseTo(e.perHour, 10);
  });

  it("the original workshop's stack cost several times more per hour", () => {
    const original = originalWorkshopPerHour().reduce((a, l) => a + (l.perHour ?? 0), 0);
    expect(original).toBeCloseTo(0.2 + 0.365 + 0.09 + 0.461, 10);
    const ours = estimateCost(workshopConfig(), 1);
    const infrastructure = ours.hourly
      .filter((l) => !l.item.startsWith('campaign'))
      .reduce((a, l) => a + (l.perHour ?? 0), 0);
    expect(original / infrastructure).toBeGreaterThan(8);
  });
});

describe('--running: what the account holds now', () => {
  it('counts the live campaigns and the Web stack, and what they cost idle', async () => {
    const { deps } = await account({ stacks: ['MovieRecs-Web', 'MovieRecs-Personalize', 'MovieRecs-Data'] }, [
      'MovieRecs',
    ]);
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Running now in us-east-1: stacks MovieRecs-Data, MovieRecs-Personalize, MovieRecs-Web; 3 campaign(s) (at 1 TPS minimum each), 0 NAT gateway(s), 0 database(s)',
    );
    const web = 0.0168 + 0.0225 + 0.008 + 2 * 0.005 + (2 * 0.4) / 730;
    expect(run.stdout).toContain(`these cost about $${(3 * 0.0556 + web).toFixed(4)}/h`);
  });

  it('after destroy: nothing running', async () => {
    const { deps } = await account({});
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.stdout.trim().split('\n').at(-1)).toBe('Running now in us-east-1: nothing of MovieRecs.');
  });
  const STACKS = ['MovieRecs-Web', 'MovieRecs-Personalize', 'MovieRecs-Data'];
  const WEB_IDLE = 0.0168 + 0.0225 + 0.008 + 2 * 0.005 + (2 * 0.4) / 730;
  const DATABASE_IDLE = 0.016 + (20 * 0.115) / 730;
  const NAT_IDLE = 0.045 + 0.005;
  const refusal = (action: string) =>
    `your credentials may not call ${action} (User: arn:aws:iam::123456789012:user/presenter is not authorized to perform: ${action}); use credentials that allow it`;

  it('RDS refused: names it, counts the others, prints their totals, exit 1', async () => {
    const { deps } = await account({
      stacks: STACKS,
      databases: [{ id: 'movierecs-database', prefix: 'MovieRecs' }],
      natGateways: [{ id: 'nat-0ours', prefix: 'MovieRecs' }],
      denied: ['rds'],
    });
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `movierecs cost: could not read RDS: AccessDenied: ${refusal('rds:DescribeDBInstances')}\n`,
    );
    expect(run.stdout).toContain('A 3-hour workshop:');
    expect(run.stdout).toContain(
      'Running now in us-east-1: stacks MovieRecs-Data, MovieRecs-Personalize, MovieRecs-Web; 0 campaign(s) (at 1 TPS minimum each), 1 NAT gateway(s), 0 database(s)',
    );
    expect(run.stdout).toContain(`these cost about $${(NAT_IDLE + WEB_IDLE).toFixed(4)}/h`);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      'Not counted: RDS (could not be read, see the error output): the figures may be low.',
    );
  });

  it('CloudFormation and EC2 refused: both named, the database still counted, exit 1', async () => {
    const { deps } = await account({
      stacks: STACKS,
      databases: [{ id: 'movierecs-database', prefix: 'MovieRecs' }],
      natGateways: [{ id: 'nat-0ours', prefix: 'MovieRecs' }],
      denied: ['cloudformation', 'ec2'],
    });
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toEqual([
      `movierecs cost: could not read CloudFormation stacks: AccessDenied: ${refusal('cloudformation:DescribeStacks')}`,
      `movierecs cost: could not read EC2 (NAT gateways, Elastic IPs, VPCs): AccessDenied: ${refusal('ec2:DescribeNatGateways')}`,
      '',
    ]);
    expect(run.stdout).toContain(
      'Running now in us-east-1: stacks not read; 0 campaign(s) (at 1 TPS minimum each), 0 NAT gateway(s), 1 database(s)',
    );
    expect(run.stdout).toContain(`these cost about $${DATABASE_IDLE.toFixed(4)}/h`);
    expect(run.stdout).toContain('Not counted: CloudFormation stacks, EC2 (NAT gateways, Elastic IPs, VPCs)');
  });

  it('nothing found in what could be read is not "nothing running"', async () => {
    const { deps } = await account({ denied: ['rds'] });
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Running now in us-east-1: nothing of MovieRecs in what could be read.');
  });

  it('--json: the estimate and what was read on stdout, the unread service in "unread", exit 1', async () => {
    const { deps } = await account({ natGateways: [{ id: 'nat-0ours', prefix: 'MovieRecs' }], denied: ['rds'] });
    const run = await cli(['cost', '--running', '--json'], { leftovers: deps });
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { running: { natGateways: number; unread: unknown[] } };
    expect(json.running.natGateways).toBe(1);
    expect(json.running.unread).toEqual([
      { what: 'RDS', error: `AccessDenied: ${refusal('rds:DescribeDBInstances')}` },
    ]);
  });

  it('services it does not count are not read: refused S3, logs, secrets and SSM change nothing (exit 0)', async () => {
    const { deps } = await account({
      natGateways: [{ id: 'nat-0ours', prefix: 'MovieRecs' }],
      denied: ['s3', 'logs', 'secrets', 'ssm'],
    });
    const run = await cli(['cost', '--running'], { leftovers: deps });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('1 NAT gateway(s)');
    expect(run.code).toBe(0);
  });

  it('no credentials: said once, with what to do, exit 1', async () => {
    const { deps } = await account({});
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const clients = deps.clients('us-east-1');
    for (const client of [clients.cloudformation, clients.rds, clients.ec2]) {
      mockClient(client as never)
        .onAnyCommand()
        .rejects(noCredentials);
    }
    const personalize = { ...clients.personalize, list: () => Promise.reject(noCredentials) } as never;
    const run = await cli(['cost', '--running'], {
      leftovers: { ...deps, clients: () => ({ ...clients, personalize }) },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'movierecs cost: no AWS credentials found: run aws configure (or aws sso login --profile <name> and set AWS_PROFILE), then try again\n',
    );
  });
});
