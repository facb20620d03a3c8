/** Per-vault settings that outlive a process: the personality and the prompt template. */
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite-file';

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

export class SqliteVaultSettingsStore implements VaultSettingsStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec('CREATE TABLE IF NOT EXISTS vault_settings (vault TEXT PRIMARY KEY, personality TEXT, prompt_template TEXT)');
  }

  async get(vault: string): Promise<VaultSettings> {
    const row = this.db.prepare('SELECT personality, prompt_template FROM vault_settings WHERE vault = ?').get(vault) as
      | { personality: string | null; prompt_template: string | null }
      | undefined;
    const out: VaultSettings = {};
    if (row?.personality != null) out.personality = row.personality;
    if (row?.prompt_template != null) out.promptTemplate = row.prompt_template;
    return out;
  }

  async update(vault: string, patch: { personality?: string | null; promptTemplate?: string | null }): Promise<VaultSettings> {
    const cur = await this.get(vault);
    const personality = patch.personality === undefined ? cur.personality ?? null : patch.personality;
    const template = patch.promptTemplate === undefined ? cur.promptTemplate ?? null : patch.promptTemplate;
    this.db
      .prepare('INSERT INTO vault_settings (vault, personality, prompt_template) VALUES (?, ?, ?) ON CONFLICT (vault) DO UPDATE SET personality = excluded.personality, prompt_template = excluded.prompt_template')
      .run(vault, personality, template);
    return this.get(vault);
  }

  async delete(vault: string): Promise<void> {
    this.db.prepare('DELETE FROM vault_settings WHERE vault = ?').run(vault);
  }

  async list(): Promise<string[]> {
    return (this.db.prepare('SELECT vault FROM vault_settings ORDER BY vault').all() as { vault: string }[]).map((r) => r.vault);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
