// The keyed lists (store/port.ts ValueListKind) on SQLite: entries, version and change log
// change in one immediate transaction.
import type Database from 'better-sqlite3';
import type { DenyEntry, ListChange, ListVersionChanges, ValueListKind } from './port.js';

export class SqliteLists {
  private readonly changeTx: Database.Transaction<
    (
      kind: ValueListKind,
      scope: string,
      changes: readonly ListChange[],
      at: number,
    ) => ListVersionChanges | null
  >;

  constructor(private readonly db: Database.Database) {
    this.changeTx = db.transaction((kind, scope, changes, at) => this.change(kind, scope, changes, at));
  }

  async changeList(
    kind: ValueListKind,
    scope: string,
    changes: readonly ListChange[],
    now: number,
  ): Promise<ListVersionChanges | null> {
    return this.changeTx.immediate(kind, scope, changes, now);
  }

  async listVersion(kind: ValueListKind, scope: string): Promise<number> {
    return this.version(kind, scope);
  }

  async listSize(kind: ValueListKind, scope: string): Promise<number> {
    return (
      this.db
        .prepare('SELECT count(*) AS n FROM list_entry WHERE kind = ? AND scope = ?')
        .get(kind, scope) as {
        n: number;
      }
    ).n;
  }

  async denyEntriesPage(
    cursor: string,
    limit: number,
  ): Promise<{ entries: DenyEntry[]; next: string | undefined }> {
    const entries = this.db
      .prepare('SELECT token, reason FROM deny WHERE token > ? ORDER BY token LIMIT ?')
      .all(cursor, limit) as DenyEntry[];
    return { entries, next: entries.length < limit ? undefined : entries.at(-1)?.token };
  }

  async listChangesSince(
    kind: ValueListKind,
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
    kind: ValueListKind,
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
    kind: ValueListKind,
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

  private version(kind: ValueListKind, scope: string): number {
    const row = this.db
      .prepare('SELECT version FROM list_version WHERE kind = ? AND scope = ?')
      .get(kind, scope) as { version: number } | undefined;
    return row?.version ?? 0;
  }
}

export function fromPairs(json: string): ListChange[] {
  return (JSON.parse(json) as Array<[string, string]>).map(([key, value]) => ({ key, value }));
}
