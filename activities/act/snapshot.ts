import fs from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { SandboxIsolation } from './isolation';
import { sandboxNodeArgs, spawnSandboxProcess, type SandboxFiles } from './sandbox';

const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/**
 * Boots Pyodide once, with no script, and saves its memory image to `dir`, so every sandbox
 * starts from it in a fraction of a cold start. The image is made inside the same isolation as
 * a sandbox and holds only the interpreter and some preloaded standard modules. Resolves to the
 * file, or rejects (callers fall back to cold starts).
 */
export function makePyodideSnapshot(files: SandboxFiles, isolation: SandboxIsolation, dir: string, timeoutMs: number): Promise<string> {
  const file = path.join(dir, 'pyodide.snapshot');
  const proc = spawnSandboxProcess(isolation, sandboxNodeArgs({ ...files, snapshot: undefined }, 512, ['--make-snapshot']), files.nodeBinary);
  const parts: Buffer[] = [];
  let size = 0;
  let stderr = '';
  return new Promise<string>((resolve, reject) => {
    const stop = () => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`making the Pyodide snapshot took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
    (proc.stdio[3] as Socket).on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_SNAPSHOT_BYTES) return stop();
      parts.push(d);
    });
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 || size < 1024 * 1024 || size > MAX_SNAPSHOT_BYTES) {
        reject(new Error(`making the Pyodide snapshot failed (${signal ?? `exit ${code}`}, ${size} bytes): ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`));
        return;
      }
      fs.writeFileSync(file, Buffer.concat(parts), { mode: 0o644 });
      resolve(file);
    });
  });
}
