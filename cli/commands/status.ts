/**
 * `movierecs status`: the Personalize pipeline as a table (from the model registry parameter the
 * controller writes), the site's URL (the Web stack's `AppUrl` output) and how many models it shows.
 * `--watch` redraws until the pipeline is done (exit 0) or failed (exit 1); `--simulate` rehearses
 * the whole pipeline on the simulated Personalize, `--speed` times faster than real time.
 */
import { Command } from '@commander-js/extra-typings';
import { LOCAL_MODEL_SPECS } from '../../app-src/recommenders/local';
import { WorkshopConfig } from '../../lib/config';
import { registryOf } from '../../lib/personalize/controller/reconcile';
import { parseModelRegistry } from '../../lib/shared/model-registry';
import { modelRegistryParameterName, stackName } from '../../lib/shared/names';
import { readRegistryDocument, stackOutputs } from '../aws';
import { workshopConfig } from '../config';
import { contextOption, numberFrom } from '../options';
import { CommandFailure, EXIT } from '../errors';
import type { CliContext } from '../main';
import { formatDuration } from '../progress';
import { pipelineStatus, PipelineStatus, renderStatus } from '../pipeline/status';
import { rehearse, simulatedDesired } from '../pipeline/simulation';

/** What status reads from AWS (replaced in tests). */
export interface StatusSources {
  /** The registry document, or undefined when the parameter does not exist. */
  registry(config: WorkshopConfig): Promise<string | undefined>;
  /** The Web stack's AppUrl output, or undefined when the stack does not exist. */
  siteUrl(config: WorkshopConfig): Promise<string | undefined>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const awsStatusSources: StatusSources = {
  registry: readRegistryDocument,
  siteUrl: async (config) => (await stackOutputs(config.region, stackName(config.prefix, 'Web')))?.AppUrl,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function statusCommand(context: CliContext, sources: StatusSources = awsStatusSources) {
  return new Command('status')
    .description(
      'the Personalize pipeline resource by resource (stage, elapsed, progress, ETA), the site URL and its models',
    )
    .addOption(contextOption())
    .option('--watch', 'redraw until the pipeline is done (exit 0) or failed (exit 1)', false)
    .option('--interval <seconds>', 'how often --watch reads the registry', '30')
    .option('--simulate', 'rehearse the whole pipeline on the simulated Personalize (no AWS account)', false)
    .option('--speed <n>', 'with --simulate: this many times faster than real time', '60')
    .option('--json', 'print the status as JSON (with --watch: one JSON line per reading)', false)
    .addHelpText(
      'after',
      '\nExamples:\n  npx movierecs status\n  npx movierecs status --watch\n  npx movierecs status --simulate --speed 120   # the hour in half a minute, no account needed',
    )
    .action(async (options) => {
      const config = workshopConfig(options.context);
      const interval = numberFrom('interval', options.interval, 5, 3600);
      const speed = numberFrom('speed', options.speed, 1, 100_000);
      const view = new StatusView(context, options.json);
      const localModels = LOCAL_MODEL_SPECS.length;
      if (options.simulate) {
        const desired = simulatedDesired(config);
        const last = await rehearse(desired, async (step) => {
          const registry = registryOf(step.result, step.now);
          view.show(
            pipelineStatus(registry, step.now, config, {
              localModels,
              url: 'http://localhost:8000/recommend/ (simulated)',
            }),
            `simulated, ${speed}x: ${formatDuration(step.elapsed / 1000)} into the pipeline`,
          );
          if (step.result.status === 'pending') await sources.sleep(60_000 / speed);
        });
        view.end();
        context.exitCode = last.result.status === 'done' ? EXIT.ok : EXIT.failed;
        return;
      }
      for (;;) {
        const [text, url] = await Promise.all([sources.registry(config), sources.siteUrl(config)]);
        if (text === undefined) {
          throw new CommandFailure(
            `no model registry ${modelRegistryParameterName(config.prefix)} in ${config.region}: the ${stackName(config.prefix, 'Personalize')} stack is not deployed there (npx cdk deploy --all), or -c prefix/region differ from the deploy's`,
          );
        }
        const status = pipelineStatus(parseModelRegistry(text), sources.now(), config, { localModels, url });
        view.show(
          status,
          options.watch ? `read at ${new Date(sources.now()).toISOString().slice(11, 19)} UTC` : undefined,
        );
        const finished = status.pipeline === 'done' || status.pipeline === 'failed';
        if (!options.watch || finished) {
          view.end();
          context.exitCode = status.pipeline === 'failed' ? EXIT.failed : EXIT.ok;
          return;
        }
        await sources.sleep(interval * 1000);
      }
    });
}

/**
 * Draws readings: on a terminal the table is redrawn in place; in a pipe or log the first reading
 * prints the table, later ones only the resources whose status changed, and the last the table again.
 */
class StatusView {
  private drawnLines = 0;
  private readings = 0;
  private previous = new Map<string, string>();
  private last?: PipelineStatus;
  private lastNote?: string;

  constructor(
    private readonly context: CliContext,
    private readonly json: boolean,
  ) {}

  private get tty(): boolean {
    return Boolean(this.context.io.stdout.isTTY);
  }

  show(status: PipelineStatus, note?: string): void {
    this.readings++;
    this.last = status;
    this.lastNote = note;
    if (this.json) {
      this.context.out(JSON.stringify(status));
      return;
    }
    if (this.tty) {
      const lines = [...(note ? [note, ''] : []), ...renderStatus(status)];
      const up = this.drawnLines ? `\x1b[${this.drawnLines}F\x1b[J` : '';
      this.context.io.stdout.write(`${up}${lines.join('\n')}\n`);
      this.drawnLines = lines.length;
    } else if (this.readings === 1) {
      for (const line of [...(note ? [note, ''] : []), ...renderStatus(status)]) this.context.out(line);
    } else {
      for (const row of status.rows) {
        if (this.previous.get(row.resource) !== row.status) {
          this.context.out(`${note ? `[${note}] ` : ''}${row.resource}: ${row.status}`);
        }
      }
    }
    this.previous = new Map(status.rows.map((r) => [r.resource, r.status]));
  }

  /** In a pipe, the final table once more (unless it was the only reading). */
  end(): void {
    if (this.json || this.tty || this.readings <= 1 || !this.last) return;
    this.context.out('');
    for (const line of [...(this.lastNote ? [this.lastNote, ''] : []), ...renderStatus(this.last)])
      this.context.out(line);
  }
}
