// A fingerprint of everything a SQLite gateway keeps, to assert that a refused request changed
// nothing. Tables that change by design on any request are left out: the audit log (every
// write is logged, refused ones too), the relay's lease, and login throttling and revocation.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

const BY_DESIGN = /audit|lease|login|throttle|revok|session|sqlite_sequence/;

export interface StateSnapshot {
  fingerprint: string;
  tables: ReadonlyMap<string, string>;
  /** Names of the tables whose content differs from another snapshot's. */
  diff(other: StateSnapshot): string[];
}

export function snapshotState(file: string): StateSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
        name: string;
      }>
    )
      .map((r) => r.name)
      .filter((n) => !BY_DESIGN.test(n));
    const tables = new Map<string, string>();
    for (const name of names) {
      const h = createHash('sha256');
      for (const row of db.prepare(`SELECT * FROM "${name}"`).iterate()) h.update(JSON.stringify(row));
      tables.set(name, h.digest('hex'));
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([...tables]))
      .digest('hex');
    return {
      fingerprint,
      tables,
      diff: (other) => names.filter((n) => other.tables.get(n) !== tables.get(n)),
    };
  } finally {
    db.close();
  }
}
