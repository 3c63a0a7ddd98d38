// Store.claimTaps on SQLite (docs/decisions/0175): the tap_claims table (sqlite-schema.ts), one
// IMMEDIATE transaction per call, so two gateways claiming the same key take turns and the
// second sees the first's digest. Claims and tap dedupe keys carry the UTC day of the tap's own
// time and are pruned by the dedupe window like Redis's buckets expire; tap_marks keeps each
// device's highest claimed seq per epoch beyond it (docs/decisions/0196), and the highest seq a
// prune let go, below which no seq is taken again (docs/decisions/0220).
import type Database from 'better-sqlite3';
import { dedupeDay } from '../../../core/dedupe-window.js';
import type { TapClaim } from './port.js';

export type ClaimTaps = (deviceId: string, epoch: string, claims: readonly TapClaim[]) => boolean[];

/** Files written before the window get its columns and table on open (ADD COLUMN is cheap). */
export function dedupeWindowSchema(db: Database.Database): void {
  const has = (table: string, column: string) =>
    (db.pragma(`table_info(${table})`) as { name: string }[]).some((c) => c.name === column);
  // NULL: a key kept for good (every effect but a tap, and taps committed before the window).
  if (!has('dedupe', 'day')) db.exec('ALTER TABLE dedupe ADD COLUMN day INTEGER');
  if (!has('tap_claims', 'day')) db.exec('ALTER TABLE tap_claims ADD COLUMN day INTEGER');
  db.exec(`CREATE INDEX IF NOT EXISTS dedupe_by_day ON dedupe (day) WHERE day IS NOT NULL;
    CREATE INDEX IF NOT EXISTS tap_claims_by_day ON tap_claims (day) WHERE day IS NOT NULL;
    CREATE TABLE IF NOT EXISTS tap_marks (
      device TEXT NOT NULL,
      epoch TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (device, epoch)
    ) WITHOUT ROWID;`);
  // The highest seq whose claim a prune let go (docs/decisions/0220).
  if (!has('tap_marks', 'floor'))
    db.exec('ALTER TABLE tap_marks ADD COLUMN floor INTEGER NOT NULL DEFAULT 0');
}

export function sqliteClaimTaps(db: Database.Database): ClaimTaps {
  const insert = db.prepare<[string, string, number, string, number]>(
    'INSERT INTO tap_claims (device, epoch, seq, digest, day) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const held = db
    .prepare<[string, string, number], string>(
      'SELECT digest FROM tap_claims WHERE device = ? AND epoch = ? AND seq = ?',
    )
    .pluck();
  const mark = db.prepare<[string, string, number]>(
    `INSERT INTO tap_marks (device, epoch, seq) VALUES (?, ?, ?)
     ON CONFLICT (device, epoch) DO UPDATE SET seq = max(seq, excluded.seq)`,
  );
  const floorOf = db
    .prepare<[string, string], number>('SELECT floor FROM tap_marks WHERE device = ? AND epoch = ?')
    .pluck();
  const tx = db.transaction((deviceId: string, epoch: string, claims: readonly TapClaim[]) => {
    // A seq at or below the floor was claimed before the window and let go (0220): content
    // sent under it now is not that tap's (its resend would be older than the window), so it is
    // never taken; a claim the prune kept (a later day) still answers as usual.
    const floor = floorOf.get(deviceId, epoch) ?? 0;
    if (claims.length > 0)
      mark.run(
        deviceId,
        epoch,
        claims.reduce((top, c) => Math.max(top, c.seq), 0),
      );
    return claims.map((c) =>
      c.seq <= floor
        ? held.get(deviceId, epoch, c.seq) === c.digest
        : insert.run(deviceId, epoch, c.seq, c.digest, dedupeDay(c.at)).changes === 1 ||
          held.get(deviceId, epoch, c.seq) === c.digest,
    );
  });
  return (deviceId, epoch, claims) => tx.immediate(deviceId, epoch, claims);
}

/** Store.seenBeforeWindow on SQLite: the seqs at or below the device's mark for the epoch. */
export function sqliteSeenBeforeWindow(db: Database.Database) {
  const top = db
    .prepare<[string, string], number>('SELECT seq FROM tap_marks WHERE device = ? AND epoch = ?')
    .pluck();
  return (deviceId: string, epoch: string, seqs: readonly number[]): boolean[] => {
    const mark = top.get(deviceId, epoch) ?? 0;
    return seqs.map((seq) => seq <= mark);
  };
}

/**
 * Store.pruneDedupe on SQLite: every tap key and claim of a day before `firstDay`. Each device's
 * floor rises to the highest seq whose claim goes (0220), so the seq cannot be taken again.
 */
export function sqlitePruneDedupe(db: Database.Database) {
  const keys = db.prepare<[number]>('DELETE FROM dedupe WHERE day IS NOT NULL AND day < ?');
  const floors = db.prepare<[number]>(
    `INSERT INTO tap_marks (device, epoch, seq, floor)
       SELECT device, epoch, max(seq), max(seq) FROM tap_claims WHERE day IS NOT NULL AND day < ?
       GROUP BY device, epoch
     ON CONFLICT (device, epoch) DO UPDATE SET floor = max(floor, excluded.floor)`,
  );
  const claims = db.prepare<[number]>('DELETE FROM tap_claims WHERE day IS NOT NULL AND day < ?');
  return db.transaction((firstDay: number) => {
    floors.run(firstDay);
    return keys.run(firstDay).changes + claims.run(firstDay).changes;
  });
}
