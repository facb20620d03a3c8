import pg from 'pg';
import { readTestEnv } from './test-env';

/**
 * A new, empty database on the run's PostgreSQL server (started by global-setup), so each suite
 * migrates from nothing and sees only its own rows.
 */
export async function freshPostgresUrl(label = 'suite'): Promise<string> {
  const base = readTestEnv().postgresUrl;
  const name = `par_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/[^/]*$/, `/${name}`);
}
