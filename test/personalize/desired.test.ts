/**
 * The names the controller gives its resources are a contract: it finds what it made by name, so a
 * change of naming orphans every resource of a deployed workshop. Each rule, pinned.
 */
import { createHash } from 'node:crypto';
import { names, recipeArn } from '../../lib/personalize/controller/desired';

const sha = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

describe('names', () => {
  test('dataset group and datasets: the prefix and a fixed word', () => {
    expect(names.datasetGroup('MovieRecs')).toBe('MovieRecs-movies');
    expect(names.dataset('MovieRecs', 'interactions')).toBe('MovieRecs-interactions');
    expect(names.dataset('Demo', 'users')).toBe('Demo-users');
  });

  test('a schema carries the first 8 hex of the SHA-256 of its text: a changed schema is a new name', () => {
    const schema = '{"type":"record","name":"Interactions"}';
    expect(names.schema('MovieRecs', 'items', schema)).toBe(`MovieRecs-items-${sha(schema, 8)}`);
    expect(names.schema('MovieRecs', 'items', `${schema} `)).not.toBe(names.schema('MovieRecs', 'items', schema));
    expect(names.schema('MovieRecs', 'items', '{}')).toBe('MovieRecs-items-44136fa3');
  });

  test('an import job: 10 hex of the data location and the dataset creation time', () => {
    expect(names.importJob('MovieRecs', 'interactions', 's3://b/k.csv', 1700000000000)).toBe(
      `MovieRecs-interactions-${sha('s3://b/k.csv|1700000000000', 10)}`,
    );
    // A recreated dataset (another creation time) gets a fresh name: job names are unique in the account.
    expect(names.importJob('MovieRecs', 'interactions', 's3://b/k.csv', 1)).not.toBe(
      names.importJob('MovieRecs', 'interactions', 's3://b/k.csv', 2),
    );
  });

  test("an import retry: the job's name, -r, and the deployment's start in base 36", () => {
    expect(names.importRetry('MovieRecs-items-0123456789', 1700000000000)).toBe('MovieRecs-items-0123456789-rloyw3v28');
    expect(names.importRetry('x', 35)).toBe('x-rz');
  });

  test('a solution: the slug of its display name and 6 hex of its recipe; the campaign shares it', () => {
    const solution = { displayName: 'Personal Recommendations', recipe: 'aws-user-personalization-v2' };
    const expected = `MovieRecs-personal-recommendations-${sha('aws-user-personalization-v2|false', 6)}`;
    expect(names.solution('MovieRecs', solution)).toBe(expected);
    expect(expected).toBe('MovieRecs-personal-recommendations-9b3919');
    expect(names.campaign('MovieRecs', solution)).toBe(expected);
    expect(names.solution('MovieRecs', { ...solution, recipe: 'aws-user-personalization' })).not.toBe(expected);
  });

  test('the slug: lower case, runs of other characters become one hyphen, none at the ends', () => {
    const recipe = 'aws-sims';
    const suffix = sha('aws-sims|false', 6);
    expect(names.solution('P', { displayName: '  Similar   Items!! ', recipe })).toBe(`P-similar-items-${suffix}`);
    expect(names.solution('P', { displayName: '--Top_10 (Films)--', recipe })).toBe(`P-top-10-films-${suffix}`);
  });

  test('a long display name is cut to fit 63 characters, without a hyphen before the suffix', () => {
    const recipe = 'aws-sims';
    const prefix = 'WorkshopNumberOne123';
    // The cut falls right after a hyphen: the hyphen goes, so no "--" before the suffix.
    const name = names.solution(prefix, { displayName: 'a'.repeat(34) + ' b', recipe });
    expect(name).toBe(`${prefix}-${'a'.repeat(34)}-${sha('aws-sims|false', 6)}`);
    expect(name).toHaveLength(62);
    const cut = names.solution(prefix, { displayName: 'a'.repeat(33) + ' bbbb', recipe });
    expect(cut).toBe(`${prefix}-${'a'.repeat(33)}-b-${sha('aws-sims|false', 6)}`);
    const longest = names.solution(prefix, { displayName: 'x'.repeat(40), recipe });
    expect(longest).toHaveLength(63);
  });
});

test('recipe ARNs are global (no region, no account)', () => {
  expect(recipeArn('aws', 'aws-sims')).toBe('arn:aws:personalize:::recipe/aws-sims');
  expect(recipeArn('aws-cn', 'aws-sims')).toBe('arn:aws-cn:personalize:::recipe/aws-sims');
});
