/**
 * The bundle the instances run: built with esbuild, copied alone into an empty folder (no
 * node_modules anywhere above it), started with plain `node`, it answers /healthz against a real
 * PostgreSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { APP_BUNDLE_FILE, buildAppBundle } from '../../app-src/build';
import { freshPostgresDatabase, writePreparedFixture } from './helpers';

let bundle: string;

beforeAll(async () => {
  const built = await buildAppBundle(mkdtempSync(path.join(tmpdir(), 'movierecs-bundle-build-')));
  // /tmp has no node_modules above it: the bundle must carry everything it needs.
  const runDir = mkdtempSync(path.join(tmpdir(), 'movierecs-bundle-run-'));
  bundle = path.join(runDir, APP_BUNDLE_FILE);
  copyFileSync(built, bundle);
}, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

it('is one file of a few megabytes, with no native module', () => {
  const size = statSync(bundle).size;
  expect(size).toBeGreaterThan(1_000_000);
  expect(size).toBeLessThan(20_000_000);
});

it('started as `node app.js instance` without its environment, exits 1 naming what is missing', () => {
  const result = spawnSync(process.execPath, [bundle, 'instance'], {
    cwd: path.dirname(bundle),
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('the instance environment is incomplete: AWS_REGION is not set');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

it('without --database-url, says the bundle has no embedded database', () => {
  const result = spawnSync(process.execPath, [bundle, '--port', '1'], {
    cwd: path.dirname(bundle),
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('is not part of this build');
});

(process.env.TEST_DATABASE_URL ? it : it.skip)(
  'serves /healthz and the front page from a real PostgreSQL, and stops on SIGTERM',
  async () => {
    const { url, drop } = await freshPostgresDatabase();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [bundle, '--database-url', url, '--data', writePreparedFixture(), '--port', String(port)],
      {
        cwd: path.dirname(bundle),
        env: { PATH: process.env.PATH, MOVIERECS_ADMIN_PASSWORD: 'bundle test' },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('Workshop is ready')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the bundle did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('ok');
      const front = await (await fetch(`http://127.0.0.1:${port}/recommend/`)).text();
      expect(front).toMatch(/data-count="ratings">29</);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await drop();
    }
  },
  120_000,
);
