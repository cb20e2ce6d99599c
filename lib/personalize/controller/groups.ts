/**
 * The dataset groups of a prefix: one per generation, named `<prefix>-movies-<generation>` (and
 * `<prefix>-movies`, the name of releases before generations). Ours only with our tag: a group in
 * our namespace that someone else made is reported, never used and never deleted.
 */
import { CATALOG_TAG, OWNER_TAG } from './desired';
import { ERRORS, isOneOf, PersonalizePort, ResourceState } from './port';
import { DELETING, Run } from './run';

export interface OurGroup extends ResourceState {
  /** The catalogue its models recommend (its tag), when known. */
  readonly catalog?: string;
}

/** Whether a dataset group name is in the prefix's namespace. */
export function isGroupOf(prefix: string, name: string): boolean {
  return name === `${prefix}-movies` || name.startsWith(`${prefix}-movies-`);
}

/**
 * Every dataset group of ours, oldest first. A group being deleted is listed without reading its
 * tags (nothing is done to it but waiting); one that vanished between the list and the tag read
 * is gone. A group in our namespace without our tag fails the run with what to do.
 */
export async function findOurGroups(prefix: string, port: PersonalizePort, run: Run): Promise<OurGroup[]> {
  const ours: OurGroup[] = [];
  const candidates = (await port.list('datasetGroup')).filter((g) => isGroupOf(prefix, g.name));
  for (const group of candidates.sort((a, b) => a.createdAt - b.createdAt)) {
    if (DELETING.includes(group.status)) {
      ours.push(group);
      continue;
    }
    let tags: Record<string, string>;
    try {
      tags = await port.tags(group.arn);
    } catch (error) {
      if (isOneOf(error, ERRORS.notFound)) continue;
      throw error;
    }
    if (tags[OWNER_TAG] !== prefix) {
      run.fail(
        `dataset group ${group.name} exists but was not created by this workshop (tag ${OWNER_TAG}=${prefix} missing); ` +
          'rename the prefix or remove it',
      );
      continue;
    }
    ours.push({ ...group, ...(tags[CATALOG_TAG] ? { catalog: tags[CATALOG_TAG] } : {}) });
  }
  return ours;
}
