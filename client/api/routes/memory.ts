import { memoryResource, requireVault } from '../access';
import { badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { MemoryPort } from '../services';

function intQuery(query: URLSearchParams, name: string, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest('invalid_query', `query parameter ${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return n;
}

export function registerMemoryRoutes(router: Router, memory: MemoryPort): void {
  router.add('GET', '/v1/memories/{tenant}', async ({ principal, params, query }) => {
    requireVault(principal, memoryResource(params.tenant), 'read');
    const entries = await memory.vault.list({
      tenant: params.tenant,
      scope: query.get('scope') ?? undefined,
      deleted: query.get('deleted') === 'true',
      limit: intQuery(query, 'limit', 1000),
    });
    return { entries };
  });

  router.add(
    'POST',
    '/v1/memories/{tenant}',
    async ({ principal, params, body }) => {
      requireVault(principal, memoryResource(params.tenant), 'write');
      return memory.vault.save({ tenant: params.tenant, content: body.content, scope: body.scope, id: body.id });
    },
    { body: 'MemorySaveRequest', status: 201 },
  );

  router.add(
    'POST',
    '/v1/memories/{tenant}/search',
    async ({ principal, params, body }) => {
      requireVault(principal, memoryResource(params.tenant), 'read');
      return memory.vault.search({ tenant: params.tenant, query: body.query, limit: body.limit, minSimilarity: body.minSimilarity, scopes: body.scopes, rerank: body.rerank });
    },
    { body: 'MemorySearchRequest' },
  );

  router.add('GET', '/v1/memories/{tenant}/{id}', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'read');
    return memory.vault.get(params.tenant, params.id);
  });

  router.add(
    'PATCH',
    '/v1/memories/{tenant}/{id}',
    async ({ principal, params, body }) => {
      requireVault(principal, memoryResource(params.tenant), 'write');
      return memory.vault.update({ tenant: params.tenant, id: params.id, content: body.content, scope: body.scope });
    },
    { body: 'MemoryEditRequest' },
  );

  router.add('DELETE', '/v1/memories/{tenant}/{id}', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'write');
    return memory.vault.delete({ tenant: params.tenant, id: params.id });
  });

  router.add('POST', '/v1/memories/{tenant}/{id}/restore', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'write');
    return memory.vault.restore({ tenant: params.tenant, id: params.id });
  });

  router.add('GET', '/v1/facts/{tenant}/{namespace}', async ({ principal, params, query }) => {
    requireVault(principal, memoryResource(params.tenant), 'read');
    return { facts: await memory.facts.list({ tenant: params.tenant, namespace: params.namespace, prefix: query.get('prefix') ?? undefined, limit: intQuery(query, 'limit', 1000) }) };
  });

  router.add('GET', '/v1/facts/{tenant}/{namespace}/{key}', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'read');
    const fact = await memory.facts.get(params.tenant, params.namespace, params.key);
    if (!fact) throw notFound('fact_not_found', `tenant "${params.tenant}" has no fact "${params.key}" in namespace "${params.namespace}"`);
    return fact;
  });

  router.add(
    'PUT',
    '/v1/facts/{tenant}/{namespace}/{key}',
    async ({ principal, params, body }) => {
      requireVault(principal, memoryResource(params.tenant), 'write');
      return memory.facts.put({ tenant: params.tenant, namespace: params.namespace, key: params.key, value: body.value });
    },
    { body: 'FactPutRequest' },
  );

  router.add('DELETE', '/v1/facts/{tenant}/{namespace}/{key}', async ({ principal, params }) => {
    requireVault(principal, memoryResource(params.tenant), 'write');
    const deleted = await memory.facts.delete(params.tenant, params.namespace, params.key);
    if (!deleted) throw notFound('fact_not_found', `tenant "${params.tenant}" has no fact "${params.key}" in namespace "${params.namespace}"`);
    return { deleted: params.key };
  });

  router.add(
    'POST',
    '/v1/facts/{tenant}/search',
    async ({ principal, params, body }) => {
      requireVault(principal, memoryResource(params.tenant), 'read');
      // `text` is the deprecated name of `query` (openapi.json says so); the schema takes exactly one.
      const query: string = body.query ?? body.text;
      return { facts: await memory.facts.similar(params.tenant, query, body.limit ?? 5, body.minSimilarity ?? 0.1) };
    },
    { body: 'FactSearchRequest' },
  );
}
