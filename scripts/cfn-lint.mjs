// @ts-check
/**
 * cfn-lint on the synthesized templates, against the committed acknowledgement list
 * (scripts/cfn-lint-acknowledged.json). Run with --help for usage.
 *
 * Fails on a finding the list does not acknowledge, on an acknowledgement that matches no finding
 * (stale: the finding was fixed, or cfn-lint caught up), on an entry without a specific reason,
 * and when cfn-lint is not installed. Findings are compared by rule, template and template path
 * (Resources/<logical id>/..., Outputs/<name>/...), never by line number.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_LIST = path.join(ROOT, 'scripts', 'cfn-lint-acknowledged.json');
const DEFAULT_REGION = 'us-east-1';
const MIN_REASON = 60;
/** Temp folders of --all-configurations, removed however the script ends. @type {Set<string>} */
const TEMP_DIRS = new Set();
process.on('exit', () => {
  for (const dir of TEMP_DIRS) rmSync(dir, { recursive: true, force: true });
});

const HELP = `Usage: node scripts/cfn-lint.mjs [options]

Runs cfn-lint on every <dir>/*.template.json and compares its findings with the acknowledgement
list. Fails on any finding not acknowledged and on any acknowledgement no longer matched.

  node scripts/cfn-lint.mjs                         # cdk.out, as configuration "default" (after npm run synth)
  node scripts/cfn-lint.mjs --all-configurations    # also synthesizes every other configuration of the
                                                    # list offline into a temp folder and lints it (CI)
  node scripts/cfn-lint.mjs --dir out --configuration https   # a folder synthesized with that configuration

Options:
  --dir <folder>           templates to lint (default: cdk.out)
  --configuration <name>   which configuration <folder> was synthesized with (default: default)
  --all-configurations     lint <folder> as its configuration, then synthesize and lint each other one
  --list <file>            acknowledgement list (default: scripts/cfn-lint-acknowledged.json)
`;

/** A path as shown: relative to the repository when inside it. @param {string} p */
const show = (p) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`cfn-lint check: ${message}`);
  process.exit(1);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { dir: path.join(ROOT, 'cdk.out'), configuration: 'default', all: false, list: DEFAULT_LIST };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`${arg} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (arg === '--dir') opts.dir = path.resolve(value());
    else if (arg === '--configuration') opts.configuration = value();
    else if (arg === '--all-configurations') opts.all = true;
    else if (arg === '--list') opts.list = path.resolve(value());
    else fail(`unknown argument ${arg} (see --help)`);
  }
  return opts;
}

/**
 * @typedef {{ rule: string, template: string, resources?: string[], paths?: string[], message?: string,
 *   configurations?: string[], reason: string }} Entry
 * @typedef {{ configurations: Record<string, { context: string[] }>, acknowledged: Entry[] }} List
 */

/** Reads and checks the list; every problem is reported at once. @param {string} file @returns {List} */
function readList(file) {
  if (!existsSync(file)) fail(`no acknowledgement list at ${show(file)}`);
  /** @type {any} */
  let list;
  try {
    list = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${show(file)} is not JSON: ${err instanceof Error ? err.message : err}`);
  }
  const problems = [];
  /** @type {Record<string, { context: unknown }>} */
  const configurations = list.configurations ?? {};
  if (!configurations.default) problems.push('configurations has no "default"');
  for (const [name, c] of Object.entries(configurations)) {
    if (
      !Array.isArray(c.context) ||
      c.context.some((/** @type {unknown} */ kv) => typeof kv !== 'string' || !/^[^=\s]+=/.test(kv))
    )
      problems.push(`configuration ${name}: context must be a list of "key=value"`);
  }
  if (!Array.isArray(list.acknowledged)) problems.push('"acknowledged" must be a list');
  if (typeof list.reviewedWith !== 'string' || !/^cfn-lint \d+\.\d+\.\d+$/.test(list.reviewedWith))
    problems.push('"reviewedWith" must be the cfn-lint version the list was reviewed with, e.g. "cfn-lint 1.51.0"');
  (list.acknowledged ?? []).forEach((/** @type {Entry} */ e, /** @type {number} */ i) => {
    const at = `entry ${i + 1} (${e.rule ?? '?'} in ${e.template ?? '?'})`;
    if (typeof e.rule !== 'string' || !/^[EWI]\d{4}$/.test(e.rule)) problems.push(`${at}: rule must be like E3002`);
    if (typeof e.template !== 'string' || !e.template) problems.push(`${at}: template is required`);
    const where = [...(e.resources ?? []), ...(e.paths ?? [])];
    if ((e.resources === undefined) === (e.paths === undefined) || where.length === 0)
      problems.push(`${at}: give either "resources" (logical ids) or "paths" (template paths), not empty`);
    if (where.some((w) => typeof w !== 'string' || !w)) problems.push(`${at}: locations must be text`);
    if ((e.paths ?? []).some((p) => !/^(Resources|Outputs|Parameters|Conditions|Mappings|Metadata|Rules)\//.test(p)))
      problems.push(`${at}: a path starts with a template section, e.g. Resources/<id>/Properties/Tags`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < MIN_REASON)
      problems.push(`${at}: a specific reason is required (at least ${MIN_REASON} characters)`);
    if (e.message !== undefined && (typeof e.message !== 'string' || !e.message))
      problems.push(`${at}: message, when given, is text`);
    for (const c of e.configurations ?? []) if (!configurations[c]) problems.push(`${at}: unknown configuration ${c}`);
  });
  if (problems.length) fail(`${show(file)} is not valid:\n  ${problems.join('\n  ')}`);
  return list;
}

function cfnLintVersion() {
  const r = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const missing = /** @type {NodeJS.ErrnoException | undefined} */ (r.error)?.code === 'ENOENT';
  if (r.error || r.status !== 0) {
    fail(
      (missing
        ? 'cfn-lint is not installed: no cfn-lint on PATH.'
        : `cfn-lint does not run: ${r.error ? r.error.message : (r.stderr || r.stdout).trim()}.`) +
        ' The CI machine image has it; elsewhere install cfn-lint (pip install cfn-lint) and run this again.',
    );
  }
  return (r.stdout || r.stderr).trim();
}

/**
 * Offline synth, as .ci/run does it: no credentials, no profile, no instance metadata.
 * @param {string} outDir @param {string[]} context
 */
function synth(outDir, context) {
  const env = { ...process.env };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
  Object.assign(env, {
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const args = ['cdk', 'synth', '--no-lookups', '-q', '-o', outDir, ...context.flatMap((kv) => ['-c', kv])];
  const r = spawnSync('npx', args, { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) fail(`npx ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
}

/**
 * The region each template's stack is for (cdk.out's manifest), so cfn-lint checks that region.
 * @param {string} dir @param {string[]} templates @returns {Map<string, string>}
 */
function regionsOf(dir, templates) {
  const byTemplate = new Map(templates.map((t) => [t, DEFAULT_REGION]));
  const manifest = path.join(dir, 'manifest.json');
  if (!existsSync(manifest)) return byTemplate;
  /** @type {Record<string, { environment?: string, properties?: { templateFile?: string } }>} */
  const artifacts = JSON.parse(readFileSync(manifest, 'utf8')).artifacts ?? {};
  for (const artifact of Object.values(artifacts)) {
    const file = artifact?.properties?.templateFile;
    const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact?.environment ?? '')?.[1];
    if (file && byTemplate.has(file) && region && region !== 'unknown-region') byTemplate.set(file, region);
  }
  return byTemplate;
}

/**
 * @typedef {{ rule: string, template: string, path: string, message: string, level: string, line: number }} Finding
 * @param {string} dir @param {string} label @returns {Finding[]}
 */
function lint(dir, label) {
  if (!existsSync(dir)) fail(`${show(dir)} does not exist: synthesize first (npm run synth)`);
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .sort();
  if (templates.length === 0) fail(`no *.template.json in ${show(dir)}: synthesize first (npm run synth)`);
  /** @type {Map<string, string[]>} */
  const groups = new Map();
  for (const [file, region] of regionsOf(dir, templates)) groups.set(region, [...(groups.get(region) ?? []), file]);
  /** @type {Finding[]} */
  const findings = [];
  for (const [region, files] of groups) {
    const args = ['--format', 'json', '--regions', region, '--', ...files.map((f) => path.join(dir, f))];
    const r = spawnSync('cfn-lint', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    // cfn-lint's exit code is a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is its own failure.
    /** @type {any[]} */
    let out = [];
    try {
      if (r.error || r.status === null || r.status & 1) throw new Error('exit ' + r.status);
      out = JSON.parse(r.stdout || '[]');
    } catch (err) {
      fail(`cfn-lint ${args.join(' ')} did not run (${err instanceof Error ? err.message : err}):\n${r.stderr}`);
    }
    for (const m of out) {
      findings.push({
        rule: m.Rule.Id,
        template: path.basename(m.Filename).replace(/\.template\.json$/, ''),
        path: (m.Location?.Path ?? []).join('/'),
        message: m.Message,
        level: m.Level,
        line: m.Location?.Start?.LineNumber ?? 0,
      });
    }
  }
  console.log(`${label}: ${templates.length} templates in ${show(dir)}: ${templates.join(', ')}`);
  return findings;
}

/**
 * Matches findings with the entries for this configuration.
 * @param {string} configuration @param {Finding[]} findings @param {List} list
 * @returns {boolean} true when all is well
 */
function compare(configuration, findings, list) {
  /** @type {{ entry: Entry, location: string, used: number }[]} */
  const items = [];
  for (const e of list.acknowledged) {
    if (e.configurations && !e.configurations.includes(configuration)) continue;
    const locations = e.resources ? e.resources.map((id) => `Resources/${id}`) : (e.paths ?? []);
    for (const location of locations) items.push({ entry: e, location, used: 0 });
  }
  const unacknowledged = [];
  for (const f of findings) {
    const item = items.find(
      ({ entry: e, location }) =>
        e.rule === f.rule &&
        e.template === f.template &&
        (f.path === location || f.path.startsWith(`${location}/`)) &&
        (e.message === undefined || f.message.includes(e.message)),
    );
    if (item) item.used++;
    else unacknowledged.push(f);
  }
  const stale = items.filter((i) => i.used === 0);
  const acknowledged = findings.length - unacknowledged.length;
  console.log(
    `${configuration}: ${findings.length} findings, ${acknowledged} acknowledged, ` +
      `${unacknowledged.length} not acknowledged, ${stale.length} stale acknowledgements`,
  );
  for (const f of unacknowledged) {
    console.log(`  NEW   ${f.rule} ${f.level} ${f.template} ${f.path} (line ${f.line})\n        ${f.message}`);
  }
  for (const { entry: e, location } of stale) {
    console.log(`  STALE ${e.rule} ${e.template} ${location}${e.message ? ` ("${e.message}")` : ''}: no such finding`);
  }
  // Stale entries fail only with the cfn-lint the list was reviewed with: a newer one (another
  // machine image) may have caught up with aws-cdk-lib, which is news, not a failure of the kit.
  const sameVersion = list.reviewedWith === VERSION;
  if (stale.length && !sameVersion)
    console.log(
      `  (stale entries are reported, not failed: the list was reviewed with ${list.reviewedWith}, this is ${VERSION})`,
    );
  return unacknowledged.length === 0 && (stale.length === 0 || !sameVersion);
}

const opts = parseArgs(process.argv.slice(2));
const list = readList(opts.list);
const VERSION = cfnLintVersion();
if (!list.configurations[opts.configuration]) fail(`unknown configuration ${opts.configuration}`);
console.log(`${VERSION}; acknowledgements: ${show(opts.list)} (reviewed with ${list.reviewedWith})`);

let ok = compare(opts.configuration, lint(opts.dir, opts.configuration), list);
if (opts.all) {
  for (const [name, { context }] of Object.entries(list.configurations)) {
    if (name === opts.configuration) continue;
    const tmp = mkdtempSync(path.join(os.tmpdir(), `movierecs-cfn-lint-${name}-`));
    TEMP_DIRS.add(tmp);
    console.log(`${name}: cdk synth offline ${context.map((kv) => `-c ${kv}`).join(' ')}`);
    synth(tmp, context);
    ok = compare(name, lint(tmp, name), list) && ok;
    rmSync(tmp, { recursive: true, force: true });
    TEMP_DIRS.delete(tmp);
  }
}
if (!ok) {
  console.log(
    'cfn-lint check failed: fix each NEW finding in the construct, or acknowledge it in ' +
      `${show(opts.list)} with its specific reason; delete STALE acknowledgements.`,
  );
  process.exit(1);
}
console.log('cfn-lint check passed: every finding is acknowledged, every acknowledgement still needed.');
