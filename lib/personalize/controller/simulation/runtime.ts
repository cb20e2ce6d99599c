/**
 * The simulated Amazon Personalize runtime: GetRecommendations and GetPersonalizedRanking, served
 * for the campaigns of a `SimulatedPersonalize`, with the rules of the ledger (`ledger.ts`): the
 * campaign exists and is ACTIVE, the id its recipe needs is given, sizes are within the API's
 * limits. It stands where the web app's `PersonalizeRuntimeClient` stands (`send`), so the app's
 * own adapter is what meets the rules.
 */
import {
  GetPersonalizedRankingCommand,
  GetPersonalizedRankingCommandOutput,
  GetRecommendationsCommand,
  GetRecommendationsCommandOutput,
} from '@aws-sdk/client-personalize-runtime';
import { SimulatedPersonalizeEvents } from './events';
import { compileFilter, FilterSubject } from './filter-eval';
import { CallRecord, SimulatedPersonalize } from './simulated-personalize';
import { refuse, SimulatedError } from './store';

/** The recipe types of the API reference, by recipe name. */
export function recipeType(
  recipe: string | undefined,
): 'USER_PERSONALIZATION' | 'RELATED_ITEMS' | 'PERSONALIZED_RANKING' | undefined {
  if (!recipe) return undefined;
  if (/^aws-(user-personalization|popularity-count)/.test(recipe)) return 'USER_PERSONALIZATION';
  if (/^aws-(sims|similar-items)/.test(recipe)) return 'RELATED_ITEMS';
  if (/^aws-personalized-ranking/.test(recipe)) return 'PERSONALIZED_RANKING';
  return undefined;
}

const MAX_RESULTS = 500;
const MAX_INPUT = 500;
const MAX_ID = 256;
const MAX_FILTER_VALUES = 25;
const MAX_FILTER_KEY = 50;
const MAX_FILTER_VALUE = 1000;

export interface SimulatedRuntimeOptions {
  /** An item's fields for `Items.<FIELD>` filters (categorical values joined by "|"). */
  readonly itemFields?: (itemId: string) => Readonly<Record<string, string | undefined>>;
  /** Where PutEvents went, for `Interactions.EVENT_TYPE` filters. */
  readonly events?: SimulatedPersonalizeEvents;
}

export class SimulatedPersonalizeRuntime {
  readonly calls: CallRecord[] = [];

  constructor(
    private readonly control: SimulatedPersonalize,
    /** The item ids a campaign answers with, best first (default: 1, 2, 3, ...). */
    private readonly items: (campaignArn: string) => readonly string[] = () =>
      Array.from({ length: 1000 }, (_, i) => String(i + 1)),
    private readonly options: SimulatedRuntimeOptions = {},
  ) {}

  /** Calls the runtime refused by a rule of the ledger. */
  refusedCalls(): CallRecord[] {
    return this.calls.filter((c) => c.rule !== undefined);
  }

  async send(command: GetRecommendationsCommand): Promise<GetRecommendationsCommandOutput>;
  async send(command: GetPersonalizedRankingCommand): Promise<GetPersonalizedRankingCommandOutput>;
  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetRecommendationsCommand) {
      return this.serve('get recommendations', command.input.campaignArn, () => this.recommendations(command));
    }
    if (command instanceof GetPersonalizedRankingCommand) {
      return this.serve('get personalized ranking', command.input.campaignArn, () => this.ranking(command));
    }
    throw new Error(`the simulated runtime does not serve ${(command as object).constructor.name}`);
  }

  private serve<T>(operation: string, arn: string | undefined, work: () => T): T {
    try {
      const result = work();
      this.calls.push({ operation, at: this.control.now, outcome: 'ok', ...(arn ? { arn } : {}) });
      return result;
    } catch (error) {
      const rule = (error as SimulatedError).rule;
      this.calls.push({
        operation,
        at: this.control.now,
        outcome: (error as Error).name,
        ...(arn ? { arn } : {}),
        ...(rule ? { rule } : {}),
      });
      throw error;
    }
  }

  /** rules runtime/filter, runtime/filter-values-quoted: the item test a request's filter makes. */
  private filter(
    campaignArn: string,
    userId: string | undefined,
    filterArn: string | undefined,
    filterValues: Record<string, string> | undefined,
  ): (itemId: string) => boolean {
    if (filterArn === undefined) {
      if (filterValues && Object.keys(filterValues).length)
        throw refuse('runtime/filter', 'filterValues are given without a filterArn');
      return () => true;
    }
    const filter = this.control.filterOf(filterArn);
    const group = this.control.campaignGroup(campaignArn);
    if (!filter || filter.status !== 'ACTIVE' || filter.groupArn !== group)
      throw refuse('runtime/filter', `${filterArn} is not an ACTIVE filter of the campaign's dataset group ${group}`);
    const entries = Object.entries(filterValues ?? {});
    if (entries.length > MAX_FILTER_VALUES)
      throw refuse('runtime/filter', `filterValues holds ${entries.length} entries, at most ${MAX_FILTER_VALUES}`);
    for (const [key, value] of entries) {
      if (!/^[A-Za-z0-9_]{1,50}$/.test(key))
        throw refuse(
          'runtime/filter',
          `filterValues key "${key.slice(0, 60)}" is not 1 to ${MAX_FILTER_KEY} letters, digits or "_"`,
        );
      if (value.length > MAX_FILTER_VALUE)
        throw refuse(
          'runtime/filter',
          `filterValues.${key} is ${value.length} characters, at most ${MAX_FILTER_VALUE}`,
        );
    }
    const test = compileFilter(filter.expression, filterValues);
    const events = userId && group ? (this.options.events?.eventsOf(group, userId) ?? []) : [];
    return (itemId) => {
      const subject: FilterSubject = {
        fields: this.options.itemFields?.(itemId) ?? {},
        eventTypes: events.filter((e) => e.itemId === itemId).map((e) => e.eventType),
      };
      return test(subject);
    };
  }

  /** rule runtime/campaign-active */
  private campaign(arn: string | undefined): string | undefined {
    const campaign = arn === undefined ? undefined : this.control.campaignRecipe(arn);
    if (!campaign || campaign.status !== 'ACTIVE')
      throw refuse('runtime/campaign-active', `campaign ${arn} does not exist or is not ACTIVE`);
    return recipeType(campaign.recipe);
  }

  private recommendations(command: GetRecommendationsCommand): GetRecommendationsCommandOutput {
    const { campaignArn, userId, itemId, numResults = 25, filterArn, filterValues } = command.input;
    const type = this.campaign(campaignArn);
    if (!Number.isInteger(numResults) || numResults < 1 || numResults > MAX_RESULTS)
      throw refuse('runtime/num-results', `numResults ${numResults} is not 1 to ${MAX_RESULTS}`);
    checkIds([userId, itemId]);
    if (type === 'PERSONALIZED_RANKING' || type === undefined)
      throw refuse('runtime/id-for-recipe', `${campaignArn} serves GetPersonalizedRanking, not GetRecommendations`);
    if (type === 'USER_PERSONALIZATION' && !userId)
      throw refuse('runtime/id-for-recipe', 'a USER_PERSONALIZATION campaign needs a userId');
    if (type === 'RELATED_ITEMS' && !itemId)
      throw refuse('runtime/id-for-recipe', 'a RELATED_ITEMS campaign needs an itemId');
    const allows = this.filter(campaignArn ?? '', userId, filterArn, filterValues);
    const itemList = this.items(campaignArn ?? '')
      .filter((id) => id !== itemId && allows(id))
      .slice(0, numResults)
      .map((id) => ({ itemId: id }));
    return { itemList, $metadata: {} };
  }

  private ranking(command: GetPersonalizedRankingCommand): GetPersonalizedRankingCommandOutput {
    const { campaignArn, userId, inputList = [], filterArn, filterValues } = command.input;
    const type = this.campaign(campaignArn);
    if (type !== 'PERSONALIZED_RANKING')
      throw refuse('runtime/ranking', `${campaignArn} is not of a PERSONALIZED_RANKING recipe`);
    if (!userId) throw refuse('runtime/ranking', 'GetPersonalizedRanking needs a userId');
    if (inputList.length < 1 || inputList.length > MAX_INPUT)
      throw refuse('runtime/ranking', `inputList holds ${inputList.length} items, not 1 to ${MAX_INPUT}`);
    checkIds([userId, ...inputList]);
    const order = this.items(campaignArn ?? '');
    const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
    const allows = this.filter(campaignArn ?? '', userId, filterArn, filterValues);
    const personalizedRanking = inputList
      .filter(allows)
      .sort((a, b) => rank(a) - rank(b))
      .map((itemId) => ({ itemId }));
    return { personalizedRanking, $metadata: {} };
  }
}

/** rule runtime/id-length */
function checkIds(ids: readonly (string | undefined)[]): void {
  const bad = ids.find((id) => id !== undefined && (id.length < 1 || id.length > MAX_ID));
  if (bad !== undefined)
    throw refuse('runtime/id-length', `id "${bad.slice(0, 20)}..." is not 1 to ${MAX_ID} characters`);
}
