import { emptyModelRegistry, parseModelRegistry } from '../../lib/shared/model-registry';
import { resourcesOf, synthWorkshop, SynthesizedWorkshop } from './helpers';

let workshop: SynthesizedWorkshop;
beforeAll(() => {
  workshop = synthWorkshop();
});

test('snapshot', () => {
  expect(workshop.personalize.toJSON()).toMatchSnapshot();
});

test('the model registry parameter is /<prefix>/models and starts as a valid, empty registry', () => {
  const [[, parameter]] = resourcesOf(workshop.personalize, 'AWS::SSM::Parameter');
  expect(parameter.Properties).toMatchObject({
    Name: '/MovieRecs/models',
    Type: 'String',
    Tier: 'Standard',
  });
  expect(parseModelRegistry(parameter.Properties?.Value as string)).toEqual(emptyModelRegistry());
  expect(parameter.DeletionPolicy ?? 'Delete').toBe('Delete');
});

test('the parameter name follows the prefix', () => {
  const other = synthWorkshop({ prefix: 'Demo' });
  other.personalize.hasResourceProperties('AWS::SSM::Parameter', { Name: '/Demo/models' });
  expect(other.stacks.personalize.stackName).toBe('Demo-Personalize');
});

test('the Personalize stack does not reference the Web stack', () => {
  expect(workshop.stacks.personalize.dependencies.map((s) => s.stackName)).not.toContain('MovieRecs-Web');
  expect(JSON.stringify(workshop.personalize.toJSON())).not.toContain('MovieRecs-Web');
});

describe('the controller', () => {
  const definition = (template = workshop.personalize) => {
    const [[, machine]] = resourcesOf(template, 'AWS::StepFunctions::StateMachine').filter(([id]) =>
      id.startsWith('ControllerPipeline'),
    );
    const parts = machine.Properties?.DefinitionString['Fn::Join'][1] as unknown[];
    // Tokens (function ARNs) sit inside JSON strings: stand them in with plain text.
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
  };

  test('the state machine loops reconcile -> wait 60 s -> reconcile, for up to 12 hours', () => {
    const d = definition();
    expect(d.StartAt).toBe('ReconcileStep');
    expect(d.TimeoutSeconds).toBe(12 * 3600);
    expect(d.States.ReconcileStep).toMatchObject({ Type: 'Task', ResultPath: '$.result', Next: 'PipelineStatus' });
    expect(d.States.PipelineStatus).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.result.status', StringEquals: 'done', Next: 'ModelsActive' },
        { Variable: '$.result.status', StringEquals: 'failed', Next: 'PipelineFailed' },
      ],
      Default: 'WaitBeforeNextReconcile',
    });
    expect(d.States.WaitBeforeNextReconcile).toEqual({ Type: 'Wait', Seconds: 60, Next: 'ReconcileStep' });
  });

  test('a crashed reconcile is retried; a failed pipeline ends failed with the reason', () => {
    const d = definition();
    expect(d.States.ReconcileStep.Retry).toEqual(
      expect.arrayContaining([
        { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 10, MaxAttempts: 4, BackoffRate: 2 },
      ]),
    );
    expect(d.States.PipelineFailed).toEqual({
      Type: 'Fail',
      Error: 'PersonalizePipelineFailed',
      CausePath: '$.result.reason',
    });
  });

  test('the custom resource passes the desired state built from config and the Data stack', () => {
    const [[, resource]] = resourcesOf(workshop.personalize, 'Custom::PersonalizeController');
    expect(resource.Properties).toMatchObject({
      Prefix: 'MovieRecs',
      RegistryParameter: { Ref: expect.stringMatching(/^ModelRegistry/) },
    });
    const desired = JSON.stringify(resource.Properties?.Desired);
    for (const text of [
      'aws-user-personalization-v2',
      'aws-sims',
      'aws-personalized-ranking-v2',
      'Personal Recommendations',
    ]) {
      expect(desired).toContain(text);
    }
    for (const output of ['InteractionsKey', 'ItemsKey', 'UsersKey', 'PersonalizeAccessRole'])
      expect(desired).toMatch(new RegExp(`PublishOutput\\w*${output}`));
    expect(resource.Properties?.WaitHandleUrl).toBeUndefined();
    workshop.personalize.resourceCountIs('AWS::CloudFormation::WaitCondition', 0);
  });

  test('an edition without users has no users dataset', () => {
    const latest = synthWorkshop({ dataset: 'ml-latest-small' });
    const [[, resource]] = resourcesOf(latest.personalize, 'Custom::PersonalizeController');
    expect(JSON.stringify(resource.Properties?.Desired)).not.toContain('UsersKey');
  });

  test('waitForModels holds the deploy on a WaitCondition of 12 hours, signalled by the state machine', () => {
    const waiting = synthWorkshop({ waitForModels: true });
    const [[conditionId, condition]] = resourcesOf(waiting.personalize, 'AWS::CloudFormation::WaitCondition');
    expect(condition.Properties).toMatchObject({
      Timeout: '43200',
      Count: 1,
      Handle: { Ref: expect.stringMatching(/^ControllerModelsReadyHandle/) },
    });
    expect(condition.DependsOn).toEqual([expect.stringMatching(/^Controller/)]);
    expect(conditionId).toMatch(/ModelsReady[0-9a-f]{8}/);
    // A WaitCondition waits once: a new revision is a new condition (a new logical id).
    const other = synthWorkshop({ waitForModels: true, positiveRatingThreshold: 4 });
    const [[otherId]] = resourcesOf(other.personalize, 'AWS::CloudFormation::WaitCondition');
    expect(otherId).not.toBe(conditionId);
    const d = definition(waiting.personalize);
    expect(d.States.PipelineStatus.Choices.map((c: { Next: string }) => c.Next)).toEqual([
      'SignalModelsActive',
      'SignalPipelineFailed',
    ]);
    expect(d.States.SignalModelsActive.Next).toBe('ModelsActive');
    expect(d.States.SignalPipelineFailed.Next).toBe('PipelineFailed');
  });

  test('the reconcile role acts on this prefix, passes only the Personalize role and writes only the registry', () => {
    const [[, policy]] = resourcesOf(workshop.personalize, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('ControllerReconcileServiceRoleDefaultPolicy'),
    );
    const statements = policy.Properties?.PolicyDocument.Statement as {
      Sid?: string;
      Action: string | string[];
      Resource: unknown;
      Condition?: unknown;
    }[];
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect((bySid.ListPersonalize.Action as string[]).every((a) => a.startsWith('personalize:List'))).toBe(true);
    expect(bySid.ListPersonalize.Resource).toBe('*');
    const own = JSON.stringify(bySid.ManageOwnPersonalizeResources.Resource);
    for (const r of ['schema', 'dataset-import-job', 'solution', 'campaign'])
      expect(own).toContain(`:${r}/MovieRecs-*`);
    // One dataset group per generation: MovieRecs-movies-<generation>.
    expect(own).toContain(':dataset-group/MovieRecs-movies*"');
    expect(own).toContain(':dataset/MovieRecs-movies*/*"');
    expect(own).not.toMatch(/:\*"/);
    // Retiring a previous generation deletes only what the kit made there.
    const retire = JSON.stringify(bySid.RetireOwnGenerations.Resource);
    for (const r of ['dataset-group/MovieRecs-movies*', 'filter/MovieRecs-*', 'metric-attribution/MovieRecs-*'])
      expect(retire).toContain(`:${r}"`);
    // An event tracker's ARN holds no name (event-tracker/<id>): the one wildcard, for that reason.
    expect(retire).toContain(':event-tracker/*"');
    expect(retire.replace(':event-tracker/*"', '')).not.toMatch(/:[a-z-]+\/\*"/);
    // Nothing outside our names: no recipe grant (CreateSolution does not authorize the recipe).
    expect(JSON.stringify(statements)).not.toContain('recipe/');
    expect(bySid.PassPersonalizeRole).toMatchObject({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
    });
    expect(JSON.stringify(bySid.PassPersonalizeRole.Resource)).toContain('PersonalizeAccessRole');
    const ssm = statements.filter((s) => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssm.flatMap((s) => s.Action).sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    for (const statement of ssm) {
      expect(JSON.stringify(statement.Resource)).toMatch(/:parameter",\{"Ref":"ModelRegistryParameter\w+"\}/);
    }
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('s3:'))).toEqual([]);
  });

  test('the teardown role can delete and stop, but not create', () => {
    const [[, policy]] = resourcesOf(workshop.personalize, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('ControllerIsCompleteServiceRoleDefaultPolicy'),
    );
    const actions = (policy.Properties?.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap(
      (s) => s.Action,
    );
    expect(actions.some((a) => /Create|Update|PassRole|PutParameter/.test(a))).toBe(false);
    expect(actions).toEqual(
      expect.arrayContaining([
        'personalize:DeleteCampaign',
        'personalize:StopSolutionVersionCreation',
        'personalize:DeleteDatasetGroup',
        'personalize:DeleteMetricAttribution',
        'personalize:ListBatchInferenceJobs',
      ]),
    );
    const statements = policy.Properties?.PolicyDocument.Statement as { Sid?: string; Resource: unknown }[];
    const bySid = Object.fromEntries(
      statements.filter((st) => st.Sid).map((st) => [st.Sid, JSON.stringify(st.Resource)]),
    );
    // The groups are ours by name; only what lives inside them is granted on any name.
    expect(bySid.DeleteOwnDatasetGroups).toMatch(/:dataset-group\/MovieRecs-movies\*"\]\]\}$/);
    expect(bySid.DeleteOwnDatasetsAndSchemas).toContain(':dataset/MovieRecs-movies*/*');
    expect(bySid.DeleteWhatLivesInOwnDatasetGroups).toContain(':solution/*');
  });

  test('the custom resource can start and stop only its own executions; teardown fits the hour', () => {
    const [[, policy]] = resourcesOf(workshop.personalize, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('ControllerOnEventServiceRoleDefaultPolicy'),
    );
    const statements = policy.Properties?.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    expect(
      statements
        .map((s) => s.Action)
        .flat()
        .sort(),
    ).toEqual([
      'cloudformation:DescribeStacks',
      'states:ListExecutions',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    expect(JSON.stringify(statements)).toContain('ControllerPipeline');
    // Is an update a rollback? It reads its own stack, nothing else.
    const describe = statements.find((s) => s.Action === 'cloudformation:DescribeStacks');
    expect(describe?.Resource).toEqual({ Ref: 'AWS::StackId' });
    // The teardown waiter polls isComplete every 30 s, 110 times: 55 minutes, under CloudFormation's hour.
    const [[, waiter]] = resourcesOf(workshop.personalize, 'AWS::StepFunctions::StateMachine').filter(([id]) =>
      id.includes('waiter'),
    );
    expect(JSON.stringify(waiter.Properties?.DefinitionString)).toContain(
      '\\"IntervalSeconds\\":30,\\"MaxAttempts\\":110',
    );
  });

  test('every controller function runs the latest Node.js with its own log group, deleted with the stack', () => {
    const functions = resourcesOf(workshop.personalize, 'AWS::Lambda::Function').filter(
      ([id]) => id.startsWith('Controller') && !id.includes('Provider'),
    );
    expect(functions.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ControllerIsComplete',
      'ControllerOnEvent',
      'ControllerReconcile',
      'ControllerReportFailure',
    ]);
    for (const [, fn] of functions)
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    for (const [, group] of resourcesOf(workshop.personalize, 'AWS::Logs::LogGroup'))
      expect(group.DeletionPolicy).toBe('Delete');
  });

  test('Step Functions log to /aws/vendedlogs/states/ (the log resource policy is capped at 5,120 characters)', () => {
    const machines = resourcesOf(workshop.personalize, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(2);
    const groups = workshop.personalize.toJSON().Resources as Record<
      string,
      { Properties?: { LogGroupName?: unknown } }
    >;
    for (const [, machine] of machines) {
      const destination = machine.Properties?.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
      const groupId = destination['Fn::GetAtt'][0] as string;
      expect(JSON.stringify(groups[groupId].Properties?.LogGroupName)).toContain('/aws/vendedlogs/states/MovieRecs-');
    }
  });

  test('every failure of the loop ends in the registry and the signal (Catch), never in silence', () => {
    const d = definition(synthWorkshop({ waitForModels: true }).personalize);
    expect(d.States.ReconcileStep.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
    ]);
    expect(d.States.RecordFailure).toMatchObject({ Next: 'SignalPipelineFailed', ResultPath: '$.result' });
    expect(d.States.RecordFailure.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'RegistryNotWritten' },
    ]);
    expect(d.States.RegistryNotWritten.Next).toBe('SignalPipelineFailed');
    expect(d.States.SignalPipelineFailed.Next).toBe('PipelineFailed');
  });

  test('a change of data settings or a requested rerun changes the controller (a new run), not only the Data stack', () => {
    const revision = (overrides: Record<string, unknown>) =>
      resourcesOf(synthWorkshop(overrides).personalize, 'Custom::PersonalizeController')[0][1].Properties?.Revision;
    const base = resourcesOf(workshop.personalize, 'Custom::PersonalizeController')[0][1].Properties?.Revision;
    expect(base).toMatch(/^[0-9a-f]{8}$/);
    expect(revision({ positiveRatingThreshold: 4 })).not.toBe(base);
    expect(revision({ skipBadLines: true })).not.toBe(base);
    // -c pipelineRun=<new value> reruns the pipeline with nothing else changed.
    expect(revision({ pipelineRun: '2' })).not.toBe(base);
  });
});
