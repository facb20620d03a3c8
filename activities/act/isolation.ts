import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * How act sandboxes are walled off. "namespaces": a network namespace with no interfaces (no
 * network at all), a pid namespace (no other process can even be named, let alone signalled),
 * rlimits, and, when the worker is root, an unprivileged uid. "permission-only": Node's
 * permission model alone, where a script that reaches JavaScript could still open sockets;
 * used only when the operator allows it (PAR_ACT_REQUIRE_ISOLATION=0).
 */
export type IsolationMode = 'namespaces' | 'permission-only';

export interface SandboxIsolation {
  mode: IsolationMode;
  /** Command and arguments that wrap `node ...` (empty for permission-only). */
  wrapper: string[];
  /** What holds, in words, for logs and the benchmark. */
  description: string;
  /** Why namespaces could not be used (mode permission-only). */
  unavailableReason?: string;
}

/** nobody/nogroup: owns nothing, so a sandbox that escaped Node could not touch the worker's files. */
export const SANDBOX_UID = 65534;

/** CPU seconds a sandbox process may burn in all: the longest allowed run plus its start. */
export const SANDBOX_CPU_SECONDS = 11 * 60;

const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...TOOL_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Sandboxes run in their own process group, and a worker that is SIGKILLed runs no exit hook. The
 * kernel's parent-death signal (setpriv --pdeathsig) kills the sandbox's first process when the
 * worker dies; `unshare --kill-child` and the pid namespace then take the rest with it.
 */
function parentDeathGuard(): string[] {
  if (process.platform !== 'linux') return [];
  const setpriv = findTool('setpriv');
  return setpriv ? [setpriv, '--pdeathsig', 'KILL'] : [];
}

function wrapperFor(asRoot: boolean): { wrapper?: string[]; features?: string[]; missing?: string } {
  if (process.platform !== 'linux') return { missing: `namespaces need Linux (this is ${process.platform})` };
  const unshare = findTool('unshare');
  if (!unshare) return { missing: 'the unshare tool (util-linux) is not installed' };
  const prlimit = findTool('prlimit');
  const setpriv = findTool('setpriv');
  if (asRoot && !setpriv) return { missing: 'the setpriv tool (util-linux) is needed to drop root in the sandbox' };
  const wrapper = [
    ...parentDeathGuard(),
    ...(asRoot ? [unshare, '--net', '--pid', '--fork', '--kill-child'] : [unshare, '--map-root-user', '--net', '--pid', '--fork', '--kill-child']),
  ];
  const features = ['no network (empty network namespace)', 'own pid namespace'];
  if (parentDeathGuard().length) features.push('dies with the worker');
  // No core dumps and no file may grow past 0 bytes: a write that got past Node still fails.
  if (prlimit) {
    wrapper.push(prlimit, `--cpu=${SANDBOX_CPU_SECONDS}`, '--fsize=0', '--core=0', '--nofile=256');
    features.push('rlimits (cpu, fsize=0, core=0)');
  }
  if (asRoot && setpriv) {
    // Changing the uid clears the parent-death signal that `unshare --kill-child` set; set it again.
    wrapper.push(setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups', '--no-new-privs', '--pdeathsig', 'KILL');
    features.push(`uid ${SANDBOX_UID}`);
  }
  return { wrapper, features };
}

// Runs inside the wrapper: reads the files a sandbox needs and reports the interfaces it sees.
const PROBE = `
const fs = require('fs');
for (const f of JSON.parse(process.argv[1])) fs.closeSync(fs.openSync(f, 'r'));
process.stdout.write(JSON.stringify(Object.keys(require('os').networkInterfaces())));
`;

let cached: Map<string, SandboxIsolation> | undefined;

/** Whether "other" (uid 65534 owns nothing) may read `file` and pass through every folder above it. */
export function readableByOthers(file: string): boolean {
  try {
    const real = fs.realpathSync(file);
    const st = fs.statSync(real);
    if (!(st.mode & 0o004) || (st.isDirectory() && !(st.mode & 0o001))) return false;
    for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
      if (!(fs.statSync(dir).mode & 0o001)) return false;
      if (dir === path.dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

/** The line of a failed Node start that names the problem (not the trailing "Node.js v20…"). */
export function failureLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^([A-Z]\w*)?Error\b|: (Permission denied|No such file|cannot|failed)/i.test(l));
  const resource = lines.find((l) => /^(resource|path):/.test(l));
  return [error ?? lines.filter((l) => !/^Node\.js v/.test(l)).slice(-1)[0] ?? '', resource].filter(Boolean).join(' ');
}

/** Why the wrapper failed, in words that say what to do. */
function wrapperFailure(asRoot: boolean, readable: string[], nodeBinary: string, stderr: string): string {
  const hidden = asRoot ? [nodeBinary, ...readable].filter((f) => !readableByOthers(f)) : [];
  if (hidden.length) {
    return `the sandbox runs as uid ${SANDBOX_UID}, which cannot read ${hidden.join(', ')} (a folder above it is closed to others). ` +
      'Install PAR where others may read it, or let PAR stage these files under the OS temp dir (TMPDIR must be open to others, as /tmp is)';
  }
  return `the namespace wrapper failed: ${failureLine(stderr)}`;
}

/**
 * Finds the strongest isolation this machine gives, by trying it: the wrapper must start Node,
 * the sandbox uid must be able to read `readable`, and the sandbox must see no network
 * interface but loopback. Cached per process and file list.
 */
export function detectIsolation(readable: string[], nodeBinary: string = process.execPath): SandboxIsolation {
  const key = JSON.stringify([nodeBinary, ...readable]);
  const hit = cached?.get(key);
  if (hit) return hit;
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const { wrapper, features, missing } = wrapperFor(asRoot);
  let result: SandboxIsolation;
  if (!wrapper) {
    result = { mode: 'permission-only', wrapper: parentDeathGuard(), description: 'Node permission model only', unavailableReason: missing };
  } else {
    const args = [...wrapper.slice(1), nodeBinary, '--experimental-permission', ...readable.map((f) => `--allow-fs-read=${f}`), '--no-warnings', '-e', PROBE, JSON.stringify(readable)];
    // cwd "/": the worker's own folder may be closed to the sandbox's uid.
    const probe = spawnSync(wrapper[0], args, { env: {}, cwd: '/', encoding: 'utf8', timeout: 15_000 });
    let interfaces: string[] | undefined;
    try {
      interfaces = JSON.parse(probe.stdout) as string[];
    } catch {
      interfaces = undefined;
    }
    if (probe.status !== 0 || !interfaces) {
      const why = wrapperFailure(asRoot, readable, nodeBinary, probe.stderr || probe.error?.message || `exit ${probe.status}`);
      result = { mode: 'permission-only', wrapper: parentDeathGuard(), description: 'Node permission model only', unavailableReason: why };
    } else if (interfaces.some((name) => name !== 'lo')) {
      result = { mode: 'permission-only', wrapper: parentDeathGuard(), description: 'Node permission model only', unavailableReason: `the network namespace still shows interfaces ${interfaces.join(', ')}` };
    } else {
      result = { mode: 'namespaces', wrapper, description: ['Node permission model', ...(features ?? [])].join(', ') };
    }
  }
  (cached ??= new Map()).set(key, result);
  return result;
}
