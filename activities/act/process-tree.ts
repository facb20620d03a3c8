import fs from 'node:fs';

const PAGE_BYTES = 4096;

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function residentBytes(pid: number): number {
  try {
    // statm: size resident shared ... in pages
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/**
 * Resident memory of a process and all its descendants, read from /proc (Linux). The sandbox's
 * Node runs under one or two wrapper processes, so the tree is summed. Returns undefined where
 * /proc is unavailable.
 */
export function treeResidentBytes(rootPid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  let total = 0;
  const stack = [rootPid];
  for (let guard = 0; stack.length && guard < 64; guard++) {
    const pid = stack.pop()!;
    total += residentBytes(pid);
    stack.push(...childrenOf(pid));
  }
  return total;
}
