/**
 * The embedder a process uses: the local model (e5-small-v2 unless PAR_LOCAL_EMBEDDING_MODEL
 * names another, local-models.ts) unless PAR_EMBEDDER=openai
 * (which needs OPENAI_API_KEY; PAR_OPENAI_EMBEDDING_MODEL picks the model). Switching embedders
 * switches vector collections (one per model), so it is an explicit choice, never automatic.
 */
import { CachedEmbedder } from './cached-embedder';
import { LazyEmbedder } from './lazy-embedder';
import { LocalOnnxEmbedder } from './local-onnx';
import { findLocalModelFiles, localModelSpec } from './local-models';
import { OpenAiEmbedder } from './openai-embedder';
import type { Embedder } from './port';

export type { Embedder } from './port';
export { CachedEmbedder } from './cached-embedder';
export { EmbedderClosedError, LazyEmbedder } from './lazy-embedder';
export { LocalOnnxEmbedder } from './local-onnx';
export { DEFAULT_LOCAL_MODEL, LOCAL_MODELS, findLocalModelFiles, localModelNamed, localModelSpec, EmbeddingModelMissingError, UnknownLocalModelError } from './local-models';
export { OpenAiEmbedder } from './openai-embedder';
export { cosineScale, REFERENCE_MODEL, type CosinePairing, type CosineScale } from './cosine-scale';

export class EmbedderConfigError extends Error {
  override name = 'EmbedderConfigError';
}

export async function createDefaultEmbedder(env: NodeJS.ProcessEnv = process.env, opts: { shared?: boolean } = {}): Promise<Embedder> {
  const kind = (env.PAR_EMBEDDER || 'local').toLowerCase();
  if (kind === 'local') {
    // The files are looked for now, so a missing model is reported at start; the model itself
    // loads with the first text to embed (lazy-embedder.ts).
    const spec = localModelSpec(env);
    const files = findLocalModelFiles(spec, env);
    return new CachedEmbedder(new LazyEmbedder(spec.name, spec.dimension, () => LocalOnnxEmbedder.create(spec, files)), opts);
  }
  if (kind === 'openai') {
    if (!env.OPENAI_API_KEY) throw new EmbedderConfigError('PAR_EMBEDDER=openai needs OPENAI_API_KEY');
    return new CachedEmbedder(
      new OpenAiEmbedder({
        apiKey: env.OPENAI_API_KEY,
        model: env.PAR_OPENAI_EMBEDDING_MODEL || undefined,
        baseURL: env.OPENAI_BASE_URL || undefined,
      }),
      { batchSize: 256, ...opts },
    );
  }
  throw new EmbedderConfigError(`PAR_EMBEDDER=${env.PAR_EMBEDDER} is not an embedder: use "local" or "openai"`);
}

const sharedEmbedders = new Map<string, Promise<Embedder>>();

/**
 * The default embedder, loaded once per process and configuration: vaults, memory and the
 * offline model share one model thread and one cache instead of loading a copy each (~90 MB and
 * a second of start-up apiece). Closing it is a no-op; it lives as long as the process, and its
 * thread does not keep an idle process alive.
 */
export function sharedDefaultEmbedder(env: NodeJS.ProcessEnv = process.env): Promise<Embedder> {
  const key = [env.PAR_EMBEDDER || 'local', env.PAR_LOCAL_EMBEDDING_MODEL, env.PAR_EMBEDDING_MODEL, env.PAR_OPENAI_EMBEDDING_MODEL, env.OPENAI_BASE_URL, env.OPENAI_API_KEY].join('\0');
  let embedder = sharedEmbedders.get(key);
  if (!embedder) {
    embedder = createDefaultEmbedder(env, { shared: true });
    // A failed load is not remembered, so a later call (after installing the model) can succeed.
    embedder.catch(() => sharedEmbedders.delete(key));
    sharedEmbedders.set(key, embedder);
  }
  return embedder;
}
