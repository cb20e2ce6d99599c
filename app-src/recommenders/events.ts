/**
 * Real-time events (issue 18): each rating an attendee's own user gives goes to the dataset
 * group's event tracker with PutEvents, so the Personalize campaigns can take it into account.
 *
 * The page never waits on it: the rating is written to the database first (the site's own
 * record), then queued in memory, and a background flush sends the queue, one PutEvents call per
 * user with at most 10 events (the API's limit). A failed call keeps its events in the queue,
 * counted, with the reason, and is tried again after a backoff that doubles up to a minute; the
 * user page says how many of the user's ratings are not sent yet and why. Without an event
 * tracker in the registry when the rating is given, nothing is queued or attempted and record()
 * says so (the page then says events are not sent). A queue in memory ends with the process:
 * what a stopped instance had not sent is said in its log on close.
 *
 * API reference relied on (PutEvents):
 * https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_PutEvents.html
 * - `trackingId`, `userId` (1..256 characters), `sessionId` (1..256), `eventList` (1 to 10
 *   events); each event: `eventType` (1..256), `sentAt` (a timestamp), optional `eventId`,
 *   `eventValue` (a float), `itemId` (1..256).
 * The SDK client is `@aws-sdk/client-personalize-events` (PersonalizeEventsClient, PutEventsCommand):
 * PersonalizeEventSink. The service checks each call (the controller's simulation holds those rules,
 * lib/personalize/controller/simulation/events.ts); tests use it, a stand-in sink that checks with
 * the same rule, or aws-sdk-client-mock.
 */
import { randomUUID } from 'node:crypto';
import {
  PersonalizeEventsClient,
  type PersonalizeEventsClientConfig,
  PutEventsCommand,
} from '@aws-sdk/client-personalize-events';
import { RATING_EVENT_TYPE } from '../../lib/data/movielens/schemas';

/** PutEvents takes at most 10 events per call: the queue sends batches of this size. */
export const PUT_EVENTS_MAX_EVENTS = 10;

/** One event of PutEvents' eventList. */
export interface PutEventsEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventValue: number;
  readonly itemId: string;
  readonly sentAt: Date;
}

/** The PutEvents request, as the SDK's PutEventsCommand takes it. */
export interface PutEventsInput {
  readonly trackingId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly eventList: PutEventsEvent[];
}

/** What sends a PutEventsCommand: the SDK's PersonalizeEventsClient, or a simulation of it. */
export interface PutEventsClient {
  send(command: PutEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** The port: one PutEvents call. It throws when the call fails. */
export interface EventSink {
  send(input: PutEventsInput): Promise<void>;
}

/**
 * The Personalize adapter: one PutEventsCommand per call, with a deadline (a hung call must not hold
 * the queue for ever; the SDK retries throttling itself, maxAttempts 3 by default).
 */
export class PersonalizeEventSink implements EventSink {
  private readonly client: PutEventsClient;
  constructor(
    /** The SDK's client (or its settings), or what stands in its place (the controller's simulation). */
    client: PutEventsClient | PersonalizeEventsClientConfig = {},
    private readonly timeoutMs = 5_000,
  ) {
    this.client = 'send' in client ? client : new PersonalizeEventsClient(client);
  }

  async send(input: PutEventsInput): Promise<void> {
    await this.client.send(
      new PutEventsCommand({
        trackingId: input.trackingId,
        userId: input.userId,
        sessionId: input.sessionId,
        eventList: input.eventList.map((e) => ({ ...e })),
      }),
      { abortSignal: AbortSignal.timeout(this.timeoutMs) },
    );
  }
}

/** One rating to send. */
export interface RatingEvent {
  readonly userId: number;
  readonly movieId: number;
  /** The stars, PutEvents' eventValue. */
  readonly stars: number;
  readonly sentAt: Date;
}

/** Where one user's ratings stand with Personalize (this process's count). */
export interface UserEventStatus {
  /** Ratings PutEvents accepted. */
  readonly sent: number;
  /** Ratings queued, not accepted yet (a call failed, or the next call has not run). */
  readonly waiting: number;
  /** Why the latest call for this user failed, while some wait. */
  readonly reason?: string;
  /** Ratings kept on the site only: at or below `sendAbove`, as the training data leaves them out. */
  readonly kept: number;
}

export interface RatingEventsOptions {
  /** First retry after this many ms, doubling per failed round up to maxRetryMs. Default 1000. */
  readonly retryMs?: number;
  /** Default 60 000. */
  readonly maxRetryMs?: number;
  /** Where failures are logged (one line each); default none. */
  readonly log?: (line: string) => void;
  /** Flush on a timer after each rating (the site); tests may call flush() themselves. Default true. */
  readonly background?: boolean;
  /**
   * Only ratings above this are sent (the site: the positive threshold the prepared interactions
   * were cut at), so an event means what an imported interaction means: a movie the user liked. A
   * 2-star rating sent as a `rating` event would be learned as a like. Default: every rating.
   */
  readonly sendAbove?: number;
}

interface Queued {
  readonly event: PutEventsEvent;
  readonly userId: number;
}

/** The queue between the rating form and PutEvents: the port the app uses (AppDeps.events). */
export class RatingEvents {
  private readonly queue: Queued[] = [];
  private readonly reasons = new Map<number, string>();
  private readonly sentBy = new Map<number, number>();
  private readonly keptBy = new Map<number, number>();
  private failedCalls = 0;
  private sentCount = 0;
  private backoff = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly background: boolean;

  constructor(
    private readonly sink: EventSink,
    /** The registry's event tracker's tracking id, or undefined while there is none. */
    private readonly trackingId: () => Promise<string | undefined>,
    private readonly options: RatingEventsOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 1000;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
    this.background = options.background ?? true;
  }

  /** Whether ratings are sent now: the registry names an event tracker. Never throws. */
  async tracking(): Promise<boolean> {
    try {
      return (await this.trackingId()) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * Queues a rating and returns at once (the send runs in the background); false when there is no
   * event tracker, and nothing is queued or attempted.
   */
  async record(rating: RatingEvent): Promise<boolean> {
    if (!(await this.tracking())) return false;
    if (this.options.sendAbove !== undefined && rating.stars <= this.options.sendAbove) {
      this.keptBy.set(rating.userId, (this.keptBy.get(rating.userId) ?? 0) + 1);
      return false;
    }
    this.queue.push({
      userId: rating.userId,
      event: {
        eventId: randomUUID(),
        eventType: RATING_EVENT_TYPE,
        eventValue: rating.stars,
        itemId: String(rating.movieId),
        sentAt: rating.sentAt,
      },
    });
    if (this.background) this.schedule(0);
    return true;
  }

  /** The user's ratings sent and waiting, with the latest failure's reason while some wait. */
  status(userId: number): UserEventStatus {
    const waiting = this.queue.filter((q) => q.userId === userId).length;
    const sent = this.sentBy.get(userId) ?? 0;
    const reason = this.reasons.get(userId);
    const kept = this.keptBy.get(userId) ?? 0;
    return waiting > 0 && reason !== undefined ? { sent, waiting, reason, kept } : { sent, waiting, kept };
  }

  /** Since start: events sent, failed calls, events waiting. */
  get totals(): { sent: number; failedCalls: number; waiting: number } {
    return { sent: this.sentCount, failedCalls: this.failedCalls, waiting: this.queue.length };
  }

  /** Forgets a deleted user's queued events and counts. */
  forget(userId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].userId === userId) this.queue.splice(i, 1);
    this.reasons.delete(userId);
    this.sentBy.delete(userId);
    this.keptBy.delete(userId);
  }

  /**
   * Sends what is queued, per user in calls of at most 10 events; a failed call leaves its events
   * queued with the reason and ends that user's turn. Resolves when this round is done; never throws.
   */
  flush(): Promise<void> {
    this.flushing ??= this.round().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async round(): Promise<void> {
    if (this.queue.length === 0) return;
    let trackingId: string | undefined;
    let failure: string | undefined;
    try {
      trackingId = await this.trackingId();
      if (trackingId === undefined) failure = 'the model registry no longer names an event tracker';
    } catch (error) {
      failure = `the model registry could not be read (${message(error)})`;
    }
    if (trackingId === undefined) {
      for (const userId of new Set(this.queue.map((q) => q.userId))) this.reasons.set(userId, failure!);
      return this.failedRound(failure!);
    }
    let lastFailure: string | undefined;
    for (const userId of [...new Set(this.queue.map((q) => q.userId))]) {
      for (;;) {
        const batch = this.queue.filter((q) => q.userId === userId).slice(0, PUT_EVENTS_MAX_EVENTS);
        if (batch.length === 0) break;
        try {
          await this.sink.send({
            trackingId,
            userId: String(userId),
            sessionId: sessionIdOf(userId),
            eventList: batch.map((q) => q.event),
          });
        } catch (error) {
          this.failedCalls++;
          lastFailure = message(error);
          this.reasons.set(userId, lastFailure);
          break;
        }
        for (const sent of batch) {
          const at = this.queue.indexOf(sent);
          if (at >= 0) this.queue.splice(at, 1);
        }
        this.sentCount += batch.length;
        this.sentBy.set(userId, (this.sentBy.get(userId) ?? 0) + batch.length);
        this.reasons.delete(userId);
      }
    }
    if (lastFailure !== undefined) this.failedRound(lastFailure);
    else {
      this.backoff = 0;
      // Ratings given while this round ran: the next round at once.
      if (this.queue.length > 0 && this.background) this.schedule(0);
    }
  }

  private failedRound(reason: string): void {
    this.options.log?.(`PutEvents: ${this.queue.length} rating events not sent yet, retrying: ${reason}`);
    const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** this.backoff);
    this.backoff = Math.min(this.backoff + 1, 30);
    if (this.background) this.schedule(delay);
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  /** The delay before the next retry after `failures` failed rounds in a row (for the tests and docs). */
  retryDelay(failures: number): number {
    return failures <= 0 ? 0 : Math.min(this.maxRetryMs, this.retryMs * 2 ** (failures - 1));
  }

  /** Stops the timer; says in the log what was not sent. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0)
      this.options.log?.(`PutEvents: ${this.queue.length} rating events were not sent before the app stopped`);
  }
}

/** One session per site user: the site has no sessions of its own (PutEvents requires one). */
export function sessionIdOf(userId: number): string {
  return `site-user-${userId}`;
}

function message(error: unknown): string {
  return (error as Error)?.message || String(error);
}
