import type { ReasoningItem } from '../../../activities/memory/contracts';
import { MemoryNotFoundError } from '../../../activities/memory/errors';
import { memoryResource, requireVault } from '../access';
import { ApiError, badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { MemoryPort, ReasoningPort } from '../services';

/** Items listed when the request names no limit. */
const DEFAULT_REASONING_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

function limitQuery(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null) return DEFAULT_REASONING_LIST_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT) throw badRequest('invalid_query', `query parameter limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got "${raw}"`);
  return n;
}

/** The item, or undefined when the tenant has none with this id. */
async function findItem(bank: ReasoningPort, tenant: string, id: string): Promise<ReasoningItem | undefined> {
  try {
    return await bank.get(tenant, id);
  } catch (err) {
    if (err instanceof MemoryNotFoundError) return undefined;
    throw err;
  }
}

const itemNotFound = (tenant: string, id: string) => notFound('reasoning_item_not_found', `tenant "${tenant}" has no reasoning item "${id}"`);

/**
 * The ReasoningBank's management routes: list, get, search (the advice a run with that task
 * signature would get) and delete. They are routed with the memory group; an API process whose
 * memory services have no ReasoningBank answers them with 503 reasoning_unavailable.
 */
export function registerReasoningRoutes(router: Router, memory: MemoryPort): void {
  const bank = (): ReasoningPort => {
    if (!memory.reasoning) throw new ApiError(503, 'reasoning_unavailable', 'this API process has no ReasoningBank');
    return memory.reasoning;
  };

  // Highest confidence first, then most recently updated (ReasoningBank.list's order).
  router.add('GET', '/v1/reasoning/{tenant}', async ({ principal, params, query }) => {
    requireVault(principal, memoryResource(params.tenant), 'read');
    const limit = limitQuery(query);
    const all = await bank().list(params.tenant);
    return { items: all.slice(0, limit), total: all.length };
  });

  router.add(
    'POST',
    '/v1/reasoning/{tenant}/search',
    async ({ principal, params, body }) => {
      requireVault(principal, memoryResource(params.tenant), 'read');
      const task = String(body.task);
      if (!task.trim()) throw badRequest('invalid_body', 'body.task must not be blank');
      // Read-only: unlike a run, a search does not mark the items used.
      return { items: await bank().retrieve(params.tenant, task, body.limit) };
    },
    { body: 'ReasoningSearchRequest' },
  );

  router.add('GET', '/v1/reasoning/{tenant}/{id}', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'read');
    const item = await findItem(bank(), params.tenant, params.id);
    if (!item) throw itemNotFound(params.tenant, params.id);
    return item;
  });

  router.add('DELETE', '/v1/reasoning/{tenant}/{id}', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'write');
    const item = await findItem(bank(), params.tenant, params.id);
    if (!item) throw itemNotFound(params.tenant, params.id);
    await bank().delete(params.tenant, [params.id]);
    return { deleted: params.id, item };
  });
}
