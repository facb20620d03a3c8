import type { JsonValue } from '../flow/types';
import { searchVaults } from './vault-search';
import { next, type NodeSpec } from './node-spec';

/** Vault search into a variable: one vault, a list of vaults, or per-vault minimums. */
export const retrieveNode: NodeSpec = {
  type: 'retrieve',
  shape(p) {
    p.str('vault');
    const vaults = p.raw('vaults');
    if (vaults !== undefined && !Array.isArray(vaults) && (typeof vaults !== 'object' || vaults === null)) {
      p.report('params.vaults', 'must be a list of vault names or a map of vault name to minimum (null = fill only)');
    }
    p.num('n', { min: 1, max: 100, integer: true });
    p.bool('smartHistorySearch');
    const variable = p.str('variable') ?? 'context';
    return { outputs: ['next'], writes: [variable], templates: { 'params.query': p.str('query'), 'params.vault': p.str('vault') } };
  },
  async run(_node, p, engine) {
    const vaults = p.raw('vaults') as string[] | Record<string, number | null> | undefined;
    const vault = vaults ? undefined : engine.vault(p);
    if (!vault && !vaults) throw new Error('no vault: set params.vault, params.vaults or the flow default vault');
    const query = engine.render(p.str('query') ?? '{message}');
    const result = await searchVaults({
      vault,
      vaults,
      query,
      n: p.num('n') ?? 4,
      history: engine.history(),
      smartHistorySearch: p.bool('smartHistorySearch') ?? false,
      model: engine.model(p),
    });
    const items: JsonValue = result.items.map((i) => ({ id: i.id, vault: i.vault, text: i.text, score: i.score, metadata: i.metadata }));
    engine.setVariable(p.str('variable') ?? 'context', items);
    engine.detail({ searchQuery: result.searchQuery, items: result.items.length, ...(result.shortfalls?.length ? { shortfalls: result.shortfalls as unknown as JsonValue } : {}) });
    return next();
  },
};
