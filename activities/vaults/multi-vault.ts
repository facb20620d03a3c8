/**
 * get_similar_from_vaults with per-vault minimums: every vault first gets its own best `min`
 * items, the remaining slots are filled from the ranking across all vaults, and the result keeps
 * that ranking's order. null or 0 means "fill only". A vault that cannot supply its minimum is reported.
 */
import type { ScoredVaultItem } from '../contracts';
import { VaultError } from './errors';

export interface Shortfall {
  vault: string;
  wanted: number;
  got: number;
}

export function parseMinimums(vaults: Record<string, number | null>, n: number): Map<string, number> {
  const mins = new Map<string, number>();
  for (const [vault, raw] of Object.entries(vaults)) {
    const min = raw ?? 0;
    if (!Number.isInteger(min) || min < 0) throw new VaultError(`minimum for vault ${vault} must be a non-negative integer or null, got ${JSON.stringify(raw)}`, 'bad_request');
    mins.set(vault, min);
  }
  if (mins.size === 0) throw new VaultError('vaults is an empty map: name at least one vault', 'bad_request');
  const sum = [...mins.values()].reduce((a, b) => a + b, 0);
  if (sum > n) throw new VaultError(`the per-vault minimums add up to ${sum}, more than n=${n}: raise n or lower a minimum`, 'bad_request');
  return mins;
}

export function combineWithMinimums(
  mins: Map<string, number>,
  n: number,
  perVault: Map<string, ScoredVaultItem[]>,
  global: ScoredVaultItem[],
): { items: ScoredVaultItem[]; shortfalls: Shortfall[] } {
  const taken = new Map<string, ScoredVaultItem>();
  const key = (i: ScoredVaultItem) => `${i.vault}\u0000${i.id}`;
  const shortfalls: Shortfall[] = [];
  for (const [vault, min] of mins) {
    if (min === 0) continue;
    const hits = (perVault.get(vault) ?? []).slice(0, min);
    for (const h of hits) taken.set(key(h), h);
    if (hits.length < min) shortfalls.push({ vault, wanted: min, got: hits.length });
  }
  for (const h of global) {
    if (taken.size >= n) break;
    if (!taken.has(key(h))) taken.set(key(h), h);
  }
  // The global ranking's order (fused when hybrid); items only a minimum brought in come after.
  const rank = new Map(global.map((h, i) => [key(h), i]));
  const items = [...taken.values()]
    .map((h, i) => ({ h, r: rank.get(key(h)) ?? global.length + i }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.h);
  return { items, shortfalls };
}
