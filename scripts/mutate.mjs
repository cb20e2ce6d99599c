// @ts-check
/**
 * `npm run mutate`: Stryker mutation testing, one run per file, then a score table.
 * Run with --help for usage; stryker.config.mjs holds the settings and the file -> tests map.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TESTS_BY_FILE } from '../stryker.config.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STRYKER = path.join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');

const HELP = `Usage: npm run mutate -- [file ...] [stryker options]

Mutation testing with Stryker (on demand; not part of npm test or CI). Each file gets its own
Stryker run with only its own tests (the map is TESTS_BY_FILE in stryker.config.mjs), its own
temp folder and its own report (reports/mutation/<name>.html and .json). A table of the scores
is printed at the end. The score is killed+timeout over killed+timeout+survived+no coverage.

  npm run mutate                                # every file of TESTS_BY_FILE, one after the other
  npm run mutate -- lib/config.ts               # one file
  npm run mutate -- config.ts lines.ts          # several; a known file may be named by its base name
  npm run mutate -- lib/config.ts:140-155       # only the mutants on those lines (Stryker's syntax)
  npm run mutate -- --mutate lib/config.ts      # the same, in Stryker's own words
  npm run mutate -- config.ts --concurrency 2   # any other option goes to Stryker as given
  npm run mutate -- config.ts --incremental     # reuse the last run's results for unchanged code

Running several at once on one work tree (other people, other agents): each file already gets a
distinct temp folder, ${path.join(os.tmpdir(), 'movierecs-stryker-<name>-<pid>')}, and a
distinct report. Two runs on the same file overwrite each other's report; give one of them
MUTATE_REPORT_SUFFIX=-mine to keep both. To choose the temp folder yourself, pass
--tempDirName <folder> (keep it outside the work tree: eslint and prettier would read it).
Two cores are shared: the default is one test runner process; --concurrency raises it.

MUTATE_TESTS=test/a.test.ts,test/b overrides which tests run (comma-separated files or folders).
`;

/** The known file a short name stands for: "config.ts", "config" or "lib/config.ts". */
function resolveFile(name) {
  // A Stryker line range ("lib/config.ts:140-155") is kept: only those lines are mutated.
  const [, file, range = ''] = /^(.*?)((?::\d+(?::\d+)?-\d+(?::\d+)?)?)$/.exec(name) ?? [];
  const normalized = file.replace(/\\/g, '/').replace(/^\.\//, '');
  if (TESTS_BY_FILE[normalized] || existsSync(path.join(ROOT, normalized))) return normalized + range;
  const matches = Object.keys(TESTS_BY_FILE).filter(
    (file) => path.posix.basename(file) === normalized || path.posix.basename(file, '.ts') === normalized,
  );
  if (matches.length === 1) return matches[0] + range;
  throw new Error(`${name}: no such file, and not the base name of one of ${Object.keys(TESTS_BY_FILE).join(', ')}`);
}

function parseArgs(argv) {
  const files = [];
  const passThrough = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true, files, passThrough };
    if (arg === '--mutate' || arg === '-m') files.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (arg.startsWith('--mutate=')) files.push(...arg.slice('--mutate='.length).split(',').filter(Boolean));
    else if (arg.startsWith('-')) {
      passThrough.push(arg);
      // An option's value follows it unless it is a flag or written as --name=value.
      const next = argv[i + 1];
      if (
        !FLAGS.has(arg) &&
        !arg.includes('=') &&
        next !== undefined &&
        !next.startsWith('-') &&
        !looksLikeFile(next)
      ) {
        passThrough.push(argv[++i]);
      }
    } else files.push(arg);
  }
  return { help: false, files, passThrough };
}

/** Stryker options that take no value (so a file name after them stays a file name). */
const FLAGS = new Set(['--incremental', '--force', '--dryRunOnly', '--allowEmpty', '--disableBail', '--inPlace']);

function looksLikeFile(arg) {
  return arg.endsWith('.ts') || arg.includes('/');
}

/** Counts by status from a Stryker JSON report (mutation-testing-report-schema). */
function summarize(reportFile, file) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0 };
  for (const mutant of report.files[file]?.mutants ?? []) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, score: valid ? (100 * detected) / valid : NaN };
}

function table(rows) {
  const header = ['file', 'score', 'killed', 'timeout', 'survived', 'no cov', 'errors', 'time'];
  const lines = rows.map((r) =>
    r.summary
      ? [
          r.file,
          `${r.summary.score.toFixed(2)}%`,
          r.summary.Killed,
          r.summary.Timeout,
          r.summary.Survived,
          r.summary.NoCoverage,
          r.summary.CompileError + r.summary.RuntimeError,
          r.time,
        ].map(String)
      : [r.file, 'no report', '', '', '', '', '', r.time],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(format)].join('\n');
}

function main() {
  const { help, files: named, passThrough } = parseArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const files = (named.length ? named : Object.keys(TESTS_BY_FILE)).map(resolveFile);
  const ownTempDir = passThrough.some((a) => a === '--tempDirName' || a.startsWith('--tempDirName='));
  const rows = [];
  for (const file of files) {
    const source = file.replace(/:[-:\d]+$/, '');
    const name = path.posix.basename(source, '.ts');
    const args = [STRYKER, 'run', '--mutate', file, ...passThrough];
    if (!ownTempDir) args.push('--tempDirName', path.join(os.tmpdir(), `movierecs-stryker-${name}-${process.pid}`));
    process.stdout.write(`\n=== mutate ${file} ===\n`);
    const reportFile = path.join(ROOT, 'reports', 'mutation', `${name}${process.env.MUTATE_REPORT_SUFFIX ?? ''}.json`);
    const started = Date.now();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    const seconds = Math.round((Date.now() - started) / 1000);
    const time = `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
    // Only a report written by this run counts (--dryRunOnly, for one, writes none).
    const fresh = existsSync(reportFile) && statSync(reportFile).mtimeMs >= started;
    const summary = run.status === 0 && fresh ? summarize(reportFile, source) : undefined;
    rows.push({ file, time, summary });
  }
  process.stdout.write(`\nMutation scores (reports in reports/mutation/):\n${table(rows)}\n`);
  return rows.every((r) => r.summary) ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
