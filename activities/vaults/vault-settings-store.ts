/** Per-vault settings that outlive a process: the personality and the prompt template. */
import { openStoreDatabase, type DatabaseTarget, type StoreDatabase, type VaultTables } from '../db';

export interface VaultSettings {
  personality?: string;
  /** A prompt with {context} and {content} placeholders. */
  promptTemplate?: string;
}

export interface VaultSettingsStore {
  get(vault: string): Promise<VaultSettings>;
  /** Merges: a field given as undefined is kept, one given as null is cleared. */
  update(vault: string, patch: { personality?: string | null; promptTemplate?: string | null }): Promise<VaultSettings>;
  delete(vault: string): Promise<void>;
  list(): Promise<string[]>;
  close(): Promise<void>;
}

/** Vault settings in the vaults database (SQLite or PostgreSQL). */
export class SqlVaultSettingsStore implements VaultSettingsStore {
  constructor(private readonly store: StoreDatabase<VaultTables>) {}

  static async open(target?: DatabaseTarget): Promise<SqlVaultSettingsStore> {
    return new SqlVaultSettingsStore(await openStoreDatabase('vaults', { target }));
  }

  async get(vault: string): Promise<VaultSettings> {
    const row = await this.store.db.selectFrom('vault_settings').select(['personality', 'prompt_template']).where('vault', '=', vault).executeTakeFirst();
    const out: VaultSettings = {};
    if (row?.personality != null) out.personality = row.personality;
    if (row?.prompt_template != null) out.promptTemplate = row.prompt_template;
    return out;
  }

  async update(vault: string, patch: { personality?: string | null; promptTemplate?: string | null }): Promise<VaultSettings> {
    // Only the given fields are written, so two processes patching different fields both keep theirs.
    const set: { personality?: string | null; prompt_template?: string | null } = {};
    if (patch.personality !== undefined) set.personality = patch.personality;
    if (patch.promptTemplate !== undefined) set.prompt_template = patch.promptTemplate;
    await this.store.db
      .insertInto('vault_settings')
      .values({ vault, personality: set.personality ?? null, prompt_template: set.prompt_template ?? null })
      .onConflict((oc) => (Object.keys(set).length ? oc.column('vault').doUpdateSet(set) : oc.column('vault').doNothing()))
      .execute();
    return this.get(vault);
  }

  async delete(vault: string): Promise<void> {
    await this.store.db.deleteFrom('vault_settings').where('vault', '=', vault).execute();
  }

  async list(): Promise<string[]> {
    return (await this.store.db.selectFrom('vault_settings').select('vault').orderBy('vault').execute()).map((r) => r.vault);
  }

  async close(): Promise<void> {
    await this.store.release();
  }
}
