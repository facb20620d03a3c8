/**
 * Logistic regression by gradient descent, for fitting small decision rules (a handful of
 * features, a few hundred labelled examples) in benchmarks. L2-regularised, no dependencies.
 */
export interface LogisticModel {
  bias: number;
  weights: number[];
}

/**
 * `signs` (optional, one per feature): 1 keeps that weight >= 0, -1 keeps it <= 0, 0 leaves it
 * free, so a feature that can only argue one way (a conflict) never ends up arguing the other
 * because of a few examples.
 */
export function fitLogistic(x: number[][], y: boolean[], opts: { l2?: number; steps?: number; rate?: number; signs?: number[] } = {}): LogisticModel {
  const { l2 = 0.001, steps = 4000, rate = 0.5, signs } = opts;
  const d = x[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let step = 0; step < steps; step++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    x.forEach((row, i) => {
      const z = row.reduce((s, v, j) => s + v * w[j]!, b);
      const err = 1 / (1 + Math.exp(-z)) - (y[i] ? 1 : 0);
      row.forEach((v, j) => (gw[j]! += err * v));
      gb += err;
    });
    for (let j = 0; j < d; j++) {
      w[j]! -= rate * (gw[j]! / x.length + l2 * w[j]!);
      if (signs?.[j] && w[j]! * signs[j]! < 0) w[j] = 0;
    }
    b -= (rate * gb) / x.length;
  }
  return { bias: b, weights: w };
}

/** Precision, recall and F1 of "positive" decisions. */
export function prf(decisions: boolean[], truth: boolean[]): { precision: number; recall: number; f1: number } {
  let tp = 0, fp = 0, fn = 0;
  decisions.forEach((d, i) => {
    if (d && truth[i]) tp++;
    else if (d) fp++;
    else if (truth[i]) fn++;
  });
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  return { precision, recall, f1: (2 * precision * recall) / Math.max(1e-9, precision + recall) };
}
