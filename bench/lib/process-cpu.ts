// CPU time of a process and its descendants, from /proc (Linux): which process pays for an
// operation (the Temporal server, the worker, the client) when wall time alone is ambiguous.
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function statOf(pid: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/**
 * This process's user + system CPU milliseconds plus those of its children that have exited and
 * been reaped (a child run to completion, such as a load generator, lands in the latter).
 */
export function ownAndReapedChildrenCpuMs(): number {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
}

/** User + system CPU milliseconds used so far by pid and every live descendant. */
export function treeCpuMs(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const p = Number(entry);
    if (!Number.isInteger(p)) continue;
    const s = statOf(p);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), p]);
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += statOf(p)?.cpuMs ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** CPU milliseconds of one process's threads, split by who runs on them. */
export interface ThreadsCpu {
  /** The process's main thread: for a Temporal worker, the activities and the calls into Core. */
  main: number;
  /** Temporal Core's own (Rust) threads: its tokio runtime and workflow processing threads. */
  core: number;
  /** The other threads: for a Temporal worker, the workflow threads (the sandbox) and V8's helpers (GC, compiling). */
  other: number;
  total: number;
}

const CORE_THREADS = /^(tokio-runtime|workflow-proces|temporal-)/;

/**
 * The live threads of one process: the CPU each has used so far, from the scheduler's nanosecond
 * counter (/proc/PID/task/TID/schedstat), and what `read` takes from its /proc directory. A thread
 * that ends while it is read is left out.
 */
function threadSamples<T>(pid: number, read: (dir: string) => T): { tid: number; cpuMs: number; info: T }[] {
  const out: { tid: number; cpuMs: number; info: T }[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const dir = `/proc/${pid}/task/${tid}`;
    try {
      out.push({ tid: Number(tid), cpuMs: Number(fs.readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]) / 1e6, info: read(dir) });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * CPU milliseconds used so far by the live threads of one process, from the scheduler's
 * nanosecond counters: fine enough to split a few milliseconds between operations, where the
 * tick counts of treeCpuMs (10 ms) are not.
 */
export function threadsCpu(pid: number): ThreadsCpu {
  const out: ThreadsCpu = { main: 0, core: 0, other: 0, total: 0 };
  for (const t of threadSamples(pid, (dir) => fs.readFileSync(`${dir}/comm`, 'utf8').trim())) {
    out[t.tid === pid ? 'main' : CORE_THREADS.test(t.info) ? 'core' : 'other'] += t.cpuMs;
    out.total += t.cpuMs;
  }
  return out;
}

/** CPU milliseconds of one process's threads, with the local embedding model's threads apart. */
export interface ModelThreadsCpu {
  /** The event loop's thread (HTTP, searches, the calls to the model). */
  main: number;
  /** Threads running below the process's priority: the local model's (PAR_EMBEDDING_NICE). */
  model: number;
  modelThreads: number;
  /** V8's helpers (GC, compiling), libuv's pool, Temporal Core's threads. */
  other: number;
}

/** As threadsCpu, telling the model's threads by their nice value (stat field 19). */
export function modelThreadsCpu(pid: number): ModelThreadsCpu {
  const out: ModelThreadsCpu = { main: 0, model: 0, modelThreads: 0, other: 0 };
  const niceOf = (dir: string) => {
    const stat = fs.readFileSync(`${dir}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  };
  for (const t of threadSamples(pid, niceOf)) {
    if (t.tid === pid) out.main += t.cpuMs;
    else if (t.info > 0) {
      out.model += t.cpuMs;
      out.modelThreads++;
    } else out.other += t.cpuMs;
  }
  return out;
}
