import { canFlow, canVault, type Principal, type VaultLevel } from './auth/grants';
import { forbidden } from './errors';

/** Throws 403 naming the vault and the level the key lacks. */
export function requireVault(p: Principal, vault: string, level: VaultLevel): void {
  if (!canVault(p, vault, level)) throw forbidden(`API key ${p.keyId} has no ${level} access to vault "${vault}"`);
}

export function requireFlow(p: Principal, flowId: string, action: string): void {
  if (!canFlow(p, flowId)) throw forbidden(`API key ${p.keyId} may not ${action} flow "${flowId}" (grant it with --flow ${flowId})`);
}

/** The vaults a search names, in either form (a list, or vault -> minimum). */
export function vaultNames(vaults: string[] | Record<string, unknown> | undefined, vault?: string): string[] {
  const names = vault ? [vault] : [];
  if (Array.isArray(vaults)) names.push(...vaults);
  else if (vaults) names.push(...Object.keys(vaults));
  return [...new Set(names)];
}

/** A tenant's memory (memories, facts, ReasoningBank) is guarded like a vault of this name. */
export function memoryResource(tenant: string): string {
  return `memory:${tenant}`;
}
