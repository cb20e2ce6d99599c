/**
 * EASE (Steck 2019): the blocked sweep inverse against the definition (A · A⁻¹ = I), the closed
 * form on two items worked by hand, which items the model covers, and its reasons.
 */
import { EaseModel, sweepInverse, type Rows } from '../../app-src/recommenders/ease';

/** Per user, item indexes. */
function rows(lists: number[][]): Rows {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((list, u) => (start[u + 1] = start[u] + list.length));
  return { start, values: Int32Array.from(lists.flat()) };
}

/** A seeded symmetric positive definite matrix: a Gram matrix of random 0/1 rows plus λI. */
function spd(m: number, seed: number, lambda = 3): Float64Array {
  let state = seed;
  const random = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const a = new Float64Array(m * m);
  for (let u = 0; u < 2 * m; u++) {
    const liked = Array.from({ length: m }, (_, i) => i).filter(() => random() < 0.3);
    for (const i of liked) for (const j of liked) a[i * m + j] += 1;
  }
  for (let i = 0; i < m; i++) a[i * m + i] += lambda;
  return a;
}

describe('sweepInverse', () => {
  // 1 and 7: one partial block; 32: one full block; 33, 70: a partial block after full ones.
  it.each([1, 7, 32, 33, 70])('leaves −A⁻¹ in the lower triangle (m = %i)', (m) => {
    const a = spd(m, m + 11);
    const s = Float64Array.from(a);
    // The upper triangle is never read: garbage there changes nothing.
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) s[i * m + j] = Number.NaN;
    sweepInverse(s, m);
    const inverse = (i: number, j: number) => -(i >= j ? s[i * m + j] : s[j * m + i]);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let sum = 0;
        for (let k = 0; k < m; k++) sum += a[i * m + k] * inverse(k, j);
        worst = Math.max(worst, Math.abs(sum - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('refuses a singular matrix, naming the pivot', () => {
    expect(() => sweepInverse(new Float64Array([1, 0, 0, 0]), 2)).toThrow(/singular at pivot 1/);
  });
});

describe('EaseModel', () => {
  it('two items by hand: B_ij = G_ij / (G_ii + λ), the diagonal zero', () => {
    // Item 0 liked by users 0, 1, 2; item 1 by users 1, 2, 3, 4. G = [[3, 2], [2, 4]].
    const model = EaseModel.train(rows([[0], [0, 1], [1, 0], [1], [1]]), 2, {
      lambda: 5,
      maxItems: 10,
      minPositives: 1,
    });
    const scores = new Float64Array(2);
    model.score([0], scores);
    // Liking item 0 adds 2 / (3 + 5) to item 1 and nothing to itself.
    expect(scores[0]).toBe(0);
    expect(scores[1]).toBeCloseTo(2 / 8, 6);
    scores.fill(0);
    model.score([1], scores);
    expect(scores[0]).toBeCloseTo(2 / 9, 6);
    expect(scores[1]).toBe(0);
  });

  it('a duplicated positive counts once, in training and in the Gram matrix', () => {
    const once = EaseModel.train(rows([[0], [0, 1], [1, 0], [1], [1]]), 2, {
      lambda: 5,
      maxItems: 10,
      minPositives: 1,
    });
    const twice = EaseModel.train(rows([[0, 0], [0, 1, 1], [1, 0], [1], [1, 1]]), 2, {
      lambda: 5,
      maxItems: 10,
      minPositives: 1,
    });
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    once.score([0], a);
    twice.score([0], b);
    expect([...b]).toEqual([...a]);
  });

  it('covers the items with the most positives (at least minPositives), at most maxItems; the rest score nothing', () => {
    // Positives per item: 0 → 4, 1 → 3, 2 → 2, 3 → 1, 4 → 0.
    const data = rows([[0, 1, 2], [0, 1, 2], [0, 1, 3], [0]]);
    expect([...EaseModel.train(data, 5, { lambda: 1, maxItems: 10, minPositives: 1 }).covered]).toEqual([0, 1, 2, 3]);
    expect([...EaseModel.train(data, 5, { lambda: 1, maxItems: 10, minPositives: 2 }).covered]).toEqual([0, 1, 2]);
    const two = EaseModel.train(data, 5, { lambda: 1, maxItems: 2, minPositives: 1 });
    expect([...two.covered]).toEqual([0, 1]);
    const scores = new Float64Array(5);
    two.score([0, 2, 3], scores);
    expect(scores[1]).toBeGreaterThan(0);
    expect([scores[2], scores[3], scores[4]]).toEqual([0, 0, 0]);
    expect(two.strongest([0, 2], 3)).toBe(-1);
  });

  it('strongest: the liked item with the largest weight towards the target; ties to the later one', () => {
    // Items 0 and 1 each co-occur with 2 twice and are otherwise alike: equal weights towards 2.
    const data = rows([[0, 2], [0, 2], [1, 2], [1, 2], [3]]);
    const model = EaseModel.train(data, 4, { lambda: 2, maxItems: 10, minPositives: 1 });
    expect(model.strongest([0, 1], 2)).toBe(1);
    expect(model.strongest([1, 0], 2)).toBe(0);
    // Item 3 never co-occurs with 2: its weight is not positive, so it is no reason.
    expect(model.strongest([3], 2)).toBe(-1);
  });

  it('refuses settings that are not usable, by name', () => {
    const data = rows([[0, 1]]);
    expect(() => EaseModel.train(data, 2, { lambda: 0, maxItems: 2, minPositives: 1 })).toThrow(/lambda/);
    expect(() => EaseModel.train(data, 2, { lambda: 1, maxItems: 0, minPositives: 1 })).toThrow(/maxItems/);
    expect(() => EaseModel.train(data, 2, { lambda: 1, maxItems: 2, minPositives: 0.5 })).toThrow(/minPositives/);
  });
});
