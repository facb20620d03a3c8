import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../workers/config';
import type { SecretText } from './contracts';
import { IntegrationError } from './errors';

export const SECRET_ENV_PREFIX = 'PAR_SECRET_';
export const SECRETS_FILE = 'secrets.json';

/**
 * Named secrets, resolved on the worker only: `PAR_SECRET_<NAME>` in its environment first, then
 * `<PAR_DATA_DIR>/secrets.json` ({"NAME": "value"}), which must be readable by its owner only.
 * Values never leave the activity that uses them: results are redacted before they return.
 */
export class SecretStore {
  private cached?: { mtimeMs: number; values: Record<string, string> };

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    readonly file: string = path.join(loadConfig(env).dataDir, SECRETS_FILE),
  ) {}

  /** The value, or an IntegrationError (non-retryable) naming the missing secret and where to set it. */
  get(name: string): string {
    const fromEnv = this.env[`${SECRET_ENV_PREFIX}${name}`];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromFile = this.fileValues()[name];
    if (typeof fromFile === 'string' && fromFile !== '') return fromFile;
    throw new IntegrationError('secret_missing', `secret "${name}" is not set on the worker: set ${SECRET_ENV_PREFIX}${name} in its environment or add "${name}" to ${this.file} (mode 600)`);
  }

  names(): string[] {
    const fromEnv = Object.keys(this.env).filter((k) => k.startsWith(SECRET_ENV_PREFIX) && this.env[k]).map((k) => k.slice(SECRET_ENV_PREFIX.length));
    return [...new Set([...fromEnv, ...Object.keys(this.fileValues())])].sort();
  }

  /** Writes one secret to the file (created with mode 600). */
  set(name: string, value: string): void {
    const values = { ...this.fileValues(), [name]: value };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.cached = undefined;
  }

  remove(name: string): boolean {
    const values = { ...this.fileValues() };
    if (!(name in values)) return false;
    delete values[name];
    fs.writeFileSync(this.file, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    this.cached = undefined;
    return true;
  }

  private fileValues(): Record<string, string> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch {
      return {};
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new IntegrationError('secrets_file', `${this.file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}): run chmod 600 ${this.file}`);
    }
    if (this.cached?.mtimeMs === stat.mtimeMs) return this.cached.values;
    let values: unknown;
    try {
      values = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new IntegrationError('secrets_file', `${this.file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!values || typeof values !== 'object' || Array.isArray(values)) throw new IntegrationError('secrets_file', `${this.file} must be a JSON object of NAME -> value`);
    this.cached = { mtimeMs: stat.mtimeMs, values: values as Record<string, string> };
    return this.cached.values;
  }
}

/** The secrets one call used, to resolve its texts and scrub their values from what it returns. */
export class SecretScope {
  private readonly used = new Map<string, string>();

  constructor(private readonly store: SecretStore) {}

  resolve(text: SecretText | string): string {
    if (typeof text === 'string') return text;
    if (!Array.isArray(text)) throw new IntegrationError('bad_request', 'a secret text must be a list of strings and {secret} references');
    return text
      .map((part) => {
        if (typeof part === 'string') return part;
        const value = this.store.get(part.secret);
        this.used.set(part.secret, value);
        return value;
      })
      .join('');
  }

  /** Replaces every used secret's value in a string with `[secret NAME]`. */
  redact(text: string): string {
    let out = text;
    for (const [name, value] of this.used) if (value.length >= 4) out = out.split(value).join(`[secret ${name}]`);
    return out;
  }

  /** Redacts strings anywhere in a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (this.used.size === 0) return value;
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    return value;
  }
}
