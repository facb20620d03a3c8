import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export interface RecordedHistory {
  file: string;
  workflowId: string;
  history: temporal.api.history.v1.IHistory;
}

/** Every history JSON committed under test/histories (recorded with `par flow history`). */
export function loadRecordedHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
  return files.sort().map((rel) => {
    const file = path.join(dir, rel);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { file: rel, workflowId: path.basename(rel, '.json'), history: historyFromJSON(json) };
  });
}
