/**
 * Issue 17: EASE trains off the request path, in slices between requests, after the site is up;
 * until it is ready the other local models answer and the front page says so; then it is offered
 * first (the default Model 1), with its metrics from the start's evaluation.
 */
import type { FastifyInstance } from 'fastify';
import { runInSlices } from '../../app-src/recommenders/ease';
import { startFixtureApp } from './helpers';

describe('runInSlices', () => {
  function* steps(log: string[]): Generator<void, string> {
    for (let k = 0; k < 3; k++) {
      log.push(`step ${k}`);
      yield;
    }
    return 'done';
  }

  it('lets the event loop run between slices and returns the result', async () => {
    const log: string[] = [];
    setImmediate(() => log.push('other work'));
    // A slice of 0 ms yields to the event loop after every step.
    await expect(runInSlices(steps(log), 0)).resolves.toBe('done');
    expect(log).toEqual(['step 0', 'other work', 'step 1', 'step 2']);
  });

  it('runs a short job in one slice, and stops between slices once aborted', async () => {
    const log: string[] = [];
    await expect(runInSlices(steps(log), 60_000)).resolves.toBe('done');
    expect(log).toEqual(['step 0', 'step 1', 'step 2']);
    const stop = new AbortController();
    const aborted: string[] = [];
    const running = runInSlices(steps(aborted), 0, stop.signal);
    stop.abort();
    await expect(running).rejects.toThrow(/aborted/i);
    expect(aborted).toEqual(['step 0']);
  });
});

describe('EASE in the background, on the site', () => {
  let started: Awaited<ReturnType<typeof startFixtureApp>> | undefined;
  let app: FastifyInstance;

  beforeAll(async () => {
    started = await startFixtureApp('pglite', { sessionSecret: 'a test secret that is long enough to sign cookies' });
    app = started.web.app;
  }, 120_000);
  afterAll(async () => started?.close());

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const heading = (body: string, row: string) =>
    new RegExp(`<section class="row" id="${row}"[^>]*>\\s*<div class="row-header"><h2>([^<]*)</h2>`).exec(body)?.[1];

  it('is not offered before it is trained: the others answer, the front page says it trains', async () => {
    expect(started!.web.local.ease.state).toBe('waiting');
    const front = await get('/recommend/');
    expect(front).not.toContain('EASE (local)');
    expect(heading(await get('/recommend/1/'), 'model-1')).toBe('Personalization: Most popular (local)');
    // A link naming it (made on another instance that has it) falls back with a notice.
    const named = await get('/recommend/1/?m1=local:ease');
    expect(named).toContain('Model 1: there is no recommendation model &quot;local:ease&quot;');

    started!.web.local.easeTraining();
    expect(await get('/recommend/')).toMatch(
      /role="status">EASE \(local\), the strongest local recommender, is training/,
    );
  });

  it('once trained it is the default Model 1 with its metrics, says why it chose each movie, and ranks', async () => {
    const training = started!.web.trainInBackground();
    expect(started!.web.trainInBackground()).toBe(training);
    await training;
    expect(started!.web.local.ease.state).toBe('ready');

    const front = await get('/recommend/');
    expect(front).toMatch(/EASE \(local\) was trained in \d+\.\d s and now answers as the first local model/);
    // Its row in the metrics table has figures, not dashes.
    const row = /<tr[^>]*>\s*<t[hd][^>]*>EASE \(local\)<\/t[hd]>([\s\S]*?)<\/tr>/.exec(front);
    expect(row).not.toBeNull();
    expect(row![1]).toMatch(/\d\.\d{4}/);

    const user = await get('/recommend/1/');
    expect(heading(user, 'model-1')).toBe('Personalization: EASE (local)');
    expect(heading(user, 'model-2')).toBe('Personalization: Most popular (local)');
    expect(user).toMatch(/<section class="row" id="model-1"[\s\S]*?data-because="\d+"[\s\S]*?<\/section>/);

    const ranking = await get('/recommend/1/?mode=ranking');
    expect(ranking).toContain('Rankings: Personal ranking, EASE (local)');
    expect(ranking).toContain('Rankings: Personal ranking, item-kNN (local)');
  });
});
