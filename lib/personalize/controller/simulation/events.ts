/**
 * The simulated Amazon Personalize events API: PutEvents, with the rules of the ledger
 * (`ledger.ts`): the tracking id is an ACTIVE tracker's, the batch and its fields have the sizes
 * the API reference gives. Events are kept per dataset group, so the simulated runtime's filters
 * (`Interactions.EVENT_TYPE`) see them. It stands where the web app's `PersonalizeEventsClient`
 * stands (`send`).
 */
import { PutEventsCommand, PutEventsCommandInput, PutEventsCommandOutput } from '@aws-sdk/client-personalize-events';
import { CallRecord, SimulatedPersonalize } from './simulated-personalize';
import { refuse, SimulatedError } from './store';

const MAX_EVENTS = 10;
const MAX_TEXT = 256;

export interface RecordedEvent {
  readonly groupArn: string;
  readonly trackingId: string;
  readonly sessionId: string;
  readonly userId?: string;
  readonly eventType: string;
  readonly itemId?: string;
  readonly eventValue?: number;
  readonly sentAt: Date;
}

export class SimulatedPersonalizeEvents {
  readonly calls: CallRecord[] = [];
  readonly events: RecordedEvent[] = [];

  constructor(private readonly control: SimulatedPersonalize) {}

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    try {
      this.put(command);
      this.calls.push({ operation: 'put events', at: this.control.now, outcome: 'ok' });
      return { $metadata: {} };
    } catch (error) {
      const rule = (error as SimulatedError).rule;
      this.calls.push({
        operation: 'put events',
        at: this.control.now,
        outcome: (error as Error).name,
        ...(rule ? { rule } : {}),
      });
      throw error;
    }
  }

  /** The events a user of a dataset group has sent, oldest first. */
  eventsOf(groupArn: string, userId: string): RecordedEvent[] {
    return this.events.filter((e) => e.groupArn === groupArn && e.userId === userId);
  }

  private put(command: PutEventsCommand): void {
    const { trackingId = '', sessionId, userId, eventList } = command.input;
    // rule events/tracker-active
    const tracker = this.control.trackerOf(trackingId);
    if (!tracker || tracker.status !== 'ACTIVE' || !tracker.groupArn)
      throw refuse('events/tracker-active', `tracking id ${trackingId} is not that of an ACTIVE event tracker`);
    checkPutEventsShape(command.input);
    const list = eventList ?? [];
    // Checked above: the ?? below never apply.
    for (const event of list)
      this.events.push({
        groupArn: tracker.groupArn,
        trackingId,
        sessionId: sessionId ?? '',
        ...(userId !== undefined ? { userId } : {}),
        eventType: event.eventType ?? '',
        ...(event.itemId !== undefined ? { itemId: event.itemId } : {}),
        ...(event.eventValue !== undefined ? { eventValue: event.eventValue } : {}),
        sentAt: event.sentAt ?? new Date(0),
      });
  }
}

/**
 * Rule events/shape: what PutEvents refuses with InvalidInputException for its sizes and required
 * fields. Also what the web app's tests check each call against (their stand-in sink).
 */
export function checkPutEventsShape(input: PutEventsCommandInput): void {
  const { sessionId, userId, eventList } = input;
  const list = eventList ?? [];
  if (list.length < 1 || list.length > MAX_EVENTS)
    throw refuse('events/shape', `eventList holds ${list.length} events, not 1 to ${MAX_EVENTS}`);
  checkText('sessionId', sessionId, true);
  checkText('userId', userId, false);
  list.forEach((event, i) => {
    checkText(`eventList[${i}].eventType`, event.eventType, true);
    checkText(`eventList[${i}].itemId`, event.itemId, false);
    checkText(`eventList[${i}].eventId`, event.eventId, false);
    if (!(event.sentAt instanceof Date) || Number.isNaN(event.sentAt.getTime()))
      throw refuse('events/shape', `eventList[${i}].sentAt is required (a time)`);
    if (event.eventValue !== undefined && !Number.isFinite(event.eventValue))
      throw refuse('events/shape', `eventList[${i}].eventValue ${event.eventValue} is not a number`);
  });
}

function checkText(field: string, value: string | undefined, required: boolean): void {
  if (value === undefined) {
    if (required) throw refuse('events/shape', `${field} is required`);
    return;
  }
  if (value.length < 1 || value.length > MAX_TEXT)
    throw refuse('events/shape', `${field} is ${value.length} characters, not 1 to ${MAX_TEXT}`);
}
