/** Finding the dataset group of a prefix: by name, and ours only with our tag. */
import { names, OWNER_TAG } from './desired';
import { ERRORS, isOneOf, PersonalizePort, ResourceState } from './port';
import { DELETING, Run } from './run';

/**
 * Our dataset group: the exact name and our tag. A same-named group without it is not ours and is
 * reported. A group that vanished between the list and the tag read is gone.
 */
export async function findDatasetGroup(
  prefix: string,
  port: PersonalizePort,
  run: Run,
): Promise<ResourceState | undefined> {
  const name = names.datasetGroup(prefix);
  const found = (await port.list('datasetGroup')).find((g) => g.name === name);
  if (!found) return undefined;
  // A group being deleted no longer needs our tag checked: nothing is done to it but waiting.
  if (DELETING.includes(found.status)) return found;
  let tags: Record<string, string>;
  try {
    tags = await port.tags(found.arn);
  } catch (error) {
    if (isOneOf(error, ERRORS.notFound)) return undefined;
    throw error;
  }
  if (tags[OWNER_TAG] !== prefix) {
    run.fail(
      `dataset group ${name} exists but was not created by this workshop (tag ${OWNER_TAG}=${prefix} missing); rename the prefix or remove it`,
    );
    return undefined;
  }
  return found;
}
