import {
  DEFAULT_CONFIG,
  DEFAULT_FILTERS,
  loadWorkshopConfig,
  parseWorkshopConfig,
  PERSONALIZE_REGIONS,
  SETTING_NAMES,
  solutionSlug,
  WorkshopConfigError,
} from '../../lib/config';
import { instanceMemoryGiB } from '../../lib/shared/instance-memory';
import { cdkJsonContext } from './helpers';

/** The problems reported for `raw`, or fails if the config is accepted. */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseWorkshopConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkshopConfigError);
    return [...(error as WorkshopConfigError).problems];
  }
  throw new Error(`config was accepted: ${JSON.stringify(raw)}`);
}

/** Expects exactly one problem, on `setting`, quoting the value and matching `allowed`. */
function expectOneProblem(raw: Record<string, unknown>, setting: string, value: string, allowed: RegExp): void {
  const problems = problemsOf(raw);
  expect(problems).toHaveLength(1);
  expect(problems[0].startsWith(`${setting}: got ${value};`)).toBe(true);
  expect(problems[0]).toMatch(allowed);
}

/** Expects exactly these problem lines, word for word. */
function expectProblems(raw: Record<string, unknown>, expected: string[]): void {
  expect(problemsOf(raw)).toEqual(expected);
}

/** Expects `raw` to be accepted. */
function accepts(raw: Record<string, unknown>): void {
  expect(() => parseWorkshopConfig(raw)).not.toThrow();
}

describe('defaults', () => {
  test('an empty config takes every default', () => {
    const config = parseWorkshopConfig({});
    expect(config).toMatchObject({
      prefix: 'MovieRecs',
      region: 'us-east-1',
      natGateways: 1,
      instanceType: 't4g.small',
      minInstances: 1,
      maxInstances: 2,
      dbInstanceClass: 'db.t4g.micro',
      retainDatabase: false,
      allowedCidr: '0.0.0.0/0',
      dataset: 'ml-100k',
      positiveRatingThreshold: 3.6,
      timestampShift: { kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' },
      waitForModels: false,
      pipelineRun: '',
    });
    expect(config.account).toBeUndefined();
    expect(config.certificateArn).toBeUndefined();
    expect(config.solutions.map((s) => [s.recipe, s.type, s.campaignMinTps])).toEqual([
      ['aws-user-personalization-v2', 'recommend', 1],
      ['aws-sims', 'sims', 1],
      ['aws-personalized-ranking-v2', 'ranking', 1],
    ]);
  });

  test('cdk.json holds a valid config equal to the defaults', () => {
    const config = loadWorkshopConfig((key) => cdkJsonContext()[key]);
    expect(config).toEqual(parseWorkshopConfig({}));
  });

  test('the config is frozen, nested lists included', () => {
    const config = parseWorkshopConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.solutions)).toBe(true);
    expect(Object.isFrozen(config.solutions[0])).toBe(true);
    expect(() => {
      (config as { prefix: string }).prefix = 'Other';
    }).toThrow(TypeError);
  });

  test('a solution without campaignMinTps gets 1', () => {
    const config = parseWorkshopConfig({
      solutions: [{ name: 'Top', type: 'recommend', recipe: 'aws-popularity-count' }],
    });
    expect(config.solutions[0].campaignMinTps).toBe(1);
  });
});

describe('one rule each', () => {
  test('prefix', () => {
    expectOneProblem({ prefix: '9lives' }, 'prefix', '"9lives"', /starting with a letter/);
    expectOneProblem({ prefix: 'A'.repeat(21) }, 'prefix', `"${'A'.repeat(21)}"`, /1-20/);
    expectOneProblem({ prefix: 'Movie_Recs' }, 'prefix', '"Movie_Recs"', /1-20 letters or digits/);
  });

  test("prefix holds no hyphen: one copy's names (and IAM grants, <prefix>-*) never start another's", () => {
    expectOneProblem(
      { prefix: 'Movie-Test' },
      'prefix',
      '"Movie-Test"',
      /no hyphen, so that one copy's names never start another's/,
    );
    expect(parseWorkshopConfig({ prefix: 'MovieTest2' }).prefix).toBe('MovieTest2');
  });

  test('pipelineRun: any short label, empty by default', () => {
    expect(parseWorkshopConfig({}).pipelineRun).toBe('');
    expect(parseWorkshopConfig({ pipelineRun: 'rerun-2026.11.26' }).pipelineRun).toBe('rerun-2026.11.26');
    expectOneProblem(
      { pipelineRun: 'a b' },
      'pipelineRun',
      '"a b"',
      /any new value runs the Personalize pipeline again/,
    );
    expectOneProblem({ pipelineRun: 'x'.repeat(41) }, 'pipelineRun', `"${'x'.repeat(41)}"`, /up to 40/);
  });

  test('region must offer Personalize', () => {
    expectOneProblem(
      { region: 'eu-north-1' },
      'region',
      '"eu-north-1"',
      /Amazon Personalize is offered and this kit runs: us-east-1/,
    );
  });

  test('region: the China partition is refused with the reason (the RDS certificate bundle lacks its CAs)', () => {
    expectProblems({ region: 'cn-north-1' }, [
      'region: got "cn-north-1"; is in the AWS China partition, which this kit does not support: its web instances ' +
        "check the database server's certificate against the RDS certificate bundle for the commercial regions, " +
        'which lacks the China certificate authorities, so the site could not connect to its database; choose one of ' +
        'us-east-1, us-east-2, us-west-2, ca-central-1, eu-west-1, eu-central-1, ap-south-1, ap-northeast-1, ' +
        'ap-northeast-2, ap-southeast-1, ap-southeast-2',
    ]);
    // Every other Personalize region is accepted: the rule refuses the partition, not regions at large.
    for (const region of PERSONALIZE_REGIONS.filter((r) => !r.startsWith('cn-'))) {
      expect(parseWorkshopConfig({ region }).region).toBe(region);
    }
  });

  test('account', () => {
    expectOneProblem({ account: '1234' }, 'account', '"1234"', /12-digit/);
    expectOneProblem({ account: 123456789012 }, 'account', '123456789012', /12-digit AWS account id, as text/);
    expect(parseWorkshopConfig({ account: '123456789012' }).account).toBe('123456789012');
  });

  test('account: exactly 12 digits, nothing before or after', () => {
    for (const account of ['xx123456789012', '123456789012xx', '1234567890123', ' 123456789012']) {
      expectProblems({ account }, [`account: got ${JSON.stringify(account)}; must be a 12-digit AWS account id`]);
    }
  });

  test('natGateways', () => {
    expectOneProblem({ natGateways: -1 }, 'natGateways', '-1', /whole number from 1 to 2/);
    expectOneProblem({ natGateways: 3 }, 'natGateways', '3', /at most one per AZ/);
    expectOneProblem({ natGateways: 1.5 }, 'natGateways', '1.5', /whole number/);
    expect(parseWorkshopConfig({ natGateways: 2 }).natGateways).toBe(2);
  });

  test('instanceType', () => {
    expectOneProblem({ instanceType: 'banana' }, 'instanceType', '"banana"', /EC2 instance type such as t4g.small/);
    expectOneProblem({ instanceType: 't4g.huge' }, 'instanceType', '"t4g.huge"', /EC2 instance type/);
    expect(parseWorkshopConfig({ instanceType: 'm7g.2xlarge' }).instanceType).toBe('m7g.2xlarge');
  });

  test('minInstances and maxInstances', () => {
    expectOneProblem({ minInstances: 0 }, 'minInstances', '0', /whole number from 1 to 20/);
    expectOneProblem({ maxInstances: 21 }, 'maxInstances', '21', /whole number from 1 to 20/);
    expectOneProblem({ minInstances: 3, maxInstances: 2 }, 'maxInstances', '2', /at least minInstances \(3\)/);
  });

  test('dbInstanceClass', () => {
    expectOneProblem(
      { dbInstanceClass: 't4g.micro' },
      'dbInstanceClass',
      '"t4g.micro"',
      /RDS instance class such as db.t4g.micro/,
    );
  });

  test('dbEngineVersion', () => {
    expectOneProblem({ dbEngineVersion: '15' }, 'dbEngineVersion', '"15"', /PostgreSQL 16 or 17/);
    expectOneProblem({ dbEngineVersion: 17 }, 'dbEngineVersion', '17', /text such as "16"/);
    expect(parseWorkshopConfig({ dbEngineVersion: '16.4' }).dbEngineVersion).toBe('16.4');
  });

  test('dbEngineVersion: a major, or major.minor with a one- or two-digit minor, nothing around it', () => {
    for (const version of ['16', '17', '17.4', '16.10']) accepts({ dbEngineVersion: version });
    for (const version of ['v17', '117', '17.4.1', '17beta', '17.', '17.100']) {
      expectProblems({ dbEngineVersion: version }, [
        `dbEngineVersion: got ${JSON.stringify(version)}; must be PostgreSQL 16 or 17: "16", "17" or a minor version such as "17.4"`,
      ]);
    }
  });

  test('retainDatabase', () => {
    expectOneProblem({ retainDatabase: 'yes' }, 'retainDatabase', '"yes"', /true or false/);
  });

  test('allowedCidr', () => {
    expectOneProblem({ allowedCidr: '10.0.0.0/33' }, 'allowedCidr', '"10.0.0.0/33"', /IPv4 CIDR/);
    expectOneProblem({ allowedCidr: '256.1.1.1/32' }, 'allowedCidr', '"256.1.1.1/32"', /IPv4 CIDR/);
    expectOneProblem({ allowedCidr: 'anywhere' }, 'allowedCidr', '"anywhere"', /IPv4 CIDR/);
  });

  test('allowedCidr: every octet up to 255, prefix up to 32, nothing before or after', () => {
    for (const cidr of ['255.255.255.255/32', '192.168.100.200/24', '0.0.0.0/0', '10.0.0.0/8']) {
      expect(parseWorkshopConfig({ allowedCidr: cidr }).allowedCidr).toBe(cidr);
    }
    const rule = 'must be an IPv4 CIDR such as 0.0.0.0/0 or 203.0.113.0/24';
    for (const cidr of [
      'x10.0.0.0/8',
      '1.2.3.4.5/8',
      '10.0.0.0/8,192.168.0.0/16',
      '10.0.0.0/8 ',
      '10.0.0.0/324',
      '1000.0.0.0/8',
      '10.0.0.0',
    ]) {
      expectProblems({ allowedCidr: cidr }, [`allowedCidr: got ${JSON.stringify(cidr)}; ${rule}`]);
    }
    expectProblems({ allowedCidr: 24 }, [`allowedCidr: got 24; ${rule}`]);
  });

  const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

  test('certificateArn and domainName come together', () => {
    expectOneProblem({ certificateArn }, 'domainName', 'nothing', /set together with certificateArn/);
    expectOneProblem({ domainName: 'movies.example.com' }, 'certificateArn', 'nothing', /set together with domainName/);
    const config = parseWorkshopConfig({ certificateArn, domainName: 'movies.example.com' });
    expect(config.domainName).toBe('movies.example.com');
  });

  test('certificateArn must be an ACM ARN in the deployment region', () => {
    expectOneProblem(
      { certificateArn: 'arn:aws:iam::123456789012:server-certificate/x', domainName: 'a.example.com' },
      'certificateArn',
      '"arn:aws:iam::123456789012:server-certificate/x"',
      /ACM certificate ARN/,
    );
    expectOneProblem(
      { certificateArn: certificateArn.replace('us-east-1', 'eu-west-1'), domainName: 'a.example.com' },
      'certificateArn',
      JSON.stringify(certificateArn.replace('us-east-1', 'eu-west-1')),
      /deployment region us-east-1/,
    );
  });

  test('certificateArn: the ACM ARN shape, in any partition, nothing before or after', () => {
    const rule = 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)';
    for (const arn of [
      `x${certificateArn}`,
      `${certificateArn}/x`,
      `${certificateArn}0`,
      certificateArn.replace(':123456789012:', ':12345678901:'),
    ]) {
      expectProblems({ certificateArn: arn, domainName: 'a.example.com' }, [
        `certificateArn: got ${JSON.stringify(arn)}; ${rule}`,
      ]);
    }
    // The China partition's shape passes this rule; only the region is refused (see the region rule).
    const china = 'arn:aws-cn:acm:cn-north-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    expect(
      problemsOf({ region: 'cn-north-1', certificateArn: china, domainName: 'a.example.cn' }).map(
        (p) => p.split(':')[0],
      ),
    ).toEqual(['region']);
    expectProblems({ certificateArn: 5, domainName: 'a.example.com' }, [
      'certificateArn: got 5; must be an ACM certificate ARN',
    ]);
  });

  test('certificateArn and domainName: the missing one is named, with the reason', () => {
    expectProblems({ certificateArn }, [
      'domainName: got nothing; must be set together with certificateArn (HTTPS needs both the certificate and the name it is issued for)',
    ]);
    expectProblems({ domainName: 'movies.example.com' }, [
      'certificateArn: got nothing; must be set together with domainName (HTTPS needs both the certificate and the name it is issued for)',
    ]);
  });

  test('domainName', () => {
    expectOneProblem({ certificateArn, domainName: 'not a domain' }, 'domainName', '"not a domain"', /DNS name/);
  });

  test('domainName: labels and length checked over the whole name', () => {
    const label = 'a'.repeat(63);
    const longest = `${label}.${label}.${label}.${'a'.repeat(57)}.com`;
    expect(longest).toHaveLength(253);
    accepts({ certificateArn, domainName: longest });
    const rule = 'must be a DNS name such as movies.example.com';
    for (const name of ['under_score.example.com', 'movies.example.com/path', 'movies']) {
      expectProblems({ certificateArn, domainName: name }, [`domainName: got ${JSON.stringify(name)}; ${rule}`]);
    }
    // Every label fits, the whole is 259 characters: only the length rule refuses it.
    expect(problemsOf({ certificateArn, domainName: `${label}.${label}.${label}.${label}.com` })).toEqual([
      expect.stringMatching(/^domainName: got "a{63}\.a+\.\.\.; must be a DNS name/),
    ]);
    expectProblems({ certificateArn, domainName: 7 }, [`domainName: got 7; ${rule}`]);
  });

  test('dataset', () => {
    expectOneProblem({ dataset: 'ml-1m' }, 'dataset', '"ml-1m"', /ml-100k, ml-latest-small, ml-25m/);
  });

  test('positiveRatingThreshold', () => {
    expectOneProblem({ positiveRatingThreshold: 6 }, 'positiveRatingThreshold', '6', /from 0 to 5/);
    expectOneProblem({ positiveRatingThreshold: '3.6' }, 'positiveRatingThreshold', '"3.6"', /number from 0 to 5/);
  });

  test('timestampShift is an instant or whole seconds', () => {
    expectOneProblem(
      { timestampShift: 'yesterday' },
      'timestampShift',
      '"yesterday"',
      /ISO 8601 UTC.*whole number of seconds/,
    );
    expectOneProblem({ timestampShift: 1.5 }, 'timestampShift', '1.5', /whole number of seconds/);
    expectOneProblem({ timestampShift: '2019-04-01' }, 'timestampShift', '"2019-04-01"', /ISO 8601/);
    expect(parseWorkshopConfig({ timestampShift: 660833618 }).timestampShift).toEqual({
      kind: 'seconds',
      seconds: 660833618,
    });
  });

  test('timestampShift: a whole instant, with any fraction of a second', () => {
    expect(parseWorkshopConfig({ timestampShift: '2019-04-01T00:00:00.123Z' }).timestampShift).toEqual({
      kind: 'newestAt',
      newestAt: '2019-04-01T00:00:00.123Z',
    });
    // '+002019-…' is an ISO expanded year that Date.parse reads: the pattern alone refuses it.
    for (const shift of [
      '2019-04-01T00:00:00.Z',
      '2019-13-01T00:00:00Z',
      '2019-04-01T00:00:00+02:00',
      '+002019-04-01T00:00:00Z',
    ]) {
      expectOneProblem({ timestampShift: shift }, 'timestampShift', JSON.stringify(shift), /ISO 8601/);
    }
  });

  test('movieLensBaseUrl: http or https, a host, an optional path, no spaces', () => {
    for (const url of ['http://mirror.example.com', 'https://mirror.example.com/movielens/']) {
      expect(parseWorkshopConfig({ movieLensBaseUrl: url }).movieLensBaseUrl).toBe(url);
    }
    const rule = 'must be an https:// or http:// URL, e.g. https://files.grouplens.org/datasets/movielens';
    for (const url of [' https://mirror.example.com', 'ftp://mirror.example.com', 'https://mirror.example.com/a b']) {
      expectProblems({ movieLensBaseUrl: url }, [`movieLensBaseUrl: got ${JSON.stringify(url)}; ${rule}`]);
    }
    expectProblems({ movieLensBaseUrl: 1 }, ['movieLensBaseUrl: got 1; must be an https:// or http:// URL']);
  });

  test('minInstances may equal maxInstances', () => {
    expect(parseWorkshopConfig({ minInstances: 2, maxInstances: 2 })).toMatchObject({
      minInstances: 2,
      maxInstances: 2,
    });
  });

  test('whole numbers: one wording for a fraction, a value too small or too large, or text', () => {
    expectProblems({ maxInstances: 21 }, ['maxInstances: got 21; must be a whole number from 1 to 20']);
    for (const value of [1.5, 0, '3']) {
      expectProblems({ minInstances: value }, [
        `minInstances: got ${JSON.stringify(value)}; must be a whole number from 1 to 20`,
      ]);
    }
    for (const value of [0, 501, 2.5]) {
      expectProblems({ solutions: [{ name: 'Recs', type: 'sims', recipe: 'aws-sims', campaignMinTps: value }] }, [
        `solutions[0].campaignMinTps: got ${value}; must be a whole number from 1 to 500 (each campaign bills at least this many TPS per hour)`,
      ]);
    }
  });

  test('positiveRatingThreshold: from 0 to 5, both included', () => {
    for (const value of [0, 5, 3.5]) accepts({ positiveRatingThreshold: value });
    for (const value of [-0.1, 5.1]) {
      expectProblems({ positiveRatingThreshold: value }, [
        `positiveRatingThreshold: got ${value}; must be a number from 0 to 5 (ratings above it count as positive)`,
      ]);
    }
  });

  test('text settings given as something else say so', () => {
    for (const setting of ['prefix', 'instanceType', 'dbInstanceClass']) {
      expectProblems({ [setting]: 5 }, [`${setting}: got 5; must be text`]);
    }
  });

  test('the region message lists every Personalize region the kit runs in', () => {
    expectProblems({ region: 'eu-north-1' }, [
      'region: got "eu-north-1"; must be a region where Amazon Personalize is offered and this kit runs: us-east-1, ' +
        'us-east-2, us-west-2, ca-central-1, eu-west-1, eu-central-1, ap-south-1, ap-northeast-1, ap-northeast-2, ' +
        'ap-southeast-1, ap-southeast-2',
    ]);
  });

  test('a long value is cut to 120 characters in the message; one of 120 is shown whole', () => {
    const long = 'A'.repeat(200);
    expectProblems({ prefix: long }, [
      `prefix: got "${'A'.repeat(116)}...; must be 1-20 letters or digits, starting with a letter (it prefixes stack and resource names; no hyphen, so that one copy's names never start another's: Movie- would also match Movie-Test-)`,
    ]);
    const fits = 'B'.repeat(118);
    expect(problemsOf({ prefix: fits })[0]).toMatch(new RegExp(`^prefix: got "${fits}"; must`));
  });

  test('the error message counts the problems and lists each', () => {
    expect(() => parseWorkshopConfig({ natGateways: 3 })).toThrow(
      new WorkshopConfigError(['x']).message.replace(
        '  - x',
        '  - natGateways: got 3; must be a whole number from 1 to 2 (instances in private subnets need one; at most one per AZ)',
      ),
    );
    const one = new WorkshopConfigError(['first']);
    expect(one.name).toBe('WorkshopConfigError');
    expect(one.message).toBe(
      'Invalid workshop configuration (cdk.json context "workshop" and -c overrides), 1 problem:\n  - first',
    );
    expect(new WorkshopConfigError(['first', 'second']).message).toBe(
      'Invalid workshop configuration (cdk.json context "workshop" and -c overrides), 2 problems:\n' +
        '  - first\n  - second',
    );
  });

  test('waitForModels', () => {
    expectOneProblem({ waitForModels: 'maybe' }, 'waitForModels', '"maybe"', /true or false/);
  });

  test('an unknown setting is named, with the known ones', () => {
    const problems = problemsOf({ natGateway: 2 });
    expect(problems).toEqual([
      expect.stringMatching(/^natGateway: is not a setting; known settings are .*natGateways/),
    ]);
    expect(problems[0]).toBe(
      'natGateway: is not a setting; known settings are prefix, region, account, natGateways, instanceType, ' +
        'minInstances, maxInstances, dbInstanceClass, dbEngineVersion, retainDatabase, allowedCidr, certificateArn, ' +
        'domainName, dataset, movieLensBaseUrl, skipBadLines, positiveRatingThreshold, timestampShift, solutions, filters, ' +
        'waitForModels, pipelineRun',
    );
  });
});

describe('solutions', () => {
  const solution = (over: Record<string, unknown>) => ({
    name: 'Recs',
    type: 'recommend',
    recipe: 'aws-user-personalization-v2',
    campaignMinTps: 1,
    ...over,
  });

  test.each(['aws-hrnn', 'aws-hrnn-metadata', 'aws-hrnn-coldstart'])(
    '%s is rejected as retired, naming its successor',
    (recipe) => {
      expectOneProblem(
        { solutions: [solution({ recipe })] },
        'solutions[0].recipe',
        JSON.stringify(recipe),
        /retired the HRNN recipes.*aws-user-personalization-v2/,
      );
    },
  );

  test('every current recipe is accepted for its type', () => {
    for (const [type, recipe] of [
      ['recommend', 'aws-user-personalization-v2'],
      ['recommend', 'aws-user-personalization'],
      ['recommend', 'aws-popularity-count'],
      ['sims', 'aws-sims'],
      ['sims', 'aws-similar-items'],
      ['ranking', 'aws-personalized-ranking-v2'],
      ['ranking', 'aws-personalized-ranking'],
    ]) {
      expect(parseWorkshopConfig({ solutions: [solution({ type, recipe })] }).solutions[0].recipe).toBe(recipe);
    }
    expectProblems({ solutions: [solution({ type: 'recommend', recipe: '' })] }, [
      'solutions[0].recipe: got ""; must be a recipe for type "recommend": one of aws-user-personalization-v2, ' +
        'aws-user-personalization, aws-popularity-count',
    ]);
  });

  test('a solution field of the wrong kind', () => {
    expectProblems({ solutions: [solution({ recipe: 5 })] }, [
      'solutions[0].recipe: got 5; must be a Personalize recipe name',
    ]);
    expectProblems({ solutions: [solution({ name: 5 })] }, ['solutions[0].name: got 5; must be text']);
    expectProblems({ solutions: [null] }, [
      'solutions[0]: got null; must be an object {name, type, recipe, campaignMinTps}',
    ]);
    expectProblems({ solutions: {} }, ['solutions: got {}; must be a list of {name, type, recipe, campaignMinTps}']);
  });

  test('the recipe must fit the type', () => {
    expectOneProblem(
      { solutions: [solution({ type: 'sims' })] },
      'solutions[0].recipe',
      '"aws-user-personalization-v2"',
      /recipe for type "sims": one of aws-sims, aws-similar-items/,
    );
    expectOneProblem(
      { solutions: [solution({ recipe: 'aws-made-up' })] },
      'solutions[0].recipe',
      '"aws-made-up"',
      /recipe for type "recommend"/,
    );
  });

  test('type', () => {
    expectOneProblem(
      { solutions: [solution({ type: 'rank' })] },
      'solutions[0].type',
      '"rank"',
      /recommend, ranking, sims/,
    );
  });

  test('campaignMinTps', () => {
    expectOneProblem(
      { solutions: [solution({ campaignMinTps: 0 })] },
      'solutions[0].campaignMinTps',
      '0',
      /from 1 to 500/,
    );
  });

  test('name', () => {
    expectOneProblem({ solutions: [solution({ name: '' })] }, 'solutions[0].name', '""', /1-40 letters/);
    expectOneProblem(
      { solutions: [solution({ name: 'A/B' })] },
      'solutions[0].name',
      '"A/B"',
      /letters, digits, spaces/,
    );
  });

  test('names that differ only in spacing or punctuation are the same name', () => {
    expectOneProblem(
      { solutions: [solution({ name: 'Top  Picks' }), solution({ name: 'top_picks_' })] },
      'solutions[1].name',
      '"top_picks_"',
      /unique: solutions\[0\]/,
    );
    accepts({ solutions: [solution({ name: 'Top Picks' }), solution({ name: 'TopPicks' })] });
  });

  test('solutionSlug: lower case, one hyphen for each run of other characters, none at either end', () => {
    expect(solutionSlug('Personal Recommendations')).toBe('personal-recommendations');
    expect(solutionSlug('  (Top  Picks!) ')).toBe('top-picks');
    expect(solutionSlug('--A/B--')).toBe('a-b');
  });

  test('names are unique, ignoring case and spacing', () => {
    expectOneProblem(
      { solutions: [solution({ name: 'Top Picks' }), solution({ name: 'top-picks' })] },
      'solutions[1].name',
      '"top-picks"',
      /unique: solutions\[0\]/,
    );
  });

  test('between 1 and 5 solutions (campaigns per dataset group)', () => {
    expectOneProblem({ solutions: [] }, 'solutions', '[]', /1 to 5/);
    const six = [1, 2, 3, 4, 5, 6].map((n) => solution({ name: `Recs ${n}` }));
    const problems = problemsOf({ solutions: six });
    expect(problems).toEqual([
      expect.stringMatching(/^solutions: got .*; must list 1 to 5 solutions \(Personalize allows 5 campaigns/),
    ]);
  });

  test('an unknown key inside a solution is named', () => {
    expect(problemsOf({ solutions: [solution({ autoTrain: true })] })).toEqual([
      'solutions[0].autoTrain: is not a setting; known settings are name, type, recipe, campaignMinTps',
    ]);
  });

  test('performAutoTraining is refused with the reason (it retrains and bills weekly)', () => {
    expect(problemsOf({ solutions: [solution({ performAutoTraining: true })] })).toEqual([
      expect.stringMatching(
        /^solutions\[0\]\.performAutoTraining: is not supported: automatic training .* bills every week/,
      ),
    ]);
    expect(problemsOf({ solutions: [solution({ performAutoTraining: false })] })).toEqual([
      'solutions[0].performAutoTraining: is not supported: automatic training retrains and bills every week ' +
        'without a deploy; the kit trains once per deploy (new data or settings train a new version)',
    ]);
  });

  test('a solution that is not an object', () => {
    expectOneProblem({ solutions: ['aws-sims'] }, 'solutions[0]', '"aws-sims"', /must be an object/);
  });
});

describe('all problems at once', () => {
  test('natGateways -1, instanceType banana and aws-hrnn are named in one message', () => {
    let message = '';
    try {
      parseWorkshopConfig({
        natGateways: -1,
        instanceType: 'banana',
        solutions: [{ name: 'Recs', type: 'recommend', recipe: 'aws-hrnn', campaignMinTps: 1 }],
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/3 problems/);
    expect(message).toMatch(/natGateways: got -1/);
    expect(message).toMatch(/instanceType: got "banana"/);
    expect(message).toMatch(/solutions\[0\]\.recipe: got "aws-hrnn"; Amazon Personalize retired/);
  });
});

describe('reading context', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  test('settings given with -c override the workshop object, as text turned into values', () => {
    const config = loadWorkshopConfig(
      context({
        workshop: { prefix: 'FromJson', natGateways: 1 },
        prefix: 'FromCli',
        natGateways: '2',
        retainDatabase: 'true',
        timestampShift: '660833618',
        positiveRatingThreshold: '4',
        solutions: '[{"name":"Similar","type":"sims","recipe":"aws-sims"}]',
      }),
    );
    expect(config).toMatchObject({
      prefix: 'FromCli',
      natGateways: 2,
      retainDatabase: true,
      timestampShift: { kind: 'seconds', seconds: 660833618 },
      positiveRatingThreshold: 4,
      solutions: [{ name: 'Similar', type: 'sims', recipe: 'aws-sims', campaignMinTps: 1 }],
    });
  });

  test('text that is not a value is reported as given', () => {
    expect(() => loadWorkshopConfig(context({ natGateways: 'two' }))).toThrow(
      /natGateways: got "two"; must be a whole number/,
    );
  });

  test('text settings stay text (a numeric prefix is still a bad prefix, not a number)', () => {
    expect(() => loadWorkshopConfig(context({ prefix: '123' }))).toThrow(/prefix: got "123"; must be 1-20/);
  });

  test('the workshop object may arrive as JSON text', () => {
    expect(loadWorkshopConfig(context({ workshop: '{"prefix":"Json"}' })).prefix).toBe('Json');
    expect(() => loadWorkshopConfig(context({ workshop: '{prefix' }))).toThrow(
      /workshop: got "\{prefix"; must be a JSON object/,
    );
    expect(() => loadWorkshopConfig(context({ workshop: [1] }))).toThrow(/workshop: got \[1\]; must be an object/);
  });

  test('each setting given with -c: text stays text, JSON becomes a value', () => {
    const given: Record<string, [string, unknown]> = {
      prefix: ['true', 'true'],
      region: ['"eu-west-1"', '"eu-west-1"'],
      account: ['123456789012', '123456789012'],
      natGateways: ['2', 2],
      instanceType: ['"t4g.large"', '"t4g.large"'],
      minInstances: ['2', 2],
      maxInstances: ['3', 3],
      dbInstanceClass: ['"db.t4g.micro"', '"db.t4g.micro"'],
      dbEngineVersion: ['16', '16'],
      retainDatabase: ['true', true],
      allowedCidr: ['"10.0.0.0/8"', '"10.0.0.0/8"'],
      certificateArn: ['null', 'null'],
      domainName: ['null', 'null'],
      dataset: ['"ml-25m"', '"ml-25m"'],
      movieLensBaseUrl: ['null', 'null'],
      skipBadLines: ['true', true],
      positiveRatingThreshold: ['4', 4],
      timestampShift: ['1e3', '1e3'],
      solutions: ['[]', []],
      filters: [JSON.stringify(DEFAULT_FILTERS), DEFAULT_FILTERS],
      waitForModels: ['true', true],
      pipelineRun: ['2', '2'],
    };
    expect(Object.keys(given)).toEqual(SETTING_NAMES);
    const readContext = (key: string) => given[key]?.[0];
    let problems: readonly string[] = [];
    try {
      loadWorkshopConfig(readContext);
    } catch (error) {
      problems = (error as WorkshopConfigError).problems;
    }
    // Every value given is reported as it was read, or taken as it was read.
    const reported = new Map(problems.map((p) => [p.slice(0, p.indexOf(':')), p]));
    for (const [key, [, value]] of Object.entries(given)) {
      const problem = reported.get(key);
      if (problem) expect(problem.startsWith(`${key}: got ${JSON.stringify(value)};`)).toBe(true);
    }
    expect([...reported.keys()].sort()).toEqual(
      [
        'allowedCidr',
        'certificateArn',
        'dataset',
        'dbInstanceClass',
        'domainName',
        'instanceType',
        'movieLensBaseUrl',
        'region',
        'solutions',
        'timestampShift',
      ].sort(),
    );
    // The rest, with the region given as plain text, is accepted as read.
    const accepted = Object.fromEntries(
      Object.entries({ ...given, region: ['eu-west-1', 'eu-west-1'] }).filter(
        ([key]) => key === 'region' || !reported.has(key),
      ),
    );
    const config = loadWorkshopConfig((key) => accepted[key]?.[0]);
    for (const [key, [, value]] of Object.entries(accepted)) expect(config[key as keyof typeof config]).toEqual(value);
  });

  test('timestampShift from -c: whole seconds, with spaces around, or an instant; nothing else', () => {
    const shift = (text: unknown) => loadWorkshopConfig(context({ timestampShift: text })).timestampShift;
    expect(shift(' 660833618 ')).toEqual({ kind: 'seconds', seconds: 660833618 });
    expect(shift('-60')).toEqual({ kind: 'seconds', seconds: -60 });
    expect(shift(660833618)).toEqual({ kind: 'seconds', seconds: 660833618 });
    expect(shift('2019-04-01T00:00:00Z')).toEqual({ kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' });
    for (const text of ['1e3', '12x', 'x12', '"2019-04-01T00:00:00Z"']) {
      expect(() => shift(text)).toThrow(`timestampShift: got ${JSON.stringify(text)}; must be the instant`);
    }
  });

  test('a workshop value that is not an object of settings', () => {
    for (const workshop of [5, 'null', '"text"', '[1]', true]) {
      expect(() => loadWorkshopConfig(context({ workshop }))).toThrow(WorkshopConfigError);
    }
    expect(() => loadWorkshopConfig(context({ workshop: 'null' }))).toThrow(
      'workshop: got null; must be an object of settings',
    );
  });

  test('no context at all gives the defaults', () => {
    expect(loadWorkshopConfig(context({}))).toEqual(parseWorkshopConfig({ ...DEFAULT_CONFIG }));
  });
});

describe('the web instance has room for the edition', () => {
  test('ml-25m on a 2 GiB instance fails at synth, naming the setting, its memory and what fits', () => {
    expectProblems({ dataset: 'ml-25m' }, [
      'instanceType: got "t4g.small"; has 2 GiB of memory; dataset ml-25m needs an instance with at least 8 GiB ' +
        '(the site trains its local models on every rating at start), e.g. t4g.large',
    ]);
  });

  test('ml-25m on 8 GiB or more, and the small editions anywhere, are accepted; an unknown family is not judged', () => {
    accepts({ dataset: 'ml-25m', instanceType: 't4g.large' });
    accepts({ dataset: 'ml-25m', instanceType: 'm7g.large' });
    accepts({ dataset: 'ml-100k', instanceType: 't4g.nano' });
    accepts({ dataset: 'ml-25m', instanceType: 'x2gd.large' });
  });

  test('instance memory from the type name: burstable by size, m/c/r by vCPU', () => {
    expect(instanceMemoryGiB('t4g.small')).toBe(2);
    expect(instanceMemoryGiB('t3a.nano')).toBe(0.5);
    expect(instanceMemoryGiB('t4g.2xlarge')).toBe(32);
    expect(instanceMemoryGiB('m7g.large')).toBe(8);
    expect(instanceMemoryGiB('c6i.xlarge')).toBe(8);
    expect(instanceMemoryGiB('r6g.4xlarge')).toBe(128);
    expect(instanceMemoryGiB('m6g.medium')).toBe(4);
    expect(instanceMemoryGiB('x2gd.large')).toBeUndefined();
    expect(instanceMemoryGiB('m5.metal')).toBeUndefined();
  });
});

describe('filters (issue 18)', () => {
  const load = (filters: unknown) => {
    try {
      loadWorkshopConfig((key) => (key === 'filters' ? JSON.stringify(filters) : undefined));
      return [];
    } catch (error) {
      return [...(error as WorkshopConfigError).problems];
    }
  };

  test('the defaults are valid filter expressions taking what the web app passes', () => {
    expect(load(DEFAULT_FILTERS)).toEqual([]);
  });

  test('a bad expression fails at synth, naming the setting and the documented rule it breaks', () => {
    const problems = load({ ...DEFAULT_FILTERS, genre: 'INCLUDE ItemID WHERE Items.GENRES NOT IN ($GENRE)' });
    expect(problems).toEqual([expect.stringMatching(/^filters\.genre: .*NOT IN cannot take a parameter/)]);
    expect(load({ ...DEFAULT_FILTERS, genre: 'INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)' })).toEqual([
      expect.stringMatching(/^filters\.genre: .*the Items schema has no field GENRE/),
    ]);
    expect(load({ ...DEFAULT_FILTERS, excludeRated: 'EXCLUDE ItemID WHERE Interactions.TIMESTAMP IN ("1")' })).toEqual([
      expect.stringMatching(/^filters\.excludeRated: .*only by event type/),
    ]);
  });

  test('each filter takes exactly the parameters the web app passes', () => {
    expect(load({ ...DEFAULT_FILTERS, genre: 'INCLUDE ItemID WHERE Items.GENRES IN ("Horror")' })).toEqual([
      expect.stringMatching(/^filters\.genre: .*must take the parameter \$GENRE/),
    ]);
    expect(load({ genre: DEFAULT_FILTERS.genre })).toEqual([expect.stringMatching(/^filters/)]);
  });
});
