/**
 * `movierecs leftovers` against an account made of stand-ins: aws-sdk-client-mock for
 * CloudFormation, S3, CloudWatch Logs, RDS, Secrets Manager, SSM and EC2, and the simulated
 * Personalize holding this workshop's pipeline and another copy's.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { account, ARN } from './account';
import { cli } from './helpers';

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
    expect(out).toContain(
      'BILLS RDS snapshot: movierecs-web-databaseinstance-final (20 GB, taken 2026-11-20; kept on purpose: retainDatabase: true keeps the final snapshot)',
    );
    expect(out).toContain(
      'remove: aws rds delete-db-snapshot --db-snapshot-identifier movierecs-web-databaseinstance-final --region us-east-1   [--delete --include-retained removes it]',
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
    // The dataset group's event tracker (issue 18): PutEvents ingestion bills.
    expect(out).toMatch(/BILLS Personalize event tracker: arn:aws:personalize:us-east-1:123456789012:event-tracker\//);
    expect(out).not.toMatch(/Demo|MovieRecsTwo|someone-elses|demo-data/);
    expect(out.trim().split('\n').at(-1)).toMatch(
      /^\d+ item\(s\) of MovieRecs left in us-east-1, 7 of them billing \(1 kept on purpose\)$/,
    );
  });

  it('--delete --yes --include-retained removes what is proven ours, tears Personalize down, and ends clean (exit 0)', async () => {
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
    const run = await cli(['leftovers', '--delete', '--yes', '--include-retained'], { leftovers: deps });
    expect(deleted.sort()).toEqual([
      '2 objects of movierecs-logs',
      'bucket movierecs-logs',
      'log group MovieRecs-Web-SiteLogs-Ab12',
      `secret ${ARN('secretsmanager', 'secret:SiteAdminPassword-x')}`,
      'snapshot movierecs-final',
    ]);
    expect(run.stdout).toContain('Personalize: torn down');
    const groups = (await sim.list('datasetGroup')).map((g) => g.name);
    expect(groups).toEqual([expect.stringMatching(/^Demo-movies-[0-9a-f]{6}$/)]);
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
    const { deps, deleted } = await account({
      logGroups: [{ name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 4096 }],
    });
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

  describe('the final snapshot retainDatabase: true keeps on purpose', () => {
    const planted = () =>
      account({
        snapshots: [
          { id: 'movierecs-final', prefix: 'MovieRecs' },
          { id: 'demo-final', prefix: 'Demo' },
        ],
        logGroups: [{ name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 4096 }],
      });

    it('--delete leaves it: still listed as billing, with --include-retained and the aws command to delete it; exit 1', async () => {
      const { deps, deleted } = await planted();
      const run = await cli(['leftovers', '--delete', '--yes'], { leftovers: deps });
      expect(deleted).toEqual(['log group MovieRecs-Web-SiteLogs-Ab12']);
      expect(run.stdout).toContain(
        '--delete keeps what was kept on purpose: RDS snapshot movierecs-final (add --include-retained to delete it too)',
      );
      const after = run.stdout.slice(run.stdout.indexOf('after --delete:'));
      expect(after).toContain(
        'BILLS RDS snapshot: movierecs-final (20 GB, taken 2026-11-20; kept on purpose: retainDatabase: true keeps the final snapshot)\n' +
          '        remove: aws rds delete-db-snapshot --db-snapshot-identifier movierecs-final --region us-east-1   [--delete --include-retained removes it]\n',
      );
      expect(after.trim().split('\n').at(-1)).toBe(
        '1 item(s) of MovieRecs left in us-east-1, 1 of them billing (1 kept on purpose)',
      );
      expect(run.code).toBe(1);
    });

    it('--delete with only the kept snapshot left asks nothing and deletes nothing', async () => {
      const { deps, deleted } = await account({ snapshots: [{ id: 'movierecs-final', prefix: 'MovieRecs' }] });
      // deps.confirm fails the run if a question is asked.
      const run = await cli(['leftovers', '--delete'], { leftovers: deps });
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(
        "--delete: nothing else here is both proven this workshop's and safe to remove without its stacks",
      );
      expect(deleted).toEqual([]);
      expect(run.code).toBe(1);
    });

    it("--delete --include-retained names it in the question, and deletes it on a yes (never another prefix's)", async () => {
      const { deps, deleted } = await planted();
      const questions: string[] = [];
      const run = await cli(['leftovers', '--delete', '--include-retained'], {
        leftovers: { ...deps, confirm: async (q) => (questions.push(q), true) },
      });
      expect(questions).toEqual([
        'Delete 2 item(s) of MovieRecs in us-east-1, including what was kept on purpose: RDS snapshot movierecs-final?',
      ]);
      expect(deleted.sort()).toEqual(['log group MovieRecs-Web-SiteLogs-Ab12', 'snapshot movierecs-final']);
      expect(run.stdout).not.toContain('--delete keeps what was kept on purpose');
      expect(run.code).toBe(0);
    });

    it('--json marks it retained', async () => {
      const { deps } = await planted();
      const run = await cli(['leftovers', '--json'], { leftovers: deps });
      const { items } = JSON.parse(run.stdout) as { items: { kind: string; retained?: boolean; bills: boolean }[] };
      expect(items.filter((i) => i.retained)).toEqual([
        expect.objectContaining({ kind: 'RDS snapshot', id: 'movierecs-final', bills: true, deletable: true }),
      ]);
    });
  });

  it.each([
    [
      ['--include-retained'],
      '--include-retained only applies with --delete; add --delete or leave --include-retained out',
    ],
    [['--yes'], '--yes only applies with --delete; add --delete or leave --yes out'],
  ])('%j without --delete is a usage error (exit 2), nothing read', async (args, message) => {
    const { deps } = await account({ snapshots: [{ id: 'movierecs-final', prefix: 'MovieRecs' }] });
    const run = await cli(['leftovers', ...args], {
      leftovers: {
        ...deps,
        clients: () => {
          throw new Error('read the account');
        },
      },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`movierecs leftovers: ${message}\n(movierecs leftovers --help for the options)\n`);
  });

  it('CloudFormation unreadable: says so, checks the rest, and deletes nothing a stack might own (exit 1)', async () => {
    const { deps, deleted } = await account({
      denied: ['cloudformation'],
      logGroups: [{ name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 4096 }],
    });
    const run = await cli(['leftovers', '--delete', '--yes'], { leftovers: deps });
    expect(run.stdout).toContain(
      '?     CloudFormation stacks: could not check: your credentials may not call cloudformation:DescribeStacks',
    );
    expect(run.stdout).toContain('BILLS CloudWatch log group: MovieRecs-Web-SiteLogs-Ab12 (4 KB stored)');
    expect(run.stdout).not.toContain('[--delete removes it]');
    expect(deleted).toEqual([]);
    expect(run.code).toBe(1);
  });

  it('a bucket whose objects refuse deletion: says which, goes on with the rest, exit 1 (no endless retry)', async () => {
    const { deps, deleted } = await account({
      buckets: [{ name: 'movierecs-logs', prefix: 'MovieRecs', objects: 2, locked: true }],
      logGroups: [{ name: 'MovieRecs-Web-SiteLogs-Ab12', prefix: 'MovieRecs', storedBytes: 4096 }],
    });
    const run = await cli(['leftovers', '--delete', '--yes'], { leftovers: deps });
    expect(run.stderr).toBe(
      'could not delete S3 bucket movierecs-logs: 2 object(s) of movierecs-logs were not deleted, e.g. web/f0.csv: AccessDenied Access Denied\n',
    );
    expect(deleted).toEqual(['log group MovieRecs-Web-SiteLogs-Ab12']);
    expect(run.stdout.slice(run.stdout.indexOf('after --delete:'))).toContain('BILLS S3 bucket: movierecs-logs');
    expect(run.code).toBe(1);
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
