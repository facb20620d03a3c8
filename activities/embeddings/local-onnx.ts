/**
 * A local sentence-embedding model (local-models.ts) on onnxruntime-node, offline: WordPiece ids
 * (tokenized here) -> the model in worker threads (onnx-thread.js, a session each) -> the model's
 * pooling ([CLS] or the mean over real tokens) -> unit length, which is what sentence-transformers
 * does.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbedPurpose, Embedder } from './port';
import { findLocalModelFiles, localModelSpec, type LocalModelFiles, type LocalModelSpec } from './local-models';
import { WordPieceTokenizer } from './wordpiece';

/** Texts per inference call: bounds the padded tensor's memory. */
const BATCH = 32;

/**
 * Under load (another thread busy), a free thread waits up to LINGER_MS for MIN_BATCH texts
 * before it starts a call: per text, a call of one query costs about twice what a call of eight
 * does (9.2 against 4.7 ms of CPU, e5-small-v2 here), and an API's clients come back one by one
 * as their answers go out, so without the wait many calls carried one or two queries. An idle
 * embedder starts at once: a lone query never waits.
 */
const MIN_BATCH = 8;
const LINGER_MS = 5;

/**
 * Model threads, each with its own onnxruntime session, each running one inference call at a
 * time. Texts that arrive while every thread is busy queue up and go together in the next free
 * thread's call: fifty API clients each embedding one query share batches, and an idle embedder
 * adds no delay (no timer). One session per core, each on one core, measured about a fifth more
 * texts per second on 2 cores than one session spreading each call over both (bench/api-load.ts,
 * docs/vaults.md): small query batches parallelise poorly inside one call. A lone query pays for
 * it, a few milliseconds more than with both cores. PAR_EMBEDDING_SESSIONS sets the number of
 * threads; PAR_EMBEDDING_THREADS the cores each session uses (1 when there are several sessions,
 * onnxruntime's default, every core, when there is one).
 */
function sessionCount(env: NodeJS.ProcessEnv): number {
  const n = Number(env.PAR_EMBEDDING_SESSIONS);
  if (env.PAR_EMBEDDING_SESSIONS && !(Number.isInteger(n) && n > 0)) throw new Error(`PAR_EMBEDDING_SESSIONS must be a positive integer, got ${env.PAR_EMBEDDING_SESSIONS}`);
  // Each session holds its own copy of the model (tens of MB): a few are enough.
  return n || Math.min(os.availableParallelism(), 4);
}

/**
 * How many nice steps below the event loop the model threads run (PAR_EMBEDDING_NICE, default
 * 10, Linux only; in a process at nice 0 they run at 10, never past 19). Under load the model
 * threads keep both cores busy, and the event loop, which answers requests, hands out the next
 * batches and sends heartbeats, would otherwise wait its turn behind 100 ms inference calls.
 * Vault search through the API measured about a tenth more requests per second, and less CPU per
 * search, at 10 than at 0 (docs/vaults.md).
 */
function modelThreadNice(env: NodeJS.ProcessEnv): number {
  const raw = env.PAR_EMBEDDING_NICE;
  if (raw === undefined || raw === '') return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`PAR_EMBEDDING_NICE must be an integer from 0 (the event loop's priority) to 19 (steps below it), got ${raw}`);
  return n;
}

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

/** One model thread and the calls it has in flight. */
interface ModelThread {
  worker: Worker;
  pending: Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>;
  busy: boolean;
}

export class LocalOnnxEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private nextId = 0;
  private closed?: Error;
  private readonly queue: Queued[] = [];
  /** Set while a free thread waits for a fuller batch (see MIN_BATCH); when it fires, the batch goes as it is. */
  private linger?: NodeJS.Timeout;
  /** Inference calls made and texts embedded (for benchmarks: texts per call shows the batching). */
  readonly stats = { calls: 0, texts: 0 };

  private constructor(
    private readonly spec: LocalModelSpec,
    private readonly threads: ModelThread[],
    private readonly tokenizer: WordPieceTokenizer,
  ) {
    this.model = spec.name;
    this.dimension = spec.dimension;
    for (const t of threads) {
      t.worker.on('message', (r: Reply) => {
        const p = t.pending.get(r.id);
        if (!p) return;
        t.pending.delete(r.id);
        this.updateRef(t);
        p.resolve(r);
      });
      t.worker.on('error', (err) => this.failAll(err));
      t.worker.on('exit', (code) => this.failAll(new Error(`a thread of the local embedding model has stopped (exit code ${code})`)));
      this.updateRef(t);
    }
  }

  /** The model PAR_LOCAL_EMBEDDING_MODEL names (default e5-small-v2), or `spec` with its installed files. */
  static async create(spec: LocalModelSpec = localModelSpec(), files: LocalModelFiles = findLocalModelFiles(spec), env: NodeJS.ProcessEnv = process.env): Promise<LocalOnnxEmbedder> {
    const sessions = sessionCount(env);
    const threads = Number(env.PAR_EMBEDDING_THREADS) || (sessions > 1 ? 1 : undefined);
    const nice = modelThreadNice(env);
    const workers = Array.from({ length: sessions }, () => new Worker(path.join(__dirname, 'onnx-thread.js'), { workerData: { model: files.model, threads, pooling: spec.pooling, nice } }));
    const embedder = new LocalOnnxEmbedder(
      spec,
      workers.map((worker) => ({ worker, pending: new Map(), busy: false })),
      WordPieceTokenizer.fromTokenizerJson(files.tokenizer),
    );
    const ready = await Promise.all(embedder.threads.map((t) => embedder.request(t, { type: 'ready' })));
    const failed = ready.find((r) => !r.ok);
    if (failed) {
      await embedder.close();
      throw new Error(`could not load the embedding model ${files.model}: ${failed.error}`);
    }
    return embedder;
  }

  /** A thread keeps the process alive only while a request is in flight. */
  private updateRef(t: ModelThread): void {
    if (t.pending.size > 0) t.worker.ref();
    else t.worker.unref();
  }

  private failAll(err: Error): void {
    this.closed ??= err;
    for (const t of this.threads) {
      for (const p of t.pending.values()) p.reject(err);
      t.pending.clear();
    }
    for (const q of this.queue.splice(0)) q.reject(err);
  }

  private request(t: ModelThread, msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      this.updateRef(t);
      t.worker.postMessage({ ...msg, id }, transfer);
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

  /** Gives queued texts to idle model threads, a batch each (`now`: without waiting for a fuller one). */
  private pump(now = false): void {
    for (const t of this.threads) {
      if (this.queue.length === 0) return;
      if (t.busy) continue;
      if (!now && this.queue.length < MIN_BATCH && this.threads.some((o) => o.busy)) {
        this.linger ??= setTimeout(() => {
          this.linger = undefined;
          this.pump(true);
        }, LINGER_MS);
        return;
      }
      if (this.linger) clearTimeout(this.linger);
      this.linger = undefined;
      const batch = this.queue.splice(0, BATCH).sort((a, b) => a.ids.length - b.ids.length);
      t.busy = true;
      this.stats.calls++;
      this.stats.texts += batch.length;
      this.run(t, batch).catch((err: Error) => batch.forEach((q) => q.reject(err)));
    }
  }

  private async run(t: ModelThread, batch: Queued[]): Promise<void> {
    const seq = Math.max(...batch.map((q) => q.ids.length));
    const ids = new Int32Array(batch.length * seq);
    batch.forEach((q, r) => ids.set(q.ids, r * seq));
    let reply: Reply;
    try {
      reply = await this.request(t, { ids, lengths: batch.map((q) => q.ids.length), seq }, [ids.buffer]);
    } finally {
      // The thread's next batch goes to the model before this one's callers run: their work (an
      // API search, a response) would otherwise leave the thread idle until it was done.
      t.busy = false;
      this.pump();
    }
    if (!reply.ok || !reply.vectors) throw new Error(`the local embedding model failed: ${reply.error}`);
    const flat = reply.vectors;
    batch.forEach((q, r) => q.resolve(Float32Array.from(flat.subarray(r * this.dimension, (r + 1) * this.dimension))));
  }

  async close(): Promise<void> {
    this.closed ??= new Error('the local embedding model was closed');
    if (this.linger) clearTimeout(this.linger);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
