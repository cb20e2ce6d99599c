/**
 * Campaign ARNs as the admin form receives them, and which model type a campaign can serve.
 *
 * The seed workshop had attendees paste campaign ARNs into the Django admin; a typo there only
 * showed up later as an empty row. Here the form says at once what is wrong with the text, and,
 * when AWS is reachable, whether the campaign's recipe fits the model type chosen ("this campaign
 * uses aws-sims, which is a sims model, not recommend").
 *
 * Rules, from the Amazon Personalize API reference:
 * - Campaign (`name`: 1-63 characters, `^[a-zA-Z0-9][a-zA-Z0-9\-_]*`; `campaignArn`: at most 256
 *   characters, `arn:([a-z\d-]+):personalize:.*:.*:.+`):
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_Campaign.html
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_CreateCampaign.html
 * - DescribeCampaign / DescribeSolutionVersion / DescribeSolution (the chain to the recipe ARN):
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_DescribeCampaign.html
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_DescribeSolutionVersion.html
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_DescribeSolution.html
 *
 * Free of aws-cdk-lib: this is runtime code.
 */
import {
  DescribeCampaignCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { RECIPES_BY_TYPE, RETIRED_HRNN_RECIPES } from '../../lib/config';
import { ERRORS, errorName, isOneOf } from '../../lib/personalize/controller/port';
import { MODEL_TYPES, type ModelType } from './port';

/** The partitions whose ARNs the form accepts (standard, China, GovCloud). */
export const CAMPAIGN_ARN_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof CAMPAIGN_ARN_PARTITIONS)[number];

/** CreateCampaign `name`: length and pattern. */
export const CAMPAIGN_NAME_MAX_LENGTH = 63;
const CAMPAIGN_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;
/** `campaignArn` in GetRecommendations / GetPersonalizedRanking: maximum length. */
export const CAMPAIGN_ARN_MAX_LENGTH = 256;

/** us-east-1, ap-southeast-2, us-gov-west-1, cn-northwest-1 … */
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_RE = /^\d{12}$/;
const EXAMPLE = 'arn:aws:personalize:us-east-1:123456789012:campaign/my-campaign';

/** A campaign ARN taken apart. */
export interface CampaignArn {
  readonly arn: string;
  readonly partition: Partition;
  readonly region: string;
  readonly account: string;
  /** The campaign's name, the part after `campaign/`. */
  readonly name: string;
}

export type CampaignArnResult =
  { readonly ok: true; readonly value: CampaignArn } | { readonly ok: false; readonly message: string };

/** Which partition a region belongs to, by its name. */
function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Checks text pasted into the admin form. Surrounding white space is ignored (a copy from the
 * console often carries some). Every problem found is named at once, so the admin fixes the ARN
 * in one go rather than one complaint per submit.
 */
export function parseCampaignArn(input: string): CampaignArnResult {
  const arn = input.trim();
  if (arn === '') return { ok: false, message: `Enter the campaign ARN, e.g. ${EXAMPLE}` };
  if (!arn.startsWith('arn:')) {
    return { ok: false, message: `A campaign ARN starts with "arn:", e.g. ${EXAMPLE}` };
  }
  const parts = arn.split(':');
  if (parts.length !== 6) {
    return {
      ok: false,
      message:
        `The ARN has ${parts.length} colon-separated parts; a campaign ARN has 6: ` +
        `arn:<partition>:personalize:<region>:<12-digit account>:campaign/<name>`,
    };
  }
  const [, partition, service, region, account, resource] = parts as [string, string, string, string, string, string];
  const problems: string[] = [];
  const knownPartition = (CAMPAIGN_ARN_PARTITIONS as readonly string[]).includes(partition);
  if (!knownPartition) {
    problems.push(`partition "${partition}" is not one of ${CAMPAIGN_ARN_PARTITIONS.join(', ')}`);
  }
  if (service !== 'personalize') {
    problems.push(`service "${service}" is not personalize: this is not an Amazon Personalize ARN`);
  }
  if (!REGION_RE.test(region)) {
    problems.push(`region "${region}" is not a region name such as us-east-1`);
  } else if (knownPartition && partitionOfRegion(region) !== partition) {
    problems.push(`region ${region} is in partition ${partitionOfRegion(region)}, not ${partition}`);
  }
  if (!ACCOUNT_RE.test(account)) {
    problems.push(`account "${account}" is not a 12-digit AWS account id`);
  }
  const slash = resource.indexOf('/');
  const resourceType = slash < 0 ? resource : resource.slice(0, slash);
  const name = slash < 0 ? '' : resource.slice(slash + 1);
  if (slash < 0) {
    problems.push(`the resource "${resource}" is not of the form campaign/<name>`);
  } else if (resourceType !== 'campaign') {
    problems.push(`it names a ${resourceType}, not a campaign: copy the ARN from the campaign's page`);
  } else if (name === '') {
    problems.push('the campaign name after "campaign/" is empty');
  } else {
    if (name.length > CAMPAIGN_NAME_MAX_LENGTH) {
      problems.push(`the campaign name is ${name.length} characters long; at most ${CAMPAIGN_NAME_MAX_LENGTH}`);
    }
    if (!CAMPAIGN_NAME_RE.test(name)) {
      problems.push(
        `the campaign name "${name}" may contain only letters, digits, hyphens and underscores, ` +
          'and must start with a letter or digit',
      );
    }
  }
  if (arn.length > CAMPAIGN_ARN_MAX_LENGTH) {
    problems.push(`the ARN is ${arn.length} characters long; at most ${CAMPAIGN_ARN_MAX_LENGTH}`);
  }
  if (problems.length > 0) return { ok: false, message: `Not a valid campaign ARN: ${problems.join('; ')}` };
  return { ok: true, value: { arn, partition: partition as Partition, region, account, name } };
}

/** The campaign name in an ARN, or undefined when the text is not a valid campaign ARN. */
export function campaignNameFromArn(arn: string): string | undefined {
  const parsed = parseCampaignArn(arn);
  return parsed.ok ? parsed.value.name : undefined;
}

/** `arn:aws:personalize:::recipe/aws-sims` → `aws-sims`; a bare recipe name is returned as is. */
export function recipeNameFromArn(recipeArn: string): string {
  const marker = ':recipe/';
  const at = recipeArn.indexOf(marker);
  return at < 0 ? recipeArn : recipeArn.slice(at + marker.length);
}

/**
 * The model type a recipe serves, from `RECIPES_BY_TYPE` (the config's own table), or undefined
 * for a recipe the site cannot use. Retired HRNN recipes were USER_PERSONALIZATION recipes: a
 * campaign still serving one answers GetRecommendations for a user, so it counts as `recommend`.
 */
export function modelTypeOfRecipe(recipe: string): ModelType | undefined {
  const name = recipeNameFromArn(recipe);
  if ((RETIRED_HRNN_RECIPES as readonly string[]).includes(name)) return 'recommend';
  return MODEL_TYPES.find((type) => RECIPES_BY_TYPE[type].includes(name));
}

/** What DescribeCampaign and what follows it tell about a campaign. */
export interface CampaignRecipe {
  /** e.g. `arn:aws:personalize:::recipe/aws-sims`. */
  readonly recipeArn: string;
  /** The campaign's status, e.g. `ACTIVE` or `CREATE IN_PROGRESS`. */
  readonly status?: string;
}

/**
 * The narrow view of the Personalize control plane the admin check needs. The SDK adapter is
 * `SdkCampaignRecipePort`; tests pass a plain object.
 */
export interface CampaignRecipePort {
  /** The recipe behind a campaign. Throws the SDK's error (ResourceNotFoundException, …). */
  describeCampaignRecipe(campaignArn: string): Promise<CampaignRecipe>;
}

/**
 * DescribeCampaign → the deployed solution version → its recipe ARN. A campaign with automatic
 * updates may report `<solution ARN>/$LATEST`, which DescribeSolutionVersion does not accept: then
 * the recipe comes from DescribeSolution. A solution version without `recipeArn` (AutoML, now
 * deprecated) also falls back to its solution.
 *
 * The role needs personalize:DescribeCampaign, DescribeSolutionVersion and DescribeSolution.
 */
export class SdkCampaignRecipePort implements CampaignRecipePort {
  constructor(private readonly client: PersonalizeClient) {}

  async describeCampaignRecipe(campaignArn: string): Promise<CampaignRecipe> {
    const { campaign } = await this.client.send(new DescribeCampaignCommand({ campaignArn }));
    const status = campaign?.status;
    const versionArn = campaign?.solutionVersionArn;
    if (!versionArn) throw new Error(`DescribeCampaign did not name the solution version of ${campaignArn}`);
    let solutionArn: string | undefined;
    if (versionArn.endsWith('/$LATEST')) {
      solutionArn = versionArn.slice(0, -'/$LATEST'.length);
    } else {
      const { solutionVersion } = await this.client.send(
        new DescribeSolutionVersionCommand({ solutionVersionArn: versionArn }),
      );
      if (solutionVersion?.recipeArn) return withStatus(solutionVersion.recipeArn, status);
      solutionArn = solutionVersion?.solutionArn;
    }
    if (!solutionArn) throw new Error(`DescribeSolutionVersion did not name the solution of ${versionArn}`);
    const { solution } = await this.client.send(new DescribeSolutionCommand({ solutionArn }));
    if (!solution?.recipeArn) throw new Error(`DescribeSolution did not name the recipe of ${solutionArn}`);
    return withStatus(solution.recipeArn, status);
  }
}

function withStatus(recipeArn: string, status: string | undefined): CampaignRecipe {
  return status ? { recipeArn, status } : { recipeArn };
}

/** A campaign's recipe name and the model type it serves (undefined: none the site knows). */
export async function campaignRecipeType(
  campaignArn: string,
  port: CampaignRecipePort,
): Promise<{ recipe: string; type: ModelType | undefined; status?: string }> {
  const described = await port.describeCampaignRecipe(campaignArn);
  const recipe = recipeNameFromArn(described.recipeArn);
  return { recipe, type: modelTypeOfRecipe(recipe), ...(described.status ? { status: described.status } : {}) };
}

/**
 * The admin form's verdict on a campaign for a model type:
 * - `fits`: the recipe serves that type (`message` warns when the campaign is not ACTIVE yet);
 * - `mismatch`: it serves another type, or none the site knows; the form refuses it;
 * - `not-found`: Personalize has no such campaign (wrong name, account or region);
 * - `unchecked`: AWS could not be asked (no credentials, not allowed, timeout): the form may save
 *   the model anyway, the recommendations row will tell if it does not work.
 */
export type CampaignTypeCheck =
  | { readonly status: 'fits'; readonly recipe: string; readonly type: ModelType; readonly message?: string }
  | {
      readonly status: 'mismatch';
      readonly recipe: string;
      readonly type: ModelType | undefined;
      readonly message: string;
    }
  | { readonly status: 'not-found'; readonly message: string }
  | { readonly status: 'unchecked'; readonly message: string };

/** Checks that `campaignArn` can serve a model of type `expected`. Never throws. */
export async function checkCampaignType(
  campaignArn: string,
  expected: ModelType,
  port: CampaignRecipePort,
): Promise<CampaignTypeCheck> {
  let found: Awaited<ReturnType<typeof campaignRecipeType>>;
  try {
    found = await campaignRecipeType(campaignArn, port);
  } catch (error) {
    return describeFailure(error);
  }
  const { recipe, type, status } = found;
  if (type === undefined) {
    const known = MODEL_TYPES.map((t) => `${t}: ${RECIPES_BY_TYPE[t].join(', ')}`).join('; ');
    return {
      status: 'mismatch',
      recipe,
      type,
      message: `This campaign uses ${recipe}, which is not a recipe this site can use (${known})`,
    };
  }
  if (type !== expected) {
    return {
      status: 'mismatch',
      recipe,
      type,
      message: `This campaign uses ${recipe}, which is a ${type} model, not ${expected}`,
    };
  }
  if (status && status !== 'ACTIVE') {
    return {
      status: 'fits',
      recipe,
      type,
      message: `The campaign is ${status}: it answers once it is ACTIVE`,
    };
  }
  return { status: 'fits', recipe, type };
}

function describeFailure(error: unknown): CampaignTypeCheck {
  const name = errorName(error);
  const detail = shortMessage(error);
  if (isOneOf(error, ERRORS.notFound)) {
    return {
      status: 'not-found',
      message: `Amazon Personalize has no such campaign (${name}${detail}): check its name, account and region`,
    };
  }
  if (isOneOf(error, ERRORS.accessDenied)) {
    return {
      status: 'unchecked',
      message: `Could not check the campaign's recipe: the web tier's role may not describe it (${name})`,
    };
  }
  return { status: 'unchecked', message: `Could not check the campaign's recipe (${name}${detail})` };
}

function shortMessage(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string' || message === '') return '';
  return `: ${message.length > 160 ? `${message.slice(0, 157)}…` : message}`;
}
