// @ts-check
/**
 * Mutation testing (Stryker + its Jest runner), on demand: `npm run mutate`. Not part of
 * `npm test` nor CI: a full run on reconcile.ts takes about 20 minutes on two cores.
 *
 *   npm run mutate                                  # every file below, one Stryker run each
 *   npm run mutate -- lib/config.ts                 # one file (scripts/mutate.mjs picks its tests)
 *   npm run mutate -- config.ts lines.ts            # several files; a score table at the end
 *   npx stryker run --mutate lib/config.ts          # Stryker itself; this config still picks the tests
 *
 * Only the tests relevant to the mutated files run (TESTS_BY_FILE); set MUTATE_TESTS to a
 * comma-separated list of test files or folders to override. Reports go to
 * reports/mutation/<file>.{html,json}, named after the mutated file, so runs on different files
 * do not overwrite each other's reports.
 *
 * Concurrent runs (several people or agents on one work tree): give each its own temp folder,
 *   npx stryker run --mutate lib/config.ts --tempDirName /tmp/movierecs-stryker-config
 * (scripts/mutate.mjs does this by itself). The default temp folder is outside the work tree, in
 * the OS temp folder, so that `eslint .`, `prettier --check .` and `tsc` never see the
 * instrumented sandbox copies (and Jest would ignore a sandbox under node_modules).
 *
 * No TypeScript checker: @swc/jest strips types, so a mutant that would not type-check still runs
 * and is killed or survives on behaviour. The checker would type-check the whole shared work tree
 * per mutant batch and refuse to start while any other file has a type error.
 */
import os from 'node:os';
import path from 'node:path';

/** The files mutated by default (issue 7, "Test strength"; the controller split by issue 14), with their tests. */
export const TESTS_BY_FILE = {
  'lib/personalize/controller/reconcile.ts': ['test/personalize'],
  'lib/personalize/controller/run.ts': ['test/personalize'],
  'lib/personalize/controller/apply.ts': ['test/personalize'],
  'lib/personalize/controller/apply-data.ts': ['test/personalize'],
  'lib/personalize/controller/apply-models.ts': ['test/personalize'],
  'lib/personalize/controller/teardown.ts': ['test/personalize'],
  'lib/personalize/controller/groups.ts': ['test/personalize'],
  'lib/personalize/controller/publish.ts': ['test/personalize'],
  'lib/personalize/controller/schemas.ts': ['test/personalize'],
  'lib/personalize/controller/desired.ts': ['test/personalize'],
  'lib/config.ts': ['test/infra/config.test.ts'],
  'lib/data/movielens/catalog.ts': ['test/data'],
  'lib/data/movielens/ratings.ts': ['test/data'],
  'lib/data/movielens/lines.ts': ['test/data'],
};

/**
 * Test files left out of mutation runs: slow end-to-end generators (each reruns its setup for
 * every mutant) and the pandas comparison, which spawns Python. The unit tests of each file cover
 * the same code paths.
 */
export const SLOW_TESTS = [
  'test/data/pandas-equivalence.test.ts',
  'test/data/synthetic.test.ts',
  'test/data/sample.test.ts',
];

/** The files named by `--mutate a,b` / `--mutate=a,b` / `-m a` on the command line, if any. */
export function mutateFromArgv(argv = process.argv) {
  const files = [];
  argv.forEach((arg, i) => {
    if (arg === '--mutate' || arg === '-m') files.push(...(argv[i + 1] ?? '').split(','));
    else if (arg.startsWith('--mutate=')) files.push(...arg.slice('--mutate='.length).split(','));
  });
  return files.filter(Boolean);
}

/** The tests for a set of mutate patterns ("lib/config.ts:10-20" counts as lib/config.ts). */
export function testsFor(patterns) {
  const tests = new Set();
  for (const pattern of patterns) {
    const file = path.posix.normalize(pattern.replace(/:\d+(:\d+)?-\d+(:\d+)?$/, '').replace(/\\/g, '/'));
    for (const test of TESTS_BY_FILE[file] ?? ['test']) tests.add(test);
  }
  return [...tests];
}

const mutate = mutateFromArgv();
const tests = process.env.MUTATE_TESTS
  ? process.env.MUTATE_TESTS.split(',').filter(Boolean)
  : testsFor(mutate.length ? mutate : Object.keys(TESTS_BY_FILE));
const reportName =
  (mutate.length === 1 ? path.basename(mutate[0]).replace(/\.ts(:.*)?$/, '') : 'mutation') +
  (process.env.MUTATE_REPORT_SUFFIX ?? '');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Merged over jest.config.js: only the relevant tests, no custom reporters or serializers.
    config: {
      testMatch: tests.map((t) => (t.endsWith('.ts') ? `<rootDir>/${t}` : `<rootDir>/${t}/**/*.test.ts`)),
      testPathIgnorePatterns: ['/node_modules/', ...SLOW_TESTS.filter((t) => !tests.includes(t))],
    },
  },
  coverageAnalysis: 'perTest',
  mutate: Object.keys(TESTS_BY_FILE),
  ignorePatterns: ['cdk.out', 'coverage', 'reports', 'data/sample', '*.log', '.tools'],
  // Outside the work tree: Jest ignores anything under node_modules, and eslint/prettier/tsc of
  // the work tree must never see the instrumented sandbox copies.
  tempDirName: path.join(os.tmpdir(), 'movierecs-stryker'),
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${reportName}.html` },
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  incrementalFile: `reports/stryker-incremental-${reportName}.json`,
  clearTextReporter: { allowColor: false, allowEmojis: false, logTests: false, reportScoreTable: true },
  // Each mutant runs the tests covering it with Jest in band; CDK-free tests are quick.
  timeoutMS: 10000,
  thresholds: { high: 85, low: 70, break: null },
};
