/**
 * EASE, "Embarrassingly Shallow Autoencoders for Sparse Data" (Harald Steck, WWW 2019): a linear
 * item-item model with a closed form. With X the users' binary positives (users × items),
 *
 *   P = (XᵀX + λI)⁻¹,   B_ij = −P_ij / P_jj (i ≠ j),   B_ii = 0,
 *
 * and a user's score for item j is Σ_{i in the user's positives} B_ij. The only setting is the
 * regularisation λ. The inverse is dense, so the model covers at most `maxItems` items (the ones
 * with the most positives, each with at least `minPositives`); the others score nothing and come
 * after, by popularity, as in item-kNN.
 *
 * The inverse uses the sweep operator on the lower triangle of the symmetric matrix (Goodnight
 * 1979): n³/2 multiply-adds on contiguous rows, in blocks, no pivoting (XᵀX + λI is positive
 * definite for λ > 0). Pure TypeScript on Float64Array, compared with ml-matrix 6.15 (the npm
 * registry's maintained matrix library, also pure JavaScript) on one 1,447 × 1,447 Gram matrix on
 * this machine: 5.4 s here, 12.5 s for its LU `inverse`, 106 s for its CholeskyDecomposition
 * solving against the identity, the same inverse to 6e-17 (docs/local-models.md).
 */

/** Offsets into a flat array, one row per index (compressed sparse rows). */
export interface Rows {
  readonly start: Int32Array;
  readonly values: Int32Array;
}

export interface EaseOptions {
  /** The regularisation λ added to the Gram matrix's diagonal. */
  readonly lambda: number;
  /** Items the model covers at most, those with the most positives. */
  readonly maxItems: number;
  /** Items with fewer positives are left out. */
  readonly minPositives: number;
}

export class EaseModel {
  private constructor(
    /** Model slot -> item index. */
    readonly covered: Int32Array,
    /** Item index -> model slot, or -1 when the model leaves the item out. */
    private readonly slotOf: Int32Array,
    /** m × m, row i: what a positive on covered[i] adds to each covered item's score. */
    private readonly weights: Float32Array,
  ) {}

  /**
   * Trains on `positives` (per user, the item indexes of their positives; duplicates count once)
   * over `items` items. Throws on a λ that is not positive or a non-finite result.
   */
  static train(positives: Rows, items: number, options: EaseOptions): EaseModel {
    return drain(EaseModel.trainSteps(positives, items, options));
  }

  /**
   * `train` in steps: the generator yields every few milliseconds of work and returns the model,
   * so the site can train between requests (`runInSlices`) instead of blocking them for seconds.
   */
  static *trainSteps(positives: Rows, items: number, options: EaseOptions): Generator<void, EaseModel> {
    const { lambda, maxItems, minPositives } = options;
    if (!(lambda > 0) || !Number.isFinite(lambda)) throw new RangeError(`lambda must be above 0, got ${lambda}`);
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      throw new RangeError(`maxItems must be a whole number >= 1, got ${maxItems}`);
    }
    if (!Number.isInteger(minPositives) || minPositives < 1) {
      throw new RangeError(`minPositives must be a whole number >= 1, got ${minPositives}`);
    }
    const users = positives.start.length - 1;
    const counts = new Int32Array(items);
    const seen = new Int32Array(items).fill(-1);
    for (let u = 0; u < users; u++) {
      for (let k = positives.start[u]; k < positives.start[u + 1]; k++) {
        const item = positives.values[k];
        if (seen[item] !== u) {
          seen[item] = u;
          counts[item]++;
        }
      }
    }
    const eligible = Int32Array.from(counts.keys()).filter((item) => counts[item] >= minPositives);
    // Most positives first, then index: the same data always cover the same items.
    const covered = eligible
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, maxItems)
      .sort();
    const m = covered.length;
    const slotOf = new Int32Array(items).fill(-1);
    covered.forEach((item, slot) => (slotOf[item] = slot));

    // The lower triangle of G = XᵀX + λI, row-major m × m.
    const g = new Float64Array(m * m);
    const slots = new Int32Array(items);
    seen.fill(-1);
    for (let u = 0; u < users; u++) {
      let length = 0;
      for (let k = positives.start[u]; k < positives.start[u + 1]; k++) {
        const item = positives.values[k];
        const slot = slotOf[item];
        if (slot >= 0 && seen[item] !== u) {
          seen[item] = u;
          slots[length++] = slot;
        }
      }
      for (let a = 0; a < length; a++) {
        const row = slots[a] * m;
        for (let b = 0; b < length; b++) if (slots[b] <= slots[a]) g[row + slots[b]] += 1;
      }
      if (u % 256 === 255) yield;
    }
    for (let i = 0; i < m; i++) g[i * m + i] += lambda;

    yield* sweepSteps(g, m); // g's lower triangle is now −P.
    // B_ij = −P_ij / P_jj = −S_ij / S_jj with S = −P; stored by row i (the liked item).
    const weights = new Float32Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const s = i >= j ? g[i * m + j] : g[j * m + i];
        const value = -s / g[j * m + j];
        if (!Number.isFinite(value)) throw new Error(`EASE training gave a non-finite weight (item ${covered[j]})`);
        weights[i * m + j] = value;
      }
      if (i % 64 === 63) yield;
    }
    return new EaseModel(covered, slotOf, weights);
  }

  /** Items the model covers. */
  get size(): number {
    return this.covered.length;
  }

  /**
   * Adds the scores of the user whose positives are `history` (item indexes) into `scores` (by
   * item index) and returns the covered items, the ones whose score may have changed.
   */
  score(history: ArrayLike<number>, scores: Float64Array): Int32Array {
    const m = this.covered.length;
    for (let h = 0; h < history.length; h++) {
      const slot = this.slotOf[history[h]];
      if (slot < 0) continue;
      const row = slot * m;
      for (let j = 0; j < m; j++) scores[this.covered[j]] += this.weights[row + j];
    }
    return this.covered;
  }

  /**
   * The item of `history` that adds the most to `item`'s score (the more recent, later in
   * `history`, among equals), or -1 when no history item is covered with a positive weight.
   */
  strongest(history: ArrayLike<number>, item: number): number {
    const target = this.slotOf[item];
    if (target < 0) return -1;
    const m = this.covered.length;
    let best = -1;
    let bestWeight = 0;
    for (let h = 0; h < history.length; h++) {
      const slot = this.slotOf[history[h]];
      if (slot < 0) continue;
      const weight = this.weights[slot * m + target];
      if (weight > 0 && weight >= bestWeight) {
        best = history[h];
        bestWeight = weight;
      }
    }
    return best;
  }
}

/** Rows of the rank-BLOCK update between two yields of `sweepSteps`. */
const ROWS_PER_STEP = 64;

/** Pivots swept together: the rank-BLOCK update keeps a row in cache while BLOCK pivots pass over it. */
const BLOCK = 32;

/**
 * Replaces the lower triangle of the symmetric positive definite m × m matrix `a` (row-major;
 * the upper triangle is neither read nor written) with that of −a⁻¹, by sweeping every pivot
 * (the sweep operator, Goodnight 1979). Pivots go in blocks K of BLOCK: with R the others,
 *
 *   a_RR −= a_RK a_KK⁻¹ a_KR,   a_RK = a_RK a_KK⁻¹,   a_KK = −a_KK⁻¹,
 *
 * which is what sweeping K's pivots one by one gives, with the matrix read once per block instead
 * of once per pivot (the one-by-one sweep is memory-bound: 1,682 items stream 11 MB per pivot).
 */
export function sweepInverse(a: Float64Array, m: number): void {
  drain(sweepSteps(a, m));
}

/** `sweepInverse` in steps: yields every few rows of each block's update. */
function* sweepSteps(a: Float64Array, m: number): Generator<void, void> {
  for (let k0 = 0; k0 < m; k0 += BLOCK) {
    const b = Math.min(BLOCK, m - k0);
    // c[t][i] = a(i, k0 + t) for every i: the block's columns, read from the lower triangle.
    const c = new Float64Array(b * m);
    for (let t = 0; t < b; t++) {
      const k = k0 + t;
      for (let i = 0; i < k; i++) c[t * m + i] = a[k * m + i];
      for (let i = k; i < m; i++) c[t * m + i] = a[i * m + k];
    }
    // −a_KK⁻¹ by sweeping the small block one pivot at a time (full b × b storage).
    const d = new Float64Array(b * b);
    for (let t = 0; t < b; t++) for (let s = 0; s < b; s++) d[t * b + s] = c[t * m + k0 + s];
    sweepSmall(d, b, k0);
    // w = a_KK⁻¹ a_K·: w[t][j] = Σ_s (a_KK⁻¹)_ts c[s][j].
    const w = new Float64Array(b * m);
    for (let t = 0; t < b; t++) {
      for (let s = 0; s < b; s++) {
        const f = -d[t * b + s];
        if (f === 0) continue;
        for (let j = 0; j < m; j++) w[t * m + j] += f * c[s * m + j];
      }
    }
    // a_ij −= Σ_t c[t][i] w[t][j] for the rows outside the block (columns in K are set below),
    // ROWS_PER_STEP rows at a time in a plain function (V8 optimises a generator's loops less).
    for (let i = 0; i < m; i += ROWS_PER_STEP) {
      updateRows(a, m, c, w, k0, b, i, Math.min(m, i + ROWS_PER_STEP));
      yield;
    }
    // a_RK = a_RK a_KK⁻¹ (= w transposed, the matrix being symmetric); a_KK = −a_KK⁻¹.
    for (let t = 0; t < b; t++) {
      const k = k0 + t;
      for (let i = 0; i < m; i++) {
        const value = i >= k0 && i < k0 + b ? d[t * b + (i - k0)] : w[t * m + i];
        if (i < k) a[k * m + i] = value;
        else a[i * m + k] = value;
      }
    }
  }
}

/** Rows [from, to) of a block's update: a_ij −= Σ_t c[t][i] w[t][j], j ≤ i, rows of the block skipped. */
function updateRows(
  a: Float64Array,
  m: number,
  c: Float64Array,
  w: Float64Array,
  k0: number,
  b: number,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) {
    if (i >= k0 && i < k0 + b) continue;
    const row = i * m;
    let t = 0;
    // Eight pivots per pass over the row: one load and store of a_ij for eight multiply-adds.
    for (; t + 8 <= b; t += 8) {
      const f0 = c[t * m + i];
      const f1 = c[(t + 1) * m + i];
      const f2 = c[(t + 2) * m + i];
      const f3 = c[(t + 3) * m + i];
      const f4 = c[(t + 4) * m + i];
      const f5 = c[(t + 5) * m + i];
      const f6 = c[(t + 6) * m + i];
      const f7 = c[(t + 7) * m + i];
      const w0 = t * m;
      for (let j = 0; j <= i; j++) {
        a[row + j] -=
          f0 * w[w0 + j] +
          f1 * w[w0 + m + j] +
          f2 * w[w0 + 2 * m + j] +
          f3 * w[w0 + 3 * m + j] +
          f4 * w[w0 + 4 * m + j] +
          f5 * w[w0 + 5 * m + j] +
          f6 * w[w0 + 6 * m + j] +
          f7 * w[w0 + 7 * m + j];
      }
    }
    for (; t < b; t++) {
      const f = c[t * m + i];
      const from = t * m;
      for (let j = 0; j <= i; j++) a[row + j] -= f * w[from + j];
    }
  }
}

/** The one-pivot-at-a-time sweep of a full symmetric b × b matrix: `d` becomes −d⁻¹. */
function sweepSmall(d: Float64Array, b: number, offset: number): void {
  for (let k = 0; k < b; k++) {
    const pivot = d[k * b + k];
    if (!(pivot > 0) && !(pivot < 0)) throw new Error(`the matrix is singular at pivot ${offset + k}`);
    const inverse = 1 / pivot;
    for (let i = 0; i < b; i++) {
      if (i === k) continue;
      const f = d[i * b + k] * inverse;
      if (f === 0) continue;
      for (let j = 0; j < b; j++) if (j !== k) d[i * b + j] -= f * d[k * b + j];
    }
    for (let i = 0; i < b; i++) {
      if (i === k) continue;
      d[i * b + k] *= inverse;
      d[k * b + i] *= inverse;
    }
    d[k * b + k] = -inverse;
  }
}

/** Runs a generator of steps to its end at once and returns its result. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs a generator of steps between other work: steps for about `sliceMs`, then lets the event
 * loop answer what waits (setImmediate), until the generator returns. An aborted `signal` stops it
 * between two slices (the app is closing).
 */
export async function runInSlices<T>(steps: Generator<void, T>, sliceMs = 15, signal?: AbortSignal): Promise<T> {
  for (;;) {
    signal?.throwIfAborted();
    const until = performance.now() + sliceMs;
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (performance.now() >= until) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
