import { createServer } from 'node:http';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AddressInfo } from 'node:net';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  boundedReason,
  ControllerDependencies,
  ControllerInput,
  MAX_REASON_BYTES,
  handleIsComplete,
  handleOnEvent,
  PIPELINE_DEADLINE_MS,
  runReconcileStep,
  runReportFailure,
  sendSignal,
  TEARDOWN_BUDGET_MS,
} from '../../lib/personalize/controller/handler';
import { SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
import { parseModelRegistry } from '../../lib/shared/model-registry';
import {
  apply,
  asDeployed,
  converge,
  DEFAULT_SOLUTIONS,
  desiredFor,
  editionDesired,
  MINUTE,
  namesOf,
  teardown,
} from './harness';

const ssm = mockClient(SSMClient);
const sfn = mockClient(SFNClient);
const cloudformation = mockClient(CloudFormationClient);

/** The stack's status as DescribeStacks answers it. */
function stackStatus(status: string): void {
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'MovieRecs-Personalize', StackStatus: status as never, CreationTime: new Date() }],
  });
}

function deps(sim: SimulatedPersonalize): ControllerDependencies {
  // The reconcile step runs with the reconcile function's role unless a test says otherwise.
  if (!sim.authorize) asDeployed(apply(desiredFor('MovieRecs')), sim);
  return {
    personalize: sim,
    ssm: new SSMClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    cloudformation: new CloudFormationClient({ region: 'us-east-1' }),
    now: () => sim.now,
    fetch,
  };
}

beforeEach(() => {
  // The handlers log what they do for CloudWatch; keep the test output to the results.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  ssm.reset();
  sfn.reset();
  cloudformation.reset();
  stackStatus('UPDATE_IN_PROGRESS');
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
});

/** Records every registry the handler writes (the mocked PutParameter), oldest first. */
function recordPublished(): string[] {
  const published: string[] = [];
  ssm.on(PutParameterCommand).callsFake((command) => {
    published.push(command.Value);
    return { Version: published.length };
  });
  return published;
}

const input = (): ControllerInput => ({
  request: apply(desiredFor('MovieRecs')),
  registryParameter: '/MovieRecs/models',
});

describe('reconcile step', () => {
  test('publishes a schema-valid registry, gaining models as campaigns become active, and only when it changes', async () => {
    const sim = new SimulatedPersonalize();
    const published = recordPublished();
    // The parameter holds what was last written.
    ssm.on(GetParameterCommand).callsFake(() => ({ Parameter: { Value: published[published.length - 1] ?? '{}' } }));
    let step = await runReconcileStep(input(), deps(sim));
    for (let i = 0; i < 200 && step.status === 'pending'; i++) {
      sim.advance(MINUTE);
      step = await runReconcileStep(input(), deps(sim));
    }
    expect(step).toEqual({ status: 'done', reason: '', models: 3, memory: {} });
    const registries = published.map(parseModelRegistry);
    expect(registries[0].pipeline.status).toBe('pending');
    expect(registries[registries.length - 1]).toMatchObject({ pipeline: { status: 'done' } });
    expect(registries[registries.length - 1].models.map((m) => m.name)).toEqual([
      'Personal Recommendations',
      'Similar Items',
      'Personal Ranking',
    ]);
    // Models arrive one by one (SIMS and ranking train faster than user personalization).
    const modelCounts = [...new Set(registries.map((r) => r.models.length))];
    expect(modelCounts).toEqual([0, 2, 3]);
    expect(published.length).toBeLessThan(40); // not once per minute: only when something changed
    const put = ssm.commandCalls(PutParameterCommand)[0].args[0].input;
    expect(put).toMatchObject({ Name: '/MovieRecs/models', Overwrite: true, Type: 'String' });

    // CloudFormation resets the value (a template change): the next step writes it again.
    published.push(
      '{"schemaVersion":1,"pipeline":{"status":"not-started","updatedAt":null,"resources":[]},"models":[]}',
    );
    const before = published.length;
    await runReconcileStep(input(), deps(sim));
    expect(published.length).toBe(before + 1);
    expect(parseModelRegistry(published[published.length - 1]).models).toHaveLength(3);
  });

  test('a failure is returned with its reason for the state machine to end on', async () => {
    const sim = new SimulatedPersonalize();
    sim.seed({ kind: 'datasetGroup', name: 'MovieRecs-movies', tags: {} });
    const step = await runReconcileStep(input(), deps(sim));
    expect(step.status).toBe('failed');
    expect(step.reason).toMatch(/not created by this workshop/);
    expect(parseModelRegistry(ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value!).pipeline.status).toBe(
      'failed',
    );
  });
});

function event(
  type: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x',
    ResponseURL: 'https://example.invalid',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/MovieRecs-Personalize/1',
    RequestId: 'f00d-1',
    LogicalResourceId: 'Controller',
    ResourceType: 'Custom::PersonalizeController',
    ...(type !== 'Create' ? { PhysicalResourceId: 'personalize/MovieRecs' } : {}),
    ...(type === 'Update' ? { OldResourceProperties: {} } : {}),
    ResourceProperties: {
      ServiceToken: 'x',
      StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:pipeline',
      RegistryParameter: '/MovieRecs/models',
      Prefix: 'MovieRecs',
      Desired: JSON.stringify(desiredFor('MovieRecs')),
      ...properties,
    },
  } as CloudFormationCustomResourceEvent;
}

describe('custom resource', () => {
  test('create starts the pipeline and returns at once, stamping the deployment time for retries', async () => {
    const sim = new SimulatedPersonalize();
    sim.now = 1_700_000_000_000;
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:pipeline:create-f00d-1' });
    const response = await handleOnEvent(event('Create', { WaitHandleUrl: 'https://handle.example' }), deps(sim));
    expect(response).toEqual({
      PhysicalResourceId: 'personalize/MovieRecs',
      Data: { ExecutionArn: expect.stringContaining(':execution:') },
    });
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toBe('create-f00d-1');
    const started = JSON.parse(start.input!) as ControllerInput;
    expect(started).toMatchObject({ registryParameter: '/MovieRecs/models', waitHandleUrl: 'https://handle.example' });
    expect(started.request.action === 'apply' && started.request.desired.retryFailuresBefore).toBe(1_700_000_000_000);
    expect(sim.calls).toEqual([]); // nothing in Personalize happens inside the custom resource
  });

  test('update stops a running pipeline before starting the new one', async () => {
    const sim = new SimulatedPersonalize();
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        { executionArn: 'arn:old', stateMachineArn: 'sm', name: 'old', status: 'RUNNING', startDate: new Date() },
      ],
    });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:new' });
    await handleOnEvent(event('Update'), deps(sim));
    expect(sfn.commandCalls(StopExecutionCommand)[0].args[0].input.executionArn).toBe('arn:old');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('delete stops the pipeline; isComplete tears down until nothing is left', async () => {
    const sim = new SimulatedPersonalize();
    let step = await runReconcileStep(input(), deps(sim));
    for (let i = 0; i < 30; i++) {
      sim.advance(MINUTE);
      step = await runReconcileStep(input(), deps(sim));
    }
    expect(step.status).toBe('pending');
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        { executionArn: 'arn:running', stateMachineArn: 'sm', name: 'x', status: 'RUNNING', startDate: new Date() },
      ],
    });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    expect(await handleOnEvent(event('Delete'), deps(sim))).toEqual({
      PhysicalResourceId: 'personalize/MovieRecs',
      Data: { TeardownStartedAt: String(sim.now) },
    });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
    asDeployed(teardown('MovieRecs'), sim); // isComplete runs with the teardown role
    let polls = 0;
    let complete = false;
    while (!complete && polls < 110) {
      polls++;
      complete = (await handleIsComplete(event('Delete'), deps(sim))).IsComplete;
      sim.advance(30_000);
    }
    expect(complete).toBe(true);
    expect(sim.snapshot()).toEqual([]);
    expect(polls).toBeGreaterThan(2);
  });

  test.each([
    ['UPDATE_IN_PROGRESS', 'an update retries what failed before it', 1_700_000_000_000],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'a rollback retries nothing', 0],
    ['unreadable', 'an unreadable status retries nothing', 0],
  ])('%s: %s', async (status, _what, retryFailuresBefore) => {
    const sim = new SimulatedPersonalize();
    sim.now = 1_700_000_000_000;
    if (status === 'unreadable')
      cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    else stackStatus(status);
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await handleOnEvent(event('Update'), deps(sim));
    const started = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as ControllerInput;
    expect(started.request.action === 'apply' && started.request.desired.retryFailuresBefore).toBe(retryFailuresBefore);
    expect(cloudformation.commandCalls(DescribeStacksCommand)[0].args[0].input.StackName).toBe(
      'arn:aws:cloudformation:us-east-1:123456789012:stack/MovieRecs-Personalize/1',
    );
  });

  test('the rollback of a deploy that failed on a training does not train again', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor('MovieRecs')), sim);
    // The deploy: new data, and one training fails; the WaitCondition fails, the stack rolls back.
    const datasets = desiredFor('MovieRecs').datasets.map((d) => ({
      ...d,
      dataLocation: d.dataLocation.replace('0123', '7777'),
    }));
    const failedDeploy = desiredFor('MovieRecs', { datasets, retryFailuresBefore: sim.now });
    sim.failTraining.set(namesOf(failedDeploy).solution(DEFAULT_SOLUTIONS[1]), 'Not enough interactions');
    const deployed = await converge(apply(failedDeploy), sim);
    expect(deployed.result.status).toBe('failed');
    const trainings = sim.calls.filter((c) => c.operation === 'create solutionVersion').length;
    // The rollback: the previous settings, as onEvent hands them to the state machine.
    stackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    sim.advance(MINUTE);
    await handleOnEvent(event('Update'), deps(sim));
    const rollback = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as ControllerInput;
    const { result } = await converge(rollback.request, sim);
    expect(sim.calls.filter((c) => c.operation === 'create solutionVersion')).toHaveLength(trainings);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/training:similar-items: Not enough interactions/);
    expect(result.models).toHaveLength(3);
  });

  test('create and update complete at once (training is not awaited)', async () => {
    const sim = new SimulatedPersonalize();
    expect(await handleIsComplete(event('Create'), deps(sim))).toEqual({ IsComplete: true });
  });

  test('bad properties are named', async () => {
    const sim = new SimulatedPersonalize();
    await expect(handleOnEvent(event('Create', { StateMachineArn: 'nope' }), deps(sim))).rejects.toThrow(
      /Invalid controller properties: StateMachineArn/,
    );
  });
});

describe('failure paths end in the registry', () => {
  test('a run past its deadline fails with what it still waits on, and the registry says so', async () => {
    const sim = new SimulatedPersonalize();
    const published = recordPublished();
    const started = { ...input(), deadline: sim.now + 5 * MINUTE };
    expect((await runReconcileStep(started, deps(sim))).status).toBe('pending');
    sim.advance(6 * MINUTE);
    const late = await runReconcileStep(started, deps(sim));
    expect(late.status).toBe('failed');
    expect(late.reason).toMatch(
      /did not finish within 11.5 hours; still waiting on: .*dataset:interactions CREATE PENDING/,
    );
    const registry = parseModelRegistry(published[published.length - 1]);
    expect(registry.pipeline).toMatchObject({ status: 'failed', reason: late.reason });
    expect(PIPELINE_DEADLINE_MS).toBeLessThan(12 * 3600_000);
  });

  test("the Catch step writes 'failed' with Lambda's error, keeping the models that serve", async () => {
    const sim = new SimulatedPersonalize();
    const published = recordPublished();
    ssm.on(GetParameterCommand).callsFake(() => ({ Parameter: { Value: published[published.length - 1] } }));
    let step = await runReconcileStep(input(), deps(sim));
    for (let i = 0; i < 300 && step.status === 'pending'; i++) {
      sim.advance(MINUTE);
      step = await runReconcileStep(input(), deps(sim));
    }
    expect(step.status).toBe('done');
    const result = await runReportFailure(
      {
        ...input(),
        error: {
          Error: 'Lambda.Unknown',
          Cause: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: 'out of memory' }),
        },
      },
      deps(sim),
    );
    expect(result).toEqual({
      status: 'failed',
      reason:
        'The reconcile function failed (Lambda.Unknown) and its retries ran out: Runtime.ExitError: out of memory',
      models: 3,
    });
    const registry = parseModelRegistry(published[published.length - 1]);
    expect(registry.pipeline.status).toBe('failed');
    expect(registry.pipeline.reason).toBe(result.reason);
    expect(registry.models).toHaveLength(3);
  });

  test('the Catch step writes a valid registry even when the parameter is unreadable', async () => {
    const sim = new SimulatedPersonalize();
    const published = recordPublished();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'not json' } });
    const result = await runReportFailure(
      { ...input(), error: { Error: 'States.Timeout', Cause: 'timed out' } },
      deps(sim),
    );
    expect(result.reason).toMatch(/\(States.Timeout\).*timed out/);
    expect(parseModelRegistry(published[0]).pipeline).toMatchObject({ status: 'failed', resources: [] });
  });

  test('a teardown that outlasts CloudFormation says that a second destroy resumes', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor('MovieRecs')), sim);
    // An attendee's batch job (it cannot be stopped) holds a solution for hours.
    const version = sim.snapshot().find((r) => r.kind === 'solutionVersion' && r.status === 'ACTIVE');
    sim.seedChild('batchInferenceJob', 'attendee-batch', version?.arn ?? '', 3 * 3600_000);
    asDeployed(teardown('MovieRecs'), sim); // isComplete runs with the teardown role
    const deleting = {
      ...event('Delete'),
      Data: { TeardownStartedAt: String(sim.now) },
    } as unknown as CloudFormationCustomResourceEvent;
    expect(await handleIsComplete(deleting, deps(sim))).toEqual({ IsComplete: false });
    sim.advance(TEARDOWN_BUDGET_MS - MINUTE);
    expect(await handleIsComplete(deleting, deps(sim))).toEqual({ IsComplete: false });
    sim.advance(2 * MINUTE);
    await expect(handleIsComplete(deleting, deps(sim))).rejects.toThrow(
      /takes longer than CloudFormation waits .*Run npx cdk destroy --all again.*batchInferenceJob attendee-batch/,
    );
  });

  test('a teardown reason stays within what CloudFormation accepts, the advice first, however much is left', async () => {
    const sim = new SimulatedPersonalize();
    await converge(apply(desiredFor('MovieRecs')), sim);
    // Forty attendee solutions with batch jobs that run for hours: a long list of what is left.
    const group = sim.snapshot().find((r) => r.kind === 'datasetGroup')!;
    for (let i = 0; i < 40; i++) {
      const solution = sim.seed({ kind: 'solution', name: `attendee-${i}-${'x'.repeat(40)}`, parentArn: group.arn });
      const version = sim.seed({ kind: 'solutionVersion', parentArn: solution });
      sim.seedChild('batchInferenceJob', `batch-${i}-${'y'.repeat(40)}`, version, 3 * 3600_000);
    }
    asDeployed(teardown('MovieRecs'), sim);
    const deleting = {
      ...event('Delete'),
      Data: { TeardownStartedAt: String(sim.now) },
    } as unknown as CloudFormationCustomResourceEvent;
    await handleIsComplete(deleting, deps(sim));
    sim.advance(TEARDOWN_BUDGET_MS + MINUTE);
    const error = (await handleIsComplete(deleting, deps(sim)).catch((e: unknown) => e)) as Error;
    expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(error.message).toMatch(
      /^Removing the Personalize resources of MovieRecs takes longer .*Run npx cdk destroy --all again/,
    );
    expect(error.message).toMatch(/\.\.\. and \d+ more \(the function's log lists all\)$/);
  });

  test('a failed teardown says what to do first, within the same bound', async () => {
    const sim = new SimulatedPersonalize();
    sim.seed({ kind: 'datasetGroup', name: `MovieRecs-movies-${'a'.repeat(6)}`, tags: { owner: 'someone' } });
    asDeployed(teardown('MovieRecs'), sim);
    const error = (await handleIsComplete(event('Delete'), deps(sim)).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^Removing the Personalize resources of MovieRecs failed; fix what follows, then run npx cdk destroy --all again .*not created by this workshop/,
    );
  });

  test('boundedReason keeps the head whole and counts what it leaves out', () => {
    const items = Array.from({ length: 100 }, (_, i) => `resource-${i} DELETE PENDING`);
    const text = boundedReason('Run destroy again: ', items, 200);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(200);
    expect(text.startsWith('Run destroy again: resource-0 DELETE PENDING, resource-1')).toBe(true);
    expect(text).toMatch(/\.\.\. and \d+ more \(the function's log lists all\)$/);
    expect(boundedReason('head: ', ['a', 'b'], 200)).toBe('head: a, b');
    expect(boundedReason('head: ', [], 200)).toBe('head: ');
    // Multibyte text is counted in bytes, as CloudFormation counts the response.
    expect(Buffer.byteLength(boundedReason('é'.repeat(50), ['ü'.repeat(80)], 120))).toBeLessThanOrEqual(120);
  });
});

describe('WaitCondition signal', () => {
  test.each([
    ['done', 'SUCCESS', ''],
    ['failed', 'FAILURE', 'training:similar-items: not enough data'],
  ] as const)('%s is sent as %s with the reason', async (status, expected, reason) => {
    const received: { method?: string; body: string; contentType?: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, body, contentType: request.headers['content-type'] });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/handle?signature=x`;
    await sendSignal({ waitHandleUrl: url, status, reason }, { fetch });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('PUT');
    expect(JSON.parse(received[0].body)).toMatchObject({ Status: expected, UniqueId: 'personalize-models' });
    if (reason) expect(JSON.parse(received[0].body).Reason).toBe(reason);
  });
});

describe('the registry fits a standard parameter', () => {
  test('at the largest allowed configuration, through a first deploy and a generation change, every write is at most 4 KB, models whole', async () => {
    // 20-character prefix, 5 solutions (the most a group's campaigns allow) with 40-character names,
    // every offline metric, then a switch to another edition.
    const prefix = 'WorkshopNumberOne123';
    const solutions = [0, 1, 2, 3, 4].map((i) => ({
      ...DEFAULT_SOLUTIONS[i % 3],
      displayName: `Model ${i} with the longest allowed name`.padEnd(40, 'x').slice(0, 40),
      sortOrder: i,
    }));
    const sim = new SimulatedPersonalize();
    sim.solutionMetrics = async () => ({
      coverage: 0.123456789,
      precision_at_5: 0.123456789,
      precision_at_10: 0.123456789,
      precision_at_25: 0.123456789,
      normalized_discounted_cumulative_gain_at_5: 0.123456789,
      normalized_discounted_cumulative_gain_at_10: 0.123456789,
      normalized_discounted_cumulative_gain_at_25: 0.123456789,
      mean_reciprocal_rank_at_25: 0.123456789,
    });
    const published = recordPublished();
    ssm.on(GetParameterCommand).callsFake(() => ({ Parameter: { Value: published[published.length - 1] } }));
    for (const desired of [
      desiredFor(prefix, { solutions }),
      editionDesired(prefix, 'ml-latest-small', { solutions, retryFailuresBefore: sim.now }),
    ]) {
      const run: ControllerInput = { request: apply(desired), registryParameter: `/${prefix}/models` };
      asDeployed(run.request, sim);
      let status = 'pending';
      for (let i = 0; i < 300 && status === 'pending'; i++) {
        status = (await runReconcileStep(run, deps(sim))).status;
        sim.advance(MINUTE);
      }
      expect(status).toBe('done');
    }
    const sizes = published.map((text) => Buffer.byteLength(text));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    // Unfitted, the biggest would not have fitted: the check above is not idle.
    expect(published.some((text) => /more steps/.test(text))).toBe(true);
    for (const text of published) {
      const registry = parseModelRegistry(text);
      for (const model of registry.models) expect(Object.keys(model.metrics)).toHaveLength(8);
    }
    expect(parseModelRegistry(published[published.length - 1]).models).toHaveLength(5);
    for (const call of ssm.commandCalls(PutParameterCommand)) expect(call.args[0].input.Tier).toBe('Standard');
  });
});
