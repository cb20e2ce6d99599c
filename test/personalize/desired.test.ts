/**
 * The names the controller gives its resources are a contract: it finds what it made by name, so a
 * change of naming orphans every resource of a deployed workshop. Each rule, pinned.
 */
import { createHash } from 'node:crypto';
import {
  generationOf,
  modelBasisOf,
  modelTag,
  names,
  parseModelTag,
  recipeArn,
} from '../../lib/personalize/controller/desired';
import { datasetsOf, desiredFor, editionDesired, SCHEMA_TEXT } from './harness';

const sha = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

describe('names', () => {
  test('dataset group and datasets: the prefix, a fixed word and the generation', () => {
    expect(names.datasetGroup('MovieRecs', 'a1b2c3')).toBe('MovieRecs-movies-a1b2c3');
    expect(names.dataset('MovieRecs', 'a1b2c3', 'interactions')).toBe('MovieRecs-a1b2c3-interactions');
    expect(names.dataset('Demo', 'a1b2c3', 'users')).toBe('Demo-a1b2c3-users');
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

  test('a solution: the slug of its display name and 6 hex of its recipe and basis; the campaign shares it', () => {
    const solution = { displayName: 'Personal Recommendations', recipe: 'aws-user-personalization-v2' };
    const expected = `MovieRecs-personal-recommendations-${sha('aws-user-personalization-v2|b4515e1f', 6)}`;
    expect(names.solution('MovieRecs', 'b4515e1f', solution)).toBe(expected);
    expect(names.campaign('MovieRecs', 'b4515e1f', solution)).toBe(expected);
    expect(names.solution('MovieRecs', 'b4515e1f', { ...solution, recipe: 'aws-user-personalization' })).not.toBe(
      expected,
    );
    expect(names.solution('MovieRecs', 'ffffffff', solution)).not.toBe(expected);
  });

  test('the slug: lower case, runs of other characters become one hyphen, none at the ends', () => {
    const recipe = 'aws-sims';
    const suffix = sha('aws-sims|b', 6);
    expect(names.solution('P', 'b', { displayName: '  Similar   Items!! ', recipe })).toBe(`P-similar-items-${suffix}`);
    expect(names.solution('P', 'b', { displayName: '--Top_10 (Films)--', recipe })).toBe(`P-top-10-films-${suffix}`);
  });

  test('a long display name is cut to fit 63 characters, without a hyphen before the suffix', () => {
    const recipe = 'aws-sims';
    const prefix = 'WorkshopNumberOne123';
    // The cut falls right after a hyphen: the hyphen goes, so no "--" before the suffix.
    const name = names.solution(prefix, 'b', { displayName: 'a'.repeat(34) + ' b', recipe });
    expect(name).toBe(`${prefix}-${'a'.repeat(34)}-${sha('aws-sims|b', 6)}`);
    expect(name).toHaveLength(62);
    const cut = names.solution(prefix, 'b', { displayName: 'a'.repeat(33) + ' bbbb', recipe });
    expect(cut).toBe(`${prefix}-${'a'.repeat(33)}-b-${sha('aws-sims|b', 6)}`);
    const longest = names.solution(prefix, 'b', { displayName: 'x'.repeat(40), recipe });
    expect(longest).toHaveLength(63);
  });
});

describe('generations', () => {
  test('the generation: 6 hex of the catalogue, the dataset types and the interactions schema', () => {
    const desired = desiredFor('MovieRecs');
    expect(generationOf(desired)).toBe(
      sha(JSON.stringify(['ml-100k', ['interactions', 'items', 'users'], SCHEMA_TEXT.interactions]), 6),
    );
    // Another edition, another interactions schema, or another set of datasets: another generation.
    expect(generationOf(editionDesired('MovieRecs', 'ml-25m'))).not.toBe(generationOf(desired));
    const interactions = { ...desired.datasets[0], schema: SCHEMA_TEXT.interactions.replace('1.0', '1.1') };
    expect(generationOf({ ...desired, datasets: [interactions, ...desired.datasets.slice(1)] })).not.toBe(
      generationOf(desired),
    );
    expect(generationOf({ ...desired, datasets: datasetsOf('ml-100k', 'x', false) })).not.toBe(generationOf(desired));
    // New data of the same catalogue, or another items schema: the same generation.
    expect(generationOf({ ...desired, datasets: datasetsOf('ml-100k', 'fedcba9876543210') })).toBe(
      generationOf(desired),
    );
    const items = { ...desired.datasets[1], schema: SCHEMA_TEXT.items.replace('1.0', '1.1') };
    const changedItems = { ...desired, datasets: [desired.datasets[0], items, desired.datasets[2]] };
    expect(generationOf(changedItems)).toBe(generationOf(desired));
    // ... but a new model basis: existing solutions never train on a new column.
    expect(modelBasisOf(changedItems)).not.toBe(modelBasisOf(desired));
    expect(modelBasisOf({ ...desired, datasets: datasetsOf('ml-100k', 'fedcba9876543210') })).toBe(
      modelBasisOf(desired),
    );
  });

  test('the model tag carries what the site shows and reads back, display names with spaces included', () => {
    const model = { type: 'sims' as const, sortOrder: 3, recipe: 'aws-sims', displayName: 'Similar Items 2' };
    expect(modelTag(model)).toBe('sims/3/aws-sims/Similar Items 2');
    expect(parseModelTag(modelTag(model))).toEqual(model);
    expect(parseModelTag('sims/x/aws-sims/Name')).toBeUndefined();
    expect(parseModelTag('other/1/aws-sims/Name')).toBeUndefined();
    expect(parseModelTag(undefined)).toBeUndefined();
  });
});

test('recipe ARNs are global (no region, no account)', () => {
  expect(recipeArn('aws', 'aws-sims')).toBe('arn:aws:personalize:::recipe/aws-sims');
  expect(recipeArn('aws-cn', 'aws-sims')).toBe('arn:aws-cn:personalize:::recipe/aws-sims');
});
