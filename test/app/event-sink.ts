/**
 * The web app tests' stand-in for PutEvents: checks each call with the controller simulation's
 * rule (events/shape), keeps what it received, and fails while `failWith` is set.
 */
import type { EventSink, PutEventsInput } from '../../app-src/recommenders/events';
import { checkPutEventsShape } from '../../lib/personalize/controller/simulation/events';

export class SimulatedEventSink implements EventSink {
  readonly received: PutEventsInput[] = [];
  failWith: string | undefined;

  async send(input: PutEventsInput): Promise<void> {
    if (this.failWith !== undefined) throw new Error(this.failWith);
    checkPutEventsShape(input);
    this.received.push(input);
  }
}
