import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * Runs cdk-nag's AWS Solutions pack over every stack at synth: `cdk synth` and `cdk deploy` fail
 * on any finding that is not acknowledged.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Acknowledges one cdk-nag finding on one construct, with the reason it is accepted. Every
 * acknowledgement in the kit goes through here: `grep -rn "acknowledge(" lib` lists them all.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * How cdk-nag writes the ARN of a resource of the same stack inside a finding id:
 * `<LogicalId.Arn>`. Used to acknowledge one wildcard under one resource, not all wildcards.
 */
export function arnPlaceholder(resource: IConstruct): string {
  const element = resource.node.defaultChild as CfnElement | undefined;
  if (!element) throw new Error(`${resource.node.path} has no CloudFormation resource to name`);
  return `<${Stack.of(element).getLogicalId(element)}.Arn>`;
}
