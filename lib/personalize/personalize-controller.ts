import * as path from 'node:path';
import {
  Aws,
  CfnWaitCondition,
  CfnWaitConditionHandle,
  CustomResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../policy-checks';
import { RuntimeFunction } from '../runtime-function';
import { DesiredDataset, DesiredFilter, DesiredSolution, DesiredState } from './controller/desired';
import { ModelRegistryParameter } from './model-registry';

export interface PersonalizeControllerProps {
  readonly prefix: string;
  readonly registry: ModelRegistryParameter;
  /** The role Personalize assumes to read the data bucket (passed to import jobs). */
  readonly personalizeRole: iam.IRole;
  /** Datasets, with `s3://` locations that may be tokens (the Data stack's prepared keys). */
  readonly datasets: readonly DesiredDataset[];
  /** The MovieLens edition: the catalogue whose item ids the models recommend. */
  readonly catalog: string;
  /** The data revision (the Data stack's key base, a token): what new versions train on. */
  readonly dataRevision: string;
  readonly solutions: readonly DesiredSolution[];
  /** Create the dataset group's event tracker (real-time events from the web app). */
  readonly eventTracker?: boolean;
  /** The dataset group's filters, by purpose. */
  readonly filters?: readonly DesiredFilter[];
  /**
   * Hold `cdk deploy` until every campaign is active (or the pipeline fails), up to 12 hours.
   * @default false
   */
  readonly waitForModels?: boolean;
  /**
   * Changes whenever what the pipeline works from does (data settings, transform, solutions, a
   * requested rerun): it is a property of the custom resource, so such a deploy updates it and
   * starts a new run (the data keys alone are cross-stack references that read the same in the
   * template), and it names the WaitCondition, which waits only once.
   * @default - a fixed revision
   */
  readonly revision?: string;
  /**
   * How long the controller's logs are kept (log groups are deleted with the stack).
   * @default - one month
   */
  readonly logRetention?: logs.RetentionDays;
}

function personalizeArn(resource: string): string {
  return `arn:${Aws.PARTITION}:personalize:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

/**
 * The ARN patterns of this prefix's own resources (see grantApply for why they cannot overlap).
 * Dataset groups are one per generation (`<prefix>-movies-<generation>`, and `<prefix>-movies` of
 * releases before generations); datasets are named by their group.
 */
function ownResources(prefix: string) {
  return {
    datasetGroup: personalizeArn(`dataset-group/${prefix}-movies*`),
    datasets: personalizeArn(`dataset/${prefix}-movies*/*`),
    schemas: personalizeArn(`schema/${prefix}-*`),
    importJobs: personalizeArn(`dataset-import-job/${prefix}-*`),
    solutions: personalizeArn(`solution/${prefix}-*`),
    campaigns: personalizeArn(`campaign/${prefix}-*`),
  };
}

/**
 * Personalize's List* actions take no resource (Service Authorization Reference): `*`, read only.
 * Apply and teardown list the same things: apply removes a previous generation's dataset group
 * the way teardown removes every group.
 */
function listStatement(): iam.PolicyStatement {
  const lists = [
    'DatasetGroups',
    'Schemas',
    'Datasets',
    'DatasetImportJobs',
    'Solutions',
    'SolutionVersions',
    'Campaigns',
    'Filters',
    'EventTrackers',
    'MetricAttributions',
    'BatchInferenceJobs',
    'BatchSegmentJobs',
  ];
  return new iam.PolicyStatement({
    sid: 'ListPersonalize',
    actions: lists.map((l) => `personalize:List${l}`),
    resources: ['*'],
  });
}

/** Step Functions polls reconcile this often. */
export const RECONCILE_INTERVAL = Duration.seconds(60);
/** Longest a pipeline may run (and a WaitCondition may wait: 43,200 s is its maximum). */
export const PIPELINE_TIMEOUT = Duration.hours(12);

/**
 * The Personalize controller: a state machine loops reconcile -> wait -> reconcile until every
 * campaign is active (or something fails), for up to 12 hours; a custom resource starts it on
 * create and update without waiting for training, and on delete stops it and tears everything
 * down. Optionally a WaitCondition holds the deploy until the models are ready.
 */
export class PersonalizeController extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly reconcileFunction: RuntimeFunction;
  readonly resource: CustomResource;
  readonly waitCondition?: CfnWaitCondition;

  constructor(scope: Construct, id: string, props: PersonalizeControllerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    // Step Functions log groups live under /aws/vendedlogs/states/: CloudWatch Logs' resource
    // policy for log delivery is capped at 5,120 characters, and AWS documents this prefix as the
    // way to stay under it ("Logging using CloudWatch Logs", Step Functions developer guide). The
    // stack's id keeps the name unique per deployment of the stack.
    const stackId = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const logGroup = (name: string) =>
      new logs.LogGroup(this, name, {
        retention,
        removalPolicy: RemovalPolicy.DESTROY,
        logGroupName: Fn.join('', [`/aws/vendedlogs/states/${props.prefix}-${name}-`, stackId]),
      });
    const fn = (name: string, handler: string, timeout: Duration) =>
      new RuntimeFunction(this, name, {
        entry: path.join(__dirname, 'controller', 'handler.ts'),
        handler,
        memorySize: 256,
        timeout,
        logRetention: retention,
      });

    // Reconcile: Personalize within this prefix, pass the Personalize role, write the registry.
    this.reconcileFunction = fn('Reconcile', 'reconcileStep', Duration.minutes(2));
    this.grantApply(this.reconcileFunction, props);
    const registryAccess = (grantee: lambda.Function) => {
      props.registry.grantWrite(grantee);
      grantee.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [props.registry.parameter.parameterArn] }),
      );
    };
    registryAccess(this.reconcileFunction);
    // The Catch: whatever ended the loop is written to the registry before the signal.
    const reportFailureFunction = fn('ReportFailure', 'reportFailure', Duration.seconds(30));
    registryAccess(reportFailureFunction);

    const signalFunction = props.waitForModels ? fn('Signal', 'signal', Duration.seconds(30)) : undefined;

    // The loop.
    const reconcile = new tasks.LambdaInvoke(this, 'ReconcileStep', {
      lambdaFunction: this.reconcileFunction,
      payloadResponseOnly: true,
      resultPath: '$.result',
      retryOnServiceExceptions: true,
    });
    // A crashed invocation (timeout, out of memory, a bug) is retried, then ends the pipeline.
    reconcile.addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(10),
      maxAttempts: 4,
      backoffRate: 2,
    });
    const wait = new sfn.Wait(this, 'WaitBeforeNextReconcile', { time: sfn.WaitTime.duration(RECONCILE_INTERVAL) });
    const succeeded = new sfn.Succeed(this, 'ModelsActive');
    const failed = new sfn.Fail(this, 'PipelineFailed', {
      error: 'PersonalizePipelineFailed',
      causePath: '$.result.reason',
    });
    const signal = (id: string, status: 'done' | 'failed') =>
      new tasks.LambdaInvoke(this, id, {
        lambdaFunction: signalFunction as lambda.IFunction,
        payload: sfn.TaskInput.fromObject({
          waitHandleUrl: sfn.JsonPath.stringAt('$.waitHandleUrl'),
          status,
          reason: sfn.JsonPath.stringAt('$.result.reason'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
        retryOnServiceExceptions: true,
      });
    const whenDone = signalFunction ? signal('SignalModelsActive', 'done').next(succeeded) : succeeded;
    const whenFailed = signalFunction ? signal('SignalPipelineFailed', 'failed').next(failed) : failed;
    const reportFailure = new tasks.LambdaInvoke(this, 'RecordFailure', {
      lambdaFunction: reportFailureFunction,
      payloadResponseOnly: true,
      resultPath: '$.result',
      retryOnServiceExceptions: true,
    });
    reportFailure.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });
    // Even when the registry cannot be written, the signal still goes out, with Lambda's error.
    const unreported = new sfn.Pass(this, 'RegistryNotWritten', {
      parameters: {
        status: 'failed',
        reason: sfn.JsonPath.format(
          'The pipeline failed ({}) and the registry could not be updated: {}',
          sfn.JsonPath.stringAt('$.error.Error'),
          sfn.JsonPath.stringAt('$.error.Cause'),
        ),
      },
      resultPath: '$.result',
    });
    reportFailure.addCatch(unreported, { resultPath: sfn.JsonPath.DISCARD });
    reportFailure.next(whenFailed);
    unreported.next(whenFailed);
    // A reconcile function that keeps failing ends in the registry and the signal, not in silence.
    reconcile.addCatch(reportFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    const definition = reconcile.next(
      new sfn.Choice(this, 'PipelineStatus')
        .when(sfn.Condition.stringEquals('$.result.status', 'done'), whenDone)
        .when(sfn.Condition.stringEquals('$.result.status', 'failed'), whenFailed)
        .otherwise(wait.next(reconcile)),
    );
    this.stateMachine = new sfn.StateMachine(this, 'Pipeline', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: PIPELINE_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: logGroup('PipelineLogs'), level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    // The custom resource: start on create/update, tear down on delete.
    const onEvent = fn('OnEvent', 'onEvent', Duration.minutes(1));
    const isComplete = fn('IsComplete', 'isComplete', Duration.minutes(5));
    this.stateMachine.grantStartExecution(onEvent);
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [this.stateMachine.stateMachineArn] }),
    );
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StopExecution'],
        resources: [
          `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${this.stateMachine.stateMachineName}:*`,
        ],
      }),
    );
    // Is an update a rollback? Then failures are not retried (they would bill again).
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] }),
    );
    this.grantTeardown(isComplete, props);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(30),
      // Teardown waits on Personalize's asynchronous deletes; CloudFormation allows an hour.
      totalTimeout: Duration.minutes(55),
      logGroup: logGroup('ProviderLogs'),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: logGroup('ProviderWaiterLogs'),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });

    let waitHandle: CfnWaitConditionHandle | undefined;
    if (props.waitForModels) {
      // A new handle and condition per revision: a WaitCondition cannot be updated, it waits once.
      waitHandle = new CfnWaitConditionHandle(this, `ModelsReadyHandle${props.revision ?? ''}`);
    }
    const desired: Omit<DesiredState, 'retryFailuresBefore'> = {
      prefix: props.prefix,
      region: Aws.REGION,
      partition: Aws.PARTITION,
      personalizeRoleArn: props.personalizeRole.roleArn,
      catalog: props.catalog,
      dataRevision: props.dataRevision,
      datasets: props.datasets,
      solutions: props.solutions,
      ...(props.eventTracker ? { eventTracker: true } : {}),
      ...(props.filters ? { filters: props.filters } : {}),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PersonalizeController',
      properties: {
        StateMachineArn: this.stateMachine.stateMachineArn,
        RegistryParameter: props.registry.parameter.parameterName,
        // CloudFormation resets the registry when the parameter's template changes; a new
        // revision re-runs the pipeline, which publishes the models again.
        RegistryRevision: props.registry.revision,
        Prefix: props.prefix,
        Revision: props.revision ?? '',
        Desired: stack.toJsonString(desired),
        ...(waitHandle ? { WaitHandleUrl: waitHandle.ref } : {}),
      },
    });
    if (waitHandle) {
      this.waitCondition = new CfnWaitCondition(this, `ModelsReady${props.revision ?? ''}`, {
        handle: waitHandle.ref,
        timeout: String(PIPELINE_TIMEOUT.toSeconds()),
        count: 1,
      });
      this.waitCondition.node.addDependency(this.resource);
    }

    this.acknowledgeFindings(
      provider,
      [this.reconcileFunction, reportFailureFunction, onEvent, isComplete, ...(signalFunction ? [signalFunction] : [])],
      props.prefix,
    );
  }

  /**
   * What apply calls, on this prefix's own resources only. Names are `<prefix>-...` and a prefix
   * has no hyphen (config), so `<prefix>-*` cannot match another copy's names (`Movie-*` would
   * match `Movie-Test-...` if prefixes could hold hyphens). Datasets are named by their group
   * (`dataset/<group name>/INTERACTIONS`), solution versions by their solution. The resource
   * types per action follow the Service Authorization Reference ("Actions, resources, and
   * condition keys for Amazon Personalize"): List* actions take no resource, so `*`; CreateSolution
   * does not authorize the recipe; tagging at create needs TagResource.
   */
  private grantApply(fn: lambda.Function, props: PersonalizeControllerProps): void {
    const own = ownResources(props.prefix);
    fn.addToRolePolicy(listStatement());
    // A previous generation's dataset group goes once the new one serves. Apply removes only what
    // it made there (all named <prefix>-...): anything else is reported, for a person to decide.
    // Its event tracker's ARN holds no name (event-tracker/<id>): apply deletes only the tracker
    // it lists in a group of ours under its own name.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RetireOwnGenerations',
        actions: [
          'personalize:DeleteDatasetGroup',
          'personalize:DeleteFilter',
          'personalize:DeleteMetricAttribution',
          'personalize:DeleteEventTracker',
        ],
        resources: [
          own.datasetGroup,
          personalizeArn(`filter/${props.prefix}-*`),
          personalizeArn(`metric-attribution/${props.prefix}-*`),
          personalizeArn('event-tracker/*'),
        ],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageOwnPersonalizeResources',
        actions: [
          'personalize:CreateCampaign',
          'personalize:CreateDataset',
          'personalize:CreateDatasetGroup',
          'personalize:CreateDatasetImportJob',
          'personalize:CreateSchema',
          'personalize:CreateSolution',
          'personalize:CreateSolutionVersion',
          'personalize:DeleteCampaign',
          'personalize:DeleteDataset',
          'personalize:DeleteSolution',
          'personalize:DescribeCampaign',
          'personalize:DescribeDataset',
          'personalize:DescribeSchema',
          'personalize:GetSolutionMetrics',
          'personalize:ListTagsForResource',
          'personalize:StopSolutionVersionCreation',
          'personalize:TagResource',
          'personalize:UpdateCampaign',
          'personalize:UpdateDataset',
        ],
        resources: [own.datasetGroup, own.schemas, own.datasets, own.importJobs, own.solutions, own.campaigns],
      }),
    );
    // The dataset group's filters (named <prefix>-<generation>-<purpose>-<hash>) and its event
    // tracker, whose ARN is event-tracker/<an id Personalize makes> (the name is not in it), so
    // the tracker is granted on event-tracker/* of this account and region.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageOwnFiltersAndEventTracker',
        actions: [
          'personalize:CreateFilter',
          'personalize:CreateEventTracker',
          'personalize:DescribeEventTracker',
          'personalize:TagResource',
        ],
        resources: [own.datasetGroup, personalizeArn(`filter/${props.prefix}-*`), personalizeArn('event-tracker/*')],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassPersonalizeRole',
        actions: ['iam:PassRole'],
        resources: [props.personalizeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
      }),
    );
  }

  /**
   * What teardown calls: every dataset group of ours (one per generation) and everything inside
   * it, then our schemas.
   */
  private grantTeardown(fn: lambda.Function, props: PersonalizeControllerProps): void {
    fn.addToRolePolicy(listStatement());
    this.grantGroupRemoval(fn, props);
  }

  /**
   * Removing a dataset group of ours (teardown, and apply retiring a previous generation):
   * everything inside it goes, whoever made it (an attendee's solution, campaign, filter, event
   * tracker or metric attribution would otherwise keep the group, and the stack, from being
   * deleted). Those names are not ours to choose, so their deletes are granted on every name;
   * reconcile only deletes what it listed inside a group it checked is ours (name and tag). The
   * groups, their datasets and our schemas by name.
   */
  private grantGroupRemoval(fn: lambda.Function, props: PersonalizeControllerProps): void {
    const own = ownResources(props.prefix);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOwnDatasetGroups',
        actions: ['personalize:ListTagsForResource', 'personalize:DeleteDatasetGroup'],
        resources: [own.datasetGroup],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOwnDatasetsAndSchemas',
        actions: ['personalize:DeleteDataset', 'personalize:DeleteSchema'],
        resources: [own.datasets, own.schemas],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteWhatLivesInOwnDatasetGroups',
        actions: [
          'personalize:DeleteCampaign',
          'personalize:DeleteSolution',
          'personalize:StopSolutionVersionCreation',
          'personalize:DeleteFilter',
          'personalize:DeleteEventTracker',
          'personalize:DeleteMetricAttribution',
        ],
        resources: [
          personalizeArn('campaign/*'),
          personalizeArn('solution/*'),
          personalizeArn('filter/*'),
          personalizeArn('event-tracker/*'),
          personalizeArn('metric-attribution/*'),
        ],
      }),
    );
  }

  private acknowledgeFindings(provider: cr.Provider, functions: readonly lambda.Function[], prefix: string): void {
    for (const fn of functions) {
      const role = fn.role as iam.Role;
      acknowledge(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${fn.node.id}: this AWS policy only lets the function write its own logs; everything else is in its inline policy.`,
      );
    }
    const reconcilePolicy = this.reconcileFunction.role?.node.findChild('DefaultPolicy') as Construct;
    const isCompletePolicy = (this.node.findChild('IsComplete') as lambda.Function).role?.node.findChild(
      'DefaultPolicy',
    ) as Construct;
    const resource = (pattern: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:${pattern}]`;
    for (const [policy, who] of [
      [reconcilePolicy, 'Reconcile'],
      [isCompletePolicy, 'Teardown'],
    ] as const) {
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        `${who}: Personalize List* actions support no resource-level permissions (Service Authorization Reference); they only read.`,
      );
      acknowledge(
        policy,
        resource(`dataset/${prefix}-movies*/*`),
        `${who}: dataset ARNs are <group name>/<TYPE>; this grants the datasets of this prefix's dataset groups (one per generation) only.`,
      );
      acknowledge(
        policy,
        resource(`dataset-group/${prefix}-movies*`),
        `${who}: one dataset group per generation, named ${prefix}-movies-<generation hash> at run time; a prefix holds no hyphen, so no other copy's names match.`,
      );
      acknowledge(
        policy,
        resource(`schema/${prefix}-*`),
        `${who}: schema names carry a hash of the schema (schemas are immutable), all named ${prefix}-...; a prefix holds no hyphen, so no other copy's names match.`,
      );
    }
    for (const r of ['dataset-import-job', 'solution', 'campaign']) {
      acknowledge(
        reconcilePolicy,
        resource(`${r}/${prefix}-*`),
        `Reconcile: ${r} names are made at run time (hashes of data and recipe), all ${prefix}-...; a prefix holds no hyphen, so no other copy's names match.`,
      );
    }
    for (const r of ['filter', 'metric-attribution']) {
      acknowledge(
        reconcilePolicy,
        resource(`${r}/${prefix}-*`),
        `Reconcile: the ${r}s it makes (and deletes when a generation retires) are all named ${prefix}-...; a prefix holds no hyphen, so no other copy's names match.`,
      );
    }
    acknowledge(
      reconcilePolicy,
      resource('event-tracker/*'),
      "Reconcile: an event tracker's ARN is event-tracker/<an id Personalize generates>, without its name; the controller creates one only in this prefix's dataset group and reads only trackers it lists there.",
    );
    for (const r of ['campaign', 'solution', 'filter', 'event-tracker', 'metric-attribution']) {
      acknowledge(
        isCompletePolicy,
        resource(`${r}/*`),
        `Teardown: a ${r} an attendee made inside this prefix's dataset group keeps the group from being deleted and its name is not ours to choose; reconcile deletes only what it lists inside a group it checked is ours.`,
      );
    }
    const onEventPolicy = (this.node.findChild('OnEvent') as lambda.Function).role?.node.tryFindChild('DefaultPolicy');
    if (onEventPolicy) {
      acknowledge(
        onEventPolicy,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine)}.Name>:*]`,
        'OnEvent stops running executions of this one state machine; execution names are generated per deployment.',
      );
    }
    const id = (c: lambda.Function) => Stack.of(this).getLogicalId(c.node.defaultChild as lambda.CfnFunction);
    const pipelinePolicy = this.stateMachine.role.node.findChild('DefaultPolicy');
    acknowledge(
      pipelinePolicy,
      `AwsSolutions-IAM5[Resource::<${id(this.reconcileFunction)}.Arn>:*]`,
      "The pipeline invokes the reconcile function, any version of it; the wildcard is that one function's version qualifier.",
    );
    acknowledge(
      pipelinePolicy,
      'AwsSolutions-IAM5[Resource::*]',
      "X-Ray tracing and CloudWatch Logs delivery for the pipeline's own logs; these actions accept no resource ARN.",
    );
    acknowledge(
      pipelinePolicy,
      `AwsSolutions-IAM5[Resource::<${id(this.node.findChild('ReportFailure') as lambda.Function)}.Arn>:*]`,
      "The pipeline's Catch invokes the failure-report function, any version of it; the wildcard is its version qualifier.",
    );
    const signalFn = this.node.tryFindChild('Signal') as lambda.Function | undefined;
    if (signalFn) {
      acknowledge(
        pipelinePolicy,
        `AwsSolutions-IAM5[Resource::<${id(signalFn)}.Arn>:*]`,
        'The pipeline invokes the WaitCondition signal function, any version of it; the wildcard is its version qualifier.',
      );
    }
    const onEventFn = this.node.findChild('OnEvent') as lambda.Function;
    const isCompleteFn = this.node.findChild('IsComplete') as lambda.Function;
    for (const frameworkId of ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']) {
      const policy = provider.node
        .tryFindChild(frameworkId)
        ?.node.findChild('ServiceRole')
        .node.tryFindChild('DefaultPolicy');
      if (!policy) continue;
      for (const target of [onEventFn, isCompleteFn]) {
        acknowledge(
          policy,
          `AwsSolutions-IAM5[Resource::<${id(target)}.Arn>:*]`,
          `aws-cdk-lib's ${frameworkId} invokes the controller's ${target.node.id} function, any version; the wildcard is its version qualifier.`,
        );
      }
    }
    const waiter = provider.node.findChild('waiter-state-machine');
    const waiterPolicy = waiter.node.findChild('Role').node.findChild('DefaultPolicy');
    for (const frameworkId of ['framework-isComplete', 'framework-onTimeout']) {
      const frameworkFn = provider.node.findChild(frameworkId) as lambda.Function;
      acknowledge(
        waiterPolicy,
        `AwsSolutions-IAM5[Resource::<${id(frameworkFn)}.Arn>:*]`,
        `The teardown waiter invokes aws-cdk-lib's ${frameworkId} function, any version; the wildcard is its version qualifier.`,
      );
    }
    acknowledge(
      waiterPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      "CloudWatch Logs delivery for the teardown waiter's own log group; these actions accept no resource ARN.",
    );
    acknowledge(
      waiter,
      'AwsSolutions-SF2',
      "aws-cdk-lib's teardown waiter offers no tracing option; it only polls isComplete, whose work is logged by that function.",
    );
    const framework = provider.node;
    for (const id of ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']) {
      const frameworkFn = framework.tryFindChild(id);
      if (!frameworkFn) continue;
      acknowledge(
        frameworkFn.node.findChild('ServiceRole'),
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `aws-cdk-lib's ${id} function only writes its own logs through this AWS policy.`,
      );
    }
  }
}
