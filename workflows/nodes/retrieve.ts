import { awaiting } from '../flow/eventually';
import type { JsonValue } from '../flow/types';
import { searchVaults } from './vault-search';
import { next, type NodeSpec, type VaultTouch } from './node-spec';
import { MODEL_PARAM, VAULT_PARAM, variableParam } from './param-specs';

/** Vault search into a variable: one vault, a list of vaults, or per-vault minimums. */
export const retrieveNode: NodeSpec = {
  type: 'retrieve',
  title: 'Retrieve',
  category: 'data',
  description: 'Vault search into a variable: one vault, a list of vaults, or per-vault minimums.',
  params: [
    { name: 'query', kind: 'template', default: '{message}', description: 'search text', example: '{message}' },
    VAULT_PARAM,
    { name: 'vaults', kind: 'vaults', description: 'several vaults: a list of names, or name -> minimum items (null = fill only)', example: ['docs', 'faq'] },
    { name: 'n', kind: 'integer', default: 4, min: 1, max: 100, description: 'items to retrieve', example: 5 },
    { name: 'smartHistorySearch', kind: 'boolean', default: false, description: 'rewrite the query from the conversation history', example: true },
    variableParam('variable the items are written to', { default: 'context' }),
    MODEL_PARAM,
  ],
  outputs: { names: ['next'] },
  shape(p) {
    const vault = p.str('vault');
    const vaults = p.raw('vaults');
    let named: string[] | undefined;
    if (Array.isArray(vaults)) named = vaults.filter((v): v is string => typeof v === 'string');
    else if (vaults && typeof vaults === 'object') named = Object.keys(vaults);
    else if (vaults !== undefined) p.report('params.vaults', 'must be a list of vault names or a map of vault name to minimum (null = fill only)');
    p.str('model');
    p.num('n', { min: 1, max: 100, integer: true });
    p.bool('smartHistorySearch');
    const variable = p.str('variable') ?? 'context';
    const touched: VaultTouch[] = named ? named.map((v) => ({ vault: v, level: 'read', field: 'params.vaults' })) : [{ vault, level: 'read', field: 'params.vault' }];
    return { outputs: ['next'], writes: [variable], vaults: touched, templates: { 'params.query': p.str('query'), 'params.vault': p.str('vault') } };
  },
  run(_node, p, engine) {
    const vaults = p.raw('vaults') as string[] | Record<string, number | null> | undefined;
    const vault = vaults ? undefined : engine.vault(p);
    if (!vault && !vaults) throw new Error('no vault: set params.vault, params.vaults or the flow default vault');
    const query = engine.render(p.str('query') ?? '{message}');
    const search = searchVaults({
      vault,
      vaults,
      query,
      n: p.num('n') ?? 4,
      history: engine.history(),
      smartHistorySearch: p.bool('smartHistorySearch') ?? false,
      model: engine.model(p),
    });
    return awaiting(search, (result) => {
      const items: JsonValue = result.items.map((i) => ({ id: i.id, vault: i.vault, text: i.text, score: i.score, metadata: i.metadata }));
      engine.setVariable(p.str('variable') ?? 'context', items);
      engine.detail({ searchQuery: result.searchQuery, items: result.items.length, ...(result.shortfalls?.length ? { shortfalls: result.shortfalls as unknown as JsonValue } : {}) });
      return next();
    });
  },
};
