import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { RunStatus } from './flow/types';

// Custom search attributes that let the Web UI and `par flow list` filter runs.
// `npm start` and the test server register them; for a real cluster see docs/deploy.md.
export const FLOW_ID = defineSearchAttributeKey('ParFlowId', SearchAttributeType.KEYWORD);
export const FLOW_VERSION = defineSearchAttributeKey('ParFlowVersion', SearchAttributeType.KEYWORD);
export const RUN_STATUS = defineSearchAttributeKey('ParStatus', SearchAttributeType.KEYWORD);
export const SESSION_ID = defineSearchAttributeKey('ParSessionId', SearchAttributeType.KEYWORD);
/** The flow store's version a run started with (absent for flows from files and inline definitions). */
export const FLOW_STORE_VERSION = defineSearchAttributeKey('ParFlowStoreVersion', SearchAttributeType.INT);

export const PAR_SEARCH_ATTRIBUTES = [FLOW_ID, FLOW_VERSION, RUN_STATUS, SESSION_ID, FLOW_STORE_VERSION];

/** What a run is tagged with; a new search attribute is one more field here and one more pair below. */
export interface RunTags {
  flow: { id: string; version: string };
  status: RunStatus;
  sessionId?: string;
  /** The flow store's version the run started with (absent for flow files and inline definitions). */
  storeVersion?: number;
}

/** The one place a run's search attributes are built: for client starts, child starts and the workflow's own upserts. */
export function runSearchAttributes(tags: RunTags): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: FLOW_ID, value: tags.flow.id },
    { key: FLOW_VERSION, value: tags.flow.version },
    { key: RUN_STATUS, value: tags.status },
  ];
  if (tags.sessionId) pairs.push({ key: SESSION_ID, value: tags.sessionId });
  if (tags.storeVersion !== undefined) pairs.push({ key: FLOW_STORE_VERSION, value: tags.storeVersion });
  return pairs;
}

/** The status alone, for the workflow's upserts as the run moves between states. */
export function statusSearchAttribute(status: RunStatus): SearchAttributePair[] {
  return [{ key: RUN_STATUS, value: status }];
}
