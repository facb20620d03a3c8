import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes that let the Web UI and `par flow list` filter runs.
// `npm start` and the test server register them; for a real cluster see docs/deploy.md.
export const FLOW_ID = defineSearchAttributeKey('ParFlowId', SearchAttributeType.KEYWORD);
export const FLOW_VERSION = defineSearchAttributeKey('ParFlowVersion', SearchAttributeType.KEYWORD);
export const RUN_STATUS = defineSearchAttributeKey('ParStatus', SearchAttributeType.KEYWORD);
export const SESSION_ID = defineSearchAttributeKey('ParSessionId', SearchAttributeType.KEYWORD);
/** The flow store's version a run started with (absent for flows from files and inline definitions). */
export const FLOW_STORE_VERSION = defineSearchAttributeKey('ParFlowStoreVersion', SearchAttributeType.INT);

export const PAR_SEARCH_ATTRIBUTES = [FLOW_ID, FLOW_VERSION, RUN_STATUS, SESSION_ID, FLOW_STORE_VERSION];
