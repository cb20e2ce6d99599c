import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CliDependencies, CliIo, runCli } from '../../cli/main';

export const REPO_ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stream that records what is written; a terminal when `tty`. */
export function recorder(tty = false) {
  const chunks: string[] = [];
  return {
    isTTY: tty,
    columns: 100,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
    chunks,
  };
}

/** Runs the CLI in this process (the same program `movierecs` runs), capturing its output. */
export async function cli(
  args: string[],
  deps: CliDependencies = {},
  options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const stdout = recorder(options.tty);
  const stderr = recorder(options.tty);
  const io: CliIo = { stdout, stderr, env: options.env ?? {} };
  const code = await runCli(args, io, deps);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs `bin/movierecs.js` as a user would (a new node process, no terminal). */
export function binary(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'movierecs.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
