/**
 * `movierecs simulate`: a full create of the configured pipeline on the simulated Personalize, and
 * how long it takes against the seed notebook's one-step-at-a-time approach.
 */
import { Command } from '@commander-js/extra-typings';
import { workshopConfig } from '../config';
import { contextOption } from '../options';
import type { CliContext } from '../main';
import { makespan, RECONCILE_INTERVAL_MS, simulatedDesired } from '../pipeline/simulation';

export function simulateCommand(context: CliContext) {
  return new Command('simulate')
    .description(
      "time a full create of the configured pipeline on the simulated Personalize, against the seed notebook's",
    )
    .addOption(contextOption())
    .option('--json', 'print the figures as JSON', false)
    .addHelpText(
      'after',
      '\nThe simulation uses the durations the original workshop published (import 15 min, user-personalization\n' +
        'training 45 min, SIMS and ranking 35 min, campaign 12 min). To watch it step by step: movierecs status --simulate.\n\n' +
        'Example:\n  npx movierecs simulate -c \'solutions=[{"name":"Similar Items","type":"sims","recipe":"aws-sims","campaignMinTps":1}]\'',
    )
    .action(async (options) => {
      const config = workshopConfig(options.context);
      const report = await makespan(simulatedDesired(config));
      if (options.json) {
        context.out(JSON.stringify(report));
        return;
      }
      const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
      context.out(`reconcile calls:                 ${report.calls} (one per ${RECONCILE_INTERVAL_MS / 1000} s wait)`);
      context.out(`simulated time to all campaigns: ${minutes(report.makespanMs)}`);
      context.out(`critical path:                   ${minutes(report.criticalPathMs)}`);
      context.out(`seed notebook, one at a time:    ${minutes(report.sequentialMs)}`);
      context.out(`makespan / critical path:        ${(report.makespanMs / report.criticalPathMs).toFixed(3)}`);
      context.out(`sequential / makespan:           ${(report.sequentialMs / report.makespanMs).toFixed(2)}x`);
    });
}
