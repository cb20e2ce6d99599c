/**
 * Lambda entry points of the Personalize controller:
 *
 * - `reconcileStep`: one reconcile call for the state machine (reconcile -> wait 60 s -> ...),
 *   publishing the model registry when what it says changes.
 * - `onEvent` / `isComplete`: the custom resource. Create and Update start the state machine and
 *   return at once (training outlasts CloudFormation's hour). Delete stops any running execution,
 *   then `isComplete` runs the teardown until everything of this prefix is gone.
 * - `reportFailure`: the state machine's Catch: whatever ended the loop (a reconcile function that
 *   kept crashing, a timeout) is written to the registry with its reason before the signal.
 * - `signal`: tells a CloudFormation WaitCondition the models are ready, or why not.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  fitModelRegistry,
  MODEL_REGISTRY_SCHEMA_VERSION,
  ModelRegistry,
  modelRegistrySchema,
  parseModelRegistry,
} from '../../shared/model-registry';
import { DesiredState, ReconcileMemory, ReconcileRequest } from './desired';
import { reconcile, ReconcileResult, registryOf } from './reconcile';
import { PersonalizePort } from './port';
import { SdkPersonalizePort } from './sdk-port';

/** The state machine's input and the reconcile step's event. */
export interface ControllerInput {
  readonly request: ReconcileRequest;
  /** The model registry parameter to publish to. */
  readonly registryParameter: string;
  /** A WaitCondition handle to signal when done or failed (waitForModels). */
  readonly waitHandleUrl?: string;
  /**
   * Epoch ms after which the run gives up with a reason, before the state machine's own timeout
   * (which no Catch can see) and the WaitCondition's 12 hours.
   */
  readonly deadline?: number;
  /** The previous step's result (the state machine keeps it at `$.result`). */
  readonly result?: StepResult;
}

export interface StepResult {
  readonly status: ReconcileResult['status'];
  readonly reason: string;
  readonly models: number;
  readonly memory?: ReconcileMemory;
}

/** A run gives up this long after it started (the WaitCondition allows at most 12 hours). */
export const PIPELINE_DEADLINE_MS = 11.5 * 3600_000;
/** Teardown reports what is left this long after the delete started (CloudFormation allows an hour). */
export const TEARDOWN_BUDGET_MS = 50 * 60_000;

export interface ControllerDependencies {
  readonly personalize: PersonalizePort;
  readonly ssm: Pick<SSMClient, 'send'>;
  readonly sfn: Pick<SFNClient, 'send'>;
  /** Reads the stack's own status (is this update a rollback?). */
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly now: () => number;
  readonly fetch: typeof fetch;
}

let defaults: ControllerDependencies | undefined;
function dependencies(): ControllerDependencies {
  defaults ??= {
    personalize: new SdkPersonalizePort(new PersonalizeClient({ maxAttempts: 5 })),
    ssm: new SSMClient({}),
    sfn: new SFNClient({}),
    cloudformation: new CloudFormationClient({}),
    now: () => Date.now(),
    fetch: globalThis.fetch,
  };
  return defaults;
}

export async function runReconcileStep(input: ControllerInput, deps: ControllerDependencies): Promise<StepResult> {
  const reconciled = await reconcile(input.request, deps.personalize, { now: deps.now }, input.result?.memory);
  let result = reconciled;
  if (result.status === 'pending' && input.deadline !== undefined && deps.now() > input.deadline) {
    const waiting = result.progress.filter((p) => p.status !== 'ACTIVE').map((p) => `${p.resource} ${p.status}`);
    result = {
      ...result,
      status: 'failed',
      reason:
        `The pipeline did not finish within ${PIPELINE_DEADLINE_MS / 3600_000} hours; still waiting on: ` +
        `${waiting.join(', ') || 'nothing listed'}. Deploy again (-c pipelineRun=<new value>) to resume.`,
    };
  }
  console.log(JSON.stringify({ status: result.status, reason: result.reason, actions: result.actions }));
  if (input.request.action === 'apply') await publishRegistry(input.registryParameter, result, deps);
  return {
    status: result.status,
    reason: result.reason ?? '',
    models: result.models.length,
    memory: result.memory,
  };
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
  const registry = registryOf(result, deps.now());
  const current = await readRegistryText(parameter, deps);
  if (current !== undefined && fingerprint(current) === fingerprint(JSON.stringify(registry))) return false;
  await deps.ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: JSON.stringify(registry),
      Type: 'String',
      Overwrite: true,
      // Standard: no charge, and the controller keeps the registry within its 4 KB (fitModelRegistry).
      Tier: 'Standard',
    }),
  );
  return true;
}

async function readRegistryText(parameter: string, deps: ControllerDependencies): Promise<string | undefined> {
  try {
    return (await deps.ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ParameterNotFound') throw error;
    return undefined;
  }
}

/** What a registry says, without its timestamps; unreadable text fingerprints as itself. */
function fingerprint(json: string): string {
  try {
    const registry = JSON.parse(json) as ModelRegistry;
    return JSON.stringify({
      status: registry.pipeline.status,
      reason: registry.pipeline.reason,
      resources: registry.pipeline.resources.map((r) => [r.resource, r.status, r.failureReason]),
      models: registry.models,
    });
  } catch {
    return json;
  }
}

export const reconcileStep = (input: ControllerInput): Promise<StepResult> => runReconcileStep(input, dependencies());

/** The state machine's Catch output: the input, with the error at `$.error`. */
export interface FailureInput extends ControllerInput {
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/**
 * Writes `failed` and the reason to the registry, keeping the models and progress it lists (the
 * campaigns that serve still serve). Returns the result the signal step reads.
 */
export async function runReportFailure(input: FailureInput, deps: ControllerDependencies): Promise<StepResult> {
  const reason = failureReason(input.error);
  const text = await readRegistryText(input.registryParameter, deps);
  let registry: ModelRegistry | undefined;
  try {
    registry = text === undefined ? undefined : parseModelRegistry(text);
  } catch {
    registry = undefined; // unreadable: replaced by a valid one saying what failed
  }
  const failed: ModelRegistry = fitModelRegistry(
    modelRegistrySchema.parse({
      schemaVersion: MODEL_REGISTRY_SCHEMA_VERSION,
      pipeline: {
        status: 'failed',
        reason,
        updatedAt: new Date(deps.now()).toISOString(),
        resources: registry?.pipeline.resources ?? [],
      },
      models: registry?.models ?? [],
    }),
  );
  await deps.ssm.send(
    new PutParameterCommand({
      Name: input.registryParameter,
      Value: JSON.stringify(failed),
      Type: 'String',
      Overwrite: true,
      // Standard: no charge, and the controller keeps the registry within its 4 KB (fitModelRegistry).
      Tier: 'Standard',
    }),
  );
  return { status: 'failed', reason, models: failed.models.length };
}

/** The reconcile function's error as Step Functions hands it on (`Cause` is Lambda's JSON). */
function failureReason(error: FailureInput['error']): string {
  let message = error?.Cause ?? '';
  try {
    const cause = JSON.parse(message) as { errorType?: string; errorMessage?: string };
    message = [cause.errorType, cause.errorMessage].filter(Boolean).join(': ') || message;
  } catch {
    // Cause is plain text (a timeout, a Step Functions error)
  }
  const what = error?.Error ?? 'Error';
  return `The reconcile function failed (${what}) and its retries ran out: ${message || 'no cause given'}`.slice(
    0,
    3000,
  );
}

export const reportFailure = (input: FailureInput): Promise<StepResult> => runReportFailure(input, dependencies());

// ---------------------------------------------------------------------------------------------
// The custom resource

const propertiesSchema = z.object({
  StateMachineArn: z.string().startsWith('arn:'),
  RegistryParameter: z.string().startsWith('/'),
  Prefix: z.string().min(1),
  Desired: z.string().min(2),
  WaitHandleUrl: z.string().optional(),
  RegistryRevision: z.string().optional(),
  Revision: z.string().optional(),
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
    // Teardown happens in isComplete; first, nothing may keep creating. The start time reaches
    // every isComplete call (the framework merges Data into its event).
    await stopRunningExecutions(props.StateMachineArn, deps);
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { TeardownStartedAt: String(deps.now()) } };
  }

  await stopRunningExecutions(props.StateMachineArn, deps);
  // A deployment retries once what failed before it (a training, an import); a rollback only puts
  // the previous settings back: retrying there would bill again for what just failed.
  const rollback = event.RequestType === 'Update' && (await isRollingBack(event.StackId, deps));
  if (rollback) console.log('the stack is rolling back: the previous settings are restored, no failure is retried');
  const desired = {
    ...(JSON.parse(props.Desired) as Omit<DesiredState, 'retryFailuresBefore'>),
    retryFailuresBefore: rollback ? 0 : deps.now(),
  };
  const input: ControllerInput = {
    request: { action: 'apply', desired },
    registryParameter: props.RegistryParameter,
    deadline: deps.now() + PIPELINE_DEADLINE_MS,
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
    throw new Error(
      boundedReason(
        `Removing the Personalize resources of ${prefix} failed; fix what follows, then run npx cdk destroy --all again (it resumes where this stopped): `,
        (result.reason ?? '').split('; '),
      ),
    );
  if (result.status === 'done') return { IsComplete: true };
  const startedAt = Number((event as { Data?: { TeardownStartedAt?: string } }).Data?.TeardownStartedAt);
  if (Number.isFinite(startedAt) && deps.now() - startedAt > TEARDOWN_BUDGET_MS) {
    throw new Error(
      boundedReason(
        `Removing the Personalize resources of ${prefix} takes longer than CloudFormation waits ` +
          `(${Math.round(TEARDOWN_BUDGET_MS / 60_000)} minutes so far). Every delete that can be issued has been issued. ` +
          'Run npx cdk destroy --all again in a few minutes: it resumes where this stopped. Still in progress: ',
        result.progress.map((p) => `${p.resource} ${p.status}`),
      ),
    );
  }
  return { IsComplete: false };
}

/**
 * Whether the stack is rolling back an update (CloudFormation then sends the custom resource an
 * Update with the previous properties). A status that cannot be read counts as a rollback: a
 * failure is then not retried, which costs a redeploy at worst, never a billed retry.
 */
async function isRollingBack(stackId: string, deps: ControllerDependencies): Promise<boolean> {
  try {
    const { Stacks } = await deps.cloudformation.send(new DescribeStacksCommand({ StackName: stackId }));
    return /ROLLBACK/.test(Stacks?.[0]?.StackStatus ?? '');
  } catch (error) {
    console.log(`could not read the stack status (${(error as Error).name}): no failure is retried`);
    return true;
  }
}

/**
 * CloudFormation refuses a custom resource answer over 4,096 bytes ("The total size of the
 * response body can't exceed 4096 bytes", custom resource responses): the reason gets at most
 * this much, leaving room for the ids and data the framework sends with it.
 */
export const MAX_REASON_BYTES = 2000;

/**
 * `head` (which says what to do) whole, then as many of `items` as fit in `maxBytes`, and how many
 * did not: the advice always survives, however much is left.
 */
export function boundedReason(head: string, items: readonly string[], maxBytes = MAX_REASON_BYTES): string {
  const size = (text: string) => Buffer.byteLength(text, 'utf8');
  const note = (left: number, first: boolean) =>
    left ? `${first ? '' : ', '}... and ${left} more (the function's log lists all)` : '';
  let text = head;
  for (let i = 0; i < items.length; i++) {
    const longer = `${text}${i ? ', ' : ''}${items[i]}`;
    // Each item is taken only with room left to say how many did not fit after it.
    if (size(longer + note(items.length - i - 1, false)) > maxBytes) {
      text += note(items.length - i, i === 0);
      break;
    }
    text = longer;
  }
  if (size(text) <= maxBytes) return text;
  return Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
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
