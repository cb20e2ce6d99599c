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
  expect(parameter.Properties).toMatchObject({ Name: '/MovieRecs/models', Type: 'String', Tier: 'Standard' });
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
