/**
 * `movierecs`: one command-line program for every job of the kit (the package's `bin`, so
 * `npx movierecs <command>`; the npm scripts are shortcuts to it). Parsing, help and usage errors
 * by commander; each command's work lives in the runtime code it calls.
 *
 *   npx movierecs --help
 *   npx movierecs data --edition ml-100k --source ml-100k.zip --out prepared/
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { main as evaluateMain } from '../app-src/evaluate';
import { main as startMain } from '../app-src/server';
import { BelowPersonalizeMinimumError, DataFileError, OutputLocationError } from '../lib/data/movielens/errors';
import { CommandFailure, EXIT, explainAwsError, UsageError } from './errors';
import { ProgressStream } from './progress';
import { dataCommand } from './commands/data';
import { sampleCommand, syntheticCommand } from './commands/synthetic';
import { simulateCommand } from './commands/simulate';
import { StatusSources, statusCommand } from './commands/status';
import { costCommand } from './commands/cost';
import { LeftoverDependencies, leftoversCommand } from './commands/leftovers';
import { TryDependencies, tryCommand } from './commands/try';

export interface CliIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly env: NodeJS.ProcessEnv;
  /** For confirmations (leftovers --delete); absent: not a terminal. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

/** What every command gets: where to write, and the exit code it sets. */
export interface CliContext {
  readonly io: CliIo;
  out(line?: string): void;
  err(line?: string): void;
  /** Set by a command that ends with something other than 0 without throwing (e.g. status: failed). */
  exitCode: number;
}

/** Commands with their own option parsing (shared with `npm start` / `npm run evaluate`), run as they are. */
const DELEGATED: Record<string, { summary: string; run: (args: string[], io: CliIo) => Promise<number> }> = {
  start: {
    summary: 'run the movie web app on this machine (embedded PostgreSQL, local models, no AWS account)',
    run: (args, io) => startMain(args, io.env, consoleOn(io)),
  },
  evaluate: {
    summary: 'train the local models on a prepared folder and print their offline metrics',
    run: (args, io) => evaluateMain(args, consoleOn(io)),
  },
};

/** console.log / console.error onto the CLI's streams. */
function consoleOn(io: CliIo): Pick<Console, 'log' | 'error'> {
  const line =
    (stream: ProgressStream) =>
    (...parts: unknown[]) =>
      void stream.write(`${parts.map((p) => (typeof p === 'string' ? p : String(p))).join(' ')}\n`);
  return { log: line(io.stdout), error: line(io.stderr) };
}

/** The AWS-facing parts of commands, replaced in tests. */
export interface CliDependencies {
  readonly status?: StatusSources;
  readonly leftovers?: LeftoverDependencies;
  readonly try?: TryDependencies;
}

export function buildProgram(context: CliContext, deps: CliDependencies = {}): Command {
  const program = new Command('movierecs')
    .description(
      'The MovieRecs Workshop kit: prepare MovieLens, run the site locally, watch and cost the deployed workshop.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npx movierecs data --edition ml-100k --source ml-100k.zip --out prepared/\n' +
        '  npx movierecs start --data prepared/\n' +
        '  npx movierecs <command> --help\n\n' +
        'Every command exits 0 when done, 1 when it failed (the message says why) and 2 for a wrong option.\n' +
        'Add --debug to print the stack of an unexpected error.',
    );
  program
    .configureOutput({
      writeOut: (text) => void context.io.stdout.write(text),
      writeErr: (text) => void context.io.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, 'movierecs: ')),
    })
    .exitOverride()
    .showHelpAfterError('(add --help for the options)');
  for (const [name, { summary }] of Object.entries(DELEGATED)) {
    program.command(name).description(`${summary} (movierecs ${name} --help)`);
  }
  for (const command of [
    dataCommand(context),
    syntheticCommand(context),
    sampleCommand(context),
    simulateCommand(context),
    statusCommand(context, deps.status),
    costCommand(context, deps.leftovers),
    leftoversCommand(context, deps.leftovers),
    tryCommand(context, deps.try),
  ]) {
    program.addCommand(command);
  }
  // Subcommands inherit the output settings and error handling.
  for (const command of program.commands) {
    command
      .configureOutput({
        writeOut: (text) => void context.io.stdout.write(text),
        writeErr: (text) => void context.io.stderr.write(text),
        outputError: (text, write) => write(text.replace(/^error: /, `movierecs ${command.name()}: `)),
      })
      .exitOverride()
      .showHelpAfterError(`(movierecs ${command.name()} --help for the options)`);
  }
  return program;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  deps: CliDependencies = {},
): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  const context: CliContext = {
    io,
    out: (line = '') => void io.stdout.write(`${line}\n`),
    err: (line = '') => void io.stderr.write(`${line}\n`),
    exitCode: EXIT.ok,
  };
  const commandName = args.find((arg) => !arg.startsWith('-')) ?? '';
  try {
    const delegated = DELEGATED[args[0] ?? ''];
    if (delegated) return await delegated.run(args.slice(1), io);
    const program = buildProgram(context, deps);
    if (args.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync([...args], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    return report(error, commandName, context, debug);
  }
}

function report(error: unknown, command: string, context: CliContext, debug: boolean): number {
  const who = command ? `movierecs ${command}` : 'movierecs';
  if (error instanceof CommanderError) {
    // Help and version end well; every other commander error is a usage error it has already printed.
    return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
      ? EXIT.ok
      : EXIT.usage;
  }
  if (error instanceof UsageError) {
    context.err(`${who}: ${error.message}`);
    context.err(`(${who} --help for the options)`);
    return EXIT.usage;
  }
  const known =
    error instanceof CommandFailure ||
    error instanceof DataFileError ||
    error instanceof BelowPersonalizeMinimumError ||
    error instanceof OutputLocationError ||
    (error as NodeJS.ErrnoException)?.code === 'ENOENT' ||
    (error as NodeJS.ErrnoException)?.code === 'EACCES';
  const aws = explainAwsError(error, context.io.env.AWS_REGION ?? 'the configured region');
  const message = aws ?? (error instanceof Error ? error.message : String(error));
  context.err(`${who}: ${message}`);
  if (debug && error instanceof Error && error.stack) context.err(error.stack);
  else if (!known && !aws) context.err(`(an unexpected error: run again with --debug for its stack)`);
  return EXIT.failed;
}

/** Runs the CLI on this process's arguments and sets its exit code (bin/movierecs.js, npm scripts). */
export function runFromProcess(): void {
  // `movierecs status | head`: a closed pipe ends the output, not the program with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  runCli(process.argv.slice(2)).then(
    // Done: exit now, whatever handles a command left open (stdout and stderr are synchronous on Linux).
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`movierecs: ${error.message}`);
      process.exitCode = EXIT.failed;
    },
  );
}

if (require.main === module) runFromProcess();
