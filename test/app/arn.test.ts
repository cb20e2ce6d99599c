import {
  DescribeCampaignCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  PersonalizeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import {
  campaignNameFromArn,
  campaignRecipeType,
  checkCampaignType,
  modelTypeOfRecipe,
  parseCampaignArn,
  recipeNameFromArn,
  SdkCampaignRecipePort,
  type CampaignRecipePort,
} from '../../app-src/recommenders/arn';
import { RECIPES_BY_TYPE } from '../../lib/config';

const personalize = mockClient(PersonalizeClient);
beforeEach(() => personalize.reset());

const VALID = 'arn:aws:personalize:us-east-1:123456789012:campaign/Movies-personal_2';

/** The message of a rejected ARN (fails the test if it was accepted). */
function problem(input: string): string {
  const result = parseCampaignArn(input);
  if (result.ok) throw new Error(`accepted: ${input}`);
  return result.message;
}

describe('parseCampaignArn', () => {
  test('takes a campaign ARN apart', () => {
    expect(parseCampaignArn(VALID)).toStrictEqual({
      ok: true,
      value: {
        arn: VALID,
        partition: 'aws',
        region: 'us-east-1',
        account: '123456789012',
        name: 'Movies-personal_2',
      },
    });
  });

  test('accepts the China and GovCloud partitions with their regions, and trims pasted white space', () => {
    const cn = parseCampaignArn('  arn:aws-cn:personalize:cn-north-1:123456789012:campaign/c \n');
    expect(cn.ok && cn.value).toMatchObject({ partition: 'aws-cn', region: 'cn-north-1', name: 'c' });
    expect(cn.ok && cn.value.arn).toBe('arn:aws-cn:personalize:cn-north-1:123456789012:campaign/c');
    const gov = parseCampaignArn('arn:aws-us-gov:personalize:us-gov-west-1:123456789012:campaign/g');
    expect(gov.ok && gov.value.partition).toBe('aws-us-gov');
  });

  test('a name of 63 characters is the longest accepted', () => {
    expect(parseCampaignArn(`arn:aws:personalize:us-east-1:123456789012:campaign/${'a'.repeat(63)}`).ok).toBe(true);
    expect(problem(`arn:aws:personalize:us-east-1:123456789012:campaign/${'a'.repeat(64)}`)).toBe(
      'Not a valid campaign ARN: the campaign name is 64 characters long; at most 63',
    );
  });

  test.each([
    ['', 'Enter the campaign ARN, e.g. arn:aws:personalize:us-east-1:123456789012:campaign/my-campaign'],
    [
      'campaign/Movies',
      'A campaign ARN starts with "arn:", e.g. arn:aws:personalize:us-east-1:123456789012:campaign/my-campaign',
    ],
    [
      'arn:aws:personalize:us-east-1:campaign/x',
      'The ARN has 5 colon-separated parts; a campaign ARN has 6: ' +
        'arn:<partition>:personalize:<region>:<12-digit account>:campaign/<name>',
    ],
    [
      'arn:aws-iso:personalize:us-east-1:123456789012:campaign/x',
      'Not a valid campaign ARN: partition "aws-iso" is not one of aws, aws-cn, aws-us-gov',
    ],
    [
      'arn:aws:s3:us-east-1:123456789012:campaign/x',
      'Not a valid campaign ARN: service "s3" is not personalize: this is not an Amazon Personalize ARN',
    ],
    [
      'arn:aws:personalize:useast1:123456789012:campaign/x',
      'Not a valid campaign ARN: region "useast1" is not a region name such as us-east-1',
    ],
    [
      'arn:aws:personalize:cn-north-1:123456789012:campaign/x',
      'Not a valid campaign ARN: region cn-north-1 is in partition aws-cn, not aws',
    ],
    [
      'arn:aws-us-gov:personalize:us-east-1:123456789012:campaign/x',
      'Not a valid campaign ARN: region us-east-1 is in partition aws, not aws-us-gov',
    ],
    [
      'arn:aws:personalize:us-east-1:12345678901:campaign/x',
      'Not a valid campaign ARN: account "12345678901" is not a 12-digit AWS account id',
    ],
    [
      'arn:aws:personalize:us-east-1:123456789012:solution/Movies-sims',
      "Not a valid campaign ARN: it names a solution, not a campaign: copy the ARN from the campaign's page",
    ],
    [
      'arn:aws:personalize:us-east-1:123456789012:campaign',
      'Not a valid campaign ARN: the resource "campaign" is not of the form campaign/<name>',
    ],
    [
      'arn:aws:personalize:us-east-1:123456789012:campaign/',
      'Not a valid campaign ARN: the campaign name after "campaign/" is empty',
    ],
    [
      'arn:aws:personalize:us-east-1:123456789012:campaign/-movies',
      'Not a valid campaign ARN: the campaign name "-movies" may contain only letters, digits, hyphens and ' +
        'underscores, and must start with a letter or digit',
    ],
    [
      'arn:aws:personalize:us-east-1:123456789012:campaign/my movies.v2',
      'Not a valid campaign ARN: the campaign name "my movies.v2" may contain only letters, digits, hyphens and ' +
        'underscores, and must start with a letter or digit',
    ],
  ])('%j is refused: %s', (input, message) => {
    expect(problem(input)).toBe(message);
  });

  test('names every problem at once', () => {
    expect(problem('arn:aws:ec2:us-east-1:42:campaign/a b')).toBe(
      'Not a valid campaign ARN: service "ec2" is not personalize: this is not an Amazon Personalize ARN; ' +
        'account "42" is not a 12-digit AWS account id; the campaign name "a b" may contain only letters, ' +
        'digits, hyphens and underscores, and must start with a letter or digit',
    );
  });

  test('an ARN longer than 256 characters is refused', () => {
    const region = `us-${'a'.repeat(240)}-1`;
    expect(problem(`arn:aws:personalize:${region}:123456789012:campaign/x`)).toMatch(
      /^Not a valid campaign ARN: the ARN is \d+ characters long; at most 256$/,
    );
  });

  test('campaignNameFromArn', () => {
    expect(campaignNameFromArn(VALID)).toBe('Movies-personal_2');
    expect(campaignNameFromArn('arn:aws:personalize:us-east-1:123456789012:solution/x')).toBeUndefined();
  });
});

describe('recipes and model types', () => {
  test('recipe ARN to recipe name', () => {
    expect(recipeNameFromArn('arn:aws:personalize:::recipe/aws-sims')).toBe('aws-sims');
    expect(recipeNameFromArn('aws-sims')).toBe('aws-sims');
  });

  test('every recipe in RECIPES_BY_TYPE maps to its type', () => {
    for (const [type, recipes] of Object.entries(RECIPES_BY_TYPE)) {
      for (const recipe of recipes) {
        expect([recipe, modelTypeOfRecipe(`arn:aws:personalize:::recipe/${recipe}`)]).toEqual([recipe, type]);
      }
    }
  });

  test('retired HRNN counts as recommend; a recipe the site cannot use has no type', () => {
    expect(modelTypeOfRecipe('aws-hrnn')).toBe('recommend');
    expect(modelTypeOfRecipe('arn:aws:personalize:::recipe/aws-next-best-action')).toBeUndefined();
  });
});

describe('SdkCampaignRecipePort', () => {
  const CAMPAIGN = VALID;
  const SOLUTION = 'arn:aws:personalize:us-east-1:123456789012:solution/Movies-sims';
  const VERSION = `${SOLUTION}/1a2b3c4d`;
  const port = () => new SdkCampaignRecipePort(new PersonalizeClient({ region: 'us-east-1' }));

  test('DescribeCampaign, then DescribeSolutionVersion gives the recipe', async () => {
    personalize
      .on(DescribeCampaignCommand)
      .resolves({ campaign: { campaignArn: CAMPAIGN, solutionVersionArn: VERSION, status: 'ACTIVE' } });
    personalize
      .on(DescribeSolutionVersionCommand)
      .resolves({ solutionVersion: { solutionArn: SOLUTION, recipeArn: 'arn:aws:personalize:::recipe/aws-sims' } });
    expect(await port().describeCampaignRecipe(CAMPAIGN)).toEqual({
      recipeArn: 'arn:aws:personalize:::recipe/aws-sims',
      status: 'ACTIVE',
    });
    expect(personalize.commandCalls(DescribeCampaignCommand).map((c) => c.args[0].input)).toStrictEqual([
      { campaignArn: CAMPAIGN },
    ]);
    expect(personalize.commandCalls(DescribeSolutionVersionCommand).map((c) => c.args[0].input)).toStrictEqual([
      { solutionVersionArn: VERSION },
    ]);
    expect(personalize.commandCalls(DescribeSolutionCommand)).toHaveLength(0);
  });

  test('a campaign on $LATEST is looked up through its solution', async () => {
    personalize.on(DescribeCampaignCommand).resolves({ campaign: { solutionVersionArn: `${SOLUTION}/$LATEST` } });
    personalize
      .on(DescribeSolutionCommand)
      .resolves({ solution: { recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2' } });
    expect(await port().describeCampaignRecipe(CAMPAIGN)).toEqual({
      recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
    });
    expect(personalize.commandCalls(DescribeSolutionCommand).map((c) => c.args[0].input)).toStrictEqual([
      { solutionArn: SOLUTION },
    ]);
    expect(personalize.commandCalls(DescribeSolutionVersionCommand)).toHaveLength(0);
  });

  test('a solution version without a recipe falls back to its solution', async () => {
    personalize.on(DescribeCampaignCommand).resolves({ campaign: { solutionVersionArn: VERSION, status: 'ACTIVE' } });
    personalize.on(DescribeSolutionVersionCommand).resolves({ solutionVersion: { solutionArn: SOLUTION } });
    personalize
      .on(DescribeSolutionCommand, { solutionArn: SOLUTION })
      .resolves({ solution: { recipeArn: 'arn:aws:personalize:::recipe/aws-personalized-ranking-v2' } });
    expect((await port().describeCampaignRecipe(CAMPAIGN)).recipeArn).toBe(
      'arn:aws:personalize:::recipe/aws-personalized-ranking-v2',
    );
  });

  test('answers that name nothing are errors, not guesses', async () => {
    personalize.on(DescribeCampaignCommand).resolves({ campaign: {} });
    await expect(port().describeCampaignRecipe(CAMPAIGN)).rejects.toThrow(
      `DescribeCampaign did not name the solution version of ${CAMPAIGN}`,
    );
    personalize.on(DescribeCampaignCommand).resolves({ campaign: { solutionVersionArn: `${SOLUTION}/$LATEST` } });
    personalize.on(DescribeSolutionCommand).resolves({ solution: {} });
    await expect(port().describeCampaignRecipe(CAMPAIGN)).rejects.toThrow(
      `DescribeSolution did not name the recipe of ${SOLUTION}`,
    );
  });

  test("the SDK's errors pass through for the check to classify", async () => {
    personalize
      .on(DescribeCampaignCommand)
      .rejects(new ResourceNotFoundException({ message: 'Could not find campaign', $metadata: {} }));
    await expect(port().describeCampaignRecipe(CAMPAIGN)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('checkCampaignType', () => {
  const recipePort = (recipeArn: string, status = 'ACTIVE'): CampaignRecipePort => ({
    describeCampaignRecipe: async () => ({ recipeArn, status }),
  });
  const failing = (error: Error): CampaignRecipePort => ({
    describeCampaignRecipe: async () => {
      throw error;
    },
  });
  const named = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });

  test('campaignRecipeType names the recipe and its type', async () => {
    expect(await campaignRecipeType(VALID, recipePort('arn:aws:personalize:::recipe/aws-sims'))).toEqual({
      recipe: 'aws-sims',
      type: 'sims',
      status: 'ACTIVE',
    });
  });

  test('a recipe that fits the type', async () => {
    expect(
      await checkCampaignType(VALID, 'sims', recipePort('arn:aws:personalize:::recipe/aws-similar-items')),
    ).toEqual({ status: 'fits', recipe: 'aws-similar-items', type: 'sims' });
  });

  test('a recipe of another type is refused, naming both', async () => {
    expect(await checkCampaignType(VALID, 'recommend', recipePort('arn:aws:personalize:::recipe/aws-sims'))).toEqual({
      status: 'mismatch',
      recipe: 'aws-sims',
      type: 'sims',
      message: 'This campaign uses aws-sims, which is a sims model, not recommend',
    });
  });

  test('a recipe the site cannot use is refused, listing the ones it can', async () => {
    const check = await checkCampaignType(
      VALID,
      'recommend',
      recipePort('arn:aws:personalize:::recipe/aws-next-best-action'),
    );
    expect(check.status).toBe('mismatch');
    expect(check.status === 'mismatch' && check.type).toBeUndefined();
    expect(check.status === 'mismatch' && check.message).toBe(
      'This campaign uses aws-next-best-action, which is not a recipe this site can use (recommend: ' +
        'aws-user-personalization-v2, aws-user-personalization, aws-popularity-count; ranking: ' +
        'aws-personalized-ranking-v2, aws-personalized-ranking; sims: aws-sims, aws-similar-items)',
    );
  });

  test('a campaign still being created fits, with a warning', async () => {
    expect(
      await checkCampaignType(
        VALID,
        'ranking',
        recipePort('arn:aws:personalize:::recipe/aws-personalized-ranking-v2', 'CREATE IN_PROGRESS'),
      ),
    ).toEqual({
      status: 'fits',
      recipe: 'aws-personalized-ranking-v2',
      type: 'ranking',
      message: 'The campaign is CREATE IN_PROGRESS: it answers once it is ACTIVE',
    });
  });

  test('no such campaign', async () => {
    const error = new ResourceNotFoundException({ message: 'Could not find campaign', $metadata: {} });
    expect(await checkCampaignType(VALID, 'recommend', failing(error))).toEqual({
      status: 'not-found',
      message:
        'Amazon Personalize has no such campaign (ResourceNotFoundException: Could not find campaign): ' +
        'check its name, account and region',
    });
  });

  test('not allowed to describe: unchecked, and says why', async () => {
    expect(await checkCampaignType(VALID, 'recommend', failing(named('AccessDeniedException', 'nope')))).toEqual({
      status: 'unchecked',
      message: "Could not check the campaign's recipe: the web tier's role may not describe it (AccessDeniedException)",
    });
  });

  test('throttled or unreachable: unchecked, naming the error', async () => {
    expect(await checkCampaignType(VALID, 'sims', failing(named('ThrottlingException', 'Rate exceeded')))).toEqual({
      status: 'unchecked',
      message: "Could not check the campaign's recipe (ThrottlingException: Rate exceeded)",
    });
  });

  test('end to end over the mocked SDK', async () => {
    personalize.on(DescribeCampaignCommand).resolves({
      campaign: { solutionVersionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/s/v1', status: 'ACTIVE' },
    });
    personalize
      .on(DescribeSolutionVersionCommand)
      .resolves({ solutionVersion: { recipeArn: 'arn:aws:personalize:::recipe/aws-sims' } });
    const check = await checkCampaignType(VALID, 'recommend', new SdkCampaignRecipePort(new PersonalizeClient({})));
    expect(check.status === 'mismatch' && check.message).toBe(
      'This campaign uses aws-sims, which is a sims model, not recommend',
    );
  });
});
