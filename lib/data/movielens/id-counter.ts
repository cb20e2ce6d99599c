/**
 * Counts occurrences per whole-number id. MovieLens ids are small and dense, so a typed array
 * indexed by id is both faster and smaller than a Map; ids beyond `denseLimit` go to a Map.
 */
export class IdCounter {
  private counts = new Uint32Array(1024);
  private readonly sparse = new Map<number, number>();
  private distinctIds = 0;

  constructor(private readonly denseLimit = 4_000_000) {}

  add(id: number): void {
    if (id < this.denseLimit) {
      if (id >= this.counts.length) this.grow(id);
      if (this.counts[id]++ === 0) this.distinctIds++;
    } else {
      const count = this.sparse.get(id) ?? 0;
      if (count === 0) this.distinctIds++;
      this.sparse.set(id, count + 1);
    }
  }

  /** How many different ids were added. */
  get distinct(): number {
    return this.distinctIds;
  }

  /** How many ids were added at least `n` times. */
  countAtLeast(n: number): number {
    let total = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] >= n) total++;
    for (const count of this.sparse.values()) if (count >= n) total++;
    return total;
  }

  private grow(id: number): void {
    const bigger = new Uint32Array(Math.min(this.denseLimit, Math.max(id + 1, this.counts.length * 2)));
    bigger.set(this.counts);
    this.counts = bigger;
  }
}
