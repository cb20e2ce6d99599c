import { createHash } from 'node:crypto';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { emptyModelRegistry } from '../shared/model-registry';
import { modelRegistryParameterName } from '../shared/names';

export interface ModelRegistryParameterProps {
  readonly prefix: string;
}

/**
 * The model registry parameter `/<prefix>/models`. CloudFormation creates it empty and deletes it
 * with the stack; the Personalize controller updates its value as campaigns become active, and
 * the web app reads it by name.
 */
export class ModelRegistryParameter extends Construct {
  readonly parameter: ssm.StringParameter;
  /** Changes when the parameter's template does (its initial value, description or tier). */
  readonly revision: string;

  constructor(scope: Construct, id: string, props: ModelRegistryParameterProps) {
    super(scope, id);
    const description = 'MovieRecs Workshop model registry: pipeline status and active campaigns (JSON)';
    const initial = JSON.stringify(emptyModelRegistry());
    // Standard (no charge): the controller keeps every value it writes within its 4 KB.
    const tier = ssm.ParameterTier.STANDARD;
    this.revision = createHash('sha256').update(`${description}\n${initial}\n${tier}`).digest('hex').slice(0, 12);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: modelRegistryParameterName(props.prefix),
      description,
      stringValue: initial,
      tier,
    });
  }

  /** Lets `grantee` update the registry (the controller). */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.parameter.grantWrite(grantee);
  }
}
