import type { FlowDefinition } from '../../workflows/flow/types';
import { nodeShape } from '../../workflows/nodes/catalogue';
import { canVault, type Principal, type VaultLevel } from './auth/grants';
import { forbidden } from './errors';
import { memoryResource } from './access';

// A run reads and writes the vaults and memories its flow names, on the worker, where no key is
// checked. So before a key starts a run (or a session turn), every vault the flow and the flows
// it may start can touch must be within the key's grants; otherwise a key allowed to run flows
// could read any vault through a flow (an inline definition, or a registered flow's variables).
// What each node touches is said by its node type's spec (NodeShape.vaults).

interface VaultUse {
  vault: string;
  level: VaultLevel;
  where: string;
}

function vaultUses(def: FlowDefinition): VaultUse[] {
  const uses: VaultUse[] = [];
  const fallback = def.defaults?.vault;
  if (fallback) uses.push({ vault: fallback, level: 'read', where: `flow "${def.id}" defaults.vault` });
  for (const node of Array.isArray(def.nodes) ? def.nodes : []) {
    for (const touch of nodeShape(node)?.vaults ?? []) {
      const vault = touch.vault ?? fallback;
      if (vault) uses.push({ vault, level: touch.level, where: `flow "${def.id}" node "${node.id}" ${touch.vault ? touch.field : 'defaults.vault'}` });
    }
  }
  return uses;
}

/** Throws 403 naming the first vault or memory tenant the run could reach that the key may not. */
export function requireFlowDataAccess(p: Principal, defs: FlowDefinition[], tenant: string | undefined): void {
  if (p.unrestricted) return;
  for (const def of defs) {
    for (const use of vaultUses(def)) {
      // A templated name ("{customer}_docs") is decided by run data: only an every-vault grant covers it.
      const target = use.vault.includes('{') ? '*' : use.vault;
      if (!canVault(p, target, use.level)) {
        throw forbidden(
          target === '*'
            ? `${use.where} is a template ("${use.vault}"): running it needs --grant '*:${use.level}'`
            : `API key ${p.keyId} has no ${use.level} access to vault "${use.vault}", which ${use.where} uses`,
        );
      }
    }
    if (def.memory && def.memory.mode !== 'none') {
      const t = tenant ?? 'local';
      if (!canVault(p, memoryResource(t), 'write')) {
        throw forbidden(`flow "${def.id}" uses memory (mode ${def.memory.mode}) of tenant "${t}": the key needs --grant memory:${t}:write`);
      }
    }
  }
}
