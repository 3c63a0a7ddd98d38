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
  forgone_fen INTEGER NOT NULL,
  PRIMARY KEY (operator, hour, line, concession)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stats_by_hour ON stats (hour);
`;

export const bumpSql = `INSERT INTO stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (operator, hour, line, concession) DO UPDATE SET
  rides = rides + excluded.rides, denied = denied + excluded.denied,
  charged_fen = charged_fen + excluded.charged_fen, free = free + excluded.free,
  forgone_fen = forgone_fen + excluded.forgone_fen`;

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
      s.forgoneFen,
    );
}

const sums = `sum(rides) AS rides, sum(denied) AS denied, sum(charged_fen) AS chargedFen,
  sum(free) AS free, sum(forgone_fen) AS forgoneFen`;

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
