import { DEFAULT_CONFIG, loadWorkshopConfig, parseWorkshopConfig, WorkshopConfigError } from '../../lib/config';
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
    expectOneProblem({ prefix: 'Movie_Recs' }, 'prefix', '"Movie_Recs"', /letters, digits or hyphens/);
  });

  test('region must offer Personalize', () => {
    expectOneProblem({ region: 'eu-north-1' }, 'region', '"eu-north-1"', /Amazon Personalize is offered: us-east-1/);
  });

  test('account', () => {
    expectOneProblem({ account: '1234' }, 'account', '"1234"', /12-digit/);
    expectOneProblem({ account: 123456789012 }, 'account', '123456789012', /12-digit AWS account id, as text/);
    expect(parseWorkshopConfig({ account: '123456789012' }).account).toBe('123456789012');
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

  test('retainDatabase', () => {
    expectOneProblem({ retainDatabase: 'yes' }, 'retainDatabase', '"yes"', /true or false/);
  });

  test('allowedCidr', () => {
    expectOneProblem({ allowedCidr: '10.0.0.0/33' }, 'allowedCidr', '"10.0.0.0/33"', /IPv4 CIDR/);
    expectOneProblem({ allowedCidr: '256.1.1.1/32' }, 'allowedCidr', '"256.1.1.1/32"', /IPv4 CIDR/);
    expectOneProblem({ allowedCidr: 'anywhere' }, 'allowedCidr', '"anywhere"', /IPv4 CIDR/);
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

  test('domainName', () => {
    expectOneProblem({ certificateArn, domainName: 'not a domain' }, 'domainName', '"not a domain"', /DNS name/);
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

  test('waitForModels', () => {
    expectOneProblem({ waitForModels: 'maybe' }, 'waitForModels', '"maybe"', /true or false/);
  });

  test('an unknown setting is named, with the known ones', () => {
    const problems = problemsOf({ natGateway: 2 });
    expect(problems).toEqual([
      expect.stringMatching(/^natGateway: is not a setting; known settings are .*natGateways/),
    ]);
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

  test('no context at all gives the defaults', () => {
    expect(loadWorkshopConfig(context({}))).toEqual(parseWorkshopConfig({ ...DEFAULT_CONFIG }));
  });
});
