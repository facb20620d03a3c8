// How long a `par` command takes from `node bin/par.js ...` to exit, when the command does little
// (help, an empty local vault list): the cost of starting node and loading the CLI's modules.
//
//   node bin/run-ts.js bench/cli-start.ts [--runs 9] [--loader ts-hook|tsx]
//
// --loader tsx compares against tsx's require hook (what bin/par.js used before bin/ts-hook.js);
// it needs tsx installed in a scratch folder: `npm install --prefix /tmp/tsx-cmp tsx@4.23.15`
// and PAR_BENCH_TSX=/tmp/tsx-cmp/node_modules/tsx/dist/cjs/index.cjs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberFlag, percentile } from './lib/stats';

const ROOT = path.resolve(__dirname, '..');
const runs = numberFlag('runs', 9);
const loaderAt = process.argv.indexOf('--loader');
const loader = loaderAt < 0 ? 'ts-hook' : process.argv[loaderAt + 1];
if (loader !== 'ts-hook' && loader !== 'tsx') throw new Error(`--loader must be ts-hook or tsx, got ${loader}`);
const tsx = process.env.PAR_BENCH_TSX;
if (loader === 'tsx' && !(tsx && fs.existsSync(tsx))) throw new Error('--loader tsx needs PAR_BENCH_TSX pointing at tsx/dist/cjs/index.cjs (see the header)');
const hook = loader === 'tsx' ? tsx! : path.join(ROOT, 'bin/ts-hook.js');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-cli-start-'));
const env = { ...process.env, PAR_DATA_DIR: dataDir, PAR_API_KEY: '', PAR_API_URL: '' };

/** One command: wall time and the number of modules it loaded (counted by the child at exit). */
function once(args: string[]): { ms: number; modules: number } {
  const script = `process.on('exit', () => process.stderr.write('\\nMODULES ' + Object.keys(require.cache).length + '\\n')); require(${JSON.stringify(hook)}); process.argv = [process.argv[0], 'par', ...${JSON.stringify(args)}]; require('./client/cli/main.ts');`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`par ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return { ms, modules: Number(/MODULES (\d+)/.exec(r.stderr)?.[1]) };
}

const commands = [['--help'], ['status', '--help'], ['vault', 'list', '--json'], ['flow', '--help'], ['memory', '--help']];
console.log(`par start-up, ${runs} runs each after one warm-up (loader ${loader}), ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('command                 | p50 ms | p90 ms | modules');
for (const args of commands) {
  once(args);
  const samples = Array.from({ length: runs }, () => once(args));
  const ms = samples.map((s) => s.ms);
  console.log(`${`par ${args.join(' ')}`.padEnd(23)} | ${percentile(ms, 50).toFixed(0).padStart(6)} | ${percentile(ms, 90).toFixed(0).padStart(6)} | ${samples[0]!.modules}`);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
fs.rmSync(dataDir, { recursive: true, force: true });
