/**
 * What the site may show of a model: its campaign, recipe, offline metrics, the catalogue whose
 * item ids it recommends and the data revision it was trained on. The web tier shows only models
 * of the catalogue it loaded, so a model never serves ids of another edition.
 */
import { RegisteredModel } from '../../shared/model-registry';
import { DATA_TAG, ModelTag } from './desired';
import { PersonalizePort } from './port';
import { isPassingReadError } from './run';

/** A data revision as a tag value: `ml-100k/0123456789abcdef/` -> `ml-100k/0123456789abcdef`. */
export function dataRevisionTag(revision: string): string {
  return revision.replace(/\/+$/, '');
}

/**
 * The registry entry of a serving campaign. Metrics and the version's data tag are read now; a
 * read that fails for a moment leaves them out rather than holding the model back.
 */
export async function publishedModel(
  model: Pick<ModelTag, 'displayName' | 'type' | 'recipe' | 'sortOrder'>,
  campaignArn: string,
  versionArn: string,
  catalog: string,
  port: PersonalizePort,
): Promise<RegisteredModel> {
  const passing = <T>(read: Promise<T>) =>
    read.catch((error: unknown) => {
      if (isPassingReadError(error)) return undefined;
      throw error;
    });
  const [metrics, tags] = await Promise.all([
    passing(port.solutionMetrics(versionArn)),
    passing(port.tags(versionArn)),
  ]);
  const dataRevision = tags?.[DATA_TAG];
  return {
    name: model.displayName,
    type: model.type as RegisteredModel['type'],
    campaignArn,
    recipe: model.recipe,
    sortOrder: model.sortOrder,
    catalog,
    ...(dataRevision ? { dataRevision } : {}),
    metrics: offlineMetrics(metrics ?? {}),
  };
}

/** Personalize's metric names -> the registry's. */
function offlineMetrics(metrics: Record<string, number>): RegisteredModel['metrics'] {
  // Four decimals: what the site shows, and the registry stays small.
  const pick = (key: string) =>
    typeof metrics[key] === 'number' && Number.isFinite(metrics[key])
      ? Math.round(metrics[key] * 1e4) / 1e4
      : undefined;
  const entries = {
    precisionAt5: pick('precision_at_5'),
    precisionAt10: pick('precision_at_10'),
    precisionAt25: pick('precision_at_25'),
    ndcgAt5: pick('normalized_discounted_cumulative_gain_at_5'),
    ndcgAt10: pick('normalized_discounted_cumulative_gain_at_10'),
    ndcgAt25: pick('normalized_discounted_cumulative_gain_at_25'),
    mrrAt25: pick('mean_reciprocal_rank_at_25'),
    coverage: pick('coverage'),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}
