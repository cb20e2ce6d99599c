/**
 * `movierecs cost`: what the configured workshop costs per hour while it stands, once (import and
 * training), and in total for `--hours` (default 3), from the committed price table. `--running`
 * adds what the account holds now; a service it may not read is named, the others are still
 * counted, and the command exits 1 (the figures leave that service out).
 */
import { Command } from '@commander-js/extra-typings';
import { WorkshopConfig } from '../../lib/config';
import { workshopConfig } from '../config';
import { contextOption } from '../options';
import { findLeftovers, Leftover } from '../leftovers/find';
import { awsLeftoverDependencies, failOnCredentials, LeftoverDependencies } from './leftovers';
import { CostEstimate, CostLine, estimateCost } from '../cost/estimate';
import { PRICES } from '../cost/prices';
import { EXIT, explainAwsError, UsageError } from '../errors';
import type { CliContext } from '../main';

export function costCommand(context: CliContext, running: LeftoverDependencies = awsLeftoverDependencies) {
  return new Command('cost')
    .description('what the configured workshop costs: per hour while it stands, once, and for a workshop of N hours')
    .addOption(contextOption())
    .option('--hours <n>', 'how long the workshop stands', '3')
    .option('--running', 'also count what is running in the account now (AWS credentials needed)', false)
    .option('--json', 'print the estimate as JSON', false)
    .addHelpText(
      'after',
      `\nPrices: us-east-1 on-demand, as the AWS pricing pages read in ${PRICES.asOf} (cli/cost/prices.ts names each page).\n\n` +
        'With --running, a service the credentials may not read is named ("could not read RDS: …"), the others are\n' +
        'still counted, and the exit code is 1: the running figures leave that service out.\n\n' +
        'Examples:\n  npx movierecs cost\n  npx movierecs cost --hours 8 -c dataset=ml-25m -c natGateways=2\n  npx movierecs cost --running',
    )
    .action(async (options) => {
      if (!/^\d+(\.\d+)?$/.test(options.hours) || Number(options.hours) <= 0 || Number(options.hours) > 10_000) {
        throw new UsageError(`--hours must be a number of hours above 0 (at most 10000), got "${options.hours}"`);
      }
      const config = workshopConfig(options.context);
      const estimate = estimateCost(config, Number(options.hours));
      const now = options.running ? await runningNow(config, running) : undefined;
      if (options.json) context.out(JSON.stringify(now ? { ...estimate, running: now } : estimate, null, 2));
      else for (const line of [...renderCost(estimate), ...(now ? renderRunning(now, config) : [])]) context.out(line);
      if (now?.unread.length) {
        for (const { what, error } of now.unread) context.err(`movierecs cost: could not read ${what}: ${error}`);
        context.exitCode = EXIT.failed;
      }
    });
}

const dollars = (n: number, digits = 4) => `$${n.toFixed(digits)}`;

export function renderCost(e: CostEstimate): string[] {
  const table = (lines: readonly CostLine[], amount: (l: CostLine) => string) => {
    const rows = lines.map((l) => [l.item, l.quantity, amount(l)]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
    return lines.flatMap((l, i) => {
      const r = rows[i];
      const text = `  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}`;
      return l.note ? [text, `      ${l.note}`] : [text];
    });
  };
  const lines = [
    `MovieRecs Workshop cost estimate for ${e.region}: prices of ${e.pricesRegion}, as of ${e.pricesAsOf} (cli/cost/prices.ts)`,
  ];
  if (e.region !== e.pricesRegion)
    lines.push(`  note: the table holds ${e.pricesRegion} prices; ${e.region}'s differ somewhat`);
  lines.push('', 'While it stands, per hour:');
  lines.push(...table(e.hourly, (l) => (l.perHour === undefined ? '' : `${dollars(l.perHour)}/h`)));
  lines.push(`  ${'total per hour'.padEnd(20)} ${dollars(e.perHour)}/h`);
  lines.push('', 'Once, per deploy of the pipeline:');
  lines.push(...table(e.oneOff, (l) => (l.once === undefined ? '' : dollars(l.once))));
  const partial = e.oneOff.some((l) => l.once === undefined);
  lines.push(
    `  ${(partial ? 'total once, known parts' : 'total once').padEnd(20)} ${dollars(e.once)}${partial ? ' + training' : ''}`,
  );
  lines.push(
    '',
    `A ${e.hours}-hour workshop: ${dollars(e.perHour, 2)}/h x ${e.hours} h + ${dollars(e.once, 2)} once = ${dollars(e.total, 2)}${partial ? ', plus the training not estimated above' : ''}`,
  );
  if (e.unpriced.length) lines.push(`Not in the price table (counted as $0): ${e.unpriced.join(', ')}`);
  lines.push('After npx cdk destroy --all nothing bills; npx movierecs leftovers checks.');
  return lines;
}

export interface RunningNow {
  readonly stacks: readonly string[];
  readonly campaigns: number;
  readonly natGateways: number;
  readonly databases: number;
  readonly snapshots: number;
  /** What the counted parts cost per hour while nobody uses the site. */
  readonly idlePerHour: number;
  /** The services that could not be read, and why: the figures above leave them out. */
  readonly unread: readonly { readonly what: string; readonly error: string }[];
}

/**
 * Counts the billing parts of this prefix in the account (the leftovers finder, read only, limited to
 * the services counted here). Missing credentials fail the command at once (every read fails alike);
 * a service the credentials may not read is set aside in `unread` and the others are counted.
 */
async function runningNow(config: WorkshopConfig, deps: LeftoverDependencies): Promise<RunningNow> {
  const report = await findLeftovers(config.prefix, config.region, deps.clients(config.region), [
    'personalize',
    'rds',
    'ec2',
  ]);
  failOnCredentials(report, config.region);
  const unread = report.unchecked.map(({ what, error }) => ({ what, error: reason(error, config.region) }));
  const count = (kind: string, items: readonly Leftover[] = report.items) =>
    items.filter((i) => i.kind === kind && i.bills).length;
  const stacks = report.items.filter((i) => i.kind === 'CloudFormation stack').map((i) => i.id);
  const campaigns = count('Personalize campaign');
  const natGateways = count('NAT gateway');
  const databases = count('RDS instance');
  const snapshots = count('RDS snapshot');
  const e = estimateCost(config, 1);
  const line = (start: string) => e.hourly.find((l) => l.item.startsWith(start))?.perHour ?? 0;
  const perCampaign = PRICES.personalize.campaignPerTpsHour;
  const webUp = stacks.includes(`${config.prefix}-Web`);
  const idlePerHour =
    campaigns * perCampaign +
    natGateways * (PRICES.vpc.natGatewayPerHour + PRICES.vpc.publicIpv4PerHour) +
    databases * (line('database (') + line('database storage')) +
    (webUp
      ? line('web instances') + line('application load balancer') + 2 * PRICES.vpc.publicIpv4PerHour + line('secrets')
      : 0);
  return { stacks, campaigns, natGateways, databases, snapshots, idlePerHour, unread };
}

/** "AccessDenied: your credentials may not call rds:DescribeDBInstances (…)": the error's name, then what it means. */
function reason(error: unknown, region: string): string {
  const { name, message } = error as { name?: string; message?: string };
  const said = explainAwsError(error, region) ?? (message ?? String(error)).split('\n')[0];
  return name && name !== 'Error' ? `${name}: ${said}` : said;
}

function renderRunning(now: RunningNow, config: WorkshopConfig): string[] {
  const unread = now.unread.map((u) => u.what).join(', ');
  const stacksUnread = now.unread.some((u) => u.what === 'CloudFormation stacks');
  const partial = unread
    ? [`Not counted: ${unread} (could not be read, see the error output): the figures may be low.`]
    : [];
  if (now.stacks.length === 0 && now.campaigns + now.natGateways + now.databases + now.snapshots === 0) {
    return [
      '',
      `Running now in ${config.region}: nothing of ${config.prefix}${unread ? ' in what could be read' : ''}.`,
      ...partial,
    ];
  }
  return [
    '',
    `Running now in ${config.region}: stacks ${now.stacks.join(', ') || (stacksUnread ? 'not read' : 'none')}; ${now.campaigns} campaign(s) (at 1 TPS minimum each), ${now.natGateways} NAT gateway(s), ${now.databases} database(s)${now.snapshots ? `, ${now.snapshots} snapshot(s)` : ''}`,
    `Idle, with nobody on the site, these cost about $${now.idlePerHour.toFixed(4)}/h; campaigns bill whether asked or not.`,
    ...partial,
  ];
}
