/**
 * A local sentence-embedding model (local-models.ts) on onnxruntime-node, offline: WordPiece ids
 * (tokenized here) -> the model in a worker thread (onnx-thread.js) -> the model's pooling ([CLS]
 * or the mean over real tokens) -> unit length, which is what sentence-transformers does.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbedPurpose, Embedder } from './port';
import { findLocalModelFiles, localModelSpec, type LocalModelFiles, type LocalModelSpec } from './local-models';
import { WordPieceTokenizer } from './wordpiece';

/** Texts per inference call: bounds the padded tensor's memory. */
const BATCH = 32;
/**
 * Inference calls in flight at once. While they run, new texts queue up and go together in the
 * next call: concurrent requests (fifty API clients each embedding one query) share batches
 * instead of waiting one by one, and an idle embedder adds no delay (no timer). One call at a
 * time (onnxruntime spreads it over the cores) measured faster than two on the shared 2-core
 * machine; PAR_EMBEDDING_IN_FLIGHT overrides it.
 */
const IN_FLIGHT = Number(process.env.PAR_EMBEDDING_IN_FLIGHT) || 1;

interface Queued {
  ids: number[];
  resolve: (v: Float32Array) => void;
  reject: (e: Error) => void;
}

interface Reply {
  id: number;
  ok: boolean;
  vectors?: Float32Array;
  error?: string;
}

export class LocalOnnxEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private nextId = 0;
  private closed?: Error;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  /** Inference calls made and texts embedded (for benchmarks: texts per call shows the batching). */
  readonly stats = { calls: 0, texts: 0 };

  private constructor(
    private readonly spec: LocalModelSpec,
    private readonly thread: Worker,
    private readonly tokenizer: WordPieceTokenizer,
  ) {
    this.model = spec.name;
    this.dimension = spec.dimension;
    thread.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      this.updateRef();
      p.resolve(r);
    });
    thread.on('error', (err) => this.failAll(err));
    thread.on('exit', (code) => this.failAll(new Error(`the local embedding model's thread has stopped (exit code ${code})`)));
    this.updateRef();
  }

  /** The model PAR_LOCAL_EMBEDDING_MODEL names (default e5-small-v2), or `spec` with its installed files. */
  static async create(spec: LocalModelSpec = localModelSpec(), files: LocalModelFiles = findLocalModelFiles(spec)): Promise<LocalOnnxEmbedder> {
    const threads = Number(process.env.PAR_EMBEDDING_THREADS) || undefined;
    const thread = new Worker(path.join(__dirname, 'onnx-thread.js'), { workerData: { model: files.model, threads, pooling: spec.pooling } });
    const embedder = new LocalOnnxEmbedder(spec, thread, WordPieceTokenizer.fromTokenizerJson(files.tokenizer));
    const ready = await embedder.request({ type: 'ready' });
    if (!ready.ok) {
      await thread.terminate();
      throw new Error(`could not load the embedding model ${files.model}: ${ready.error}`);
    }
    return embedder;
  }

  /** The thread keeps the process alive only while a request is in flight. */
  private updateRef(): void {
    if (this.pending.size > 0) this.thread.ref();
    else this.thread.unref();
  }

  private failAll(err: Error): void {
    this.closed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private request(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      this.thread.postMessage({ ...msg, id }, transfer);
    });
  }

  /** Token ids of a text as the model sees it (for chunk sizing and tests). */
  tokenize(text: string): number[] {
    return this.tokenizer.encode(text, this.spec.maxTokens).ids;
  }

  embed(texts: string[], purpose: EmbedPurpose = 'document'): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(this.closed);
    const prefix = this.spec.prefixes?.[purpose];
    if (prefix) texts = texts.map((t) => prefix + t);
    // Similar lengths next to each other: a long list is cut into batches with little padding.
    const encoded = texts.map((t, i) => ({ i, ids: this.tokenize(t) })).sort((a, b) => a.ids.length - b.ids.length);
    const out = new Array<Promise<Float32Array>>(texts.length);
    for (const e of encoded) out[e.i] = new Promise<Float32Array>((resolve, reject) => this.queue.push({ ids: e.ids, resolve, reject }));
    this.pump();
    return Promise.all(out);
  }

  /** Starts inference calls for queued texts while fewer than IN_FLIGHT are running. */
  private pump(): void {
    while (this.inFlight < IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH).sort((a, b) => a.ids.length - b.ids.length);
      this.inFlight++;
      this.stats.calls++;
      this.stats.texts += batch.length;
      this.run(batch)
        .catch((err: Error) => batch.forEach((q) => q.reject(err)))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async run(batch: Queued[]): Promise<void> {
    const seq = Math.max(...batch.map((q) => q.ids.length));
    const ids = new Int32Array(batch.length * seq);
    batch.forEach((q, r) => ids.set(q.ids, r * seq));
    const reply = await this.request({ ids, lengths: batch.map((q) => q.ids.length), seq }, [ids.buffer]);
    if (!reply.ok || !reply.vectors) throw new Error(`the local embedding model failed: ${reply.error}`);
    const flat = reply.vectors;
    batch.forEach((q, r) => q.resolve(Float32Array.from(flat.subarray(r * this.dimension, (r + 1) * this.dimension))));
  }

  async close(): Promise<void> {
    this.closed ??= new Error('the local embedding model was closed');
    await this.thread.terminate();
  }
}
