// Runs an ONNX BERT-family model in a worker thread: a sentence embedder (its vectors pooled, the
// default) or a cross-encoder (workerData.output "logits": one score per text pair). Inference stays
// off the event loop that serves activities and heartbeats, and onnxruntime lives in a plain Node realm (hosts such as
// jest evaluate modules in another realm, whose typed arrays onnxruntime rejects).
// Plain JavaScript because worker threads load files without the TypeScript loader.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const { parentPort, workerData } = require('node:worker_threads');
const ort = require('onnxruntime-node');

// This thread's scheduling priority (local-onnx.ts says why): `nice` steps below the thread that
// started it, at most 19. Linux gives each thread its own nice value, addressed by its thread id;
// elsewhere there is no /proc/thread-self and the thread keeps the process's priority. Lowering
// one's own priority needs no privilege.
function lowerPriority(nice) {
  if (!nice) return;
  let tid;
  try {
    tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return;
  }
  try {
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + nice));
  } catch {
    // A sandbox that forbids it: the model still runs, at the process's priority.
  }
}
lowerPriority(workerData.nice);

const sessionPromise = ort.InferenceSession.create(workerData.model, {
  ...(workerData.threads ? { intraOpNumThreads: workerData.threads } : {}),
  graphOptimizationLevel: 'all',
  // Idle pool threads sleep instead of spinning: on a shared 2-core machine spinning threads
  // steal the cores the other inference call (and everything else) needs.
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
});
// A model that fails to load is reported in the reply to "ready", not as this thread's crash.
sessionPromise.catch(() => {});

// sentence-transformers' Pooling + Normalize: the mean over real tokens (pooling "mean") or the
// first token's vector, [CLS] (pooling "cls"), then unit length.
function pool(hidden, lengths, seq, dim) {
  const out = new Float32Array(lengths.length * dim);
  for (let r = 0; r < lengths.length; r++) {
    const len = workerData.pooling === 'cls' ? 1 : lengths[r];
    const o = r * dim;
    for (let c = 0; c < len; c++) {
      const base = (r * seq + c) * dim;
      for (let d = 0; d < dim; d++) out[o + d] += hidden[base + d];
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      out[o + d] /= len;
      norm += out[o + d] * out[o + d];
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) out[o + d] /= norm;
  }
  return out;
}

// A cross-encoder's relevance score per pair: the first logit of each row.
function firstLogits(logits, n) {
  const width = logits.data.length / n;
  return Float32Array.from({ length: n }, (_, r) => logits.data[r * width]);
}

async function run({ ids, types, lengths, seq }) {
  const session = await sessionPromise;
  const n = lengths.length;
  const input = new BigInt64Array(n * seq);
  const mask = new BigInt64Array(n * seq);
  const typeIds = new BigInt64Array(n * seq);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < lengths[r]; c++) {
      input[r * seq + c] = BigInt(ids[r * seq + c]);
      mask[r * seq + c] = 1n;
      if (types) typeIds[r * seq + c] = BigInt(types[r * seq + c]);
    }
  }
  const result = await session.run({
    input_ids: new ort.Tensor('int64', input, [n, seq]),
    attention_mask: new ort.Tensor('int64', mask, [n, seq]),
    token_type_ids: new ort.Tensor('int64', typeIds, [n, seq]),
  });
  if (workerData.output === 'logits') {
    if (!result.logits) throw new Error(`the model has no "logits" output (it has ${Object.keys(result).join(', ')}): is it a cross-encoder?`);
    return firstLogits(result.logits, n);
  }
  const hidden = result.last_hidden_state;
  const dim = hidden.dims[2];
  return pool(hidden.data, lengths, seq, dim);
}

parentPort.on('message', (msg) => {
  if (msg.type === 'ready') {
    sessionPromise.then(
      (s) => parentPort.postMessage({ id: msg.id, ok: true, inputs: s.inputNames, outputs: s.outputNames }),
      (err) => parentPort.postMessage({ id: msg.id, ok: false, error: String((err && err.message) || err) }),
    );
    return;
  }
  run(msg).then(
    (vectors) => parentPort.postMessage({ id: msg.id, ok: true, vectors }, [vectors.buffer]),
    (err) => parentPort.postMessage({ id: msg.id, ok: false, error: String((err && err.message) || err) }),
  );
});
