import * as path from 'node:path';
import {
  Aws,
  CfnWaitCondition,
  CfnWaitConditionHandle,
  CustomResource,
  Duration,
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
import { DesiredDataset, DesiredSolution, DesiredState } from './controller/desired';
import { ModelRegistryParameter } from './model-registry';

export interface PersonalizeControllerProps {
  readonly prefix: string;
  readonly registry: ModelRegistryParameter;
  /** The role Personalize assumes to read the data bucket (passed to import jobs). */
  readonly personalizeRole: iam.IRole;
  /** Datasets, with `s3://` locations that may be tokens (the Data stack's prepared keys). */
  readonly datasets: readonly DesiredDataset[];
  readonly solutions: readonly DesiredSolution[];
  /**
   * Hold `cdk deploy` until every campaign is active (or the pipeline fails), up to 12 hours.
   * @default false
   */
  readonly waitForModels?: boolean;
  /**
   * Changes whenever the desired state does, so a WaitCondition waits again on each such deploy.
   * @default - a fixed revision
   */
  readonly revision?: string;
  /**
   * How long the controller's logs are kept (log groups are deleted with the stack).
   * @default - one month
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Step Functions polls reconcile this often. */
export const RECONCILE_INTERVAL = Duration.seconds(60);
/** Longest a pipeline may run (and a WaitCondition may wait). */
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
    const logGroup = (name: string) =>
      new logs.LogGroup(this, name, { retention, removalPolicy: RemovalPolicy.DESTROY });
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
    this.grantPersonalize(this.reconcileFunction, props);
    props.registry.grantWrite(this.reconcileFunction);
    this.reconcileFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [props.registry.parameter.parameterArn] }),
    );

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
    this.grantPersonalize(isComplete, props, 'teardown');
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
      // A new handle per revision: a WaitCondition waits only once per handle.
      waitHandle = new CfnWaitConditionHandle(this, `ModelsReadyHandle${props.revision ?? ''}`);
    }
    const desired: Omit<DesiredState, 'retryFailuresBefore'> = {
      prefix: props.prefix,
      region: Aws.REGION,
      partition: Aws.PARTITION,
      personalizeRoleArn: props.personalizeRole.roleArn,
      datasets: props.datasets,
      solutions: props.solutions,
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
        Desired: stack.toJsonString(desired),
        ...(waitHandle ? { WaitHandleUrl: waitHandle.ref } : {}),
      },
    });
    if (waitHandle) {
      this.waitCondition = new CfnWaitCondition(this, 'ModelsReady', {
        handle: waitHandle.ref,
        timeout: String(PIPELINE_TIMEOUT.toSeconds()),
        count: 1,
      });
      this.waitCondition.node.addDependency(this.resource);
    }

    this.acknowledgeFindings(
      provider,
      [this.reconcileFunction, onEvent, isComplete, ...(signalFunction ? [signalFunction] : [])],
      props.prefix,
    );
  }

  /**
   * Personalize actions on this prefix's resources only. List actions accept no resource (AWS
   * offers no resource-level permission for them); filters and event trackers found inside this
   * prefix's dataset group are deleted by ARN, which carries no name for event trackers.
   */
  private grantPersonalize(
    fn: lambda.Function,
    props: PersonalizeControllerProps,
    mode: 'apply' | 'teardown' = 'apply',
  ): void {
    const arn = (resource: string) => `arn:${Aws.PARTITION}:personalize:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const own = ['dataset-group', 'schema', 'dataset', 'dataset-import-job', 'solution', 'campaign'].map((r) =>
      arn(`${r}/${props.prefix}-*`),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListPersonalize',
        actions: [
          'personalize:ListDatasetGroups',
          'personalize:ListSchemas',
          'personalize:ListDatasets',
          'personalize:ListDatasetImportJobs',
          'personalize:ListSolutions',
          'personalize:ListSolutionVersions',
          'personalize:ListCampaigns',
          'personalize:ListFilters',
          'personalize:ListEventTrackers',
        ],
        resources: ['*'],
      }),
    );
    const teardownActions = [
      'personalize:DeleteDatasetGroup',
      'personalize:DeleteSchema',
      'personalize:DeleteDataset',
      'personalize:DeleteSolution',
      'personalize:DeleteCampaign',
      'personalize:StopSolutionVersionCreation',
      'personalize:ListTagsForResource',
    ];
    const applyActions = [
      'personalize:CreateDatasetGroup',
      'personalize:CreateSchema',
      'personalize:CreateDataset',
      'personalize:CreateDatasetImportJob',
      'personalize:CreateSolution',
      'personalize:CreateSolutionVersion',
      'personalize:CreateCampaign',
      'personalize:UpdateCampaign',
      'personalize:DescribeCampaign',
      'personalize:GetSolutionMetrics',
      'personalize:TagResource',
    ];
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageOwnPersonalizeResources',
        actions: mode === 'apply' ? [...applyActions, ...teardownActions].sort() : teardownActions,
        resources: own,
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteFiltersAndTrackersOfOwnDatasetGroup',
        actions: ['personalize:DeleteFilter', 'personalize:DeleteEventTracker'],
        resources: [arn('filter/*'), arn('event-tracker/*')],
      }),
    );
    if (mode === 'apply') {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'UseRecipes',
          actions: ['personalize:DescribeRecipe', 'personalize:CreateSolution'],
          resources: [`arn:${Aws.PARTITION}:personalize:::recipe/*`],
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
    const reconcilePolicy = this.reconcileFunction.role?.node.tryFindChild('DefaultPolicy');
    const isCompletePolicy = (this.node.findChild('IsComplete') as lambda.Function).role?.node.tryFindChild(
      'DefaultPolicy',
    );
    for (const policy of [reconcilePolicy, isCompletePolicy]) {
      if (!policy) continue;
      const who = policy === reconcilePolicy ? 'Reconcile' : 'Teardown';
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        `${who}: Personalize List* actions support no resource-level permissions; they only read.`,
      );
      for (const r of ['dataset-group', 'schema', 'dataset', 'dataset-import-job', 'solution', 'campaign']) {
        acknowledge(
          policy,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:${r}/${prefix}-*]`,
          `${who}: Personalize ${r} resources are created at run time, all named ${prefix}-...; the role acts on those names only.`,
        );
      }
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:filter/*]',
        `${who}: filters inside this prefix's dataset group (made by hand in admin) must go before it; their names are not ours to choose.`,
      );
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:event-tracker/*]',
        `${who}: event tracker ARNs carry only a generated id; reconcile deletes only those listed inside this prefix's dataset group.`,
      );
      if (policy === reconcilePolicy) {
        acknowledge(
          policy,
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:::recipe/*]',
          'Reconcile: solutions name a recipe from config; recipes are AWS-owned and read-only.',
        );
      }
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
