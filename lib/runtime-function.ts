import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface RuntimeFunctionProps extends Omit<
  NodejsFunctionProps,
  'runtime' | 'architecture' | 'bundling' | 'logGroup'
> {
  /** The TypeScript module of the handler (`path.join(__dirname, ...)`). */
  readonly entry: string;
  readonly handler: string;
  /**
   * How long the function's logs are kept; the log group is deleted with the stack.
   * @default - one month
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * How every Lambda function of the kit is built: the latest Node.js on arm64, bundled with the
 * local esbuild (no Docker) including the AWS SDK (the version the tests ran against, not the
 * runtime's), source maps on, and a log group of its own that is deleted with the stack, so a
 * destroy leaves no log group behind.
 */
export class RuntimeFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: RuntimeFunctionProps) {
    const { logRetention, environment, ...rest } = props;
    super(scope, id, {
      ...rest,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, {
        retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        sourceMap: true,
        externalModules: [],
        logLevel: LogLevel.ERROR,
      },
      environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
    });
  }
}
