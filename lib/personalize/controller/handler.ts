/**
 * Lambda entry points of the Personalize controller:
 *
 * - `reconcileStep`: one reconcile call for the state machine (reconcile -> wait 60 s -> ...),
 *   publishing the model registry when what it says changes.
 * - `onEvent` / `isComplete`: the custom resource. Create and Update start the state machine and
 *   return at once (training outlasts CloudFormation's hour). Delete stops any running execution,
 *   then `isComplete` runs the teardown until everything of this prefix is gone.
 * - `signal`: tells a CloudFormation WaitCondition the models are ready, or why not.
 */
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { z } from 'zod';
import { MODEL_REGISTRY_SCHEMA_VERSION, ModelRegistry, modelRegistrySchema } from '../../shared/model-registry';
import { DesiredState, ReconcileRequest } from './desired';
import { reconcile, ReconcileResult } from './reconcile';
import { PersonalizePort } from './port';
import { SdkPersonalizePort } from './sdk-port';

/** The state machine's input and the reconcile step's event. */
export interface ControllerInput {
  readonly request: ReconcileRequest;
  /** The model registry parameter to publish to. */
  readonly registryParameter: string;
  /** A WaitCondition handle to signal when done or failed (waitForModels). */
  readonly waitHandleUrl?: string;
}

export interface StepResult {
  readonly status: ReconcileResult['status'];
  readonly reason: string;
  readonly models: number;
}

export interface ControllerDependencies {
  readonly personalize: PersonalizePort;
  readonly ssm: Pick<SSMClient, 'send'>;
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly now: () => number;
  readonly fetch: typeof fetch;
}

let defaults: ControllerDependencies | undefined;
function dependencies(): ControllerDependencies {
  defaults ??= {
    personalize: new SdkPersonalizePort(new PersonalizeClient({ maxAttempts: 5 })),
    ssm: new SSMClient({}),
    sfn: new SFNClient({}),
    now: () => Date.now(),
    fetch: globalThis.fetch,
  };
  return defaults;
}

export async function runReconcileStep(input: ControllerInput, deps: ControllerDependencies): Promise<StepResult> {
  const result = await reconcile(input.request, deps.personalize, { now: deps.now });
  console.log(JSON.stringify({ status: result.status, reason: result.reason, actions: result.actions }));
  if (input.request.action === 'apply') await publishRegistry(input.registryParameter, result, deps);
  return { status: result.status, reason: result.reason ?? '', models: result.models.length };
}

/**
 * Writes the registry when what it says (ignoring timestamps) differs from what the parameter
 * holds now, so models appear as campaigns become active without a write every minute, and a
 * value reset by CloudFormation is written again.
 */
export async function publishRegistry(
  parameter: string,
  result: ReconcileResult,
  deps: ControllerDependencies,
): Promise<boolean> {
  const registry: ModelRegistry = modelRegistrySchema.parse({
    schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
    pipeline: {
      status: result.status,
      updatedAt: new Date(deps.now()).toISOString(),
      resources: result.progress,
    },
    models: result.models,
  });
  let current: string | undefined;
  try {
    current = (await deps.ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ParameterNotFound') throw error;
  }
  if (current !== undefined && fingerprint(current) === fingerprint(JSON.stringify(registry))) return false;
  await deps.ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: JSON.stringify(registry),
      Type: 'String',
      Overwrite: true,
      Tier: 'Intelligent-Tiering',
    }),
  );
  return true;
}

/** What a registry says, without its timestamps; unreadable text fingerprints as itself. */
function fingerprint(json: string): string {
  try {
    const registry = JSON.parse(json) as ModelRegistry;
    return JSON.stringify({
      status: registry.pipeline.status,
      resources: registry.pipeline.resources.map((r) => [r.resource, r.status, r.failureReason]),
      models: registry.models,
    });
  } catch {
    return json;
  }
}

export const reconcileStep = (input: ControllerInput): Promise<StepResult> => runReconcileStep(input, dependencies());

// ---------------------------------------------------------------------------------------------
// The custom resource

const propertiesSchema = z.object({
  StateMachineArn: z.string().startsWith('arn:'),
  RegistryParameter: z.string().startsWith('/'),
  Prefix: z.string().min(1),
  Desired: z.string().min(2),
  WaitHandleUrl: z.string().optional(),
  RegistryRevision: z.string().optional(),
});

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export async function handleOnEvent(
  event: CloudFormationCustomResourceEvent,
  deps: ControllerDependencies,
): Promise<OnEventResponse> {
  const parsed = propertiesSchema.safeParse(event.ResourceProperties);
  if (!parsed.success)
    throw new Error(
      `Invalid controller properties: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const props = parsed.data;
  const physicalId = `personalize/${props.Prefix}`;

  if (event.RequestType === 'Delete') {
    // Teardown happens in isComplete; first, nothing may keep creating.
    await stopRunningExecutions(props.StateMachineArn, deps);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  await stopRunningExecutions(props.StateMachineArn, deps);
  const desired = {
    ...(JSON.parse(props.Desired) as Omit<DesiredState, 'retryFailuresBefore'>),
    retryFailuresBefore: deps.now(),
  };
  const input: ControllerInput = {
    request: { action: 'apply', desired },
    registryParameter: props.RegistryParameter,
    ...(props.WaitHandleUrl ? { waitHandleUrl: props.WaitHandleUrl } : {}),
  };
  const started = await deps.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: props.StateMachineArn,
      name: `${event.RequestType.toLowerCase()}-${event.RequestId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80),
      input: JSON.stringify(input),
    }),
  );
  return { PhysicalResourceId: physicalId, Data: { ExecutionArn: started.executionArn ?? '' } };
}

export async function handleIsComplete(
  event: CloudFormationCustomResourceEvent,
  deps: ControllerDependencies,
): Promise<{ IsComplete: boolean }> {
  if (event.RequestType !== 'Delete') return { IsComplete: true };
  const prefix = (event.ResourceProperties as { Prefix?: string }).Prefix;
  if (!prefix) return { IsComplete: true };
  const result = await reconcile({ action: 'teardown', prefix }, deps.personalize, { now: deps.now });
  console.log(JSON.stringify({ status: result.status, reason: result.reason, actions: result.actions }));
  if (result.status === 'failed')
    throw new Error(`Removing the Personalize resources of ${prefix} failed: ${result.reason}`);
  return { IsComplete: result.status === 'done' };
}

async function stopRunningExecutions(stateMachineArn: string, deps: ControllerDependencies): Promise<void> {
  const running = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
  for (const execution of running.executions ?? []) {
    await deps.sfn.send(
      new StopExecutionCommand({
        executionArn: execution.executionArn,
        cause: 'A newer deployment or the stack deletion superseded it',
      }),
    );
  }
}

export const onEvent = (event: CloudFormationCustomResourceEvent) => handleOnEvent(event, dependencies());
export const isComplete = (event: CloudFormationCustomResourceEvent) => handleIsComplete(event, dependencies());

// ---------------------------------------------------------------------------------------------
// The WaitCondition signal

export interface SignalInput {
  readonly waitHandleUrl: string;
  readonly status: 'done' | 'failed';
  readonly reason: string;
}

export async function sendSignal(input: SignalInput, deps: Pick<ControllerDependencies, 'fetch'>): Promise<void> {
  const body = JSON.stringify({
    Status: input.status === 'done' ? 'SUCCESS' : 'FAILURE',
    Reason: (
      input.reason || (input.status === 'done' ? 'All campaigns are active' : 'The Personalize pipeline failed')
    ).slice(0, 4000),
    UniqueId: 'personalize-models',
    Data: input.status,
  });
  // The handle is a presigned S3 URL: a PUT with no content type.
  const response = await deps.fetch(input.waitHandleUrl, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`Signalling the WaitCondition failed: HTTP ${response.status}`);
}

export const signal = (input: SignalInput) => sendSignal(input, dependencies());
