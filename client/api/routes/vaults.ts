import type { VaultItem, VaultSearchRequest } from '../../../activities/contracts';
import { readableVaults } from '../auth/grants';
import { requireVault, vaultNames } from '../access';
import { badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { VaultsPort } from '../services';

/** The search request of the vaultSearch activity, minus the vaults (they come from the path or body). */
type SearchBody = Omit<VaultSearchRequest, 'vault' | 'vaults'>;

function limitParam(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw badRequest('invalid_query', `query parameter limit must be an integer from 1 to 10000, got "${raw}"`);
  return n;
}

export function registerVaultRoutes(router: Router, vaults: VaultsPort): void {
  const searchText = (b: SearchBody) => vaults.searchQuery(b.query, b.history, { smart: b.smartHistorySearch, model: b.model });

  router.add('GET', '/v1/vaults', async ({ principal }) => {
    const readable = readableVaults(principal);
    const all = await vaults.listVaults();
    return { vaults: readable === 'all' ? all : all.filter((v) => readable.includes(v.name)) };
  });

  router.add(
    'POST',
    '/v1/vaults/{vault}/items',
    async ({ principal, params, body }) => {
      requireVault(principal, params.vault, 'write');
      const items = await vaults.add(params.vault, body.text, body.metadata);
      return { ids: items.map((i) => i.id), items };
    },
    { body: 'AddItemRequest', status: 201 },
  );

  router.add('GET', '/v1/vaults/{vault}/items', async ({ principal, params, query }) => {
    requireVault(principal, params.vault, 'read');
    const page = await vaults.listItems(params.vault, { limit: limitParam(query), cursor: query.get('cursor') ?? undefined });
    return { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
  });

  router.add('GET', '/v1/vaults/{vault}/items/{item}', async ({ principal, params }) => {
    requireVault(principal, params.vault, 'read');
    const { items } = await vaults.getItems(params.vault, [params.item]);
    if (!items[0]) throw notFound('item_not_found', `vault "${params.vault}" has no item "${params.item}"`);
    return items[0];
  });

  router.add(
    'PATCH',
    '/v1/vaults/{vault}/items/{item}',
    async ({ principal, params, body }) => {
      requireVault(principal, params.vault, 'write');
      let item: VaultItem | undefined;
      if (body.text !== undefined) item = await vaults.editText(params.vault, params.item, body.text);
      if (body.metadata !== undefined) item = await vaults.editMetadata(params.vault, params.item, body.metadata);
      return item;
    },
    { body: 'EditItemRequest' },
  );

  router.add('DELETE', '/v1/vaults/{vault}/items/{item}', async ({ principal, params }) => {
    requireVault(principal, params.vault, 'write');
    const { deleted } = await vaults.deleteItems(params.vault, [params.item]);
    if (!deleted.length) throw notFound('item_not_found', `vault "${params.vault}" has no item "${params.item}"`);
    return { deleted: params.item };
  });

  router.add(
    'POST',
    '/v1/vaults/{vault}/search',
    async ({ principal, params, body }) => {
      requireVault(principal, params.vault, 'read');
      const searchQuery = await searchText(body);
      const items = await vaults.getSimilar(params.vault, searchQuery, { n: body.n, filter: body.filter, rerank: body.rerank });
      return { items, searchQuery };
    },
    { body: 'VaultSearchBody' },
  );

  router.add(
    'POST',
    '/v1/search',
    async ({ principal, body }) => {
      for (const name of vaultNames(body.vaults)) requireVault(principal, name, 'read');
      const searchQuery = await searchText(body);
      const { items, shortfalls } = await vaults.getSimilarFromVaults(searchQuery, body.vaults, { n: body.n, filter: body.filter, rerank: body.rerank });
      return { items, searchQuery, shortfalls };
    },
    { body: 'CrossVaultSearchBody' },
  );

  router.add('GET', '/v1/vaults/{vault}/export', async ({ principal, params }) => {
    requireVault(principal, params.vault, 'read');
    return vaults.exportVault(params.vault);
  });

  router.add(
    'POST',
    '/v1/vaults/{vault}/import',
    async ({ principal, params, body }) => {
      requireVault(principal, params.vault, 'admin');
      return vaults.importVault(body, params.vault);
    },
    { body: 'ImportBody' },
  );
}
