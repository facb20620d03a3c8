// Remote mode of `par vault` (PAR_API_KEY set): the same commands through the HTTP API.
import type { JsonValue, VaultItem } from '../../../activities/contracts';
import { DEFAULT_BODY_LIMIT } from '../../api/body';
import { ParApiError, type ParClient, type VaultExport } from '../../sdk';
import { CliError } from '../output';
import { progressBar } from '../progress-bar';
import { viaApi } from '../remote';

/** A subcommand (or option) the API has no endpoint for: refused rather than run on local stores. */
export function notRemote(what: string, missing: string): CliError {
  return new CliError(
    `${what} does not work in remote mode (PAR_API_KEY is set): the PAR API has no ${missing}. Unset PAR_API_KEY to use the stores in this machine's data folder`,
    2,
    'remote_unsupported',
  );
}

/** The largest request body to send: the API's limit (1 MiB unless PAR_API_BODY_LIMIT says otherwise). */
function requestLimit(): number {
  const n = Number(process.env.PAR_API_BODY_LIMIT);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_BODY_LIMIT;
}

/** After a 413: the limit the server named, else half the current one; undefined when too small to go on. */
function smallerLimit(err: ParApiError, current: number): number | undefined {
  const named = Number(/limit of (\d+) bytes/.exec(err.message)?.[1]);
  const next = Number.isInteger(named) && named > 0 && named < current ? named : Math.floor(current / 2);
  return next >= 1024 ? next : undefined;
}

/** Bytes code unit i of s (with its pair, if a surrogate pair) takes inside a JSON string. */
function jsonCost(s: string, i: number): { bytes: number; units: number } {
  const u = s.charCodeAt(i);
  if (u === 0x22 || u === 0x5c) return { bytes: 2, units: 1 };
  if (u < 0x20) return { bytes: [8, 9, 10, 12, 13].includes(u) ? 2 : 6, units: 1 };
  if (u < 0x80) return { bytes: 1, units: 1 };
  if (u < 0x800) return { bytes: 2, units: 1 };
  if (u >= 0xd800 && u <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? { bytes: 4, units: 2 } : { bytes: 6, units: 1 };
  }
  if (u >= 0xdc00 && u <= 0xdfff) return { bytes: 6, units: 1 };
  return { bytes: 3, units: 1 };
}

/** Where to end a piece that must end by `end`: after a paragraph, else a sentence, else a space (in its second half). */
function niceCut(text: string, start: number, end: number): number {
  const floor = start + Math.floor((end - start) / 2);
  const para = text.lastIndexOf('\n\n', end - 2);
  if (para >= floor) return para + 2;
  for (let k = end - 1; k > floor; k--) if (/\s/.test(text[k]!) && /[.!?\n]/.test(text[k - 1]!)) return k + 1;
  for (let k = end - 1; k > floor; k--) if (/\s/.test(text[k]!)) return k + 1;
  return end;
}

/** Splits text into pieces whose JSON string encoding fits in `budget` bytes, at paragraph or sentence ends where possible. */
export function splitForRequests(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    let bytes = 0;
    while (end < text.length) {
      const c = jsonCost(text, end);
      if (bytes + c.bytes > budget) break;
      bytes += c.bytes;
      end += c.units;
    }
    if (end === start) end = start + jsonCost(text, start).units; // a budget below one character: send it anyway
    if (end < text.length) end = niceCut(text, start, end);
    const piece = text.slice(start, end);
    if (piece.trim() !== '') pieces.push(piece);
    start = end;
  }
  return pieces;
}

/**
 * Adds text through POST /v1/vaults/{vault}/items, in as many requests as the API's body limit
 * needs (each request's text is chunked by the server, and is one document with its own doc_id).
 */
export async function addRemotely(remote: ParClient, vault: string, text: string, metadata: Record<string, JsonValue>, showProgress: boolean): Promise<string[]> {
  const overhead = Buffer.byteLength(JSON.stringify({ text: '', metadata })) + 64;
  const piecesFor = (t: string, limit: number) => {
    if (limit - overhead < 256) throw new CliError(`the metadata (${overhead} bytes as JSON) leaves no room for text in the API's ${limit}-byte request limit`, 2, 'payload_too_large');
    return splitForRequests(t, limit - overhead);
  };
  let limit = requestLimit();
  let pieces = piecesFor(text, limit);
  const ids: string[] = [];
  let bar = progressBar(`${vault}:`, showProgress && pieces.length > 1, 'requests');
  for (let i = 0; i < pieces.length; ) {
    const piece = pieces[i]!;
    const res = await viaApi(async () => {
      try {
        return await remote.addItem(vault, piece, metadata);
      } catch (err) {
        const next = err instanceof ParApiError && err.status === 413 ? smallerLimit(err, limit) : undefined;
        if (next === undefined) throw err;
        return { smaller: next };
      }
    }).catch((err: unknown) => {
      if (err instanceof CliError && i > 0) {
        throw new CliError(`${err.message} (request ${i + 1} of ${pieces.length}; the first ${i} added ${ids.length} item(s) to ${vault}: ${ids.join(', ')})`, err.exitCode, err.code);
      }
      throw err;
    });
    if ('smaller' in res) {
      // The server takes less than we assumed: re-split what is left to its limit.
      limit = res.smaller;
      pieces = [...pieces.slice(0, i), ...piecesFor(pieces.slice(i).join(''), limit)];
      bar = progressBar(`${vault}:`, showProgress && pieces.length > 1, 'requests');
      continue;
    }
    ids.push(...res.ids);
    i++;
    bar(i, pieces.length);
  }
  return ids;
}

/** Imports an export through POST /v1/vaults/{vault}/import, its items split over requests that fit the body limit. */
export async function importRemotely(remote: ParClient, data: unknown, vaultOpt: string | undefined, showProgress: boolean): Promise<{ vault: string; imported: number }> {
  const d = data as Partial<VaultExport> | null;
  if (typeof d !== 'object' || d === null || Array.isArray(d) || d.format !== 'par-vault' || !Array.isArray(d.items)) {
    throw new CliError('import data is not a PAR vault export (expected {"format":"par-vault","items":[...]})', 2, 'bad_import');
  }
  const target = vaultOpt ?? d.vault;
  if (typeof target !== 'string' || !target) throw new CliError('the export names no vault: pass --vault NAME', 2, 'bad_import');
  const items = d.items as unknown[];
  const batchesFor = (from: number, limit: number): unknown[][] => {
    const budget = limit - Buffer.byteLength(JSON.stringify({ ...d, items: [] })) - 64;
    const batches: unknown[][] = [];
    let cur: unknown[] = [];
    let bytes = 0;
    for (let i = from; i < items.length; i++) {
      const size = Buffer.byteLength(JSON.stringify(items[i])) + 1;
      if (size > budget) throw new CliError(`import item #${i} is ${size} bytes as JSON, more than fits in one request to the API (limit ${limit} bytes)`, 2, 'payload_too_large');
      if (bytes + size > budget && cur.length) {
        batches.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(items[i]);
      bytes += size;
    }
    if (cur.length || batches.length === 0) batches.push(cur);
    return batches;
  };
  let limit = requestLimit();
  let batches = batchesFor(0, limit);
  let imported = 0;
  let sentItems = 0;
  let bar = progressBar(`${target}:`, showProgress && batches.length > 1, 'requests');
  for (let b = 0; b < batches.length; ) {
    const batch = batches[b]!;
    // Settings go with the first request only; every request upserts its items by id.
    const body = { ...d, items: batch, ...(b > 0 ? { settings: {} } : {}) };
    const res = await viaApi(async () => {
      try {
        return await remote.importVault(target, body);
      } catch (err) {
        const next = err instanceof ParApiError && err.status === 413 ? smallerLimit(err, limit) : undefined;
        if (next === undefined) throw err;
        return { smaller: next };
      }
    }).catch((err: unknown) => {
      if (err instanceof CliError && b > 0) throw new CliError(`${err.message} (request ${b + 1} of ${batches.length}; the first ${b} imported ${imported} item(s) into ${target})`, err.exitCode, err.code);
      throw err;
    });
    if ('smaller' in res) {
      limit = res.smaller;
      batches = [...batches.slice(0, b), ...batchesFor(sentItems, limit)];
      bar = progressBar(`${target}:`, showProgress && batches.length > 1, 'requests');
      continue;
    }
    imported += res.imported;
    sentItems += batch.length;
    b++;
    bar(b, batches.length);
  }
  return { vault: target, imported };
}

/** Items by id through GET /v1/vaults/{vault}/items/{item}: { items, missing } like the local store. */
export async function getItemsRemotely(remote: ParClient, vault: string, ids: string[]): Promise<{ items: VaultItem[]; missing: string[] }> {
  const items: VaultItem[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const item = await viaApi(() => remote.getItem(vault, id).catch((err: unknown) => (err instanceof ParApiError && err.code === 'item_not_found' ? undefined : Promise.reject(err))));
    if (item) items.push(item);
    else missing.push(id);
  }
  return { items, missing };
}

/** How many items a vault holds: a read of one item checks the grant, GET /v1/vaults has the count. */
export async function countRemotely(remote: ParClient, vault: string): Promise<number> {
  await viaApi(() => remote.listItems(vault, { limit: 1 }));
  const { vaults } = await viaApi(() => remote.listVaults());
  return vaults.find((v) => v.name === vault)?.items ?? 0;
}
