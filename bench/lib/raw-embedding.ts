/**
 * The local embedding model's raw throughput: the texts in full batches straight to the model
 * (no cache, no store), the limit that ingest and query throughput are measured against.
 */
import { LocalOnnxEmbedder } from '../../activities/embeddings';
import type { EmbedPurpose } from '../../activities/embeddings/port';

export async function rawEmbeddingThroughput(texts: string[], purpose: EmbedPurpose = 'document'): Promise<{ textsPerSecond: number; cpuMsPerText: number; model: string }> {
  const embedder = await LocalOnnxEmbedder.create();
  try {
    await embedder.embed(texts.slice(0, 32), purpose); // warm-up
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await embedder.embed(texts, purpose);
    const cpu = process.cpuUsage(cpu0);
    return { textsPerSecond: texts.length / ((performance.now() - t0) / 1000), cpuMsPerText: (cpu.user + cpu.system) / 1000 / texts.length, model: embedder.model };
  } finally {
    await embedder.close();
  }
}
