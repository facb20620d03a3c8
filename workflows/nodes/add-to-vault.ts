import type { JsonValue } from '../flow/types';
import { vaultActivities } from '../flow/activities';
import { next, type NodeSpec } from './node-spec';
import { VAULT_PARAM, variableParam } from './param-specs';

/** Adds text (chunked and embedded by the vault) with metadata; item ids can go into a variable. */
export const addToVaultNode: NodeSpec = {
  type: 'add_to_vault',
  title: 'Add to vault',
  category: 'data',
  description: 'Adds text (chunked and embedded by the vault) with metadata; item ids can go into a variable.',
  params: [
    { name: 'text', kind: 'template', required: true, description: 'the text to add', example: '{message}' },
    { ...VAULT_PARAM, description: 'vault to add to (may be a {variable} template); the flow default vault when absent' },
    { name: 'metadata', kind: 'object', description: 'metadata of the item (string values are templates)', example: { source: 'chat' } },
    variableParam('variable the new item ids are written to'),
  ],
  outputs: { names: ['next'] },
  shape(p) {
    const vault = p.str('vault');
    p.object('metadata');
    const variable = p.str('variable');
    return { outputs: ['next'], vaults: [{ vault, level: 'write', field: 'params.vault' }], writes: variable ? [variable] : [], templates: { 'params.text': p.str('text', { required: true }), 'params.vault': p.str('vault') } };
  },
  async run(_node, p, engine) {
    const vault = engine.vault(p);
    if (!vault) throw new Error('no vault: set params.vault or the flow default vault');
    const metadata = engine.renderValue(p.object('metadata') ?? {}) as Record<string, JsonValue>;
    const r = await vaultActivities().vaultAdd({ vault, text: engine.render(p.str('text')!), metadata });
    const variable = p.str('variable');
    if (variable) engine.setVariable(variable, r.ids);
    engine.detail({ vault, items: r.ids.length });
    return next();
  },
};
