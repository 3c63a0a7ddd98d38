// The one place that opens PostgreSQL: a pool whose connections all use one schema (search_path),
// and the schema (schema.sql) applied once at start. Every statement there is idempotent, and a
// transaction-scoped advisory lock keeps two starting processes from racing on the DDL.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** A lowercase SQL identifier: the schema name goes into SQL text, so nothing else is taken. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULT_PG_SCHEMA = 'onecard_history';

export interface PgOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Default 'onecard_history'. */
  schema?: string;
  /** Pool size. Default 4. */
  max?: number;
}

export function checkSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new RangeError(`invalid PostgreSQL schema name: ${schema}`);
  return schema;
}

/** Opens a pool on the schema, creating the schema and its tables when missing. */
export async function openPgPool(options: PgOptions): Promise<pg.Pool> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_PG_SCHEMA);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 4,
    options: `-c search_path=${schema}`,
  });
  // An idle client's error (the server restarted) would otherwise crash the process; the next
  // query on a new client reports it.
  pool.on('error', () => {});
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('onecard-history-schema'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(SCHEMA_SQL);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    await pool.end();
    throw err;
  }
  client.release();
  return pool;
}
