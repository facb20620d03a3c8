// What an API key may do: a level per vault, and the flows whose runs it may start and decide.

export type VaultLevel = 'read' | 'write' | 'admin';
export const VAULT_LEVELS: VaultLevel[] = ['read', 'write', 'admin'];

export interface Grants {
  /** Vault name (or "*" for every vault) -> the highest level granted; write implies read, admin implies both. */
  vaults: Record<string, VaultLevel>;
  /** Flow ids (or "*") whose runs the key may start, read, approve, reject and cancel. Empty: none. */
  flows: string[];
}

/** The caller of a request: a key, or the local developer in insecure local mode. */
export interface Principal {
  keyId: string;
  name: string;
  grants: Grants;
  /** Insecure local mode: everything allowed. */
  unrestricted?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class GrantError extends Error {
  override name = 'GrantError';
}

/** Parses "VAULT:read" / "VAULT:write" / "VAULT:admin" (VAULT may be "*"); repeats keep the highest level. */
export function parseVaultGrants(specs: string[]): Record<string, VaultLevel> {
  const out: Record<string, VaultLevel> = {};
  for (const spec of specs) {
    const i = spec.lastIndexOf(':');
    const vault = i > 0 ? spec.slice(0, i) : '';
    const level = spec.slice(i + 1) as VaultLevel;
    if (!vault || !VAULT_LEVELS.includes(level)) {
      throw new GrantError(`grant "${spec}" is not VAULT:read, VAULT:write or VAULT:admin (e.g. --grant docs:read)`);
    }
    if (vault !== '*' && !NAME.test(vault)) throw new GrantError(`grant "${spec}": "${vault}" is not a valid vault name`);
    if (!out[vault] || VAULT_LEVELS.indexOf(level) > VAULT_LEVELS.indexOf(out[vault])) out[vault] = level;
  }
  return out;
}

export function parseFlowGrants(flows: string[]): string[] {
  for (const f of flows) if (f !== '*' && !NAME.test(f)) throw new GrantError(`--flow "${f}" is not a valid flow id`);
  return [...new Set(flows)];
}

export function vaultLevel(p: Principal, vault: string): VaultLevel | undefined {
  if (p.unrestricted) return 'admin';
  const levels = [p.grants.vaults[vault], p.grants.vaults['*']].filter(Boolean) as VaultLevel[];
  if (!levels.length) return undefined;
  return levels.reduce((a, b) => (VAULT_LEVELS.indexOf(a) >= VAULT_LEVELS.indexOf(b) ? a : b));
}

export function canVault(p: Principal, vault: string, need: VaultLevel): boolean {
  const have = vaultLevel(p, vault);
  return have !== undefined && VAULT_LEVELS.indexOf(have) >= VAULT_LEVELS.indexOf(need);
}

export function canFlow(p: Principal, flowId: string): boolean {
  return canEveryFlow(p) || p.grants.flows.includes(flowId);
}

/** The key may touch runs of every flow: no need to look up which flow a run belongs to. */
export function canEveryFlow(p: Principal): boolean {
  return !!p.unrestricted || p.grants.flows.includes('*');
}

/** The vaults a key may read, or "all" when it holds a wildcard. */
export function readableVaults(p: Principal): string[] | 'all' {
  if (p.unrestricted || p.grants.vaults['*']) return 'all';
  return Object.keys(p.grants.vaults);
}

export function describeGrants(g: Grants): string {
  const v = Object.entries(g.vaults).map(([name, level]) => `${name}:${level}`);
  return [...v, ...g.flows.map((f) => `flow ${f}`)].join(', ') || '(nothing)';
}
