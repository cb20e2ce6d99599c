/**
 * `movierecs leftovers`: after `npx cdk destroy --all`, everything of this prefix still in the
 * account and region, what bills, and the command that removes each. Exit 1 while anything bills
 * (or a service could not be checked), 0 when nothing is left that bills. `--delete` removes what is
 * proven this workshop's and safe without its stacks, after a confirmation; what was kept on purpose
 * (the final RDS snapshot of `retainDatabase: true`) only when `--include-retained` asks for it too.
 */
import { Command } from '@commander-js/extra-typings';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createInterface } from 'node:readline/promises';
import { reconcile } from '../../lib/personalize/controller/reconcile';
import { SdkPersonalizePort } from '../../lib/personalize/controller/sdk-port';
import { workshopConfig } from '../config';
import { contextOption } from '../options';
import { CommandFailure, EXIT, explainAwsError, UsageError } from '../errors';
import { findLeftovers, Leftover, LeftoverClients, LeftoverReport } from '../leftovers/find';
import type { CliContext } from '../main';

export interface LeftoverDependencies {
  clients(region: string): LeftoverClients;
  sleep(ms: number): Promise<void>;
  /** Asks a yes/no question on the terminal. */
  confirm?(question: string): Promise<boolean>;
}

export const awsLeftoverDependencies: LeftoverDependencies = {
  clients: (region) => ({
    cloudformation: new CloudFormationClient({ region }),
    personalize: new SdkPersonalizePort(new PersonalizeClient({ region })),
    s3: new S3Client({ region }),
    logs: new CloudWatchLogsClient({ region }),
    rds: new RDSClient({ region }),
    secrets: new SecretsManagerClient({ region }),
    ssm: new SSMClient({ region }),
    ec2: new EC2Client({ region }),
  }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Between teardown passes: Personalize deletes are asynchronous (DELETE PENDING, then gone). */
const TEARDOWN_WAIT_MS = 30_000;
/** A teardown that has not finished in this long is left for another run (it resumes). */
const TEARDOWN_LIMIT_MS = 60 * 60_000;

export function leftoversCommand(context: CliContext, deps: LeftoverDependencies = awsLeftoverDependencies) {
  return new Command('leftovers')
    .description(
      'after cdk destroy: everything of this prefix still in the account and region, what bills, and how to remove it',
    )
    .addOption(contextOption('the prefix and region to check, as for cdk (repeatable)'))
    .option('--delete', "remove what is proven this workshop's (asks first), except what is kept on purpose", false)
    .option(
      '--include-retained',
      'with --delete: also delete what is kept on purpose (the final RDS snapshot of retainDatabase: true)',
      false,
    )
    .option('--yes', 'with --delete: do not ask (scripts, CI)', false)
    .option('--json', 'print the findings as JSON', false)
    .addHelpText(
      'after',
      '\nThe final RDS snapshot that retainDatabase: true keeps is listed (it bills) but --delete leaves it;\n' +
        'add --include-retained to delete it too, or delete it with the aws command listed under it.\n\n' +
        'Exit code: 0 nothing left that bills, 1 something bills (a kept snapshot too) or could not be checked.\n\n' +
        'Examples:\n  npx movierecs leftovers\n  npx movierecs leftovers -c prefix=Demo --delete\n' +
        '  npx movierecs leftovers --delete --include-retained',
    )
    .action(async (options) => {
      for (const [given, name] of [
        [options.includeRetained, '--include-retained'],
        [options.yes, '--yes'],
      ] as const) {
        if (given && !options.delete)
          throw new UsageError(`${name} only applies with --delete; add --delete or leave ${name} out`);
      }
      const config = workshopConfig(options.context);
      const clients = deps.clients(config.region);
      let report = await findLeftovers(config.prefix, config.region, clients);
      failOnCredentials(report, config.region);
      print(context, report, options.json);
      if (options.delete) {
        const removable = report.items.filter((i) => i.remove && (!i.retained || options.includeRetained));
        const kept = report.items.filter((i) => i.remove && i.retained && !options.includeRetained);
        if (kept.length) {
          context.out(
            `--delete keeps what was kept on purpose: ${named(kept)} (add --include-retained to delete it too)`,
          );
        }
        const personalizeOurs = report.items.some(
          (i) => i.kind === 'Personalize dataset group' && i.removeWith.includes('leftovers --delete'),
        );
        const count = removable.length + (personalizeOurs ? 1 : 0);
        if (count === 0) {
          context.out(
            `--delete: nothing ${kept.length ? 'else ' : ''}here is both proven this workshop's and safe to remove without its stacks (see "remove:" above).`,
          );
        } else {
          // What was kept on purpose is named in the question: a yes to "N item(s)" is not a yes to it.
          const retained = removable.filter((i) => i.retained);
          const question = `Delete ${removable.length} item(s)${personalizeOurs ? ' and tear down the Personalize dataset group' : ''} of ${config.prefix} in ${config.region}${retained.length ? `, including what was kept on purpose: ${named(retained)}` : ''}?`;
          if (!options.yes) {
            if (!deps.confirm && !context.io.stdin?.isTTY) {
              throw new UsageError('--delete asks before deleting; on no terminal, add --yes to confirm');
            }
            const ask = deps.confirm ?? ((q: string) => askOnTerminal(context, q));
            if (!(await ask(question))) {
              context.out('nothing deleted');
              context.exitCode = billing(report) ? EXIT.failed : EXIT.ok;
              return;
            }
          }
          for (const item of removable) {
            try {
              await item.remove!();
              context.out(`deleted ${item.kind} ${item.id}`);
            } catch (error) {
              context.err(`could not delete ${item.kind} ${item.id}: ${(error as Error).message}`);
            }
          }
          if (personalizeOurs) await personalizeTeardown(context, config.prefix, clients, deps.sleep);
          report = await findLeftovers(config.prefix, config.region, clients);
          context.out('');
          context.out('after --delete:');
          print(context, report, options.json);
        }
      }
      context.exitCode = billing(report) || report.unchecked.length ? EXIT.failed : EXIT.ok;
    });
}

const billing = (report: LeftoverReport) => report.items.some((i) => i.bills);

/** "RDS snapshot a, RDS snapshot b". */
const named = (items: readonly Leftover[]) => items.map((i) => `${i.kind} ${i.id}`).join(', ');

/** No credentials, an expired session: every check fails alike; say it once, with what to do. */
export function failOnCredentials(report: LeftoverReport, region: string): void {
  for (const { error } of report.unchecked) {
    const explained = explainAwsError(error, region);
    if (explained && !/may not call|access denied/.test(explained)) throw new CommandFailure(explained);
  }
}

function print(context: CliContext, report: LeftoverReport, json: boolean): void {
  if (json) {
    context.out(
      JSON.stringify({
        prefix: report.prefix,
        region: report.region,
        items: report.items.map(({ remove, ...item }) => ({ ...item, deletable: Boolean(remove) })),
        unchecked: report.unchecked.map((u) => ({ what: u.what, error: (u.error as Error).message })),
      }),
    );
    return;
  }
  for (const item of report.items) {
    context.out(`${item.bills ? 'BILLS ' : '      '}${item.kind}: ${item.id}${item.detail ? ` (${item.detail})` : ''}`);
    const how = !item.remove ? '' : item.retained ? '--delete --include-retained removes it' : '--delete removes it';
    context.out(`        remove: ${item.removeWith}${how ? `   [${how}]` : ''}`);
  }
  for (const { what, error } of report.unchecked) {
    context.out(`?     ${what}: could not check: ${explainAwsError(error, report.region) ?? (error as Error).message}`);
  }
  const bills = report.items.filter((i) => i.bills).length;
  const kept = report.items.filter((i) => i.bills && i.retained).length;
  context.out(
    report.items.length === 0 && report.unchecked.length === 0
      ? `nothing of ${report.prefix} is left in ${report.region}`
      : `${report.items.length} item(s) of ${report.prefix} left in ${report.region}, ${bills} of them billing${kept ? ` (${kept} kept on purpose)` : ''}${report.unchecked.length ? `; ${report.unchecked.length} service(s) not checked` : ''}`,
  );
}

/** The controller's own teardown (ownership checked on the group), one pass per wait, until done. */
async function personalizeTeardown(
  context: CliContext,
  prefix: string,
  clients: LeftoverClients,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let memory;
  for (let waited = 0; ; waited += TEARDOWN_WAIT_MS) {
    const result = await reconcile(
      { action: 'teardown', prefix },
      clients.personalize,
      { now: () => Date.now() },
      memory,
    );
    memory = result.memory;
    if (result.status === 'done') {
      context.out('Personalize: torn down');
      return;
    }
    if (result.status === 'failed') {
      context.err(`Personalize teardown failed: ${result.reason}`);
      return;
    }
    const waiting = result.progress.filter((p) => p.status !== 'ACTIVE').map((p) => `${p.resource} ${p.status}`);
    context.out(`Personalize: deleting (${waiting.slice(0, 4).join(', ')}${waiting.length > 4 ? ', …' : ''})`);
    if (waited >= TEARDOWN_LIMIT_MS) {
      context.err('Personalize teardown still running after an hour; run movierecs leftovers --delete again to resume');
      return;
    }
    await sleep(TEARDOWN_WAIT_MS);
  }
}

async function askOnTerminal(context: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: context.io.stdin!, output: context.io.stdout as NodeJS.WritableStream });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
