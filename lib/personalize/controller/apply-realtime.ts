/**
 * Apply, real-time side: the dataset group's event tracker (the web app's PutEvents) and its
 * filters, and what the registry publishes of them. Both are made once the datasets they work on
 * exist; both go with their dataset group (teardown, a previous generation).
 *
 * "Only one event tracker can be associated with a dataset group" and "The event tracker must be
 * in the ACTIVE state before using the tracking ID" (CreateEventTracker, API reference): a tracker
 * someone else made in our group is reported and ours is not made; the tracking id is published
 * once ours is ACTIVE (DescribeEventTracker carries it, the list does not).
 */
import { DesiredState, FilterPurpose, names, OWNER_TAG } from './desired';
import { DataReadiness } from './apply-data';
import { PersonalizePort, ResourceState, STATUS } from './port';
import { canDelete, DELETING, Realtime, Run } from './run';

/** The event tracker and filters of the wanted generation; returns what may be published. */
export async function applyRealtime(
  desired: DesiredState,
  generation: string,
  group: ResourceState,
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<Realtime> {
  let eventTracker: Realtime['eventTracker'];
  let filters: Realtime['filters'];
  await run.isolate('event tracker', async () => {
    eventTracker = await applyEventTracker(desired, generation, group, ready, port, run);
  });
  await run.isolate('filters', async () => {
    filters = await applyFilters(desired, generation, group, ready, port, run);
  });
  return published(eventTracker, filters);
}

async function applyEventTracker(
  desired: DesiredState,
  generation: string,
  group: ResourceState,
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<Realtime['eventTracker']> {
  if (!desired.eventTracker) return undefined;
  const label = 'event-tracker';
  const name = names.eventTracker(desired.prefix, generation);
  const trackers = await port.list('eventTracker', group.arn);
  const ours = trackers.find((t) => t.name === name);
  if (!ours) {
    const other = trackers.find((t) => !DELETING.includes(t.status));
    if (other) {
      // One tracker per group: the attendee's stays; the site records no events to Personalize.
      run.seeSettled(
        label,
        'event tracker',
        other,
        `${other.name}, not made by this workshop: the site sends no events`,
      );
      return undefined;
    }
    // It appends events to the Item interactions dataset: made once the datasets exist.
    if (!ready.datasets) {
      run.see(label, 'event tracker', undefined, 'WAITING FOR DATASETS');
      return undefined;
    }
    await run.attempt(`create event tracker ${name}`, () =>
      port.create({ kind: 'eventTracker', name, parentArn: group.arn, tags: { [OWNER_TAG]: desired.prefix } }),
    );
    run.see(label, 'event tracker', undefined, STATUS.createPending);
    run.waiting = true;
    return undefined;
  }
  run.see(label, 'event tracker', ours);
  if (ours.status === STATUS.createFailed) {
    run.fail(`${label}: creating ${name} failed: ${ours.failureReason ?? 'no reason given'}`);
    return undefined;
  }
  if (ours.status !== STATUS.active) {
    run.waiting = true;
    return undefined;
  }
  return publishedTracker(ours, port);
}

async function publishedTracker(tracker: ResourceState, port: PersonalizePort): Promise<Realtime['eventTracker']> {
  const described = await port.describe('eventTracker', tracker.arn);
  return described?.trackingId ? { arn: tracker.arn, trackingId: described.trackingId } : undefined;
}

async function applyFilters(
  desired: DesiredState,
  generation: string,
  group: ResourceState,
  ready: DataReadiness,
  port: PersonalizePort,
  run: Run,
): Promise<Partial<Record<FilterPurpose, string>>> {
  const wanted = desired.filters ?? [];
  const published: Partial<Record<FilterPurpose, string>> = {};
  const listed = await port.list('filter', group.arn);
  const names_ = new Set<string>();
  for (const filter of wanted) {
    const label = `filter:${filter.purpose}`;
    const name = names.filter(desired.prefix, generation, filter.purpose, filter.expression);
    names_.add(name);
    const found = listed.find((f) => f.name === name);
    if (!found) {
      // A filter names dataset fields: made once the datasets exist.
      if (!ready.datasets) {
        run.see(label, 'filter', undefined, 'WAITING FOR DATASETS');
        continue;
      }
      await run.attempt(`create filter ${name}`, () =>
        port.create({
          kind: 'filter',
          name,
          parentArn: group.arn,
          filterExpression: filter.expression,
          tags: { [OWNER_TAG]: desired.prefix },
        }),
      );
      run.see(label, 'filter', undefined, STATUS.createPending);
      run.waiting = true;
      continue;
    }
    run.see(label, 'filter', found);
    if (found.status === STATUS.createFailed) {
      run.fail(`${label}: creating ${name} failed: ${found.failureReason ?? 'no reason given'}`);
    } else if (found.status === STATUS.active) {
      published[filter.purpose] = found.arn;
    } else {
      run.waiting = true;
    }
  }
  // Ours of this generation that are no longer wanted (a changed expression) go; anything else in
  // the group is not ours to touch.
  const ownPrefix = `${desired.prefix}-${generation}-`;
  for (const old of listed.filter((f) => f.name.startsWith(ownPrefix) && !names_.has(f.name))) {
    run.see(`retired filter ${old.name}`, 'delete', old);
    if (canDelete(old)) await run.attempt(`delete filter ${old.name}`, () => port.remove('filter', old.arn));
    if (!DELETING.includes(old.status)) run.waiting = true;
  }
  return published;
}

/**
 * What a group that serves but is not the wanted generation publishes (a previous generation,
 * until the new one serves): its own ACTIVE tracker and filters, read, never changed.
 */
export async function servingRealtime(prefix: string, group: ResourceState, port: PersonalizePort): Promise<Realtime> {
  const generation = names.generationOfGroup(prefix, group.name);
  if (generation === undefined) return {}; // a group from before generations had neither
  const active = (r: ResourceState) => r.status === STATUS.active;
  const tracker = (await port.list('eventTracker', group.arn)).find(
    (t) => active(t) && t.name === names.eventTracker(prefix, generation),
  );
  const filters: Partial<Record<FilterPurpose, string>> = {};
  for (const filter of (await port.list('filter', group.arn)).filter(active)) {
    const purpose = names.filterPurpose(prefix, generation, filter.name);
    if (purpose) filters[purpose] = filter.arn;
  }
  return published(tracker ? await publishedTracker(tracker, port) : undefined, filters);
}

/** The registry's fields: only what there is (no empty filters, no undefined keys). */
function published(eventTracker: Realtime['eventTracker'], filters: Realtime['filters']): Realtime {
  return {
    ...(eventTracker ? { eventTracker } : {}),
    ...(filters && Object.keys(filters).length ? { filters } : {}),
  };
}
