import {
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  InvalidInputException,
  PersonalizeRuntimeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-personalize-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import {
  completeRanking,
  createPersonalizeRuntimeClient,
  PersonalizeRecommender,
  personalizeRuntimeClientConfig,
  RecommendationsUnavailableError,
  toMovieIds,
  unavailableReason,
} from '../../app-src/recommenders/personalize';
import type { Model } from '../../app-src/recommenders/port';

const runtime = mockClient(PersonalizeRuntimeClient);

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/Movies-personal';
const model = (overrides: Partial<Model> = {}): Model => ({
  id: 'registry:Movies-personal',
  name: 'Personal Recommendations',
  type: 'recommend',
  source: 'registry',
  recipe: 'aws-user-personalization-v2',
  sortOrder: 1,
  metrics: {},
  campaignArn: CAMPAIGN,
  ...overrides,
});
const items = (...ids: string[]) => ids.map((itemId) => ({ itemId }));
const recommender = () => new PersonalizeRecommender({ client: new PersonalizeRuntimeClient({ region: 'us-east-1' }) });

/** The reason a rejected call carries, after checking it is the page-fit error type. */
async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecommendationsUnavailableError);
  return (error as RecommendationsUnavailableError).reason;
}

/** The options the adapter passed to `send` (the stub records them after the command). */
function sendOptions(call: number): { abortSignal?: AbortSignal } {
  return (runtime.call(call).args as unknown[])[1] as { abortSignal?: AbortSignal };
}

function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

beforeEach(() => runtime.reset());
afterEach(() => jest.useRealTimers());

describe('recommend', () => {
  test('sends the campaign, the user id as text and numResults; maps item ids back to movie ids', async () => {
    runtime
      .on(GetRecommendationsCommand)
      .resolves({ itemList: items('50', '0', '181', 'abc', '-3', '1.5', '007', '50', '') });
    expect(await recommender().recommend(model(), 42, 10)).toEqual([50, 181]);
    const calls = runtime.commandCalls(GetRecommendationsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toStrictEqual({ campaignArn: CAMPAIGN, userId: '42', numResults: 10 });
  });

  test('passes an abort signal with every call', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: [] });
    await recommender().recommend(model(), 1, 5);
    const options = sendOptions(0);
    expect(options.abortSignal).toBeInstanceOf(AbortSignal);
    expect(options.abortSignal!.aborted).toBe(false);
  });

  test('asks for at most 500 results, and nothing at all for none', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('1', '2', '3') });
    const r = recommender();
    expect(await r.recommend(model(), 1, 2)).toEqual([1, 2]);
    await r.recommend(model(), 1, 10_000);
    expect(runtime.commandCalls(GetRecommendationsCommand)[1]!.args[0].input.numResults).toBe(500);
    expect(await r.recommend(model(), 1, 0)).toEqual([]);
    expect(runtime.commandCalls(GetRecommendationsCommand)).toHaveLength(2);
  });

  test('an empty answer is an empty list', async () => {
    runtime.on(GetRecommendationsCommand).resolves({});
    expect(await recommender().recommend(model(), 1, 5)).toEqual([]);
  });
});

describe('similar', () => {
  test('sends the item id, one result more than wanted, and no user unless given', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('8', '9', '10', '11') });
    expect(await recommender().similar(model({ type: 'sims' }), 7, 3)).toEqual([8, 9, 10]);
    expect(runtime.commandCalls(GetRecommendationsCommand)[0]!.args[0].input).toStrictEqual({
      campaignArn: CAMPAIGN,
      itemId: '7',
      numResults: 4,
    });
  });

  test('passes the user when given', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('8') });
    await recommender().similar(model({ type: 'sims' }), 7, 3, 42);
    expect(runtime.commandCalls(GetRecommendationsCommand)[0]!.args[0].input).toStrictEqual({
      campaignArn: CAMPAIGN,
      itemId: '7',
      numResults: 4,
      userId: '42',
    });
  });

  test('never returns the base movie, and still fills the row when it came back', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('7', '8', '9', '10') });
    expect(await recommender().similar(model({ type: 'sims' }), 7, 3)).toEqual([8, 9, 10]);
  });

  test('asks for at most 500 results', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: [] });
    await recommender().similar(model({ type: 'sims' }), 7, 500);
    expect(runtime.commandCalls(GetRecommendationsCommand)[0]!.args[0].input.numResults).toBe(500);
  });
});

describe('rank', () => {
  const ranking = model({ type: 'ranking', recipe: 'aws-personalized-ranking-v2' });

  test('sends the input list as text and returns the service order', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: items('3', '1', '2') });
    expect(await recommender().rank(ranking, 42, [1, 2, 3])).toEqual([3, 1, 2]);
    expect(runtime.commandCalls(GetPersonalizedRankingCommand)[0]!.args[0].input).toStrictEqual({
      campaignArn: CAMPAIGN,
      userId: '42',
      inputList: ['1', '2', '3'],
    });
  });

  test('returns exactly the input set: unknown ids dropped, missing ones appended in input order', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: items('4', '99', '2', 'x', '4') });
    expect(await recommender().rank(ranking, 1, [1, 2, 3, 4, 5])).toEqual([4, 2, 1, 3, 5]);
  });

  test('sends each id once', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: items('2', '1') });
    expect(await recommender().rank(ranking, 1, [1, 2, 1])).toEqual([2, 1]);
    expect(runtime.commandCalls(GetPersonalizedRankingCommand)[0]!.args[0].input.inputList).toEqual(['1', '2']);
  });

  test('past 500 ids, ranks the first 500 and keeps the rest after them in input order', async () => {
    const input = Array.from({ length: 502 }, (_, i) => i + 1);
    const reversed = input.slice(0, 500).reverse().map(String);
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: items(...reversed) });
    const result = await recommender().rank(ranking, 1, input);
    expect(runtime.commandCalls(GetPersonalizedRankingCommand)[0]!.args[0].input.inputList).toHaveLength(500);
    expect(result.slice(0, 2)).toEqual([500, 499]);
    expect(result.slice(-3)).toEqual([1, 501, 502]);
    expect([...result].sort((a, b) => a - b)).toEqual(input);
  });

  test('an empty input needs no call', async () => {
    expect(await recommender().rank(ranking, 1, [])).toEqual([]);
    expect(runtime.calls()).toHaveLength(0);
  });
});

describe('failures become a short reason for the row', () => {
  test('a campaign that is not active', async () => {
    runtime
      .on(GetRecommendationsCommand)
      .rejects(new ResourceNotFoundException({ message: 'Campaign not found', $metadata: {} }));
    expect(await reasonOf(recommender().recommend(model(), 1, 5))).toBe(
      'the campaign is not active (ResourceNotFoundException: Campaign not found)',
    );
  });

  test('a role that may not call the campaign', async () => {
    runtime
      .on(GetPersonalizedRankingCommand)
      .rejects(serviceError('AccessDeniedException', 'User: arn:… is not authorized'));
    expect(await reasonOf(recommender().rank(model({ type: 'ranking' }), 1, [1, 2]))).toBe(
      "not allowed: the web tier's role may not call this campaign (AccessDeniedException)",
    );
  });

  test('throttling', async () => {
    runtime.on(GetRecommendationsCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'));
    expect(await reasonOf(recommender().similar(model({ type: 'sims' }), 1, 5))).toBe(
      'Amazon Personalize is throttling this campaign (ThrottlingException); try again in a moment',
    );
  });

  test('a request the service rejects (e.g. a sims campaign asked for a user)', async () => {
    runtime
      .on(GetRecommendationsCommand)
      .rejects(new InvalidInputException({ message: 'itemId is required', $metadata: {} }));
    expect(await reasonOf(recommender().recommend(model(), 1, 5))).toBe(
      'Amazon Personalize rejected the request (InvalidInputException: itemId is required)',
    );
  });

  test('the call is tried once: a throttled request is not retried behind the page', async () => {
    // Below the mock: the real SDK send with a fake HTTP handler answering 429 ThrottlingException.
    const throttledCalls = async (maxAttempts?: number) => {
      let requests = 0;
      const client = new PersonalizeRuntimeClient({
        ...personalizeRuntimeClientConfig('us-east-1'),
        ...(maxAttempts ? { maxAttempts } : {}),
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        requestHandler: {
          handle: async () => {
            requests++;
            return {
              response: {
                statusCode: 429,
                headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' },
                body: Buffer.from('{"message":"Rate exceeded"}'),
              },
            };
          },
        } as never,
      });
      const unmockedSend = Object.getPrototypeOf(PersonalizeRuntimeClient.prototype).send;
      Object.assign(client, { send: unmockedSend.bind(client) });
      // A generous deadline: the control below waits out the SDK's throttling back-off (up to 0.5 s).
      const reason = await reasonOf(new PersonalizeRecommender({ client, timeoutMs: 5000 }).recommend(model(), 1, 5));
      return { requests, reason };
    };
    expect(await throttledCalls()).toEqual({
      requests: 1,
      reason: 'Amazon Personalize is throttling this campaign (ThrottlingException); try again in a moment',
    });
    // The control: the SDK would retry this error if allowed to.
    expect((await throttledCalls(2)).requests).toBe(2);
    expect(runtime.calls()).toHaveLength(0);
  });

  test('no answer within 1 s: the call is aborted and the row says so', async () => {
    jest.useFakeTimers();
    runtime.on(GetRecommendationsCommand).callsFake(() => new Promise(() => {}));
    const outcome = recommender()
      .recommend(model(), 1, 5)
      .then(
        () => 'answered',
        (e: unknown) => e,
      );
    await jest.advanceTimersByTimeAsync(999);
    const signal = sendOptions(0).abortSignal!;
    expect(signal.aborted).toBe(false);
    let settled = false;
    void outcome.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(RecommendationsUnavailableError);
    expect((error as Error).message).toBe('Amazon Personalize did not answer within 1 s');
    expect(signal.aborted).toBe(true);
  });

  test('the deadline is configurable and named in the reason', async () => {
    jest.useFakeTimers();
    runtime.on(GetRecommendationsCommand).callsFake(() => new Promise(() => {}));
    const r = new PersonalizeRecommender({ client: new PersonalizeRuntimeClient({}), timeoutMs: 500 });
    const outcome = reasonOf(r.recommend(model(), 1, 5));
    await jest.advanceTimersByTimeAsync(500);
    expect(await outcome).toBe('Amazon Personalize did not answer within 0.5 s');
  });

  test('a model without a campaign, or with a broken ARN, fails without a call', async () => {
    expect(await reasonOf(recommender().recommend(model({ campaignArn: undefined }), 1, 5))).toBe(
      'model registry:Movies-personal has no campaign ARN',
    );
    expect(await reasonOf(recommender().recommend(model({ campaignArn: 'arn:aws:s3:::bucket' }), 1, 5))).toMatch(
      /^The ARN has 6 colon-separated parts|^Not a valid campaign ARN/,
    );
    expect(runtime.calls()).toHaveLength(0);
  });

  test('the original error stays attached as the cause, for the log', async () => {
    const original = serviceError('AccessDeniedException', 'denied');
    runtime.on(GetRecommendationsCommand).rejects(original);
    const error = await recommender()
      .recommend(model(), 1, 5)
      .catch((e: unknown) => e);
    expect((error as Error).cause).toBe(original);
  });
});

describe('clients', () => {
  test('page-time client settings: one attempt, 1 s HTTP timeouts that throw', () => {
    expect(personalizeRuntimeClientConfig('eu-west-1')).toEqual({
      region: 'eu-west-1',
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true },
    });
  });

  test('by default, one client per campaign region, made once', async () => {
    runtime.on(GetRecommendationsCommand).resolves({ itemList: items('5') });
    const made: string[] = [];
    const r = new PersonalizeRecommender({
      client: (region) => {
        made.push(region);
        return createPersonalizeRuntimeClient(region);
      },
    });
    const eu = model({ campaignArn: 'arn:aws:personalize:eu-west-1:123456789012:campaign/other' });
    await r.recommend(eu, 1, 1);
    await r.recommend(eu, 2, 1);
    await r.recommend(model(), 3, 1);
    expect(made).toEqual(['eu-west-1', 'us-east-1']);
    expect(await runtime.call(0).thisValue.config.region()).toBe('eu-west-1');
  });
});

describe('helpers', () => {
  test('toMovieIds keeps positive integer ids once each, in order', () => {
    expect(toMovieIds(items('3', '1', '3', '0', '-1', '2.0', ' 4', '9007199254740993', '12'))).toEqual([3, 1, 12]);
    expect(toMovieIds(undefined)).toEqual([]);
    expect(toMovieIds([{}, { itemId: '5' }])).toEqual([5]);
  });

  test('completeRanking is a permutation of the input', () => {
    expect(completeRanking([3, 3, 7, 1], [1, 2, 3])).toEqual([3, 1, 2]);
    expect(completeRanking([], [2, 1])).toEqual([2, 1]);
  });

  test('other failures: network, credentials, SDK timeouts, anything else', () => {
    expect(unavailableReason(Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }))).toBe(
      'could not reach Amazon Personalize (ENOTFOUND)',
    );
    expect(unavailableReason(Object.assign(new Error('x'), { name: 'CredentialsProviderError' }))).toBe(
      'the web app has no AWS credentials (CredentialsProviderError)',
    );
    expect(unavailableReason(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(
      'Amazon Personalize did not answer within 1 s',
    );
    expect(unavailableReason(Object.assign(new Error('socket'), { name: 'TimeoutError' }), 2000)).toBe(
      'Amazon Personalize did not answer within 2 s',
    );
    expect(unavailableReason(Object.assign(new Error('boom'), { name: 'InternalServerError' }))).toBe(
      'Amazon Personalize call failed (InternalServerError: boom)',
    );
    expect(unavailableReason(new Error('x'.repeat(500))).length).toBeLessThan(220);
  });
});
