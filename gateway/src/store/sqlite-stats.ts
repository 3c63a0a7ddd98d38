// The SQLite store's ride counters: one row per (operator, hour, line, concession), upserted in
// the commit transaction (stats/rides.ts).
import type Database from 'better-sqlite3';
import type { LedgerRecord } from '../../../core/ledger.js';
import { type StatSummary, statOf } from '../stats/rides.js';

export const statsSchema = `
CREATE TABLE IF NOT EXISTS stats (
  operator TEXT NOT NULL,
  hour INTEGER NOT NULL,
  line TEXT NOT NULL,
  concession TEXT NOT NULL,
  rides INTEGER NOT NULL,
  denied INTEGER NOT NULL,
  charged_fen INTEGER NOT NULL,
  free INTEGER NOT NULL,
  subsidy_fen INTEGER NOT NULL,
  PRIMARY KEY (operator, hour, line, concession)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stats_by_hour ON stats (hour);
`;

/**
 * Files written before decision 0162 have forgone_fen (base fare minus charge: it counted the
 * card discount too): dropped, and subsidy_fen counts from the upgrade on (older periods: the
 * records, which derive their subsidy from their lines when read).
 */
export function migrateStats(db: Database.Database): void {
  // Immediate: a second process opening the same file waits, then finds the work done.
  db.transaction(() => {
    const columns = db.pragma('table_info(stats)') as { name: string }[];
    if (!columns.some((c) => c.name === 'forgone_fen')) return;
    db.exec('ALTER TABLE stats DROP COLUMN forgone_fen');
    db.exec('ALTER TABLE stats ADD COLUMN subsidy_fen INTEGER NOT NULL DEFAULT 0');
  }).immediate();
}

export const bumpSql = `INSERT INTO stats
  (operator, hour, line, concession, rides, denied, charged_fen, free, subsidy_fen)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (operator, hour, line, concession) DO UPDATE SET
  rides = rides + excluded.rides, denied = denied + excluded.denied,
  charged_fen = charged_fen + excluded.charged_fen, free = free + excluded.free,
  subsidy_fen = subsidy_fen + excluded.subsidy_fen`;

/** Called inside the commit transaction, right after the record is written. */
export function bumpStats(bump: Database.Statement, r: LedgerRecord): void {
  const s = statOf(r);
  if (s)
    bump.run(
      s.operatorId,
      s.hour,
      s.line,
      s.concession,
      s.rides,
      s.denied,
      s.chargedFen,
      s.free,
      s.subsidyFen,
    );
}

const sums = `sum(rides) AS rides, sum(denied) AS denied, sum(charged_fen) AS chargedFen,
  sum(free) AS free, sum(subsidy_fen) AS subsidyFen`;

/** Three GROUP BYs over the counters (the month of one operator is at most hours × lines × groups rows). */
export function queryStats(
  db: Database.Database,
  q: { operatorId?: string; from: number; to: number },
): StatSummary {
  const where =
    q.operatorId === undefined ? 'hour >= ? AND hour < ?' : 'operator = ? AND hour >= ? AND hour < ?';
  const params = q.operatorId === undefined ? [q.from, q.to] : [q.operatorId, q.from, q.to];
  const by = <T>(column: string, order: string) =>
    db
      .prepare(`SELECT ${column}, ${sums} FROM stats WHERE ${where} GROUP BY ${column} ORDER BY ${order}`)
      .all(...params) as T[];
  return {
    byHour: by('hour', 'hour'),
    byLine: by('line', 'rides DESC'),
    byConcession: by('concession', 'rides DESC'),
  };
}
