/**
 * Every command the README and the docs/ pages show runs as shown: each `npm run X` names a script
 * of package.json, each option given to `npm start`, `npm run <script> --`, `npx movierecs` and
 * `npx cdk` is one that command's real parser accepts (server.ts's parseServerArgs, evaluate.ts's
 * main, the commander program of cli/main.ts, the CDK CLI's own option registry), the folder given
 * to `--data` is one the documented `npm run data -- --out` writes, and every relative link and repo
 * path resolves to a file of this repository.
 */
import { CommanderError } from '@commander-js/extra-typings';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main as evaluateMain } from '../../app-src/evaluate';
import { parseBenchArgs } from '../../bench/models';
import { parseServerArgs, USAGE as SERVER_USAGE } from '../../app-src/server';
import { buildProgram, CliContext } from '../../cli/main';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
/** Scripts that hand their arguments to a program of their own (its --help documents them). */
const ARGUMENTS_NOT_CHECKED = new Set(['mutate', 'jest']);
/** Paths the docs name that the kit writes (never committed). */
const GENERATED = [/^data\/sample(\/|$)/, /^screenshots(\/|$)/, /^cdk\.out(\/|$)/, /^prepared(\/|$)/];
/** Where a documented path may start: the repository's own folders and files. */
const REPO_PATH =
  /^(?:\.\/)?((?:app-src|bench|bin|cli|data|docs|lib|scripts|test|\.ci)\/[\w.\-/]*|package\.json|cdk\.json|tsconfig\.json|jest\.config\.js|stryker\.config\.mjs|eslint\.config\.mjs|README\.md)$/;
const PLACEHOLDER = 'PLACEHOLDER';

interface Snippet {
  readonly where: string;
  readonly text: string;
  /** A code block line (a command to run) or an inline mention (may leave out required options). */
  readonly kind: 'block' | 'inline';
}

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? docs(path.join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [path.join(dir, entry.name)]
          : [],
    );
  return ['README.md', path.join('data', 'README.md'), ...docs('docs')];
}

interface Parsed {
  readonly snippets: Snippet[];
  readonly links: { where: string; href: string }[];
  readonly codeSpans: { where: string; text: string }[];
  readonly layoutPaths: { where: string; text: string }[];
  readonly headings: string[];
}

/** Shell blocks line by line (continuations joined), inline code spans, links, headings. */
function parseMarkdown(file: string): Parsed {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const result: Parsed = { snippets: [], links: [], codeSpans: [], layoutPaths: [], headings: [] };
  let fence: string | undefined;
  let prose: { line: number; text: string }[] = [];
  const flushProse = () => {
    const text = prose.map((p) => p.text).join('\n');
    const lineAt = (offset: number) => prose[text.slice(0, offset).split('\n').length - 1]?.line ?? 0;
    for (const m of text.matchAll(/`([^`]+)`/g)) {
      const span = m[1].replace(/\s*\n\s*/g, ' ').trim();
      const where = `${file}:${lineAt(m.index)}`;
      result.codeSpans.push({ where, text: span });
      result.snippets.push({ where, text: span, kind: 'inline' });
    }
    for (const m of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      result.links.push({ where: `${file}:${lineAt(m.index)}`, href: m[1] });
    }
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const opening = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(line);
    if (fence === undefined && opening) {
      flushProse();
      fence = opening[2] || 'text';
      continue;
    }
    if (fence !== undefined) {
      if (/^\s*(```+|~~~+)\s*$/.test(line)) {
        fence = undefined;
      } else if (['bash', 'sh', 'shell', 'console'].includes(fence)) {
        let text = line;
        const start = i + 1;
        while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i].trim()}`;
        result.snippets.push({ where: `${file}:${start}`, text, kind: 'block' });
      } else {
        // A layout listing: "lib/config.ts   the one typed, validated configuration".
        const listed = /^([\w.-]+\/[\w.\-/]*)\s{2,}/.exec(line);
        if (listed) result.layoutPaths.push({ where: `${file}:${i + 1}`, text: listed[1] });
      }
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) result.headings.push(heading[1]);
    prose.push({ line: i + 1, text: line });
  }
  flushProse();
  return result;
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The commands of one snippet: comments dropped, `a && b` split, placeholders made one word. */
function commandsIn(text: string): string[][] {
  const withoutComment = text.replace(/(^|\s)#.*$/, '');
  return withoutComment
    .split(/\s*(?:&&|\|\||;|\|)\s*/)
    .map((part) =>
      part
        .replace(/<[^>]*>/g, PLACEHOLDER)
        .replace(/\[(--?[^\]]+)\]/g, '$1')
        .replace(/…/g, ''),
    )
    .map((part) => (part.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((t) => t.replace(/^(["'])(.*)\1$/, '$2')))
    .map((tokens) => {
      while (tokens.length && /^[A-Z_][A-Z0-9_]*=/.test(tokens[0])) tokens.shift();
      return tokens;
    })
    .filter((tokens) => ['npm', 'npx', 'node'].includes(tokens[0]));
}

/** What the checks found: problems, and the folders written and read. */
class Findings {
  readonly problems: string[] = [];
  readonly outs = new Set<string>();
  readonly dataFolders: { where: string; folder: string }[] = [];
  readonly commandsChecked: string[] = [];
}

const folderKey = (folder: string) => path.normalize(folder).replace(/\/+$/, '');

function recordFolders(args: string[], where: string, findings: Findings, option: '--out' | '--data') {
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split('=', 2);
    if (name !== option) continue;
    const value = inline ?? args[i + 1];
    if (value === undefined || value.includes(PLACEHOLDER) || value === '') continue;
    if (option === '--out') findings.outs.add(folderKey(value));
    else findings.dataFolders.push({ where, folder: value });
  }
}

/** `npm start -- …`: parseServerArgs itself, with --data pointed at a folder holding a manifest. */
function checkServer(args: string[], where: string, findings: Findings) {
  recordFolders(args, where, findings, '--data');
  const prepared = mkdtempSync(path.join(os.tmpdir(), 'readme-data-'));
  try {
    mkdirSync(path.join(prepared, 'personalize'));
    writeFileSync(path.join(prepared, 'personalize', 'manifest.json'), '{}');
    const substituted = args.map((arg, i) =>
      args[i - 1] === '--data' ? prepared : arg.startsWith('--data=') ? `--data=${prepared}` : arg,
    );
    parseServerArgs(substituted);
  } catch (error) {
    findings.problems.push(`${where}: npm start -- ${args.join(' ')}: ${(error as Error).message}`);
  } finally {
    rmSync(prepared, { recursive: true, force: true });
  }
}

/** `npm run evaluate -- …`: evaluate's main, up to the point where it looks for the folder. */
async function checkEvaluate(args: string[], where: string, findings: Findings) {
  recordFolders(args, where, findings, '--data');
  const missing = path.join(os.tmpdir(), 'readme-commands-no-such-folder');
  const substituted = args.map((arg, i) => (args[i - 1] === '--data' ? missing : arg));
  const errors: string[] = [];
  const code = await evaluateMain(substituted, { log: () => undefined, error: (text: string) => errors.push(text) });
  if (code !== 0 && !errors.join('\n').includes('there is no folder')) {
    findings.problems.push(`${where}: npm run evaluate -- ${args.join(' ')}: ${errors.join(' ')}`);
  }
}

/** `npx movierecs …`: the real commander program, every action replaced by nothing. */
async function checkMovierecs(args: string[], where: string, kind: Snippet['kind'], findings: Findings) {
  const rest = args.filter((arg) => arg !== '--debug');
  const [command, ...options] = rest;
  if (command === 'start') return checkServer(options, where, findings);
  if (command === 'evaluate') return checkEvaluate(options, where, findings);
  if (command === undefined || command.includes(PLACEHOLDER)) return;
  if (command === 'data') recordFolders(options, where, findings, '--out');
  if (command === 'try') recordFolders(options, where, findings, '--data');
  const errors: string[] = [];
  const sink = { write: (text: string) => (errors.push(text), true) };
  const context: CliContext = {
    io: { stdout: { write: () => true }, stderr: sink, env: {} },
    out: () => undefined,
    err: () => undefined,
    exitCode: 0,
  };
  const program = buildProgram(context);
  if (!command.startsWith('-') && !program.commands.some((c) => c.name() === command)) {
    findings.problems.push(`${where}: movierecs has no command "${command}"`);
    return;
  }
  for (const sub of program.commands) (sub as unknown as { action(fn: () => void): void }).action(() => undefined);
  try {
    await program.parseAsync(rest, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const fine =
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.help' ||
      error.code === 'commander.version' ||
      (kind === 'inline' && error.code === 'commander.missingMandatoryOptionValue') ||
      (error.code === 'commander.invalidArgument' && error.message.includes(PLACEHOLDER));
    if (!fine) findings.problems.push(`${where}: movierecs ${rest.join(' ')}: ${error.message}`);
  }
}

interface CdkOption {
  readonly type: string;
  readonly alias?: string | string[];
}
const CDK = JSON.parse(
  readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk', 'lib', 'cli', 'cli-type-registry.json'), 'utf8'),
) as {
  globalOptions: Record<string, CdkOption>;
  commands: Record<string, { aliases?: string[]; options?: Record<string, CdkOption> }>;
};

/** `npx cdk …`: the command and its options as the CDK CLI's own registry declares them. */
function checkCdk(args: string[], where: string, findings: Findings) {
  const name = args.find((arg) => !arg.startsWith('-'));
  const entry = Object.entries(CDK.commands).find(([n, c]) => n === name || (c.aliases ?? []).includes(name ?? ''));
  if (name !== undefined && !entry) {
    findings.problems.push(`${where}: cdk has no command "${name}"`);
    return;
  }
  const options = { ...CDK.globalOptions, ...(entry?.[1].options ?? {}) };
  const find = (flag: string): [string, CdkOption] | undefined => {
    const bare = flag.replace(/^--?/, '');
    return Object.entries(options).find(
      ([n, o]) => n === bare || n === bare.replace(/^no-/, '') || [o.alias ?? []].flat().includes(bare),
    );
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '--help' || arg === '-h') continue;
    const [flag, inline] = arg.split('=', 2);
    const option = find(flag);
    if (!option) {
      findings.problems.push(`${where}: cdk ${name ?? ''} has no option ${flag}`);
      continue;
    }
    if (option[1].type !== 'boolean' && inline === undefined) i++;
  }
}

/** What a package.json script runs, and so which parser its arguments go to. */
async function checkScript(script: string, args: string[], where: string, kind: Snippet['kind'], findings: Findings) {
  const body = PACKAGE.scripts[script];
  if (body === undefined) {
    findings.problems.push(`${where}: package.json has no script "${script}"`);
    return;
  }
  const movierecs = /^tsx cli\/main\.ts(?:\s+(\S+))?$/.exec(body);
  if (movierecs) return checkMovierecs([...(movierecs[1] ? [movierecs[1]] : []), ...args], where, kind, findings);
  if (body === 'tsx app-src/main.ts') return checkServer(args, where, findings);
  // A bare mention in prose ("`npm run evaluate` prints them") names the script only.
  if (body === 'tsx app-src/evaluate.ts')
    return kind === 'inline' && !args.length ? undefined : checkEvaluate(args, where, findings);
  if (body === 'tsx bench/models.ts') {
    recordFolders(args, where, findings, '--data');
    try {
      parseBenchArgs(args);
    } catch (error) {
      findings.problems.push(`${where}: npm run ${script} -- ${args.join(' ')}: ${(error as Error).message}`);
    }
    return;
  }
  if (/^cdk\b/.test(body)) return checkCdk([...body.split(/\s+/).slice(1), ...args], where, findings);
  if (args.length && !ARGUMENTS_NOT_CHECKED.has(script)) {
    findings.problems.push(`${where}: npm run ${script} takes no arguments, given ${args.join(' ')}`);
  }
}

async function checkCommand(tokens: string[], where: string, kind: Snippet['kind'], findings: Findings) {
  findings.commandsChecked.push(tokens.join(' '));
  const [program, ...rest] = tokens;
  const exists = (file: string) => {
    if (!existsSync(path.join(ROOT, file))) findings.problems.push(`${where}: ${tokens.join(' ')}: no file ${file}`);
  };
  if (program === 'node') {
    const file = rest.find((t) => !t.startsWith('-'));
    if (file && !file.includes(PLACEHOLDER)) exists(file);
    return;
  }
  if (program === 'npx') {
    const [bin, ...args] = rest.filter((t) => !/^--(yes|no-install)$/.test(t));
    if (bin === undefined || bin.includes(PLACEHOLDER)) return;
    if (bin === 'movierecs') return checkMovierecs(args, where, kind, findings);
    if (bin === 'cdk') return checkCdk(args, where, findings);
    if (bin === 'tsx') {
      const file = args.find((t) => !t.startsWith('-'));
      if (file) exists(file);
      return;
    }
    if (!existsSync(path.join(ROOT, 'node_modules', '.bin', bin))) {
      findings.problems.push(`${where}: npx ${bin}: not a command of this repository or its dependencies`);
    }
    return;
  }
  // npm
  const [verb, ...after] = rest;
  if (verb === undefined || ['ci', 'install', 'i', 'exec', 'help'].includes(verb)) return;
  const runs = verb === 'run' || verb === 'run-script';
  const script = runs ? after[0] : verb === 't' ? 'test' : verb;
  const remainder = runs ? after.slice(1) : after;
  if (script === undefined || script.includes(PLACEHOLDER)) return;
  if (!runs && !['test', 'start', 'stop', 'restart'].includes(script)) {
    findings.problems.push(`${where}: npm ${verb}: not an npm command the docs should use (npm run ${verb}?)`);
    return;
  }
  const dashes = remainder.indexOf('--');
  if (dashes !== 0 && remainder.length > 0 && !(remainder.length === 1 && remainder[0] === '--')) {
    findings.problems.push(`${where}: ${tokens.join(' ')}: arguments for the script go after --`);
    return;
  }
  await checkScript(script, dashes === 0 ? remainder.slice(1) : [], where, kind, findings);
}

/** The help of `movierecs` and of each of its commands, examples included, as a user sees it. */
function cliHelpTexts(): [string, string][] {
  const printed: string[] = [];
  const stdout = { write: (text: string) => (printed.push(text), true) };
  const context: CliContext = {
    io: { stdout, stderr: stdout, env: {} },
    out: () => undefined,
    err: () => undefined,
    exitCode: 0,
  };
  const program = buildProgram(context);
  const help = (name: string, command: { outputHelp(): void }): [string, string] => {
    printed.length = 0;
    command.outputHelp();
    return [`movierecs ${name} --help`.replace('  ', ' '), printed.join('')];
  };
  return [help('', program), ...program.commands.map((command) => help(command.name(), command))];
}

async function checkAll(): Promise<Findings> {
  const findings = new Findings();
  const snippets: Snippet[] = [];
  for (const file of markdownFiles()) {
    const parsed = parseMarkdown(file);
    snippets.push(...parsed.snippets);
    for (const { where, href } of parsed.links) {
      if (/^[a-z][a-z+.-]*:/i.test(href)) continue;
      const [target, anchor] = href.split('#', 2);
      const resolved = target ? path.resolve(ROOT, path.dirname(file), decodeURI(target)) : path.join(ROOT, file);
      if (path.relative(ROOT, resolved).startsWith('..')) {
        findings.problems.push(`${where}: link ${href} leaves the repository`);
      } else if (!existsSync(resolved)) {
        findings.problems.push(`${where}: link ${href}: no such file`);
      } else if (anchor && resolved.endsWith('.md')) {
        const headings = parseMarkdown(path.relative(ROOT, resolved)).headings.map(slug);
        if (!headings.includes(anchor)) findings.problems.push(`${where}: link ${href}: no heading #${anchor}`);
      }
    }
    for (const { where, text } of [...parsed.codeSpans, ...parsed.layoutPaths]) {
      if (/(^|\s|\/)\.\.\//.test(text) && !/^(npm|npx|node)\s/.test(text)) {
        const resolved = path.resolve(ROOT, path.dirname(file), text.split(/\s/)[0]);
        if (path.relative(ROOT, resolved).startsWith('..'))
          findings.problems.push(`${where}: ${text} is outside the repository`);
        continue;
      }
      const repoPath = REPO_PATH.exec(text)?.[1];
      if (repoPath === undefined || GENERATED.some((g) => g.test(repoPath))) continue;
      if (!existsSync(path.join(ROOT, repoPath))) findings.problems.push(`${where}: ${text}: no such file or folder`);
    }
  }
  // The commands the programs print in their own help.
  for (const [name, usage] of [
    ['app-src/server.ts USAGE', SERVER_USAGE],
    [
      'app-src/evaluate.ts USAGE',
      /const USAGE = `([^`]*)`/.exec(readFileSync(path.join(ROOT, 'app-src', 'evaluate.ts'), 'utf8'))?.[1] ?? '',
    ],
    ...cliHelpTexts(),
  ]) {
    for (const line of usage.split('\n')) snippets.push({ where: name, text: line.trim(), kind: 'block' });
  }
  for (const snippet of snippets) {
    for (const tokens of commandsIn(snippet.text)) await checkCommand(tokens, snippet.where, snippet.kind, findings);
  }
  for (const { where, folder } of findings.dataFolders) {
    if (!findings.outs.has(folderKey(folder))) {
      findings.problems.push(
        `${where}: --data ${folder}: no documented npm run data -- --out writes it (they write ${[...findings.outs].join(', ')})`,
      );
    }
  }
  return findings;
}

describe('the commands and paths in the README and docs/', () => {
  let findings: Findings;
  beforeAll(async () => {
    findings = await checkAll();
  });

  test('are found (the extraction works)', () => {
    expect(findings.commandsChecked).toEqual(
      expect.arrayContaining([
        'npm ci',
        'npm start',
        'npm test',
        'npx cdk deploy --all',
        'npx cdk destroy --all',
        // from movierecs leftovers --help, and server.ts's USAGE
        'npx movierecs leftovers -c prefix=Demo --delete',
        'npm start -- --data prepared/ --port 8080',
      ]),
    );
    expect(findings.commandsChecked.length).toBeGreaterThan(30);
    expect(findings.outs.size).toBeGreaterThan(0);
  });

  test('every command, script, option, folder and path exists as shown', () => {
    expect(findings.problems).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const run = async (text: string, kind: Snippet['kind'] = 'block') => {
    const findings = new Findings();
    for (const tokens of commandsIn(text)) await checkCommand(tokens, 'x', kind, findings);
    return findings.problems;
  };

  test.each([
    ['npm run no-such-script', 'no script'],
    ['npm start -- --prot 8080', 'Unknown option'],
    ['npm start --port 8080', 'after --'],
    ['npm run data -- --edition ml-99k --source a.zip --out p/', 'ml-99k'],
    ['npm run data -- --edition ml-100k --source a.zip', "'--out <folder>' not specified"],
    ['npx movierecs leftover', 'no command "leftover"'],
    ['npx movierecs status --wach', "unknown option '--wach'"],
    ['npm run evaluate -- --dta x', 'unknown option'],
    ['npx cdk deploy --al', 'no option --al'],
    ['npx cdk deplo', 'no command'],
    ['npx tsx bench/no-such-file.ts', 'no file'],
  ])('%s is refused', async (text, problem) => {
    expect((await run(text)).join('\n')).toContain(problem);
  });

  test.each([
    'npm start -- --port 8080 --database-url postgres://me@localhost/movierecs',
    'MOVIERECS_ADMIN_PASSWORD=x npm start   # a comment',
    'npm run status -- --simulate --speed 120',
    'npx movierecs data --edition ml-100k --source <zip> --out <folder>',
    'npx cdk deploy --all -c prefix=Demo -c natGateways=2',
    'npm run synth',
    'npm run evaluate -- --data <prepared folder> [--json]',
  ])('%s is accepted', async (text) => {
    expect(await run(text)).toEqual([]);
  });

  test('a bare mention leaves out required options; a code block may not', async () => {
    expect(await run('npm run data', 'inline')).toEqual([]);
    expect((await run('npm run data', 'block')).join('\n')).toContain('not specified');
  });

  test('a heading anchor is GitHub-style', () => {
    expect(slug('Verified here / needs a real account')).toBe('verified-here--needs-a-real-account');
    expect(slug("During the workshop: the presenter's tools")).toBe('during-the-workshop-the-presenters-tools');
  });
});
