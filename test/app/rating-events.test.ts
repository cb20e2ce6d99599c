/**
 * The events port (recommenders/events.ts): PutEvents' shapes and limits (at most 10 events a
 * call, ids 1 to 256 characters), a failed send kept, counted and retried with a bounded backoff,
 * nothing attempted without an event tracker, and the real adapter's PutEventsCommand.
 */
import { PersonalizeEventsClient, PutEventsCommand } from '@aws-sdk/client-personalize-events';
import { mockClient } from 'aws-sdk-client-mock';
import { RATING_EVENT_TYPE } from '../../lib/data/movielens/schemas';
import { registryOf } from '../../lib/personalize/controller/reconcile';
import { SimulatedPersonalizeEvents } from '../../lib/personalize/controller/simulation/events';
import { SimulatedPersonalize } from '../../lib/personalize/controller/simulation/simulated-personalize';
import { apply, converge, desiredFor } from '../personalize/harness';
import { PersonalizeEventSink, PUT_EVENTS_MAX_EVENTS, RatingEvents } from '../../app-src/recommenders/events';
import { checkPutEventsShape } from '../../lib/personalize/controller/simulation/events';
import { SimulatedEventSink } from './event-sink';

const rating = (userId: number, movieId: number, stars = 5) => ({
  userId,
  movieId,
  stars,
  sentAt: new Date(1_700_000_000_000 + movieId),
});

describe('RatingEvents', () => {
  test('with sendAbove (the site: the positive threshold), lower ratings stay on the site, counted', async () => {
    const sink = new SimulatedEventSink();
    const events = new RatingEvents(sink, async () => 'tracking-1', { background: false, sendAbove: 3.6 });
    expect(await events.record(rating(7, 1, 5))).toBe(true);
    expect(await events.record(rating(7, 2, 3))).toBe(false);
    expect(await events.record(rating(7, 3, 4))).toBe(true);
    expect(await events.record(rating(7, 4, 1))).toBe(false);
    await events.flush();
    expect(sink.received.flatMap((c) => c.eventList.map((e) => [e.itemId, e.eventValue]))).toEqual([
      ['1', 5],
      ['3', 4],
    ]);
    expect(events.status(7)).toEqual({ sent: 2, waiting: 0, kept: 2 });
    events.forget(7);
    expect(events.status(7)).toEqual({ sent: 0, waiting: 0, kept: 0 });
  });

  test('batches a user’s ratings in calls of at most 10 events, one user per call', async () => {
    const sink = new SimulatedEventSink();
    const events = new RatingEvents(sink, async () => 'tracking-1', { background: false });
    for (let movie = 1; movie <= 23; movie++) expect(await events.record(rating(7, movie))).toBe(true);
    await events.record(rating(8, 1, 3));
    await events.flush();
    expect(sink.received.map((c) => [c.userId, c.eventList.length])).toEqual([
      ['7', 10],
      ['7', 10],
      ['7', 3],
      ['8', 1],
    ]);
    expect(sink.received.every((c) => c.eventList.length <= PUT_EVENTS_MAX_EVENTS)).toBe(true);
    expect(sink.received[3].eventList[0]).toMatchObject({ eventType: 'rating', itemId: '1', eventValue: 3 });
    expect(events.status(7)).toEqual({ sent: 23, waiting: 0, kept: 0 });
    expect(events.totals).toEqual({ sent: 24, failedCalls: 0, waiting: 0 });
  });

  test('a failed call keeps its events, counted with the reason, and the next round sends them', async () => {
    const sink = new SimulatedEventSink();
    const lines: string[] = [];
    const events = new RatingEvents(sink, async () => 'tracking-1', { background: false, log: (l) => lines.push(l) });
    sink.failWith = 'ThrottlingException';
    await events.record(rating(7, 1));
    await events.record(rating(7, 2));
    await events.flush();
    expect(events.status(7)).toEqual({ sent: 0, waiting: 2, reason: 'ThrottlingException', kept: 0 });
    expect(events.totals.failedCalls).toBe(1);
    expect(lines[0]).toContain('2 rating events not sent yet, retrying: ThrottlingException');
    sink.failWith = undefined;
    await events.flush();
    expect(events.status(7)).toEqual({ sent: 2, waiting: 0, kept: 0 });
    expect(sink.received[0].eventList.map((e) => e.itemId)).toEqual(['1', '2']);
  });

  test('retries on a timer with a backoff that doubles up to its bound', async () => {
    jest.useFakeTimers();
    try {
      const sink = new SimulatedEventSink();
      sink.failWith = 'down';
      let calls = 0;
      const counting = {
        send: async (input: Parameters<SimulatedEventSink['send']>[0]) => (calls++, sink.send(input)),
      };
      const events = new RatingEvents(counting, async () => 'tracking-1', { retryMs: 100, maxRetryMs: 400 });
      expect(events.retryDelay(1)).toBe(100);
      expect(events.retryDelay(2)).toBe(200);
      expect(events.retryDelay(3)).toBe(400);
      expect(events.retryDelay(9)).toBe(400);
      await events.record(rating(7, 1));
      await jest.advanceTimersByTimeAsync(0);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(99);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toBe(2);
      await jest.advanceTimersByTimeAsync(200);
      expect(calls).toBe(3);
      await jest.advanceTimersByTimeAsync(400);
      expect(calls).toBe(4);
      await jest.advanceTimersByTimeAsync(400);
      expect(calls).toBe(5);
      sink.failWith = undefined;
      await jest.advanceTimersByTimeAsync(400);
      expect(events.status(7)).toEqual({ sent: 1, waiting: 0, kept: 0 });
      events.close();
    } finally {
      jest.useRealTimers();
    }
  });

  test('without an event tracker: nothing queued, nothing attempted', async () => {
    const sink = new SimulatedEventSink();
    const events = new RatingEvents(sink, async () => undefined, { background: false });
    expect(await events.record(rating(7, 1))).toBe(false);
    await events.flush();
    expect(sink.received).toEqual([]);
    expect(events.totals).toEqual({ sent: 0, failedCalls: 0, waiting: 0 });
    expect(await events.tracking()).toBe(false);
  });

  test('forget drops a deleted user’s queued events', async () => {
    const sink = new SimulatedEventSink();
    const events = new RatingEvents(sink, async () => 'tracking-1', { background: false });
    await events.record(rating(7, 1));
    events.forget(7);
    await events.flush();
    expect(sink.received).toEqual([]);
  });
});

describe('PutEvents shapes', () => {
  const event = { eventId: 'e1', eventType: 'rating', eventValue: 4, itemId: '3', sentAt: new Date() };
  const input = { trackingId: 't', userId: '1000001', sessionId: 's', eventList: [event] };
  test('accepts 1 to 10 events and ids of 1 to 256 characters, refuses the rest', () => {
    expect(() => checkPutEventsShape(input)).not.toThrow();
    expect(() => checkPutEventsShape({ ...input, eventList: [] })).toThrow('1 to 10');
    expect(() => checkPutEventsShape({ ...input, eventList: Array(11).fill(event) })).toThrow('1 to 10');
    expect(() => checkPutEventsShape({ ...input, sessionId: 'x'.repeat(257) })).toThrow('sessionId');
    expect(() => checkPutEventsShape({ ...input, eventList: [{ ...event, eventValue: NaN }] })).toThrow('eventValue');
  });

  test('the real adapter sends a PutEventsCommand with the same fields', async () => {
    const mock = mockClient(PersonalizeEventsClient);
    mock.on(PutEventsCommand).resolves({});
    const sink = new PersonalizeEventSink(new PersonalizeEventsClient({ region: 'us-east-1' }));
    await sink.send(input);
    const calls = mock.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      trackingId: 't',
      userId: '1000001',
      sessionId: 's',
      eventList: [event],
    });
    mock.on(PutEventsCommand).rejects(new Error('AccessDeniedException'));
    await expect(sink.send(input)).rejects.toThrow('AccessDeniedException');
    mock.restore();
  });
});

describe('against the controller’s simulated Personalize', () => {
  test('the events reach the tracker the registry publishes, with the dataset’s event type', async () => {
    const sim = new SimulatedPersonalize();
    const { result } = await converge(apply(desiredFor('MovieRecs')), sim);
    const registry = registryOf(result, sim.now);
    expect(registry.eventTracker).toBeDefined();
    const simulated = new SimulatedPersonalizeEvents(sim);
    const events = new RatingEvents(
      new PersonalizeEventSink(simulated),
      async () => registry.eventTracker?.trackingId,
      { background: false },
    );
    for (let movie = 1; movie <= 12; movie++) await events.record(rating(1_000_001, movie, (movie % 5) + 1));
    await events.flush();
    expect(simulated.calls.map((c) => c.outcome)).toEqual(['ok', 'ok']);
    const sent = simulated.events.filter((e) => e.userId === '1000001');
    expect(sent).toHaveLength(12);
    // The event type the interactions carry (and the exclude-rated filter names) is the one sent.
    expect(sent[0]).toMatchObject({
      eventType: RATING_EVENT_TYPE,
      itemId: '1',
      eventValue: 2,
      sessionId: 'site-user-1000001',
    });
    // A tracking id the simulation does not know: refused, kept, counted.
    const wrong = new RatingEvents(new PersonalizeEventSink(simulated), async () => 'not-a-tracker', {
      background: false,
    });
    await wrong.record(rating(1_000_002, 1));
    await wrong.flush();
    expect(wrong.status(1_000_002)).toMatchObject({ sent: 0, waiting: 1 });
    expect(wrong.totals.failedCalls).toBe(1);
  });
});
