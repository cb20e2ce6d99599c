/**
 * The real CLI, as users run it: `npx cdk synth` offline with no AWS credentials. Slower than the
 * other infra tests (it starts the CLI), so it holds only what they cannot show.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWorkshop, REPO_ROOT, synthOrExplain } from './helpers';

/** The environment without anything that could reach or identify an AWS account. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CDK_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function cdk(args: string[]) {
  return spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), args, {
    cwd: REPO_ROOT,
    env: offlineEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
}

test('cdk synth --no-lookups writes three templates, identical to the ones the tests build', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-cli-'));
  const result = cdk(['synth', '--no-lookups', '-q', '-o', outdir]);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

  const templates = fs
    .readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .sort();
  expect(templates).toEqual([
    'MovieRecs-Data.template.json',
    'MovieRecs-Personalize.template.json',
    'MovieRecs-Web.template.json',
  ]);

  const built = buildWorkshop();
  const assembly = synthOrExplain(built);
  for (const file of templates) {
    const fromCli = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    const fromTests = assembly.getStackByName(file.replace('.template.json', '')).template;
    expect(fromTests).toEqual(fromCli);
  }
});

test('a bad config fails synth with one message naming every problem, and no stack trace', () => {
  const result = cdk([
    'synth',
    '--no-lookups',
    '-q',
    '-c',
    'natGateways=-1',
    '-c',
    'instanceType=banana',
    '-c',
    'solutions=[{"name":"Recs","type":"recommend","recipe":"aws-hrnn","campaignMinTps":1}]',
  ]);
  expect(result.status).not.toBe(0);
  const output = result.stderr + result.stdout;
  expect(output).toMatch(/Invalid workshop configuration .* 3 problems:/);
  expect(output).toMatch(/natGateways: got -1; must be a whole number from 1 to 2/);
  expect(output).toMatch(/instanceType: got "banana"; must be an EC2 instance type/);
  expect(output).toMatch(
    /solutions\[0\]\.recipe: got "aws-hrnn"; Amazon Personalize retired the HRNN recipes.*aws-user-personalization-v2/,
  );
  expect(output).not.toMatch(/\n\s+at .*\(.*\.ts:\d+:\d+\)/);
});
