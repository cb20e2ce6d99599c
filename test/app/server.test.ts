/**
 * `npm start` (app-src/server.ts): the options and their errors, in-process; a port already in
 * use, in-process; and one real start in a child process, asked for /healthz and stopped with
 * Ctrl-C (SIGINT).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, parseServerArgs, portInUse, urlFor, USAGE, UsageError } from '../../app-src/server';
import { writePreparedFixture } from './helpers';

const REPO = path.resolve(__dirname, '..', '..');

let prepared: string;
let empty: string;
beforeAll(() => {
  prepared = writePreparedFixture();
  empty = mkdtempSync(path.join(tmpdir(), 'movierecs-unprepared-'));
});
afterAll(() => {
  rmSync(prepared, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

function usageError(argv: string[]): string {
  try {
    parseServerArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`parseServerArgs(${JSON.stringify(argv)}) did not throw`);
}

describe('parseServerArgs', () => {
  it('defaults: port 8000 on 127.0.0.1, the sample, the embedded database in memory', () => {
    expect(parseServerArgs([])).toEqual({
      port: 8000,
      host: '127.0.0.1',
      data: undefined,
      databaseUrl: undefined,
      dbDir: undefined,
    });
  });

  it('refuses an empty value for any option that names a place (a folder, a host, a database)', () => {
    for (const name of ['data', 'db-dir', 'host', 'database-url']) {
      expect(usageError([`--${name}`, ''])).toBe(`--${name} is empty; give it a value or leave it out`);
      expect(usageError([`--${name}=`])).toBe(`--${name} is empty; give it a value or leave it out`);
    }
  });

  it('takes every option', () => {
    expect(parseServerArgs(['--port', '8080', '--host', '0.0.0.0', '--data', prepared, '--db-dir', 'db'])).toEqual({
      port: 8080,
      host: '0.0.0.0',
      data: prepared,
      databaseUrl: undefined,
      dbDir: 'db',
    });
    expect(parseServerArgs(['--port=1', '--database-url', 'postgresql://me@localhost/movierecs'])).toMatchObject({
      port: 1,
      databaseUrl: 'postgresql://me@localhost/movierecs',
    });
    expect(parseServerArgs(['--port', '65535', '--database-url', 'postgres://db/x'])).toMatchObject({
      port: 65535,
      databaseUrl: 'postgres://db/x',
    });
  });

  it('--help and -h ask for the usage, whatever else is given', () => {
    expect(parseServerArgs(['--help'])).toBe('help');
    expect(parseServerArgs(['-h'])).toBe('help');
    expect(parseServerArgs(['--port', '0', '--help'])).toBe('help');
  });

  it('an unknown option, a stray argument or a missing value is named, in one sentence', () => {
    expect(usageError(['--prot', '80'])).toBe("Unknown option '--prot'");
    expect(usageError(['-x'])).toBe("Unknown option '-x'");
    expect(usageError(['prepared/'])).toBe("Unexpected argument 'prepared/'");
    expect(usageError(['--port'])).toBe("Option '--port <value>' argument missing");
  });

  it.each(['0', '65536', '123456', 'abc', '80.5', '1e3', '-1', '', ' 80', '0x50'])('--port=%p is refused', (port) => {
    expect(usageError([`--port=${port}`])).toBe(`--port must be a whole number from 1 to 65535, got "${port}"`);
  });

  it('--data without a manifest names the folder and how to prepare it', () => {
    expect(usageError(['--data', empty])).toBe(
      `--data ${empty}: no personalize/manifest.json there; prepare it with npm run data -- --edition <edition> --source <zip> --out ${empty}`,
    );
  });

  it('--database-url must be a PostgreSQL URL', () => {
    expect(usageError(['--database-url', 'mysql://me@localhost/movierecs'])).toBe(
      '--database-url must start with postgres:// or postgresql://, got "mysql://me@localhost/movierecs"',
    );
    expect(usageError(['--database-url', 'localhost'])).toMatch(/^--database-url must start with postgres:\/\//);
  });

  it('--db-dir is refused with --database-url', () => {
    expect(usageError(['--database-url', 'postgres://db/x', '--db-dir', 'db'])).toBe(
      '--db-dir is for the embedded database; leave it out with --database-url',
    );
  });
});

describe('urlFor', () => {
  it('prints a URL a browser opens', () => {
    expect(urlFor('127.0.0.1', 8000, '/recommend/')).toBe('http://127.0.0.1:8000/recommend/');
    expect(urlFor('0.0.0.0', 8080, '/admin/')).toBe('http://localhost:8080/admin/');
    expect(urlFor('::', 8080, '/recommend/')).toBe('http://localhost:8080/recommend/');
    expect(urlFor('::1', 8080, '/recommend/')).toBe('http://[::1]:8080/recommend/');
    expect(urlFor('movies.local', 80, '/')).toBe('http://movies.local:80/');
  });
});

describe('main', () => {
  let log: jest.SpyInstance;
  let error: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
    error.mockRestore();
  });
  const printed = (spy: jest.SpyInstance) => spy.mock.calls.map((args) => args.join(' ')).join('\n');

  it('--help prints the usage and returns 0', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(printed(log)).toBe(USAGE);
    expect(USAGE).toContain('--database-url <url>');
    expect(error).not.toHaveBeenCalled();
  });

  it.each([
    [['--prot', '80'], "npm start: Unknown option '--prot'"],
    [['--port', '99999'], 'npm start: --port must be a whole number from 1 to 65535, got "99999"'],
    [['--database-url', 'mysql://me@db/x'], 'npm start: --database-url must start with postgres://'],
    [['--database-url', 'postgres://db/x', '--db-dir', 'db'], 'npm start: --db-dir is for the embedded database'],
  ])('%j returns 2 with the problem and the --help hint, and no stack trace', async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(error).toHaveBeenCalledTimes(1);
    const text = printed(error);
    expect(text.startsWith(message)).toBe(true);
    expect(text).toMatch(/\nRun npm start -- --help for the options\.$/);
    expect(text).not.toMatch(/\n\s+at /);
    expect(log).not.toHaveBeenCalled();
  });

  it('--data without a manifest returns 2, naming the folder and npm run data', async () => {
    expect(await main(['--data', empty])).toBe(2);
    const text = printed(error);
    expect(text).toContain(`--data ${empty}: no personalize/manifest.json there`);
    expect(text).toContain('npm run data -- --edition <edition> --source <zip>');
  });

  it('a port in use: returns 1 with the port named at once, before loading anything', async () => {
    const blocker = await listenOnFreePort();
    const port = (blocker.address() as { port: number }).port;
    try {
      expect(await main(['--port', String(port), '--data', prepared], {})).toBe(1);
    } finally {
      blocker.close();
    }
    expect(printed(error)).toBe(`npm start: port ${port} is in use; choose another with --port`);
    // Nothing started: no database, no data loaded (before, this came after the whole load).
    expect(printed(log)).not.toMatch(/database|loaded|is ready/);
  });

  it('portInUse: true while something listens on the port, false once it is closed', async () => {
    const blocker = await listenOnFreePort();
    const port = (blocker.address() as { port: number }).port;
    expect(await portInUse(port, '127.0.0.1')).toBe(true);
    await new Promise((resolve) => blocker.close(resolve));
    expect(await portInUse(port, '127.0.0.1')).toBe(false);
  });
});

describe('npm start in a child process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    // Never leave a server behind, even when an expectation failed half-way.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('serves the prepared data, answers /healthz and exits 0 on Ctrl-C', async () => {
    const blocker = await listenOnFreePort();
    const port = (blocker.address() as { port: number }).port;
    await new Promise((resolve) => blocker.close(resolve));

    const env: NodeJS.ProcessEnv = { ...process.env, MOVIERECS_ADMIN_PASSWORD: 'a password for the test' };
    delete env.NODE_OPTIONS;
    child = spawn(
      process.execPath,
      // The movierecs binary, as `npx movierecs start` runs it (the same server as `npm start`).
      ['bin/movierecs.js', 'start', '--port', String(port), '--data', prepared],
      {
        cwd: REPO,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const url = `http://127.0.0.1:${port}`;
    // Starting takes seconds (tsx, PGlite, training); much longer on a loaded machine.
    const deadline = Date.now() + 75_000;
    while (!stdout.includes(`${url}/recommend/`)) {
      if (child.exitCode !== null) throw new Error(`the server exited early:\n${stdout}\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`the server did not print its address in 75 s:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stdout).toContain('loaded 29 ratings, 12 movies, 6 users (ml-100k)');
    // The password came from the environment: nothing is generated, nothing printed.
    expect(stdout).not.toContain('password');

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const front = await fetch(`${url}/recommend/`);
    expect(front.status).toBe(200);
    expect(await front.text()).toMatch(/data-count="ratings">29</);
    // The request log: one line per request, on stdout.
    const logLine = /\d{4}-\d\d-\d\dT\S+ 127\.0\.0\.1 GET \/recommend\/ 200 \d+ ms\n/;
    for (const stop = Date.now() + 5_000; !logLine.test(stdout) && Date.now() < stop;)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stdout).toMatch(logLine);

    child.kill('SIGINT');
    const [code, signal] = await within(20_000, 'the server to stop', () => exited);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stdout).toContain('stopping…');
    expect(stderr).not.toMatch(/\n\s+at /);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 120_000);
});

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function within<T>(ms: number, what: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
