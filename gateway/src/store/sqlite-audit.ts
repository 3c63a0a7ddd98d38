// The SQLite store's audit log: an append-only table, paged newest first by its rowid.
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditPage } from './port.js';

export const auditSchema = `
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL
);
`;

export function appendAudit(db: Database.Database, e: AuditEntry): void {
  db.prepare('INSERT INTO audit (body) VALUES (?)').run(JSON.stringify(e));
}

export function queryAudit(db: Database.Database, q: { limit: number; cursor?: string }): AuditPage {
  if (q.cursor !== undefined && !/^[0-9]{1,15}$/.test(q.cursor))
    throw new RangeError(`not an audit cursor of this store: ${q.cursor}`);
  const before = q.cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(q.cursor);
  const rows = db
    .prepare('SELECT id, body FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?')
    .all(before, q.limit + 1) as { id: number; body: string }[];
  const items = rows
    .slice(0, q.limit)
    .map((r) => ({ ...(JSON.parse(r.body) as AuditEntry), id: String(r.id) }));
  const last = items.at(-1);
  return rows.length > q.limit && last ? { items, nextCursor: last.id } : { items };
}
