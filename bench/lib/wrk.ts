/**
 * wrk (Debian's `wrk` package, a C load generator) as the load for a JSON POST phase: on this
 * 2-core machine the generator shares the cores with the server it measures, and wrk spends a
 * fifth of node:http's CPU per request (0.06 against 0.3 ms). Request n's body is
 * bodies[n % bodies.length] with `$n` replaced by n (counted from `start`, or n % `repeatEvery`),
 * so no two queries are the same text unless asked.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ownAndReapedChildrenCpuMs } from './process-cpu';

export interface WrkResult {
  ok: number;
  failed: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU milliseconds wrk used (reaped child time of this process). */
  cpuMs: number;
}

export function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}


const luaString = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua one here (ASCII)

function script(pathname: string, headers: Record<string, string>, bodies: string[], start: number, repeatEvery?: number): string {
  const parts = bodies.map((b) => {
    const [before, after] = b.split('$n');
    if (after === undefined) throw new Error(`a body template needs a $n: ${b}`);
    return `{ ${luaString(before!)}, ${luaString(after)} }`;
  });
  const hdrs = Object.entries(headers)
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(', ');
  return `
local n = ${start}
local bodies = { ${parts.join(', ')} }
request = function()
  n = n + 1
  local b = bodies[(n % #bodies) + 1]
  return wrk.format("POST", ${luaString(pathname)}, { ${hdrs} }, b[1] .. ${repeatEvery ? `(n % ${repeatEvery})` : 'n'} .. b[2])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"us":%d,"status":%d,"errors":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`;
}

export async function wrkPost(opts: {
  url: string;
  path: string;
  headers: Record<string, string>;
  bodies: string[];
  connections: number;
  seconds: number;
  start?: number;
  repeatEvery?: number;
}): Promise<WrkResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-wrk-'));
  const file = path.join(dir, 'post.lua');
  fs.writeFileSync(file, script(opts.path, opts.headers, opts.bodies, opts.start ?? 0, opts.repeatEvery));
  const cpu0 = ownAndReapedChildrenCpuMs();
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const proc = spawn('wrk', ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s', '-s', file, opts.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (text += d.toString()));
      proc.once('error', reject);
      proc.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
    });
    const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no summary: ${out}`);
    const r = JSON.parse(line) as { requests: number; us: number; status: number; errors: number; p50: number; p99: number };
    return { ok: r.requests - r.status, failed: r.status + r.errors, seconds: r.us / 1e6, p50Ms: r.p50 / 1000, p99Ms: r.p99 / 1000, cpuMs: ownAndReapedChildrenCpuMs() - cpu0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
