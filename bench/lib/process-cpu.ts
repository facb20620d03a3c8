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

/**
 * CPU milliseconds used so far by the live threads of one process, from the scheduler's
 * nanosecond counters (/proc/PID/task/TID/schedstat): fine enough to split a few milliseconds
 * between operations, where the tick counts of treeCpuMs (10 ms) are not.
 */
export function threadsCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}
