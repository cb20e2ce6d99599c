/**
 * The reads of the account several commands share: a stack (CloudFormation answers a missing one
 * with ValidationError "Stack with id … does not exist", which here is "not deployed") and the model
 * registry parameter.
 */
import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { createSsmParameterPort } from '../app-src/recommenders/registry';
import { WorkshopConfig } from '../lib/config';
import { modelRegistryParameterName } from '../lib/shared/names';

/** The stack, or undefined when it does not exist (or is DELETE_COMPLETE). */
export async function describeStack(client: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    const stack = (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) return undefined;
    throw error;
  }
}

/** A stack's outputs by key, or undefined when the stack does not exist. */
export async function stackOutputs(region: string, name: string): Promise<Record<string, string> | undefined> {
  const stack = await describeStack(new CloudFormationClient({ region }), name);
  if (!stack) return undefined;
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

/** The registry document, or undefined when the parameter does not exist. */
export function readRegistryDocument(config: WorkshopConfig): Promise<string | undefined> {
  return createSsmParameterPort(config.region).getParameter(modelRegistryParameterName(config.prefix));
}
