/**
 * Where the LoCoMo data set is: shared/data/locomo beside the project (a clone in ../, or a
 * worktree in ../../). It is read in place, never copied into the repo (CC BY-NC 4.0).
 */
import fs from 'node:fs';
import path from 'node:path';

export function locomoFile(): string {
  const candidates = [path.resolve(__dirname, '../../../shared/data/locomo/locomo10.json'), path.resolve(__dirname, '../../../../shared/data/locomo/locomo10.json')];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0]!;
}
