/**
 * The simulated Personalize's rules for event trackers and filters. Each check refuses by a rule of
 * the ledger (`ledger.ts`), whose entry quotes its source.
 */
import { filterExpressionProblems, filterFields, MAX_FIELDS_PER_DATASET_GROUP } from '../filter-expressions';
import { CreateRequest } from '../port';
import { schemaFields } from './data-rules';
import { refuse, SimResource, SimStore } from './store';

const DATASET_NAMES: Readonly<Record<string, 'Items' | 'Interactions' | 'Users'>> = {
  items: 'Items',
  interactions: 'Interactions',
  users: 'Users',
};

/** Preconditions of CreateEventTracker and CreateFilter. */
export function checkRealtimeCreate(store: SimStore, request: CreateRequest, parent: SimResource | undefined): void {
  switch (request.kind) {
    case 'eventTracker': {
      const existing = store.children(parent?.arn ?? '', 'eventTracker')[0];
      if (existing)
        throw refuse('create/one-event-tracker', `${parent?.arn} already has the event tracker ${existing.arn}`);
      return;
    }
    case 'filter': {
      const expression = request.filterExpression ?? '';
      // The fields each dataset of the group has, for the datasets the group has.
      const fields: Partial<Record<'Items' | 'Interactions' | 'Users', string[]>> = {};
      for (const dataset of store.children(parent?.arn ?? '', 'dataset')) {
        const name = DATASET_NAMES[dataset.datasetType ?? ''];
        if (name) fields[name] = schemaFields(store.get(dataset.schemaArn)?.schema);
      }
      const problems = filterExpressionProblems(expression, fields);
      if (problems.length) throw refuse('create/filter-expression', `${expression}: ${problems.join('; ')}`);
      const used = new Set(
        store
          .children(parent?.arn ?? '', 'filter')
          .flatMap((f) => filterFields(f.filterExpression ?? ''))
          .concat(filterFields(expression))
          .filter((f) => !f.startsWith('Current')),
      );
      if (used.size > MAX_FIELDS_PER_DATASET_GROUP)
        throw refuse(
          'create/filter-fields-per-group',
          `the group's filters would use ${used.size} distinct dataset fields (at most ${MAX_FIELDS_PER_DATASET_GROUP})`,
        );
      return;
    }
    default:
      return;
  }
}
