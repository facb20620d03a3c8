import { searchActivities } from '../flow/integration-activities';
import { next, type NodeSpec } from './node-spec';
import { VAULT_PARAM, variableParam } from './param-specs';
import { allowHostsOf, noSecrets } from './outside-world';

export const WEB_SEARCH_DEFAULT_RESULTS = 5;

/**
 * Searches the web with the provider the worker is configured for (Brave or Tavily) and puts
 * [{title, url, snippet}] into `variable`. With `vault`, each result page on a host in the flow's
 * allowHosts is fetched and its text added to that vault.
 */
export const webSearchNode: NodeSpec = {
  type: 'web_search',
  title: 'Web search',
  category: 'integration',
  description: "Searches the web (the worker's provider: Brave or Tavily); results [{title, url, snippet}] into a variable, pages optionally into a vault.",
  params: [
    { name: 'query', kind: 'template', required: true, description: 'what to search for', example: 'refund policy {greeting}' },
    variableParam('variable the results [{title, url, snippet}] are written to', { required: true }),
    { name: 'n', kind: 'integer', default: WEB_SEARCH_DEFAULT_RESULTS, min: 1, max: 20, description: 'number of results', example: 3 },
    { ...VAULT_PARAM, description: "vault the result pages' text is added to (pages on hosts in the flow's allowHosts only); none when absent" },
    { name: 'maxPageBytes', kind: 'integer', default: 1_000_000, min: 1, max: 10_000_000, description: 'larger pages are skipped', example: 200_000 },
  ],
  outputs: { names: ['next'] },
  shape(p) {
    const query = p.str('query', { required: true });
    noSecrets(p, 'params.query', query);
    const variable = p.str('variable', { required: true });
    p.num('n', { min: 1, max: 20, integer: true });
    const vault = p.str('vault');
    p.num('maxPageBytes', { min: 1, max: 10_000_000, integer: true });
    return { outputs: ['next'], writes: variable ? [variable] : [], vaults: vault ? [{ vault, level: 'write', field: 'params.vault' }] : [], templates: { 'params.query': query, 'params.vault': vault } };
  },
  async run(_node, p, engine) {
    const vault = p.str('vault');
    const result = await searchActivities().webSearch({
      query: engine.render(p.str('query')!),
      n: p.num('n') ?? WEB_SEARCH_DEFAULT_RESULTS,
      vault: vault ? engine.render(vault) : undefined,
      allowHosts: allowHostsOf(engine.definition),
      maxPageBytes: p.num('maxPageBytes'),
    });
    engine.setVariable(p.str('variable')!, result.results.map((r) => ({ title: r.title, url: r.url, snippet: r.snippet })));
    engine.detail({
      provider: result.provider,
      results: result.results.length,
      ...(result.pages ? { pagesAdded: result.pages.filter((x) => x.ids).length, pagesSkipped: result.pages.filter((x) => x.skipped).map((x) => `${x.url}: ${x.skipped}`).slice(0, 10) } : {}),
    });
    return next();
  },
};
