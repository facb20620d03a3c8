// What `par vault` reads from its command line (files, --meta, -n, --vaults, --filter) and how it
// prints items and hits; the commands themselves are in vault.ts.
import fs from 'node:fs';
import type { JsonValue, ScoredVaultItem, VaultItem } from '../../../activities/contracts';
import { CliError, parseJsonArg } from '../output';

export function readInput(source: string): string {
  if (source === '-') return fs.readFileSync(0, 'utf8');
  if (!fs.existsSync(source)) throw new CliError(`file ${source} does not exist`, 2, 'bad_input');
  return fs.readFileSync(source, 'utf8');
}

export function parseScalar(raw: string): JsonValue {
  try {
    const v = JSON.parse(raw) as JsonValue;
    if (typeof v !== 'object' || v === null) return v;
  } catch {
    // not JSON: plain text
  }
  return raw;
}

export function parseJsonOrText(raw: string): JsonValue {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
}

/** --meta k=v (repeatable); values that read as JSON numbers/booleans/null become those. */
export function parseMeta(pairs: string[] | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--meta ${pair} is not key=value`, 2, 'bad_input');
    out[pair.slice(0, eq)] = parseScalar(pair.slice(eq + 1));
  }
  return out;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

export function parseN(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`-n must be a positive integer, got ${raw}`, 2, 'bad_input');
  return n;
}

/** "legal=3,tickets=2,eng": a plain list when no minimum is given, else a map (bare name = fill only). */
export function parseVaultsArg(raw: string): string[] | Record<string, number | null> {
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new CliError('--vaults names no vault', 2, 'bad_input');
  if (!parts.some((p) => p.includes('='))) return parts;
  const map: Record<string, number | null> = {};
  for (const p of parts) {
    const [name, min] = p.split('=');
    if (min === undefined) map[name!] = null;
    else {
      const n = Number(min);
      if (!Number.isInteger(n) || n < 0) throw new CliError(`--vaults ${p}: the minimum must be a non-negative integer`, 2, 'bad_input');
      map[name!] = n;
    }
  }
  return map;
}

export function filterArg(raw: string | undefined): Record<string, JsonValue> | undefined {
  if (raw === undefined) return undefined;
  const f = parseJsonArg('--filter', raw);
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new CliError('--filter must be a JSON object, e.g. \'{"lang":"en"}\'', 2, 'bad_input');
  return f as Record<string, JsonValue>;
}

export function short(text: string, max = 100): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function formatHits(items: ScoredVaultItem[]): string {
  if (items.length === 0) return '(no results)';
  // Reranked results show the cross-encoder's score after the cosine.
  return items.map((i) => `${i.score.toFixed(3)}${i.rerankScore === undefined ? '' : ` (rerank ${i.rerankScore.toFixed(2)})`}  ${i.vault}/${i.id}  ${short(i.text)}`).join('\n');
}

export function formatItems(items: VaultItem[]): string {
  if (items.length === 0) return '(no items)';
  return items.map((i) => `${i.id}  ${i.updated}  ${short(i.text)}${Object.keys(i.metadata).length ? `  ${JSON.stringify(i.metadata)}` : ''}`).join('\n');
}
