/**
 * Where the reranker comes from: PAR_RERANK_MODEL, a cross-encoder's folder as Hugging Face
 * publishes it (model.onnx, or onnx/model.onnx, beside tokenizer.json), or the .onnx file itself
 * with tokenizer.json in its folder. Unset: searches are not reranked. No cross-encoder is
 * installable from the registries PAR's setup uses, so there is no default (docs/vaults.md).
 * PAR_RERANK_CANDIDATES: how many of the store's best candidates are rescored (default 20).
 */
import fs from 'node:fs';
import path from 'node:path';

export class RerankerConfigError extends Error {
  override name = 'RerankerConfigError';
}

export interface RerankerConfig {
  model: string;
  tokenizer: string;
  /** The folder's name, which the reranker is known by ("ms-marco-MiniLM-L-6-v2"). */
  name: string;
  candidates: number;
}

export const DEFAULT_RERANK_CANDIDATES = 20;
const MAX_RERANK_CANDIDATES = 200;

export function rerankCandidates(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PAR_RERANK_CANDIDATES;
  if (raw === undefined || raw === '') return DEFAULT_RERANK_CANDIDATES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RERANK_CANDIDATES) throw new RerankerConfigError(`PAR_RERANK_CANDIDATES must be an integer from 1 to ${MAX_RERANK_CANDIDATES}, got ${raw}`);
  return n;
}

/** The configured cross-encoder's files, or undefined when PAR_RERANK_MODEL is unset. */
export function rerankerConfig(env: NodeJS.ProcessEnv = process.env): RerankerConfig | undefined {
  const where = env.PAR_RERANK_MODEL;
  if (!where) return undefined;
  const candidates = rerankCandidates(env);
  if (!fs.existsSync(where)) throw new RerankerConfigError(`PAR_RERANK_MODEL=${where} does not exist: name a cross-encoder's folder (model.onnx and tokenizer.json) or its .onnx file`);
  const isFile = fs.statSync(where).isFile();
  const dir = isFile ? path.dirname(where) : where;
  const model = isFile ? where : [path.join(dir, 'model.onnx'), path.join(dir, 'onnx', 'model.onnx')].find((f) => fs.existsSync(f));
  if (!model) throw new RerankerConfigError(`PAR_RERANK_MODEL=${where} has no model.onnx (nor onnx/model.onnx)`);
  const tokenizer = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokenizer)) throw new RerankerConfigError(`PAR_RERANK_MODEL=${where} has no tokenizer.json beside the model`);
  return { model, tokenizer, name: path.basename(isFile ? dir : where.replace(/[/\\]+$/, '')), candidates };
}
