// PAR Studio benchmark, in Debian's Chromium against `npm start`'s stack on loopback:
//
//   node bin/run-ts.js bench/studio.ts [--runs 5] [--nodes 200]
//
// - first load: a fresh browser context (empty cache) opening /studio/ signed in, until the
//   flows page has rendered; median of --runs. Target ≤ 1 s.
// - JS size: the built bundle's JavaScript (and CSS), gzip -9, all of it and what the first page
//   loads (the entry chunk; each other page is its own chunk). Target ≤ 500 kB.
// - open and fit: a stored flow of --nodes nodes, from navigation until every node is drawn
//   and the view is fitted; median of --runs. Target ≤ 1 s. Twice: saved without a layout (the
//   studio lays it out with dagre) and saved from the studio with one.
// - pan: frames during a 1 s mouse pan of that flow; dropped = frames later than 2× 16.7 ms.
// Each also prints the page's main-thread busy time (Chrome's TaskDuration, the time its tasks
// ran): it leaves out waiting for the network and idle gaps, but on a machine shared with other
// work it still grows with contention, like the wall times and late frames. Print the load average
// beside any number you quote.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import os from 'node:os';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium, signedInContext, startStudioStack } from '../test/helpers/studio';
import { numberFlag as flag, percentile } from './lib/stats';

const RUNS = flag('runs', 5);
const NODES = flag('nodes', 200);

function bigFlow(n: number) {
  const nodes: Record<string, unknown>[] = [{ id: 'start', type: 'start', outputs: { next: 'step_1' } }];
  for (let i = 1; i <= n - 2; i++) {
    const next = i === n - 2 ? 'done' : `step_${i + 1}`;
    // Every tenth step branches, so the layout has width as well as depth.
    if (i % 10 === 0) nodes.push({ id: `step_${i}`, type: 'recognize', params: { question: `Is step ${i} done?` }, outputs: { yes: next, no: next } });
    else nodes.push({ id: `step_${i}`, type: 'respond', params: { text: `Step ${i} of {message}` }, outputs: { next } });
  }
  nodes.push({ id: 'done', type: 'end' });
  return { id: 'bench_big', version: '1', name: `${n} nodes`, nodes };
}

/** Milliseconds the page's main thread has been busy so far (Chrome DevTools Performance metrics). */
async function busyMs(session: CDPSession): Promise<number> {
  const { metrics } = (await session.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN) * 1000;
}

async function metered(context: BrowserContext): Promise<{ page: Page; session: CDPSession }> {
  const page = await context.newPage();
  const session = await context.newCDPSession(page);
  await session.send('Performance.enable');
  return { page, session };
}

function gzipSize(dir: string, ext: string): number {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .reduce((sum, f) => sum + gz(path.join(dir, f)), 0);
}

const gz = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;

/** A grid drawing of the flow, as the studio saves with a version. */
function gridLayout(def: { nodes: Record<string, unknown>[] }): Record<string, { x: number; y: number }> {
  return Object.fromEntries(def.nodes.map((n, i) => [String(n.id), { x: (i % 10) * 240, y: Math.floor(i / 10) * 120 }]));
}

async function main() {
  const assets = path.join(__dirname, '..', 'client', 'studio', 'dist', 'assets');
  if (!fs.existsSync(assets)) throw new Error('client/studio/dist is missing: run `npm run setup` first (it builds the studio)');
  const js = gzipSize(assets, '.js');
  const css = gzipSize(assets, '.css');
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const entry = /src="\/studio\/assets\/([^"]+\.js)"/.exec(fs.readFileSync(path.join(assets, '..', 'index.html'), 'utf8'))?.[1];
  const first = entry ? gz(path.join(assets, entry)) : NaN;
  console.log(`JS size (gzip -9): ${(js / 1024).toFixed(0)} kB in all (+ CSS ${(css / 1024).toFixed(0)} kB), ${(first / 1024).toFixed(0)} kB for the first page; target ≤ 500 kB`);

  const stack = await startStudioStack();
  const browser = await launchChromium();
  try {
    const { key } = await stack.createKey(['--name', 'bench', '--grant', '*:admin', '--flow', '*']);
    const put = await stack.call(key, 'PUT', '/v1/flows/bench_big', { definition: bigFlow(NODES), message: 'bench' });
    if (put.status >= 300) throw new Error(`storing the ${NODES}-node flow failed: ${JSON.stringify(put.body)}`);
    const drawn = { ...bigFlow(NODES), id: 'bench_drawn' };
    const putDrawn = await stack.call(key, 'PUT', '/v1/flows/bench_drawn', { definition: drawn, layout: gridLayout(drawn), message: 'bench' });
    if (putDrawn.status >= 300) throw new Error(`storing the drawn ${NODES}-node flow failed: ${JSON.stringify(putDrawn.body)}`);

    const loads: number[] = [];
    const loadBusy: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await signedInContext(browser, key, 'bench');
      const { page, session } = await metered(context);
      const t0 = Date.now();
      await page.goto(`${stack.apiUrl}/studio/`);
      await page.getByTestId('flow-row-bench_big').waitFor();
      loads.push(Date.now() - t0);
      loadBusy.push(Math.round(await busyMs(session)));
      await context.close();
    }

    const opens: Record<string, number[]> = { bench_big: [], bench_drawn: [] };
    let pan = '';
    const openBusy: Record<string, number[]> = { bench_big: [], bench_drawn: [] };
    for (const flowId of Object.keys(opens)) for (let i = 0; i < RUNS; i++) {
      const context = await signedInContext(browser, key, 'bench');
      const { page, session } = await metered(context);
      await page.goto(`${stack.apiUrl}/studio/`);
      await page.getByTestId('flow-row-bench_big').waitFor();
      const busy0 = await busyMs(session);
      const t0 = Date.now();
      await page.evaluate(`location.hash = '#/flows/${flowId}'`);
      // A function, not a string: the studio's CSP forbids eval. (No DOM library in this tsconfig.)
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('.react-flow__node').length >= n, NODES, { polling: 'raf' }); // eslint-disable-line @typescript-eslint/no-explicit-any
      opens[flowId].push(Date.now() - t0);
      openBusy[flowId].push(Math.round((await busyMs(session)) - busy0));
      if (flowId === 'bench_drawn' && i === RUNS - 1) {
        const box = (await page.getByTestId('canvas').boundingBox())!;
        // In the page (a string: this file is type-checked without the DOM library).
        await page.evaluate(`(() => {
          window.__frames = [];
          const tick = (t) => { window.__frames.push(t); if (window.__frames.length < 2000) requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
        })()`);
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        const steps = 60;
        const panBusy0 = await busyMs(session);
        const tPan = Date.now();
        for (let s = 1; s <= steps; s++) {
          await page.mouse.move(cx + (s * 300) / steps, cy + (s * 150) / steps);
          await new Promise((r) => setTimeout(r, Math.max(0, tPan + (s * 1000) / steps - Date.now())));
        }
        await page.mouse.up();
        const panBusy = (await busyMs(session)) - panBusy0;
        const frames = (await page.evaluate('window.__frames')) as number[];
        const gaps = frames.slice(1).map((t, k) => t - frames[k]);
        const dropped = gaps.filter((g) => g > 2 * 16.7).length;
        const sorted = [...gaps].sort((a, b) => a - b);
        pan = `pan: ${gaps.length} frames, ${dropped} later than 33 ms, frame gap p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted[sorted.length - 1]?.toFixed(1)} ms, main thread busy ${panBusy.toFixed(0)} ms of the ${(frames[frames.length - 1] - frames[0]).toFixed(0)} ms (headless, no GPU)`;
      }
      await context.close();
    }
    const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    console.log(`first load on loopback: median ${med(loads).toFixed(0)} ms (runs: ${loads.join(', ')}); main thread busy median ${med(loadBusy).toFixed(0)} ms; target ≤ 1000 ms`);
    console.log(`open and fit a ${NODES}-node flow saved without a layout (dagre): median ${med(opens.bench_big).toFixed(0)} ms (runs: ${opens.bench_big.join(', ')}); main thread busy median ${med(openBusy.bench_big).toFixed(0)} ms; target ≤ 1000 ms`);
    console.log(`open and fit a ${NODES}-node flow saved with its layout: median ${med(opens.bench_drawn).toFixed(0)} ms (runs: ${opens.bench_drawn.join(', ')}); main thread busy median ${med(openBusy.bench_drawn).toFixed(0)} ms; target ≤ 1000 ms`);
    console.log(pan);
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
