/**
 * Which models failed lately, per app instance: a model whose last call failed is nobody's default
 * for a while (the user page then takes the next model in the configured order). Anyone may still
 * choose it by name; a call that answers clears the record at once.
 */
import type { Model } from './port';

/** How long a failed model is passed over as a default before it is tried again. */
export const FAILED_MODEL_RETRY_MS = 5 * 60_000;

export class ModelHealth {
  private readonly failures = new Map<string, { readonly at: number; readonly reason: string }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly retryAfterMs = FAILED_MODEL_RETRY_MS,
  ) {}

  /** A model is its id and its campaign: an admin's edit to the ARN gives it a fresh chance. */
  private key(model: Model): string {
    return `${model.id} ${model.campaignArn ?? ''}`;
  }

  answered(model: Model): void {
    this.failures.delete(this.key(model));
  }

  failed(model: Model, reason: string): void {
    this.failures.set(this.key(model), { at: this.now(), reason });
  }

  /** Why the model failed lately, or undefined when it answered last or its failure is old. */
  failing(model: Model): string | undefined {
    const failure = this.failures.get(this.key(model));
    if (!failure) return undefined;
    if (this.now() - failure.at >= this.retryAfterMs) {
      this.failures.delete(this.key(model));
      return undefined;
    }
    return failure.reason;
  }
}
