// The history contract against PostgreSQL: every test its own schema, fed from a SQLite
// ledger's outbox through the history writer (fed.ts), so the same records the SQLite and Redis
// suites commit reach PostgreSQL the way the consumer writes them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeEach } from 'vitest';
import { testEnv, uniqueId } from '../../../support/env.js';
import { historySuite } from '../contract.js';
import { openFedStore } from './fed.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-pg-history-'));
const schemas: string[] = [];
let file = '';
let schema = '';

beforeEach(() => {
  file = join(dir, `${uniqueId('store')}.db`);
  schema = uniqueId('h_');
  schemas.push(schema);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

historySuite('postgres', () => openFedStore(file, schema));
