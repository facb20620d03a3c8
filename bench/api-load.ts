// API load benchmark, loopback only: requests/s and latency percentiles for vault search and flow
// start through the HTTP API with concurrent clients, and how many SSE streams the API holds open.
//
//   node bin/run-ts.js bench/api-load.ts [--clients 50] [--seconds 10] [--items 200] [--streams 1000] [--client http|fetch]
//
// The load generator is node:http over keep-alive sockets (bench/lib/http-client.ts); --client
// fetch uses fetch (undici) instead, for comparison. Each phase prints the CPU per request of the
// generator and of the API stack, since both share the machine's cores.
//
// The API, a worker and a Temporal dev server run in a child process (bench/api-stack.ts) with
// the real services on a temporary data folder, so the load generator does not share its CPU
// budget with the event loop it measures (both still share this machine's cores).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeepAliveClient, type HttpReply } from './lib/http-client';
import { treeCpuMs } from './lib/process-cpu';
import { rawEmbeddingThroughput } from './lib/raw-embedding';
import { numberFlag, percentile, stringFlag } from './lib/stats';

interface Stack {
  url: string;
  key: string;
  pid: number;
  stop(): Promise<void>;
}

async function startStack(): Promise<Stack> {
  const proc = spawn(process.execPath, [path.join(__dirname, '../bin/run-ts.js'), path.join(__dirname, 'api-stack.ts')], {
    env: { ...process.env, PAR_SSE_KEEPALIVE_MS: '2000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    proc.once('exit', (code) => reject(new Error(`the API stack exited (${code}): ${err.slice(-2000)}`)));
  });
  const { url, key } = JSON.parse(line) as { url: string; key: string };
  return {
    url,
    key,
    pid: proc.pid!,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

type Post = (path: string, body: unknown) => Promise<HttpReply>;

/** A POST with the stack's key, through the chosen load client. */
function poster(stack: Stack, client: string, sockets: number): { post: Post; close(): void } {
  const headers = { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' };
  if (client === 'fetch') {
    return {
      post: async (p, body) => {
        const res = await fetch(`${stack.url}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
        return { status: res.status, body: await res.text() };
      },
      close() {},
    };
  }
  if (client !== 'http') throw new Error(`--client must be http or fetch, not ${client}`);
  const http = new KeepAliveClient(stack.url, sockets);
  return { post: (p, body) => http.request('POST', p, headers, JSON.stringify(body)), close: () => http.close() };
}

/** Runs the phase and returns its successful requests per second. */
async function loadPhase(name: string, stack: Stack, clients: number, seconds: number, request: (i: number) => Promise<HttpReply>): Promise<number> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let failures = 0;
  const deadline = Date.now() + seconds * 1000;
  const t0 = Date.now();
  const ownCpu0 = process.cpuUsage();
  const stackCpu0 = treeCpuMs(stack.pid);
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const start = performance.now();
        try {
          const res = await request(n++);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 200 && res.status < 300) latencies.push(performance.now() - start);
          else failures++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = (Date.now() - t0) / 1000;
  const own = process.cpuUsage(ownCpu0);
  const ownMs = (own.user + own.system) / 1000;
  const stackMs = treeCpuMs(stack.pid) - stackCpu0;
  const done = Math.max(1, latencies.length + failures);
  console.log(
    `${name.padEnd(14)} ${(latencies.length / elapsed).toFixed(0).padStart(6)} req/s   p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   ` +
      `(${latencies.length} ok, ${failures} failed, ${clients} clients, ${elapsed.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))})\n` +
      `${''.padEnd(14)} CPU per request: API stack ${(stackMs / done).toFixed(2)} ms (${((100 * stackMs) / (elapsed * 1000)).toFixed(0)}% of a core), ` +
      `load generator ${(ownMs / done).toFixed(2)} ms (${((100 * ownMs) / (elapsed * 1000)).toFixed(0)}%); load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  return latencies.length / elapsed;
}

async function holdStreams(stack: Stack, count: number): Promise<void> {
  const who = (await (await fetch(`${stack.url}/v1/whoami`, { headers: { authorization: `Bearer ${stack.key}` } })).json()) as { keyId: string };
  const before = rssMb(stack.pid);
  const ac = new AbortController();
  const t0 = performance.now();
  let open = 0;
  let alive = 0;
  const readers = Array.from({ length: count }, async () => {
    const channel = `chat:${who.keyId}:${crypto.randomUUID()}`;
    const res = await fetch(`${stack.url}/v1/streams/${encodeURIComponent(channel)}`, { headers: { authorization: `Bearer ${stack.key}` }, signal: ac.signal });
    if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
    open++;
    const reader = res.body!.getReader();
    // A keep-alive comment (every 2 s in this stack) proves the stream is served, not just accepted.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (new TextDecoder().decode(value).includes(': keep-alive')) {
        alive++;
        break;
      }
    }
    await reader.read().catch(() => undefined);
  });
  const deadline = Date.now() + 20_000;
  while (alive < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const openedMs = performance.now() - t0;
  const after = rssMb(stack.pid);
  const search = performance.now();
  const probe = await fetch(`${stack.url}/v1/vaults/bench/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'refund policy', n: 3 }),
  });
  const probeMs = performance.now() - search;
  console.log(
    `SSE streams    ${alive}/${count} open and receiving keep-alives after ${(openedMs / 1000).toFixed(1)} s (${open} accepted); ` +
      `API process RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB (${(((after - before) * 1024) / Math.max(1, alive)).toFixed(1)} KB/stream); ` +
      `a vault search meanwhile took ${probeMs.toFixed(1)} ms (HTTP ${probe.status})`,
  );
  ac.abort();
  await Promise.allSettled(readers);
}

async function main(): Promise<void> {
  const clients = numberFlag('clients', 50);
  const seconds = numberFlag('seconds', 10);
  const items = numberFlag('items', 200);
  const streams = numberFlag('streams', 1000);
  const client = stringFlag('client', 'http');
  console.log(
    `API load benchmark (loopback): ${clients} clients (${client}), ${seconds} s per phase, ${items} vault items, ${streams} SSE streams, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const topics = ['refund', 'shipping', 'warranty', 'invoice', 'password', 'delivery', 'discount', 'account'];
  // Each search embeds one new query: the model's batched throughput on such queries is the ceiling.
  const raw = await rawEmbeddingThroughput(Array.from({ length: 2048 }, (_, i) => `${topics[i % topics.length]} question ${i + 1_000_000}`));
  console.log(`raw batched embedding (${raw.model}, query-sized texts): ${raw.textsPerSecond.toFixed(0)} texts/s`);
  const stack = await startStack();
  const { post, close } = poster(stack, client, clients);
  try {
    for (let i = 0; i < items; i++) {
      const res = await post('/v1/vaults/bench/items', { text: `Item ${i}: our ${topics[i % topics.length]} policy, case ${i}, says customers get help within ${i % 30} days.` });
      if (res.status !== 201) throw new Error(`seeding failed: HTTP ${res.status} ${res.body}`);
    }
    // Warm-up: embedder and store caches, HTTP connections.
    // Other texts than the measured phase's, so none of its queries is a cache hit.
    await loadPhase('(warm-up)', stack, clients, 2, (i) => post('/v1/vaults/bench/search', { query: `warm-up ${topics[i % topics.length]} ${i}`, n: 4 }));
    const searches = await loadPhase('vault search', stack, clients, seconds, (i) =>
      post('/v1/vaults/bench/search', { query: `${topics[i % topics.length]} question ${i}`, n: 4 }),
    );
    console.log(`  vault search / raw batched embedding throughput: ${((100 * searches) / raw.textsPerSecond).toFixed(0)}% (target >= 80%)`);
    // The same eight queries again: every embedding is a cache hit, so this is the request path
    // without the model (HTTP, the key, the vault, the search), the cost each search adds to it.
    await loadPhase('search, cached', stack, clients, Math.min(seconds, 5), (i) => post('/v1/vaults/bench/search', { query: `${topics[i % topics.length]} question ${i % 8}`, n: 4 }));
    const flow = {
      id: 'bench_flow',
      version: '1',
      nodes: [
        { id: 'start', type: 'start', outputs: { next: 'reply' } },
        { id: 'reply', type: 'respond', params: { text: 'hello {message}' }, outputs: { next: 'done' } },
        { id: 'done', type: 'end' },
      ],
    };
    await loadPhase('flow start', stack, clients, seconds, (i) => post('/v1/flows/bench_flow/runs', { definition: flow, message: `m${i}` }));
    await holdStreams(stack, streams);
  } finally {
    close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
