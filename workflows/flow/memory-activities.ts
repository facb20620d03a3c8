// Proxies for the memory activities (activities/memory), with the vault activities' policy:
// short, idempotent calls (a save is two-phase, so a retried commit never writes twice).
import { proxyActivities } from '@temporalio/workflow';
import type {
  ContextAppendRequest,
  ContextAppendResult,
  ConversationIndexRequest,
  ConversationIndexResult,
  ConversationSearchRequest,
  ConversationSearchResult,
  MemoryEntry,
  MemoryLearnAfterRunRequest,
  MemoryLearnAfterRunResult,
  MemoryLoadContextRequest,
  MemoryLoadContextResult,
  MemoryVaultSaveRequest,
  MemoryVaultSearchRequest,
  MemoryVaultSearchResult,
  SavePlan,
} from '../../activities/memory/contracts';
import { VAULT_ACTIVITY_OPTIONS } from './activities';

export interface MemoryActivities {
  memoryVaultPlanSave(req: MemoryVaultSaveRequest): Promise<SavePlan>;
  memoryVaultCommitSave(plan: SavePlan): Promise<MemoryEntry>;
  memoryVaultSearch(req: MemoryVaultSearchRequest): Promise<MemoryVaultSearchResult>;
  conversationMemorySearch(req: ConversationSearchRequest): Promise<ConversationSearchResult>;
  conversationMemoryIndex(req: ConversationIndexRequest): Promise<ConversationIndexResult>;
  memoryLoadContext(req: MemoryLoadContextRequest): Promise<MemoryLoadContextResult>;
  memoryLearnAfterRun(req: MemoryLearnAfterRunRequest): Promise<MemoryLearnAfterRunResult>;
  contextAppend(req: ContextAppendRequest): Promise<ContextAppendResult>;
}

let memory: MemoryActivities | undefined;

export function memoryActivities(): MemoryActivities {
  return (memory ??= proxyActivities<MemoryActivities>(VAULT_ACTIVITY_OPTIONS));
}
