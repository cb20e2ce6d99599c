/**
 * `npm start`: the local workshop (run through main.ts). The only place that reads argv and the
 * environment for it; the rest of the app gets its settings passed in (start.ts).
 *
 *   npm start                                   # embedded PostgreSQL, synthetic sample, :8000
 *   npm start -- --data prepared/ --port 8080   # a folder `npm run data` wrote (real MovieLens)
 *   npm start -- --database-url postgres://user@localhost/movierecs
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startWebApp } from './start';

export const USAGE = `Usage: npm start -- [options]

Runs the movie web app on this machine: an embedded PostgreSQL (PGlite), the local models and the
synthetic sample, unless told otherwise. No AWS account is needed.

Options:
  --port <n>             port to listen on (default 8000)
  --host <address>       address to listen on (default 127.0.0.1; 0.0.0.0 to share on a network)
  --data <folder>        a folder written by: npm run data -- --edition ml-100k --source ml-100k.zip --out <folder>
                         (default: the synthetic sample, generated on first use into data/sample/)
  --database-url <url>   a PostgreSQL server instead of the embedded one, e.g. postgres://me@localhost/movierecs
  --db-dir <folder>      keep the embedded database in this folder between runs (default: in memory)
  --help                 this text

Environment:
  MOVIERECS_ADMIN_PASSWORD   the admin password (default: generated and printed at start)

Example:
  npm start -- --data prepared/ --port 8080
`;

export class UsageError extends Error {}

export interface ServerOptions {
  readonly port: number;
  readonly host: string;
  readonly data?: string;
  readonly databaseUrl?: string;
  readonly dbDir?: string;
}

export function parseServerArgs(argv: readonly string[]): ServerOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'database-url': { type: 'string' },
        'db-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs' messages name the option ("Unknown option '--prot'"); keep them, drop the trace.
    throw new UsageError((error as Error).message.split('. ')[0]);
  }
  if (values.help) return 'help';
  // An empty value is a slip (an unset shell variable): "" would mean the current folder or no host.
  for (const name of ['data', 'db-dir', 'host', 'database-url'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} is empty; give it a value or leave it out`);
  }
  const port = values.port === undefined ? 8000 : Number(values.port);
  if (!/^\d{1,5}$/.test(String(values.port ?? '8000')) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 1 to 65535, got "${values.port}"`);
  }
  const data = values.data as string | undefined;
  if (data !== undefined && !existsSync(path.join(data, 'personalize', 'manifest.json'))) {
    throw new UsageError(
      `--data ${data}: no personalize/manifest.json there; prepare it with npm run data -- --edition <edition> --source <zip> --out ${data}`,
    );
  }
  const databaseUrl = values['database-url'] as string | undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError(
      `--database-url must start with postgres:// or postgresql://, got "${databaseUrl.slice(0, 40)}"`,
    );
  }
  if (databaseUrl !== undefined && values['db-dir'] !== undefined) {
    throw new UsageError('--db-dir is for the embedded database; leave it out with --database-url');
  }
  return {
    port,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    data,
    databaseUrl,
    dbDir: values['db-dir'] as string | undefined,
  };
}

/**
 * Whether something already listens on the port: a trial listen on the same address, closed at
 * once. (Another process may still take the port before the app listens; that is reported too.)
 */
export function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** The address to open in a browser: a wildcard host is this machine; an IPv6 address goes in brackets. */
export function urlFor(host: string, port: number, pathname: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}${pathname}`;
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: Pick<Console, 'log' | 'error'> = console,
): Promise<number> {
  let options: ServerOptions | 'help';
  try {
    options = parseServerArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(`npm start: ${error.message}\nRun npm start -- --help for the options.`);
    return 2;
  }
  if (options === 'help') {
    out.log(USAGE);
    return 0;
  }
  // A busy port is said at once, not after the data has loaded (seconds, minutes for ml-25m).
  if (await portInUse(options.port, options.host)) {
    out.error(`npm start: port ${options.port} is in use; choose another with --port`);
    return 1;
  }
  const started = performance.now();
  const web = await startWebApp({
    database: options.databaseUrl ? { url: options.databaseUrl } : { embedded: { dataDir: options.dbDir } },
    data: options.data ? { folder: path.resolve(options.data) } : 'sample',
    admin: env.MOVIERECS_ADMIN_PASSWORD ? { password: env.MOVIERECS_ADMIN_PASSWORD } : undefined,
    log: (line) => out.log(`  ${line}`),
    // One line per request and every server error with its stack: what the error page points to.
    requestLog: (line) => out.log(`${new Date().toISOString()} ${line}`),
  });
  try {
    await web.app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await web.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      out.error(`npm start: port ${options.port} is in use; choose another with --port`);
      return 1;
    }
    throw error;
  }
  out.log(`\nMovieRecs Workshop is ready in ${((performance.now() - started) / 1000).toFixed(1)} s:`);
  out.log(`  ${urlFor(options.host, options.port, '/recommend/')}`);
  if (web.generatedPassword)
    out.log(`  admin: ${urlFor(options.host, options.port, '/admin/')}  user admin, password ${web.generatedPassword}`);
  out.log('Press Ctrl-C to stop.');
  // EASE trains now, between requests; its line in the log and the front page say when it is ready.
  void web.trainInBackground();

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      out.log('\nstopping…');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await web.close();
  return 0;
}
