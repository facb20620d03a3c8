import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { PAR_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const INDEXED = temporal.api.enums.v1.IndexedValueType;
const TYPE_MAP: Record<string, number> = { KEYWORD: INDEXED.INDEXED_VALUE_TYPE_KEYWORD, TEXT: INDEXED.INDEXED_VALUE_TYPE_TEXT, INT: INDEXED.INDEXED_VALUE_TYPE_INT };
/** The type names `temporal server start-dev --search-attribute NAME=TYPE` takes. */
const DEV_SERVER_TYPE: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int' };

/**
 * Registers PAR's search attributes on a cluster that lacks them (the dev server gets them
 * from flags). Idempotent: attributes that exist already are left alone.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = PAR_SEARCH_ATTRIBUTES.filter((k) => !have.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, TYPE_MAP[k.type] ?? INDEXED.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing.map((k) => k.name);
}

/** The `--search-attribute` flags for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return PAR_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${DEV_SERVER_TYPE[k.type] ?? 'Keyword'}`]);
}
