import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createSsmParameterPort,
  ParameterRegistry,
  type ParameterPort,
  registryModels,
  SsmParameterPort,
  StaticRegistry,
} from '../../app-src/recommenders/registry';
import { type ModelRegistry, type RegisteredModel } from '../../lib/shared/model-registry';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());
afterEach(() => jest.useRealTimers());

const PARAMETER = '/Movies/models';
const arn = (name: string) => `arn:aws:personalize:us-east-1:123456789012:campaign/${name}`;

const personal: RegisteredModel = {
  name: 'Personal Recommendations',
  type: 'recommend',
  campaignArn: arn('Movies-personal'),
  recipe: 'aws-user-personalization-v2',
  sortOrder: 2,
  catalog: 'ml-100k',
  metrics: { precisionAt5: 0.12, ndcgAt10: 0.3, coverage: 0.4 },
};
const similar: RegisteredModel = {
  name: 'Similar Items',
  type: 'sims',
  campaignArn: arn('Movies-sims'),
  recipe: 'aws-sims',
  sortOrder: 1,
  catalog: 'ml-100k',
  metrics: {},
};

function registry(models: RegisteredModel[], status: ModelRegistry['pipeline']['status'] = 'pending'): ModelRegistry {
  return {
    schemaVersion: 2,
    pipeline: {
      status,
      reason: status === 'pending' ? 'solution:similar-items is training' : undefined,
      updatedAt: '2026-11-26T10:00:00.000Z',
      resources: [
        {
          resource: 'solution:similar-items',
          stage: 'train',
          status: 'CREATE IN_PROGRESS',
        },
      ],
    },
    models,
  };
}

/** A ParameterPort whose answer the test sets, counting reads. */
class FakeParameters implements ParameterPort {
  reads: string[] = [];
  answer: () => Promise<string | undefined> = async () => undefined;
  set(document: ModelRegistry | string): void {
    const text = typeof document === 'string' ? document : JSON.stringify(document);
    this.answer = async () => text;
  }
  fail(error: Error): void {
    this.answer = async () => {
      throw error;
    };
  }
  getParameter(name: string): Promise<string | undefined> {
    this.reads.push(name);
    return this.answer();
  }
}

function setup(options: { ttlMs?: number } = {}) {
  const port = new FakeParameters();
  let time = 1_000_000;
  const errors: string[] = [];
  const reg = new ParameterRegistry({
    parameterName: PARAMETER,
    port,
    now: () => time,
    onError: (message) => errors.push(message),
    ...options,
  });
  return {
    port,
    reg,
    errors,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: {} });

describe('SsmParameterPort', () => {
  test('GetParameter by name, returning the value', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: '{"x":1}' } });
    expect(await new SsmParameterPort(new SSMClient({})).getParameter(PARAMETER)).toBe('{"x":1}');
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toStrictEqual([{ Name: PARAMETER }]);
  });

  test('a missing parameter is no value, not an error', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    expect(await new SsmParameterPort(new SSMClient({})).getParameter(PARAMETER)).toBeUndefined();
  });

  test('other failures are thrown for the registry to report', async () => {
    ssm.on(GetParameterCommand).rejects(throttled());
    await expect(new SsmParameterPort(new SSMClient({})).getParameter(PARAMETER)).rejects.toThrow('Rate exceeded');
  });

  test('the SSM client retries once at most', async () => {
    const port = createSsmParameterPort('eu-west-1') as unknown as { client: SSMClient };
    expect(await port.client.config.maxAttempts()).toBe(2);
    expect(await port.client.config.region()).toBe('eu-west-1');
  });

  test('forPrefix reads /<prefix>/models over SSM', async () => {
    ssm
      .on(GetParameterCommand, { Name: PARAMETER })
      .resolves({ Parameter: { Value: JSON.stringify(registry([personal])) } });
    const snapshot = await ParameterRegistry.forPrefix('Movies', 'us-east-1').snapshot();
    expect(snapshot.models.map((m) => m.id)).toEqual(['registry:Movies-personal']);
    expect(snapshot.error).toBeUndefined();
  });
});

describe('registryModels', () => {
  test('port models: source registry, id from the campaign name, every field carried over, ordered', () => {
    const { models, problems } = registryModels(registry([personal, similar]));
    expect(problems).toEqual([]);
    expect(models).toStrictEqual([
      {
        id: 'registry:Movies-sims',
        name: 'Similar Items',
        type: 'sims',
        source: 'registry',
        recipe: 'aws-sims',
        sortOrder: 1,
        metrics: {},
        campaignArn: arn('Movies-sims'),
        catalog: 'ml-100k',
      },
      {
        id: 'registry:Movies-personal',
        name: 'Personal Recommendations',
        type: 'recommend',
        source: 'registry',
        recipe: 'aws-user-personalization-v2',
        sortOrder: 2,
        metrics: { precisionAt5: 0.12, ndcgAt10: 0.3, coverage: 0.4 },
        campaignArn: arn('Movies-personal'),
        catalog: 'ml-100k',
      },
    ]);
  });

  test('equal sort orders fall back to the name', () => {
    const b = { ...personal, name: 'B', campaignArn: arn('b'), sortOrder: 1 };
    const a = { ...personal, name: 'A', campaignArn: arn('a'), sortOrder: 1 };
    expect(registryModels(registry([b, a])).models.map((m) => m.name)).toEqual(['A', 'B']);
  });

  test('a model with an invalid campaign ARN, or a repeated campaign, is left out and named', () => {
    const broken = { ...personal, name: 'Broken', campaignArn: 'arn:aws:personalize:us-east-1:1:campaign/x' };
    const twice = { ...similar, name: 'Again' };
    const { models, problems } = registryModels(registry([similar, broken, twice]));
    expect(models.map((m) => m.name)).toEqual(['Similar Items']);
    expect(problems).toEqual([
      'model "Broken" has an invalid campaign ARN: arn:aws:personalize:us-east-1:1:campaign/x',
      'model "Again" repeats campaign Movies-sims',
    ]);
  });
});

describe('ParameterRegistry', () => {
  test('serves the models and the pipeline progress', async () => {
    const { port, reg } = setup();
    port.set(registry([personal]));
    const snapshot = await reg.snapshot();
    expect(snapshot.models.map((m) => m.id)).toEqual(['registry:Movies-personal']);
    expect(snapshot.pipeline).toEqual(registry([]).pipeline);
    expect(snapshot.error).toBeUndefined();
    expect(port.reads).toEqual([PARAMETER]);
  });

  test('caches for 30 s, then reads again: a new campaign appears without a restart', async () => {
    const { port, reg, advance } = setup();
    port.set(registry([similar]));
    expect((await reg.snapshot()).models).toHaveLength(1);
    port.set(registry([similar, personal], 'done'));
    advance(29_999);
    expect((await reg.snapshot()).models).toHaveLength(1);
    expect(port.reads).toHaveLength(1);
    advance(1);
    const fresh = await reg.snapshot();
    expect(fresh.models.map((m) => m.id)).toEqual(['registry:Movies-sims', 'registry:Movies-personal']);
    expect(fresh.pipeline?.status).toBe('done');
    expect(port.reads).toHaveLength(2);
  });

  test('the cache time is configurable', async () => {
    const { port, reg, advance } = setup({ ttlMs: 5_000 });
    port.set(registry([]));
    await reg.snapshot();
    advance(4_999);
    await reg.snapshot();
    expect(port.reads).toHaveLength(1);
    advance(1);
    await reg.snapshot();
    expect(port.reads).toHaveLength(2);
  });

  test('concurrent pages share one read', async () => {
    const { port, reg } = setup();
    port.set(registry([personal]));
    const snapshots = await Promise.all([reg.snapshot(), reg.snapshot(), reg.snapshot()]);
    expect(port.reads).toHaveLength(1);
    expect(snapshots.map((s) => s.models.length)).toEqual([1, 1, 1]);
  });

  test('invalidate() makes the next snapshot read again', async () => {
    const { port, reg } = setup();
    port.set(registry([]));
    await reg.snapshot();
    reg.invalidate();
    await reg.snapshot();
    expect(port.reads).toHaveLength(2);
  });

  test('a failed read keeps the last good models, reports the error, and is not retried before the TTL', async () => {
    const { port, reg, errors, advance } = setup();
    port.set(registry([personal]));
    await reg.snapshot();
    advance(30_000);
    port.fail(throttled());
    const snapshot = await reg.snapshot();
    const message = `could not read the model registry ${PARAMETER} (ThrottlingException: Rate exceeded)`;
    expect(snapshot.models.map((m) => m.id)).toEqual(['registry:Movies-personal']);
    expect(snapshot.pipeline?.status).toBe('pending');
    expect(snapshot.error).toBe(message);
    expect(errors).toEqual([message]);
    advance(10_000);
    await reg.snapshot();
    expect(port.reads).toHaveLength(2);
    // Recovery clears the error.
    advance(20_000);
    port.set(registry([personal, similar]));
    const recovered = await reg.snapshot();
    expect(recovered.error).toBeUndefined();
    expect(recovered.models).toHaveLength(2);
  });

  test('a first read that fails serves no models and never throws', async () => {
    const { port, reg } = setup();
    port.fail(Object.assign(new Error('no credentials'), { name: 'CredentialsProviderError' }));
    const snapshot = await reg.snapshot();
    expect(snapshot).toEqual({
      models: [],
      error: `could not read the model registry ${PARAMETER} (CredentialsProviderError: no credentials)`,
    });
  });

  test('a document that is not JSON is reported with the parser message; the last good one stays', async () => {
    const { port, reg, advance, errors } = setup();
    port.set(registry([similar]));
    await reg.snapshot();
    advance(30_000);
    port.set('{"schemaVersion": 1, ');
    const snapshot = await reg.snapshot();
    expect(snapshot.models.map((m) => m.id)).toEqual(['registry:Movies-sims']);
    expect(snapshot.error).toMatch(new RegExp(`^${PARAMETER}: Model registry is not JSON: `));
    expect(errors).toHaveLength(1);
  });

  test("a document that breaks the schema is reported with parseModelRegistry's message", async () => {
    const { port, reg } = setup();
    port.set(JSON.stringify({ ...registry([]), models: [{ ...personal, type: 'hrnn' }] }));
    const snapshot = await reg.snapshot();
    expect(snapshot.models).toEqual([]);
    expect(snapshot.error).toMatch(
      /^\/Movies\/models: Model registry does not match schema version 2: models\.0\.type: /,
    );
  });

  test('a missing parameter: nothing to serve (not even the last good document), and says why', async () => {
    const { port, reg, advance } = setup();
    port.set(registry([personal]));
    await reg.snapshot();
    advance(30_000);
    port.answer = async () => undefined;
    expect(await reg.snapshot()).toEqual({
      models: [],
      error: `the model registry parameter ${PARAMETER} does not exist (is the Personalize stack deployed?)`,
    });
  });

  test('bad entries are left out and reported while the rest is served', async () => {
    const { port, reg, errors } = setup();
    port.set(
      registry([personal, { ...similar, campaignArn: 'arn:aws:personalize:us-east-1:123456789012:solution/x' }]),
    );
    const snapshot = await reg.snapshot();
    expect(snapshot.models.map((m) => m.name)).toEqual(['Personal Recommendations']);
    expect(snapshot.error).toMatch(/^model "Similar Items" has an invalid campaign ARN/);
    expect(errors).toEqual([snapshot.error]);
  });

  test('a read that hangs counts as failed after the read timeout', async () => {
    jest.useFakeTimers();
    const { port, reg } = setup();
    port.answer = () => new Promise(() => {});
    const pending = reg.snapshot();
    await jest.advanceTimersByTimeAsync(2_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect((await pending).error).toBe(
      `could not read the model registry ${PARAMETER} (TimeoutError: no answer within 3000 ms)`,
    );
  });
});

describe('StaticRegistry', () => {
  test('locally: no registry models and no pipeline banner', async () => {
    expect(await new StaticRegistry().snapshot()).toStrictEqual({ models: [] });
  });

  test('or a fixed document, for development and tests', async () => {
    const snapshot = await new StaticRegistry(registry([personal], 'not-started')).snapshot();
    expect(snapshot.models.map((m) => m.id)).toEqual(['registry:Movies-personal']);
    expect(snapshot.pipeline?.status).toBe('not-started');
  });
});
