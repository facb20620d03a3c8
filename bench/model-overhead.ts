/**
 * Added latency of PAR's model layer over the model itself. A local protocol server on
 * 127.0.0.1 answers at once (no think time), so what is measured is pure client-side cost:
 * time to first token (TTFT) and total time per streamed call, for
 *   raw      a bare fetch + SSE parse (the floor: HTTP and parsing only)
 *   sdk      the provider SDK alone (openai / @anthropic-ai/sdk), streaming
 *   router   ModelRouter.generate (adapter, normalisation, error mapping) on the same SDK
 *   activity modelGenerate as the worker runs it, publishing every token to an in-process stream bus
 *   chat     getChatStream (prompt assembly, history trimming, events), no retrieval
 * Variants run in rotating rounds; "added" is variant minus raw within each round (p50 / p95).
 * Run: node bin/run-ts.js bench/model-overhead.ts [--n 200] [--chunks 50]
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createChat } from '../activities/chat/chat';
import { createModelActivities } from '../activities/models/activities';
import { LexicalSimilarity } from '../activities/models/similarity';
import { ModelRouter } from '../activities/models/router';
import { MemoryStreamBus } from '../activities/streams';
import { AnthropicWireServer } from '../test/models/helpers/anthropic-wire-server';
import { OpenAIWireServer } from '../test/models/helpers/openai-wire-server';
import { numberFlag as flag, percentile } from './lib/stats';

const N = flag('n', 200);
if (N <= 0) throw new Error('--n must be at least 1');
const CHUNKS = flag('chunks', 50);
const WARMUP = Math.min(20, N);
const TEXT = Array.from({ length: CHUNKS }, (_, i) => `tok${i} `).join('');

interface Timing {
  ttft: number;
  total: number;
}

/** Runs one streamed call; onToken must be called on each text token. */
type Variant = (onToken: () => void) => Promise<void>;

/** One timed call. */
async function once(variant: Variant): Promise<Timing> {
  const start = performance.now();
  let first = 0;
  await variant(() => {
    if (!first) first = performance.now();
  });
  return { ttft: first - start, total: performance.now() - start };
}

/**
 * Rounds of every variant in a rotating order, so load from other processes hits all variants
 * alike; the added cost is taken per round (variant minus raw in the same round).
 */
async function measureRounds(variants: Variant[]): Promise<Timing[][]> {
  const out: Timing[][] = variants.map(() => []);
  for (let round = 0; round < WARMUP + N; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (round + k) % variants.length;
      const t = await once(variants[v]!);
      if (round >= WARMUP) out[v]!.push(t);
    }
  }
  return out;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const fmt = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)} ms`;

async function rawSse(url: string, headers: Record<string, string>, body: unknown, isToken: (data: string) => boolean, onToken: () => void): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      const data = event.split('\n').find((l) => l.startsWith('data: '))?.slice(6);
      if (data && data !== '[DONE]' && isToken(data)) onToken();
    }
  }
}

async function main(): Promise<void> {
  const openaiServer = await new OpenAIWireServer('sk-bench').start();
  const anthropicServer = await new AnthropicWireServer('sk-ant-bench').start();
  openaiServer.respondWith(() => ({ text: TEXT }));
  anthropicServer.respondWith(() => ({ text: TEXT }));
  const env = { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${openaiServer.url}/v1`, ANTHROPIC_API_KEY: 'sk-ant-bench', ANTHROPIC_BASE_URL: anthropicServer.url };
  const router = new ModelRouter({ env, similarity: new LexicalSimilarity() });
  const bus = new MemoryStreamBus();
  const activities = createModelActivities({ router, publish: (c, e) => bus.publish(c, e) });
  const chat = createChat({ router, env });
  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: `${openaiServer.url}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: anthropicServer.url, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'Say the tokens.' }];
  let channel = 0;

  const providers = [
    {
      name: 'openai',
      model: 'openai:gpt-4.1-mini',
      raw: (on: () => void) =>
        rawSse(`${openaiServer.url}/v1/chat/completions`, { authorization: 'Bearer sk-bench' }, { model: 'gpt-4.1-mini', messages, stream: true, temperature: 0 }, (d) => Boolean(JSON.parse(d).choices?.[0]?.delta?.content), on),
      sdk: async (on: () => void) => {
        const stream = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages, stream: true, temperature: 0 });
        for await (const c of stream) if (c.choices[0]?.delta?.content) on();
      },
    },
    {
      name: 'anthropic',
      model: 'anthropic:claude-sonnet-4-6',
      raw: (on: () => void) =>
        rawSse(
          `${anthropicServer.url}/v1/messages`,
          { 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' },
          { model: 'claude-sonnet-4-6', max_tokens: 1024, messages, stream: true, temperature: 0 },
          (d) => JSON.parse(d).type === 'content_block_delta',
          on,
        ),
      sdk: async (on: () => void) => {
        const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages, stream: true });
        for await (const e of stream) if (e.type === 'content_block_delta') on();
      },
    },
  ];

  console.log(`model-overhead: ${N} streamed calls per variant (+${WARMUP} warm-up), ${CHUNKS} tokens each, local protocol servers on 127.0.0.1 answering at once\n`);
  const header = ['provider', 'variant', 'TTFT p50', 'TTFT p95', 'total p50', 'total p95', 'added TTFT p50 / p95', 'added total p50 / p95'];
  const rows: string[][] = [];
  for (const pr of providers) {
    const variants: [string, Variant][] = [
      ['raw', pr.raw],
      ['sdk', pr.sdk],
      ['router', async (on) => void (await router.generate({ model: pr.model, messages, temperature: 0 }, { onChunk: (t) => t && on() }))],
      [
        'activity',
        async (on) => {
          const ch = `bench:${channel++}`;
          const sub = (async () => {
            for await (const e of bus.subscribe(ch)) if (e.event.type === 'token') on();
          })();
          await activities.modelGenerate({ model: pr.model, messages, temperature: 0, streamChannel: ch });
          await sub;
        },
      ],
      [
        'chat',
        async (on) => {
          for await (const e of chat.getChatStream('Say the tokens.', { model: pr.model })) if (e.type === 'token') on();
        },
      ],
    ];
    const timings = await measureRounds(variants.map(([, v]) => v));
    const raw = timings[0]!;
    variants.forEach(([name], v) => {
      const t = timings[v]!;
      const ttft = t.map((x) => x.ttft);
      const total = t.map((x) => x.total);
      const added = (key: keyof Timing) => {
        if (v === 0) return '-';
        const d = t.map((x, i) => x[key] - raw[i]![key]);
        return `${fmt(percentile(d, 50))} / ${fmt(percentile(d, 95))}`;
      };
      rows.push([pr.name, name, ms(percentile(ttft, 50)), ms(percentile(ttft, 95)), ms(percentile(total, 50)), ms(percentile(total, 95)), added('ttft'), added('total')]);
    });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  await bus.close();
  await openaiServer.close();
  await anthropicServer.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
