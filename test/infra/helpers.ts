import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { loadWorkshopConfig, WorkshopConfig } from '../../lib/config';
import { addPolicyChecks } from '../../lib/policy-checks';
import { createWorkshop, WorkshopOptions, WorkshopStacks } from '../../lib/workshop';

export const REPO_ROOT = path.join(__dirname, '..', '..');

/** The context of cdk.json, as the CDK CLI reads it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'));
  return cdkJson.context;
}

/** Context keys the CDK CLI adds for `cdk synth` (seen in CDK_CONTEXT_JSON with this cdk.json). */
const CLI_CONTEXT = {
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:disable-version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
};

export interface BuiltWorkshop {
  readonly app: App;
  readonly config: WorkshopConfig;
  readonly stacks: WorkshopStacks;
  readonly outdir: string;
}

/**
 * Builds the workshop exactly as `bin/workshop.ts` does under `cdk synth`: cdk.json's context plus
 * the CLI's keys, then `overrides` as `-c key=value` would give them.
 */
export function buildWorkshop(overrides: Record<string, unknown> = {}, options: WorkshopOptions = {}): BuiltWorkshop {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-synth-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...CLI_CONTEXT, ...overrides } });
  const config = loadWorkshopConfig((key) => app.node.tryGetContext(key));
  const stacks = createWorkshop(app, config, options);
  addPolicyChecks(app);
  return { app, config, stacks, outdir };
}

export interface SynthesizedWorkshop extends BuiltWorkshop {
  readonly data: Template;
  readonly personalize: Template;
  readonly web: Template;
}

/** Builds and synthesizes the workshop; policy-check failures throw with the report. */
export function synthWorkshop(
  overrides: Record<string, unknown> = {},
  options: WorkshopOptions = {},
): SynthesizedWorkshop {
  const built = buildWorkshop(overrides, options);
  const assembly = synthOrExplain(built);
  const template = (stack: Stack) => Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return {
    ...built,
    data: template(built.stacks.data),
    personalize: template(built.stacks.personalize),
    web: template(built.stacks.web),
  };
}

/** A violation from the synth-time validation report. */
export interface Violation {
  readonly plugin: string;
  readonly rule: string;
  readonly paths: readonly string[];
}

/** Synthesizes; if validation fails, rethrows with every violation named. */
export function synthOrExplain(built: BuiltWorkshop): CloudAssembly {
  try {
    return built.app.synth();
  } catch (error) {
    const violations = readViolations(built.outdir);
    if (violations.length === 0) throw error;
    throw new Error(
      'Synth-time validation failed:\n' +
        violations.map((v) => `  ${v.plugin} ${v.rule} at ${v.paths.join(', ')}`).join('\n'),
      { cause: error },
    );
  }
}

/** Reads the violations of `validation-report.json` in an assembly directory. */
export function readViolations(outdir: string): Violation[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pluginReports: {
      pluginName: string;
      violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      plugin: plugin.pluginName,
      rule: v.ruleName,
      paths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
}

/** A resource of a synthesized template, loosely typed for assertions. */
export type TemplateResource = { Properties?: Record<string, any>; [key: string]: any };

/** All resources of one type in a template, as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, TemplateResource][] {
  return Object.entries(template.findResources(type));
}
