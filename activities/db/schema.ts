/** The tables of each store group, as the stores read and write them (one definition, both dialects). */

export interface MemoryTables {
  memory_vault_entries: { tenant: string; id: string; scope: string; content: string; created: string; updated: string; deleted: string | null };
  memory_vault_commits: { tenant: string; plan_id: string; entry_id: string; committed: string };
  /** One row per (tenant, scope): saves of one topic take its row lock, so concurrent saves merge instead of duplicating. */
  memory_vault_locks: { tenant: string; scope: string; taken: string };
  facts: { tenant: string; namespace: string; key: string; value: string; created: string; updated: string };
  conversation_chunks: {
    tenant: string;
    id: string;
    session_id: string;
    message_index: number;
    chunk_index: number;
    role: string;
    text: string;
    created: string;
  };
  session_messages: {
    tenant: string;
    session_id: string;
    seq: number;
    role: string;
    content: string;
    tool_call_id: string | null;
    tool_calls: string | null;
    created: string;
  };
  reasoning_items: {
    tenant: string;
    id: string;
    title: string;
    description: string;
    content: string;
    task_signature: string;
    anti_patterns: string;
    evidence_run_ids: string;
    confidence: number;
    created: string;
    updated: string;
    last_used: string | null;
    last_decay: string | null;
  };
  memory_learned_runs: { tenant: string; run_id: string; result: string; finished: string };
  /** Per vector collection: how its texts were indexed (JSON), fixed when it was first used. */
  memory_collection_settings: { collection: string; settings: string; created: string };
}

export interface VaultTables {
  vault_settings: { vault: string; personality: string | null; prompt_template: string | null };
  kv: { namespace: string; key: string; value: string; updated: string };
  ingest_jobs: { ingest_id: string; vault: string; total: number; created: string };
  ingest_chunks: { ingest_id: string; idx: number; text: string; start: number; end: number };
  /** One holder at a time for a named piece of work, across hosts (leases.ts). */
  leases: { name: string; owner: string; expires_at: string };
}

export interface KeyTables {
  api_keys: {
    id: string;
    name: string;
    hash: string;
    grants: string;
    created_at: string;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  studio_signin_tokens: { hash: string; created_at: string; expires_at: string; used_at: string | null; key_id: string | null };
}

export interface FlowTables {
  flow_versions: { flow_id: string; version: number; definition: string; created_at: string; created_by: string; message: string | null; layout: string | null };
  flows: { flow_id: string; latest: number; deleted_at: string | null; deleted_by: string | null };
}

export interface GroupTables {
  memory: MemoryTables;
  vaults: VaultTables;
  keys: KeyTables;
  flows: FlowTables;
}
