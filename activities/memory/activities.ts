import { toActivityFailure } from '../common/activity-failure';
import type {
  ContextAppendRequest,
  ContextLoadRequest,
  ConversationIndexRequest,
  ConversationSearchRequest,
  FactListRequest,
  FactPutRequest,
  MemoryLearnAfterRunRequest,
  MemoryLoadContextRequest,
  MemoryVaultListRequest,
  MemoryVaultSaveRequest,
  MemoryVaultSearchRequest,
  SavePlan,
} from './contracts';
import { onceUntilFailure } from '../common/once-until-failure';
import { MemoryError } from './errors';
import { createMemoryServices, type MemoryDeps, type MemoryServices } from './services';

/**
 * The memory activities the flow engine calls. The stores open on the first call and are shared
 * by every activity of the worker process. Bad input and unknown ids leave as non-retryable
 * ApplicationFailures whose type is the error class (MemoryInputError, MemoryNotFoundError).
 */
export function createMemoryActivities(deps: MemoryDeps = {}) {
  // With the defaults, every activity set of the process shares one set of stores and one model.
  const get = Object.keys(deps).length ? onceUntilFailure(() => createMemoryServices(deps)) : sharedMemoryServices;
  const run = async <T>(fn: (s: MemoryServices) => T | Promise<T>): Promise<T> => {
    const s = await get();
    try {
      return await fn(s);
    } catch (err) {
      if (err instanceof MemoryError) throw toActivityFailure(err);
      throw err;
    }
  };

  return {
    /** Decides add vs update (same-topic merge) and fixes the ids; writes nothing. */
    memoryVaultPlanSave: (req: MemoryVaultSaveRequest) => run((s) => s.vault.planSave(req)),
    /** Applies a plan; idempotent per planId. */
    memoryVaultCommitSave: (plan: SavePlan) => run((s) => s.vault.commitSave(plan)),
    memoryVaultSearch: (req: MemoryVaultSearchRequest) => run((s) => s.vault.search(req)),
    memoryVaultList: (req: MemoryVaultListRequest) => run((s) => s.vault.list(req)),
    memoryVaultDelete: (req: { tenant: string; id: string }) => run((s) => s.vault.delete(req)),
    memoryVaultRestore: (req: { tenant: string; id: string }) => run((s) => s.vault.restore(req)),
    conversationMemoryIndex: (req: ConversationIndexRequest) => run((s) => s.conversations.index(req)),
    conversationMemorySearch: (req: ConversationSearchRequest) => run((s) => s.conversations.search(req)),
    factPut: (req: FactPutRequest) => run((s) => s.facts.put(req)),
    factGet: (req: { tenant: string; namespace: string; key: string }) => run(async (s) => (await s.facts.get(req.tenant, req.namespace, req.key)) ?? null),
    factList: (req: FactListRequest) => run((s) => s.facts.list(req)),
    factDelete: (req: { tenant: string; namespace: string; key: string }) => run(async (s) => ({ deleted: await s.facts.delete(req.tenant, req.namespace, req.key) })),
    contextAppend: (req: ContextAppendRequest) => run((s) => s.context.append(req)),
    contextLoad: (req: ContextLoadRequest) => run((s) => s.context.load(req)),
    memoryLoadContext: (req: MemoryLoadContextRequest) => run((s) => s.runtime.loadContext(req)),
    memoryLearnAfterRun: (req: MemoryLearnAfterRunRequest) => run((s) => s.runtime.learnAfterRun(req)),
  };
}

/** The stores open once per process; a failed open is forgotten so the next activity attempt retries it. */
export const sharedMemoryServices = onceUntilFailure(() => createMemoryServices({}));

export type MemoryActivities = ReturnType<typeof createMemoryActivities>;
