/** The models an admin added in /admin/ (models table; campaign_arn is unique). */
import type { Kysely } from 'kysely';
import type { ModelType } from '../recommenders/port';
import type { Database } from './schema';

export interface AdminModel {
  readonly id: number;
  readonly name: string;
  readonly campaignArn: string;
  readonly type: ModelType;
  readonly sortOrder: number;
}

export interface AdminModelInput {
  readonly name: string;
  readonly campaignArn: string;
  readonly type: ModelType;
  readonly sortOrder: number;
}

export class DuplicateCampaignError extends Error {
  constructor(arn: string) {
    super(`a model for campaign ${arn} already exists`);
    this.name = 'DuplicateCampaignError';
  }
}

const UNIQUE_VIOLATION = '23505';

export class AdminModels {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<AdminModel[]> {
    const rows = await this.db.selectFrom('models').selectAll().orderBy('sort_order').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      campaignArn: r.campaign_arn,
      type: r.type,
      sortOrder: r.sort_order,
    }));
  }

  async get(id: number): Promise<AdminModel | undefined> {
    return (await this.list()).find((m) => m.id === id);
  }

  async add(input: AdminModelInput): Promise<number> {
    try {
      const row = await this.db
        .insertInto('models')
        .values({ name: input.name, campaign_arn: input.campaignArn, type: input.type, sort_order: input.sortOrder })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateCampaignError(input.campaignArn);
      throw error;
    }
  }

  /** False when there is no such model. */
  async update(id: number, input: AdminModelInput): Promise<boolean> {
    try {
      const result = await this.db
        .updateTable('models')
        .set({ name: input.name, campaign_arn: input.campaignArn, type: input.type, sort_order: input.sortOrder })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateCampaignError(input.campaignArn);
      throw error;
    }
  }

  async remove(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('models').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
