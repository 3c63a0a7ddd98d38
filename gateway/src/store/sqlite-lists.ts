// The versioned lists (store/ports/lists.ts), the deny list among them, on SQLite: entries,
// version and change log change in one immediate transaction.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { isGeneration, newGeneration } from '../../../core/lists/generation.js';
import type { ListChange, ListKind, ListVersionChanges } from './port.js';

export class SqliteLists {
  private readonly changeTx: Database.Transaction<
    (kind: ListKind, scope: string, changes: readonly ListChange[], at: number) => ListVersionChanges | null
  >;

  constructor(private readonly db: Database.Database) {
    this.changeTx = db.transaction((kind, scope, changes, at) => this.change(kind, scope, changes, at));
  }

  async changeList(
    kind: ListKind,
    scope: string,
    changes: readonly ListChange[],
    now: number,
  ): Promise<ListVersionChanges | null> {
    return this.changeTx.immediate(kind, scope, changes, now);
  }

  async listVersion(kind: ListKind, scope: string): Promise<number> {
    return this.version(kind, scope);
  }

  async listSize(kind: ListKind, scope: string): Promise<number> {
    return (
      this.db
        .prepare('SELECT count(*) AS n FROM list_entry WHERE kind = ? AND scope = ?')
        .get(kind, scope) as {
        n: number;
      }
    ).n;
  }

  async listChangesSince(
    kind: ListKind,
    scope: string,
    since: number,
    limit: number,
  ): Promise<ListVersionChanges[]> {
    const rows = this.db
      .prepare(
        'SELECT version, at, changes FROM list_log WHERE kind = ? AND scope = ? AND version > ? ORDER BY version LIMIT ?',
      )
      .all(kind, scope, since, limit) as Array<{ version: number; at: number; changes: string }>;
    return rows.map((r) => ({ version: r.version, at: r.at, changes: fromPairs(r.changes) }));
  }

  async listEntriesPage(
    kind: ListKind,
    scope: string,
    cursor: string,
    limit: number,
  ): Promise<{ entries: ListChange[]; next: string | undefined }> {
    const entries = this.db
      .prepare(
        'SELECT key, value FROM list_entry WHERE kind = ? AND scope = ? AND key > ? ORDER BY key LIMIT ?',
      )
      .all(kind, scope, cursor, limit) as ListChange[];
    return { entries, next: entries.length < limit ? undefined : entries.at(-1)?.key };
  }

  private change(
    kind: ListKind,
    scope: string,
    changes: readonly ListChange[],
    at: number,
  ): ListVersionChanges | null {
    const get = this.db.prepare('SELECT value FROM list_entry WHERE kind = ? AND scope = ? AND key = ?');
    const put = this.db.prepare(
      'INSERT INTO list_entry (kind, scope, key, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
    );
    const del = this.db.prepare('DELETE FROM list_entry WHERE kind = ? AND scope = ? AND key = ?');
    const effective: ListChange[] = [];
    for (const c of changes) {
      const current = (get.get(kind, scope, c.key) as { value: string } | undefined)?.value;
      if ((current ?? '') === c.value) continue;
      if (c.value === '') del.run(kind, scope, c.key);
      else put.run(kind, scope, c.key, c.value);
      effective.push({ key: c.key, value: c.value });
    }
    if (effective.length === 0) return null;
    const version = this.version(kind, scope) + 1;
    this.db
      .prepare(
        'INSERT INTO list_version (kind, scope, version) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET version = excluded.version',
      )
      .run(kind, scope, version);
    this.db
      .prepare('INSERT INTO list_log (kind, scope, version, at, changes) VALUES (?, ?, ?, ?, ?)')
      .run(kind, scope, version, at, JSON.stringify(effective.map((c) => [c.key, c.value])));
    return { version, at, changes: effective };
  }

  private version(kind: ListKind, scope: string): number {
    const row = this.db
      .prepare('SELECT version FROM list_version WHERE kind = ? AND scope = ?')
      .get(kind, scope) as { version: number } | undefined;
    return row?.version ?? 0;
  }
}

export function fromPairs(json: string): ListChange[] {
  return (JSON.parse(json) as Array<[string, string]>).map(([key, value]) => ({ key, value }));
}

/**
 * A file written before the deny list was a list kind (docs/decisions/0184) kept it in tables
 * of its own, deny and deny_log: moved into the list tables, versions and times as they were
 * (a removal's reason goes: a removal is value ''), in one transaction.
 */
export function migrateDenyTables(db: Database.Database): void {
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'deny_log'`).get()) return;
  db.transaction(() => {
    db.exec(`
      INSERT INTO list_entry (kind, scope, key, value) SELECT 'deny', '${ALL_SCOPE}', token, reason FROM deny;
      INSERT INTO list_log (kind, scope, version, at, changes)
        SELECT 'deny', '${ALL_SCOPE}', version, at,
          json_array(json_array(token, CASE added WHEN 1 THEN reason ELSE '' END)) FROM deny_log;
      INSERT INTO list_version (kind, scope, version)
        SELECT 'deny', '${ALL_SCOPE}', max(version) FROM deny_log HAVING count(*) > 0;
      DROP TABLE deny;
      DROP TABLE deny_log;
    `);
  }).immediate();
}

/**
 * The store generation (core/lists/generation.ts), created with the file. A file restored from
 * a backup gets a new one when its row is deleted before the gateway opens it (docs/decisions/0184).
 */
export function ensureGeneration(db: Database.Database, now: number): string {
  db.exec('CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  db.prepare(`INSERT INTO store_meta (key, value) VALUES ('list_generation', ?) ON CONFLICT DO NOTHING`).run(
    newGeneration(now, randomBytes(8)),
  );
  const row = db.prepare(`SELECT value FROM store_meta WHERE key = 'list_generation'`).get() as {
    value: string;
  };
  if (!isGeneration(row.value))
    throw new Error(`the store generation in store_meta is malformed: ${row.value}`);
  return row.value;
}
