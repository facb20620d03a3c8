/** The relational database refused or could not be reached; `code` is stable, the message names the database. */
export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly code: 'bad_url' | 'unreachable' | 'schema_newer' | 'schema_outdated' | 'migration_failed',
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

/** True for a unique or primary-key violation, in SQLite and in PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
