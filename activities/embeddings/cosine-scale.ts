/**
 * One scale for similarity thresholds, whatever the local model. PAR's thresholds (memory search
 * cut-offs, ReasoningBank merges, the offline model's relevance, the same-topic weights) were set
 * on all-MiniLM-L6-v2's cosine; other models spread their cosines differently (e5-small-v2 gives
 * unrelated texts 0.7 and more). Each local model's spec carries a monotone map from its cosine to
 * the reference model's, fitted by quantile matching over text pairs from the repo's own data
 * (bench/similarity-calibration.ts), so a threshold keeps its meaning when the model changes.
 * Models without a map (the reference itself, OpenAI's) are used as they are.
 */
import { localModelNamed, type CosineKnots } from './local-models';

/** The model whose cosine the thresholds are written in. */
export const REFERENCE_MODEL = 'all-MiniLM-L6-v2';

export type { CosineKnots } from './local-models';

export interface CosineScale {
  /** The reference model's cosine for a pair this model scores `cosine`. */
  toReference(cosine: number): number;
  /** This model's cosine for a reference cosine (a threshold in this model's own terms). */
  fromReference(reference: number): number;
}

export const IDENTITY_SCALE: CosineScale = { toReference: (c) => c, fromReference: (r) => r };

export class CosineScaleError extends Error {
  override name = 'CosineScaleError';
}

/** Piecewise linear through the knots, with -1 and 1 kept in place: monotone, and its own inverse's inverse. */
export class ScaledCosine implements CosineScale {
  private readonly xs: number[];
  private readonly ys: number[];

  constructor(knots: CosineKnots) {
    const points = [[-1, -1], ...knots, [1, 1]] as const;
    points.forEach((p, i) => {
      const prev = points[i - 1];
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1]) || (prev && !(p[0] > prev[0] && p[1] > prev[1]))) {
        throw new CosineScaleError(`cosine scale knot ${i} (${p.join(', ')}) must be finite, inside (-1, 1) and above the one before in both coordinates`);
      }
    });
    this.xs = points.map((p) => p[0]);
    this.ys = points.map((p) => p[1]);
  }

  toReference(cosine: number): number {
    return interpolate(this.xs, this.ys, cosine);
  }

  fromReference(reference: number): number {
    return interpolate(this.ys, this.xs, reference);
  }
}

function interpolate(xs: number[], ys: number[], x: number): number {
  if (!(x > xs[0]!)) return Number.isNaN(x) ? x : ys[0]!;
  if (x >= xs.at(-1)!) return ys.at(-1)!;
  let i = 1;
  while (xs[i]! < x) i++;
  const t = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
  return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
}

/**
 * How the two texts of a pair were embedded (EmbedPurpose): a search, a query against stored
 * passages ("query"); two stored passages ("document"); or two statements compared for meaning,
 * both embedded as queries, which is how e5 is meant to be used for paraphrases ("symmetric").
 * Each has its own map: e5 scores the same pair differently in each.
 */
export type CosinePairing = 'query' | 'document' | 'symmetric';

const scales = new Map<string, CosineScale>();

/**
 * The scale of an embedder's cosines (its `model`, e.g. "local:e5-small-v2") for pairs embedded as
 * `pairing` says. Identity for the reference model and for models PAR has no map for (OpenAI's).
 */
export function cosineScale(model: string, pairing: CosinePairing = 'document'): CosineScale {
  const key = `${model}\0${pairing}`;
  let scale = scales.get(key);
  if (!scale) {
    const spec = localModelNamed(model);
    // A model without prefixes embeds every text alike: its one map serves every pairing.
    const knots = spec?.cosineScale && (spec.cosineScale[pairing] ?? spec.cosineScale.document);
    scale = knots ? new ScaledCosine(knots) : IDENTITY_SCALE;
    scales.set(key, scale);
  }
  return scale;
}
