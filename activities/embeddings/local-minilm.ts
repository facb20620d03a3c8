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

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(texts.length);
    const encoded = texts.map((t, i) => ({ i, ids: this.tokenize(t) }));
    // Similar lengths together: less padding per batch.
    encoded.sort((a, b) => a.ids.length - b.ids.length);
    for (let b = 0; b < encoded.length; b += BATCH) {
      const batch = encoded.slice(b, b + BATCH);
      const seq = Math.max(...batch.map((e) => e.ids.length));
      const ids = new Int32Array(batch.length * seq);
      batch.forEach((e, r) => ids.set(e.ids, r * seq));
      const reply = await this.request({ ids, lengths: batch.map((e) => e.ids.length), seq }, [ids.buffer]);
      if (!reply.ok || !reply.vectors) throw new Error(`the local embedding model failed: ${reply.error}`);
      const flat = reply.vectors;
      batch.forEach((e, r) => (out[e.i] = Float32Array.from(flat.subarray(r * DIMENSION, (r + 1) * DIMENSION))));
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed ??= new Error('the local embedding model was closed');
    await this.thread.terminate();
  }
}
