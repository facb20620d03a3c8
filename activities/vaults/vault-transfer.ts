/**
 * A whole vault as one JSON document (`par vault export` / `import`, GET and POST
 * /v1/vaults/{vault}/export|import): its items with ids and dates, and its settings. Items are
 * re-embedded on import, so an export moves between embedding models.
 */
import type { VaultItem } from '../contracts';
import type { Embedder } from '../embeddings/port';
import { VaultError } from './errors';
import { checkMetadata, isPlainObject, type ItemToPut } from './vault-input';
import { checkVaultName } from './vault-names';
import type { VaultSettings, VaultSettingsStore } from './vault-settings-store';

export interface VaultExport {
  format: 'par-vault';
  version: 1;
  vault: string;
  exported: string;
  embedding: { model: string; dimension: number };
  settings: VaultSettings;
  items: VaultItem[];
}

/** What export and import use of a vault service. */
export interface VaultTransferDeps {
  items: {
    allItems(vault: string): AsyncGenerator<VaultItem>;
    putItems(vault: string, items: ItemToPut[]): Promise<VaultItem[]>;
  };
  embedder: Embedder;
  /** The store itself, not VaultService.updateSettings: an import restores settings as they were exported. */
  settings: VaultSettingsStore;
  now: () => Date;
}

/** Items embedded and written together by an import. */
const IMPORT_BATCH = 256;

export async function exportVault(deps: VaultTransferDeps, vault: string): Promise<VaultExport> {
  checkVaultName(vault);
  const items: VaultItem[] = [];
  for await (const item of deps.items.allItems(vault)) items.push(item);
  return {
    format: 'par-vault',
    version: 1,
    vault,
    exported: deps.now().toISOString(),
    embedding: { model: deps.embedder.model, dimension: deps.embedder.dimension },
    settings: await deps.settings.get(vault),
    items,
  };
}

/** Imports an export (items keep their ids and dates, and are re-embedded), into `vault` or its own name. */
export async function importVault(deps: VaultTransferDeps, data: unknown, vault?: string): Promise<{ vault: string; imported: number }> {
  if (!isPlainObject(data) || data.format !== 'par-vault' || !Array.isArray(data.items)) {
    throw new VaultError('import data is not a PAR vault export (expected {"format":"par-vault","items":[...]})', 'bad_import');
  }
  const target = checkVaultName(vault ?? data.vault);
  const items: ItemToPut[] = data.items.map((raw: unknown, i: number) => {
    if (!isPlainObject(raw) || typeof raw.id !== 'string' || !raw.id || typeof raw.text !== 'string' || raw.text.trim() === '') {
      throw new VaultError(`import item #${i} needs a non-empty string id and text`, 'bad_import');
    }
    return {
      id: raw.id,
      text: raw.text,
      metadata: checkMetadata(target, raw.metadata ?? {}),
      created: typeof raw.created === 'string' ? raw.created : undefined,
      updated: typeof raw.updated === 'string' ? raw.updated : undefined,
    };
  });
  for (let b = 0; b < items.length; b += IMPORT_BATCH) await deps.items.putItems(target, items.slice(b, b + IMPORT_BATCH));
  const settings = isPlainObject(data.settings) ? (data.settings as VaultSettings) : {};
  if (settings.personality !== undefined || settings.promptTemplate !== undefined) {
    await deps.settings.update(target, { personality: settings.personality, promptTemplate: settings.promptTemplate });
  }
  return { vault: target, imported: items.length };
}
