/**
 * all-MiniLM-L6-v2 on onnxruntime-node, offline: WordPiece ids (tokenized here) -> the model in
 * a worker thread (onnx-thread.js) -> mean over real tokens -> unit length, which is what
 * sentence-transformers does for this model.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Embedder } from './port';
import { findLocalModelFiles, type LocalModelFiles } from './model-files';
import { WordPieceTokenizer } from './wordpiece';

export const LOCAL_MODEL_NAME = 'local:all-MiniLM-L6-v2';
const DIMENSION = 384;
/** sentence-transformers' max_seq_length for this model; longer text is truncated. */
const MAX_TOKENS = 256;
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

export class LocalMiniLmEmbedder implements Embedder {
  readonly model = LOCAL_MODEL_NAME;
  readonly dimension = DIMENSION;
  private nextId = 0;
  private closed?: Error;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  /** Inference calls made and texts embedded (for benchmarks: texts per call shows the batching). */
  readonly stats = { calls: 0, texts: 0 };

  private constructor(
    private readonly thread: Worker,
    private readonly tokenizer: WordPieceTokenizer,
  ) {
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

  static async create(files: LocalModelFiles = findLocalModelFiles()): Promise<LocalMiniLmEmbedder> {
    const threads = Number(process.env.PAR_EMBEDDING_THREADS) || undefined;
    const thread = new Worker(path.join(__dirname, 'onnx-thread.js'), { workerData: { model: files.model, threads } });
    const embedder = new LocalMiniLmEmbedder(thread, WordPieceTokenizer.fromTokenizerJson(files.tokenizer));
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
    return this.tokenizer.encode(text, MAX_TOKENS).ids;
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(this.closed);
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
    batch.forEach((q, r) => q.resolve(Float32Array.from(flat.subarray(r * DIMENSION, (r + 1) * DIMENSION))));
  }

  async close(): Promise<void> {
    this.closed ??= new Error('the local embedding model was closed');
    await this.thread.terminate();
  }
}
