import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MINIMUM_NODE, NODE_ENGINES, nodeVersionProblem } from '../../lib/shared/node-version';

const ROOT = path.join(__dirname, '..', '..');

describe('the supported Node.js versions', () => {
  test('22.12 and newer, 24 and later lines run', () => {
    for (const version of ['22.12.0', '22.23.5', '24.0.0', '24.22.3', '26.12.1', 'v24.1.0']) {
      expect(nodeVersionProblem(version, 'npm start')).toBeUndefined();
    }
  });

  test('older versions get one line naming the version needed and the way to get it', () => {
    for (const version of ['20.20.2', '22.11.0', '22.0.0', '18.20.8', '4.9.1', 'v21.7.3']) {
      const problem = nodeVersionProblem(version, 'npm start');
      expect(problem).toBeDefined();
      expect(problem).not.toContain('\n');
      expect(problem).toContain('npm start needs Node.js 22.12 or newer (22 or 24 LTS)');
      expect(problem).toContain(`this is Node.js ${version.replace(/^v/, '')}`);
      expect(problem).toContain('npm run node:fetch');
    }
  });

  test('a version that is not one is refused, not accepted', () => {
    expect(nodeVersionProblem('', 'movierecs')).toContain('movierecs needs Node.js 22.12');
    expect(nodeVersionProblem('next', 'movierecs')).toBeDefined();
  });

  test('package.json "engines" and .node-version agree with it', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe(NODE_ENGINES);
    const pinned = readFileSync(path.join(ROOT, '.node-version'), 'utf8').trim();
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(nodeVersionProblem(pinned, 'ci')).toBeUndefined();
    expect(MINIMUM_NODE.major).toBe(22);
  });
});

describe('the entry points on an older Node (process.versions.node set to 20.20.2 before they load)', () => {
  let dir: string;
  let preload: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'movierecs-node-version-'));
    preload = path.join(dir, 'node-20.cjs');
    writeFileSync(
      preload,
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.20.2' } });\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: `--require ${preload}` },
      timeout: 60_000,
    });
  const expectOneLine = (result: ReturnType<typeof run>, program: string) => {
    expect(result.stderr).toBe(
      `${program} needs Node.js 22.12 or newer (22 or 24 LTS), this is Node.js 20.20.2: install it, ` +
        'or run `npm run node:fetch` and put .tools/node/bin first on PATH\n',
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  };

  test('npm start (tsx app-src/main.ts) prints one line and exits 1', () => {
    expectOneLine(run([path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'app-src/main.ts']), 'npm start');
  });

  test('the movierecs command (bin/movierecs.js) prints one line and exits 1', () => {
    expectOneLine(run([path.join(ROOT, 'bin', 'movierecs.js'), '--help']), 'movierecs');
  });
});
