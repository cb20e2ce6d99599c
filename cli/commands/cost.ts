/**
 * `movierecs cost`: what the configured workshop costs per hour while it stands, once (import and
 * training), and in total for `--hours` (default 3), from the committed price table.
 */
import { Command } from '@commander-js/extra-typings';
import { collectContext, workshopConfig } from '../config';
import { CostEstimate, CostLine, estimateCost } from '../cost/estimate';
import { PRICES } from '../cost/prices';
import { UsageError } from '../errors';
import type { CliContext } from '../main';

export function costCommand(context: CliContext) {
  return new Command('cost')
    .description('what the configured workshop costs: per hour while it stands, once, and for a workshop of N hours')
    .option(
      '-c, --context <key=value>',
      'override a workshop setting, as for cdk (repeatable)',
      collectContext,
      [] as string[],
    )
    .option('--hours <n>', 'how long the workshop stands', '3')
    .option('--json', 'print the estimate as JSON', false)
    .addHelpText(
      'after',
      `\nPrices: us-east-1 on-demand, as the AWS pricing pages read in ${PRICES.asOf} (cli/cost/prices.ts names each page).\n\n` +
        'Examples:\n  npx movierecs cost\n  npx movierecs cost --hours 8 -c dataset=ml-25m -c natGateways=2',
    )
    .action((options) => {
      if (!/^\d+(\.\d+)?$/.test(options.hours) || Number(options.hours) <= 0 || Number(options.hours) > 10_000) {
        throw new UsageError(`--hours must be a number of hours above 0 (at most 10000), got "${options.hours}"`);
      }
      const estimate = estimateCost(workshopConfig(options.context), Number(options.hours));
      if (options.json) context.out(JSON.stringify(estimate, null, 2));
      else for (const line of renderCost(estimate)) context.out(line);
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
