import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ModelRegistryParameter } from './model-registry';

export interface PersonalizeStackProps extends StackProps {
  readonly prefix: string;
}

/**
 * The Personalize stack: the model registry now, and the Personalize controller that fills it in
 * a later release. The Web stack never depends on it: the app finds the registry by name.
 */
export class PersonalizeStack extends Stack {
  readonly modelRegistry: ModelRegistryParameter;

  constructor(scope: Construct, id: string, props: PersonalizeStackProps) {
    super(scope, id, props);
    this.modelRegistry = new ModelRegistryParameter(this, 'ModelRegistry', { prefix: props.prefix });
  }
}
