/**
 * The Recommender port over Amazon Personalize campaigns (`@aws-sdk/client-personalize-runtime`).
 *
 * A page renders several rows at once and must not hang on one of them, so every call has a
 * deadline (1 s by default) and is tried once; a failure becomes a `RecommendationsUnavailableError`
 * whose message is a short reason the page shows in the row ("recommendations unavailable: …"),
 * never a stack trace.
 *
 * API reference relied on:
 * - GetRecommendations: `campaignArn`, `userId` (USER_PERSONALIZATION), `itemId` (RELATED_ITEMS),
 *   `numResults` (default 25, at most 500); errors InvalidInputException (400) and
 *   ResourceNotFoundException (404):
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetRecommendations.html
 * - GetPersonalizedRanking: `campaignArn`, `userId`, `inputList` (at most 500 item ids; items not
 *   in the training data are appended at the end); same errors:
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetPersonalizedRanking.html
 * - Getting recommendations with the SDKs (numResults default 25, maximum 500):
 *   https://docs.aws.amazon.com/personalize/latest/dg/get-recommendations-sdk-example.html
 * AccessDeniedException and ThrottlingException are not in those pages' lists: IAM and the
 * service front end answer them for every AWS API (the common errors).
 *
 * Filters (the page's Genre control, and leaving out what the user rated):
 * - GetRecommendations takes one `filterArn` and its `filterValues`: per placeholder parameter
 *   of the filter expression, its name in matching case as the key and the value(s) as the value,
 *   several values separated by commas (map of up to 25 entries, values up to 1000 characters);
 *   a string value is written in double quotes, so the genre filter gets `{ GENRE: "\"Horror\"" }`:
 *   https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetRecommendations.html and
 *   https://docs.aws.amazon.com/personalize/latest/dg/filter-real-time.html
 * - One filter per request: the genre filter and the exclude-rated filter cannot both be sent.
 *   With a genre chosen, the genre filter is sent (the question the row answers); without one, the
 *   exclude-rated filter. `filterNote` says on the row what was and was not applied.
 * - A registry without a genre filter: the site asks for the campaign's top 500 (numResults'
 *   maximum) and keeps the genre's movies among them, and the row says it was filtered on the site.
 * - GetPersonalizedRanking also takes a filter, which only removes items from the ranking; the
 *   site sends only the genre's movies to rank, so Personal Ranking needs none.
 * - The answer's items carry `reason` (User-Personalization-v2: "Promoted item", "Exploration",
 *   "Popular item", the placeholders a filter may add) and `promotionName` for a promotion's items:
 *   `recommendDetailed` returns them for the tiles.
 * - A promotion (`promotions`: name, percentPromotedItems, filterArn) is sent on Recommendations
 *   when the registry carries `filters.promotion` and the recipe supports promotions, and no genre
 *   is chosen (a promotion filter applies to the promoted items only, the request filter to the
 *   rest: https://docs.aws.amazon.com/personalize/latest/dg/promoting-items.html).
 */
import {
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  PersonalizeRuntimeClient,
  type PersonalizeRuntimeClientConfig,
  type PredictedItem,
} from '@aws-sdk/client-personalize-runtime';
import { ERRORS, errorName, isOneOf } from '../../lib/personalize/controller/port';
import { parseCampaignArn } from './arn';
import type { DetailedRecommendations, Model, MovieFilter, Recommender } from './port';

/** Default deadline of one call, in milliseconds. */
export const PERSONALIZE_TIMEOUT_MS = 1000;
/** GetRecommendations `numResults` maximum. */
export const MAX_NUM_RESULTS = 500;
/** GetPersonalizedRanking `inputList` maximum (without item metadata). */
export const MAX_INPUT_LIST = 500;

/** Thrown by every PersonalizeRecommender method; `message` is the reason, fit for the page. */
export class RecommendationsUnavailableError extends Error {
  override readonly name = 'RecommendationsUnavailableError';
  constructor(
    /** Short and human: "Amazon Personalize did not answer within 1 s". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** Our own deadline passed (as opposed to the HTTP handler's timeouts). */
class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * Client settings for page-time calls:
 * - `maxAttempts: 1`: no SDK retry. Within a 1 s budget a retry after a timeout cannot finish, and
 *   retrying a throttled campaign only adds load to it while it scales; ResourceNotFound,
 *   AccessDenied and InvalidInput are not retryable anyway. The next page view is the retry.
 * - `requestHandler` timeouts: a backstop that frees the socket even if the caller's deadline
 *   (the abort signal) were lost; `throwOnRequestTimeout` makes it an error, not a warning.
 */
export function personalizeRuntimeClientConfig(
  region: string,
  timeoutMs = PERSONALIZE_TIMEOUT_MS,
): PersonalizeRuntimeClientConfig {
  return {
    region,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  };
}

export function createPersonalizeRuntimeClient(
  region: string,
  timeoutMs = PERSONALIZE_TIMEOUT_MS,
): PersonalizeRuntimeClient {
  return new PersonalizeRuntimeClient(personalizeRuntimeClientConfig(region, timeoutMs));
}

export interface PersonalizeRecommenderOptions {
  /**
   * One client for every campaign, or a factory called once per region. By default a client per
   * campaign region (a campaign added in /admin/ may live in another region than the site).
   */
  readonly client?: PersonalizeRuntimeClient | ((region: string) => PersonalizeRuntimeClient);
  /** Deadline of one call in milliseconds; default 1000. */
  readonly timeoutMs?: number;
}

/** Answers for models that carry a `campaignArn` (sources `registry` and `admin`). */
export class PersonalizeRecommender implements Recommender {
  private readonly timeoutMs: number;
  private readonly clientFor: (region: string) => PersonalizeRuntimeClient;
  private readonly clients = new Map<string, PersonalizeRuntimeClient>();

  constructor(options: PersonalizeRecommenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? PERSONALIZE_TIMEOUT_MS;
    const { client } = options;
    if (client instanceof PersonalizeRuntimeClient) this.clientFor = () => client;
    else this.clientFor = client ?? ((region) => createPersonalizeRuntimeClient(region, this.timeoutMs));
  }

  async recommend(model: Model, userId: number, count: number, filter?: MovieFilter): Promise<number[]> {
    return (await this.recommendDetailed(model, userId, count, filter)).ids;
  }

  async recommendDetailed(
    model: Model,
    userId: number,
    count: number,
    filter?: MovieFilter,
  ): Promise<DetailedRecommendations> {
    const wanted = clampCount(count);
    if (wanted === 0) return { ids: [], reasons: new Map(), promoted: new Set() };
    const request = filterRequest(model, filter, 'recommend');
    const numResults = request.onSite ? MAX_NUM_RESULTS : wanted;
    const output = await this.call(model, (client, campaignArn, abortSignal) =>
      client.send(
        new GetRecommendationsCommand({ campaignArn, userId: String(userId), numResults, ...request.parameters }),
        { abortSignal },
      ),
    );
    const ids = toMovieIds(output.itemList)
      .filter((id) => !filter || filter.allows(id))
      .slice(0, wanted);
    return { ids, ...itemDetails(output.itemList, ids) };
  }

  async rank(model: Model, userId: number, movieIds: readonly number[], filter?: MovieFilter): Promise<number[]> {
    // Only the genre's movies are ranked: the list is the question (see the header).
    const input = [...new Set(filter ? movieIds.filter(filter.allows) : movieIds)];
    if (input.length === 0) return [];
    // Past the API's limit, the first 500 are ranked and the rest follow in input order.
    const inputList = input.slice(0, MAX_INPUT_LIST).map(String);
    const output = await this.call(model, (client, campaignArn, abortSignal) =>
      client.send(new GetPersonalizedRankingCommand({ campaignArn, userId: String(userId), inputList }), {
        abortSignal,
      }),
    );
    return completeRanking(toMovieIds(output.personalizedRanking), input);
  }

  async similar(
    model: Model,
    movieId: number,
    count: number,
    userId?: number,
    filter?: MovieFilter,
  ): Promise<number[]> {
    const wanted = clampCount(count);
    if (wanted === 0) return [];
    const request = filterRequest(model, filter, 'similar');
    // One more than wanted, so that dropping the base movie (should it come back) still fills the row.
    const numResults = request.onSite ? MAX_NUM_RESULTS : Math.min(wanted + 1, MAX_NUM_RESULTS);
    const output = await this.call(model, (client, campaignArn, abortSignal) =>
      client.send(
        new GetRecommendationsCommand({
          campaignArn,
          itemId: String(movieId),
          numResults,
          ...(userId !== undefined ? { userId: String(userId) } : {}),
          ...request.parameters,
        }),
        { abortSignal },
      ),
    );
    return toMovieIds(output.itemList)
      .filter((id) => id !== movieId && (!filter || filter.allows(id)))
      .slice(0, wanted);
  }

  private client(region: string): PersonalizeRuntimeClient {
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    return client;
  }

  /** Runs one SDK call under the deadline and turns any failure into a page-fit reason. */
  private async call<T>(
    model: Model,
    send: (client: PersonalizeRuntimeClient, campaignArn: string, abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (!model.campaignArn) {
      throw new RecommendationsUnavailableError(`model ${model.id} has no campaign ARN`);
    }
    const parsed = parseCampaignArn(model.campaignArn);
    if (!parsed.ok) throw new RecommendationsUnavailableError(parsed.message);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineExceeded(`no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([
        send(this.client(parsed.value.region), parsed.value.arn, controller.signal),
        deadline,
      ]);
    } catch (error) {
      throw new RecommendationsUnavailableError(unavailableReason(error, this.timeoutMs), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The value of the genre filter's $GENRE: a string value in double quotes (filter-real-time). */
export function genreFilterValue(genre: string): string {
  return `"${genre}"`;
}

/** The name of the genre filter's placeholder parameter ($GENRE), as the controller writes it. */
export const GENRE_PARAMETER = 'GENRE';

/** The filter fields of a GetRecommendations request. */
export interface FilterParameters {
  filterArn?: string;
  filterValues?: Record<string, string>;
  promotions?: { name: string; percentPromotedItems: number; filterArn: string }[];
}

/**
 * What a GetRecommendations request carries for the row's filters (and the promotion), and whether the site must
 * filter the answer itself (`onSite`: a genre asked and no genre filter in the registry). One
 * filter per request: a chosen genre's filter wins over exclude-rated (Recommendations only).
 */
export function filterRequest(
  model: Model,
  filter: MovieFilter | undefined,
  kind: 'recommend' | 'similar',
): { parameters: FilterParameters; onSite: boolean } {
  const arns = model.filters ?? {};
  if (filter && arns.genre) {
    return {
      parameters: { filterArn: arns.genre, filterValues: { [GENRE_PARAMETER]: genreFilterValue(filter.genre) } },
      onSite: false,
    };
  }
  const excludeRated = kind === 'recommend' && arns.excludeRated ? { filterArn: arns.excludeRated } : {};
  // The promotion only without a genre: its filter applies to the promoted items alone, so with
  // a genre they could fall outside the question the row answers.
  const promotion = kind === 'recommend' && !filter && PROMOTION_RECIPES.has(model.recipe) ? arns.promotion : undefined;
  const promotions = promotion ? { promotions: [{ ...PROMOTION, filterArn: promotion }] } : {};
  return { parameters: { ...excludeRated, ...promotions }, onSite: filter !== undefined };
}

/**
 * The custom recipes whose GetRecommendations take `promotions` ("Use cases and recipes that
 * support promotions", https://docs.aws.amazon.com/personalize/latest/dg/promoting-items.html);
 * Personalized-Ranking is not among them.
 */
export const PROMOTION_RECIPES: ReadonlySet<string> = new Set([
  'aws-user-personalization-v2',
  'aws-user-personalization',
  'aws-similar-items',
  'aws-sims',
  'aws-trending-now',
  'aws-popularity-count',
]);

/**
 * The site's one promotion (the registry's `filters.promotion` says which items, for instance
 * recent movies): a fifth of a Recommendations row. `promotionName` in the answer marks its items,
 * labelled "Promoted" on their tiles.
 */
export const PROMOTION = { name: 'workshop-promotion', percentPromotedItems: 20 } as const;

/**
 * What a Personalize row says about its filters, or nothing when every rule asked was applied by
 * the service. Local models apply every filter themselves and have no note.
 */
export function filterNote(
  model: Model,
  filter: MovieFilter | undefined,
  kind: 'recommend' | 'similar',
): string | undefined {
  if (model.source === 'local') return undefined;
  const arns = model.filters ?? {};
  const notes: string[] = [];
  if (filter && !arns.genre) {
    notes.push(
      `Not filtered by Amazon Personalize: the model registry has no genre filter for this campaign, so the site asked for its top ${MAX_NUM_RESULTS} and kept the ${filter.genre} movies among them.`,
    );
  }
  // Without a genre, a registry with no exclude-rated filter gives the workshop's original answer
  // (rated movies may come back); that is not said on every row.
  if (kind === 'recommend' && filter && arns.genre && arns.excludeRated) {
    notes.push(
      'Filtered by genre in Amazon Personalize; a request takes one filter, so movies this user rated may appear here.',
    );
  }
  return notes.length ? notes.join(' ') : undefined;
}

/**
 * The reasons (User-Personalization-v2) and promotions of the items kept, by movie id. A promoted
 * item's "Promoted item" reason is left to its "Promoted" label.
 */
function itemDetails(
  items: readonly PredictedItem[] | undefined,
  ids: readonly number[],
): { reasons: Map<number, string>; promoted: Set<number> } {
  const kept = new Set(ids);
  const reasons = new Map<number, string>();
  const promoted = new Set<number>();
  for (const item of items ?? []) {
    const id = Number(item.itemId);
    if (!kept.has(id) || String(id) !== item.itemId) continue;
    const said = (item.reason ?? []).filter((r) => r.trim() !== '' && !(item.promotionName && r === 'Promoted item'));
    const reason = said.join('; ');
    if (reason && !reasons.has(id)) reasons.set(id, reason.length > 200 ? `${reason.slice(0, 197)}…` : reason);
    if (item.promotionName) promoted.add(id);
  }
  return { reasons, promoted };
}

/** 0..500 whole results. */
function clampCount(count: number): number {
  if (!Number.isFinite(count) || count < 1) return 0;
  return Math.min(Math.floor(count), MAX_NUM_RESULTS);
}

const TIMEOUT_NAMES = ['DeadlineExceeded', 'AbortError', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException'];
const NETWORK_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'];

/** The reason a page shows for a failed call: what happened, in a few words, and the error's name. */
export function unavailableReason(error: unknown, timeoutMs = PERSONALIZE_TIMEOUT_MS): string {
  const name = errorName(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (TIMEOUT_NAMES.includes(name) || code === 'ETIMEDOUT') {
    return `Amazon Personalize did not answer within ${timeoutMs / 1000} s`;
  }
  if (isOneOf(error, ERRORS.notFound)) {
    return `the campaign is not active (${name}${detail(error)})`;
  }
  if (isOneOf(error, ERRORS.accessDenied)) {
    return `not allowed: the web tier's role may not call this campaign (${name})`;
  }
  if (isOneOf(error, ERRORS.throttling)) {
    return `Amazon Personalize is throttling this campaign (${name}); try again in a moment`;
  }
  if (name === 'InvalidInputException') {
    return `Amazon Personalize rejected the request (${name}${detail(error)})`;
  }
  if (name === 'CredentialsProviderError') {
    return `the web app has no AWS credentials (${name})`;
  }
  if (typeof code === 'string' && NETWORK_CODES.includes(code)) {
    return `could not reach Amazon Personalize (${code})`;
  }
  return `Amazon Personalize call failed (${name}${detail(error)})`;
}

function detail(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string' || message === '') return '';
  return `: ${message.length > 160 ? `${message.slice(0, 157)}…` : message}`;
}

/** Item ids are strings in the API; the site's movie ids are positive integers. Others are dropped. */
export function toMovieIds(items: readonly PredictedItem[] | undefined): number[] {
  const ids: number[] = [];
  const seen = new Set<number>();
  for (const item of items ?? []) {
    const text = item.itemId;
    if (text === undefined || !/^[1-9]\d*$/.test(text)) continue;
    const id = Number(text);
    if (!Number.isSafeInteger(id) || seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

/**
 * Exactly the input ids, in the ranked order: ids Personalize returned that were not asked for are
 * dropped, and input ids it left out are appended in their input order. So the page always shows
 * the same films, whatever the service did.
 */
export function completeRanking(ranked: readonly number[], input: readonly number[]): number[] {
  const wanted = new Set(input);
  const result: number[] = [];
  const placed = new Set<number>();
  for (const id of ranked) {
    if (wanted.has(id) && !placed.has(id)) {
      placed.add(id);
      result.push(id);
    }
  }
  for (const id of input) {
    if (!placed.has(id)) {
      placed.add(id);
      result.push(id);
    }
  }
  return result;
}
