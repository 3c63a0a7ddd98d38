// The SQLite store's schema, created at open; every statement is idempotent so a restart (or a
// second process opening the same file) finds what it needs. And the records query it serves.
import type { CardState, CardStatus } from '../../../core/card.js';
import { decodeFareState } from '../../../core/tariff/state.js';
import { decodeUses } from '../../../core/uses.js';
import { decodeCursor } from './cursor.js';
import type { RecordQuery } from './port.js';

export const schema = `
CREATE TABLE IF NOT EXISTS cards (
  token TEXT PRIMARY KEY,
  balance INTEGER NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  flags INTEGER NOT NULL,
  masked TEXT NOT NULL,
  region TEXT NOT NULL,
  -- The tariff engine's per-card state as compact JSON (core/tariff/state.ts); '' when empty.
  fare TEXT NOT NULL DEFAULT '',
  -- Entitlement uses as compact JSON (core/uses.ts); NULL on a card from before 0203.
  uses TEXT
) WITHOUT ROWID;

-- Exactly once: a dedupe key seen before answers with the result stored with it.
CREATE TABLE IF NOT EXISTS dedupe (
  key TEXT PRIMARY KEY,
  result TEXT NOT NULL
) WITHOUT ROWID;

-- The content each tap key (device, journal epoch, seq) was first received with (a digest,
-- gateway/src/ingest/digest.ts): the same key with other content is quarantined, never
-- committed (docs/decisions/0175). epoch '' is the legacy epoch.
CREATE TABLE IF NOT EXISTS tap_claims (
  device TEXT NOT NULL,
  epoch TEXT NOT NULL,
  seq INTEGER NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (device, epoch, seq)
) WITHOUT ROWID;

-- The record as JSON, plus the columns queries filter on. Each index ends in (at, id) so a
-- filtered query reads its page in order, newest first, straight off the index.
CREATE TABLE IF NOT EXISTS records (
  id TEXT NOT NULL UNIQUE,
  card TEXT NOT NULL,
  device TEXT NOT NULL,
  route TEXT NOT NULL,
  operator TEXT NOT NULL,
  at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_time ON records (at, id);
CREATE INDEX IF NOT EXISTS records_by_card ON records (card, at, id);
CREATE INDEX IF NOT EXISTS records_by_device ON records (device, at, id);
CREATE INDEX IF NOT EXISTS records_by_route ON records (route, at, id);
CREATE INDEX IF NOT EXISTS records_by_operator ON records (operator, at, id);
-- Station, stop and masked-number searches (docs/decisions/0136): indexes on expressions over
-- the stored JSON, so files written before them need no new columns.
CREATE INDEX IF NOT EXISTS records_by_station ON records (json_extract(body, '$.stationId'), at, id);
CREATE INDEX IF NOT EXISTS records_by_stop ON records (json_extract(body, '$.stopId'), at, id);
CREATE INDEX IF NOT EXISTS records_by_masked ON records (json_extract(body, '$.cardMasked'), at, id);


-- The versioned lists, deny among them (store/ports/lists.ts): entries, version, change log.
CREATE TABLE IF NOT EXISTS list_entry (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, scope, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_version (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (kind, scope)
) WITHOUT ROWID;
-- One row per version: the changes as JSON [[key, value], ...].
CREATE TABLE IF NOT EXISTS list_log (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  version INTEGER NOT NULL,
  at INTEGER NOT NULL,
  changes TEXT NOT NULL,
  PRIMARY KEY (kind, scope, version)
) WITHOUT ROWID;

-- The sweep's index (docs/decisions/0113): cards whose fare state holds an open entry, by the
-- entry's time; commit() keeps it with the card's fare state.
CREATE TABLE IF NOT EXISTS open_entries (
  card TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS open_entries_by_time ON open_entries (at, card);

CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  body TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS findings (
  id TEXT PRIMARY KEY,
  found_at INTEGER NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS findings_by_time ON findings (found_at, id);

`;

/**
 * The WHERE clause of a records query. The keyset condition (at, id) < cursor is a row value
 * comparison, which SQLite answers from the (…, at, id) indexes without sorting.
 */
export function recordFilter(q: RecordQuery): { filter: string; params: (string | number)[] } {
  // The most selective index, named: without statistics the planner may walk the operator's
  // index (every ride of a bus company) for a query that also names one card (same order as
  // the Redis store's chooseIndexes). Tenant accounts add the operator to every query.
  const index =
    q.cardToken !== undefined
      ? 'records_by_card'
      : q.cardMasked !== undefined
        ? 'records_by_masked'
        : q.deviceId !== undefined
          ? 'records_by_device'
          : q.stationId !== undefined
            ? 'records_by_station'
            : q.stopId !== undefined
              ? 'records_by_stop'
              : q.routeId !== undefined
                ? 'records_by_route'
                : q.operatorId !== undefined
                  ? 'records_by_operator'
                  : 'records_by_time';
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (condition: string, ...values: (string | number)[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (q.cardToken !== undefined) add('card = ?', q.cardToken);
  if (q.cardMasked !== undefined) add("json_extract(body, '$.cardMasked') = ?", q.cardMasked);
  if (q.deviceId !== undefined) add('device = ?', q.deviceId);
  if (q.stationId !== undefined) add("json_extract(body, '$.stationId') = ?", q.stationId);
  if (q.stopId !== undefined) add("json_extract(body, '$.stopId') = ?", q.stopId);
  if (q.routeId !== undefined) add('route = ?', q.routeId);
  if (q.operatorId !== undefined) add('operator = ?', q.operatorId);
  if (q.from !== undefined) add('at >= ?', q.from);
  if (q.to !== undefined) add('at < ?', q.to);
  // Kinds filter the rows an index found (a holder's own records: one card, few rows).
  if (q.kinds !== undefined)
    add(`json_extract(body, '$.kind') IN (${q.kinds.map(() => '?').join(', ') || "''"})`, ...q.kinds);
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    add('(at, id) < (?, ?)', c.at, c.id);
  }
  return { filter: `INDEXED BY ${index}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`, params };
}

export interface CardRow {
  token: string;
  balance: number;
  version: number;
  status: CardStatus;
  flags: number;
  masked: string;
  region: string;
  fare: string;
  uses: string | null;
}

/** Files written before the fare column existed get it on open (ALTER TABLE ADD COLUMN is cheap). */
export const addFareColumn = "ALTER TABLE cards ADD COLUMN fare TEXT NOT NULL DEFAULT ''";

/** Files written before 0203 get the column empty: each card's uses are derived on first need. */
export const addUsesColumn = 'ALTER TABLE cards ADD COLUMN uses TEXT';

export function cardOf(row: CardRow): CardState {
  return {
    token: row.token,
    known: true,
    version: row.version,
    balanceFen: row.balance,
    status: row.status,
    flags: row.flags,
    masked: row.masked,
    region: row.region,
    fare: decodeFareState(row.fare, `card ${row.token}`),
    ...(row.uses === null ? {} : { uses: decodeUses(row.uses, `card ${row.token}`) }),
  };
}

/**
 * Indexes the cards whose fare state already holds an open entry (a file written before the
 * open-entry index). CASE, not AND: json_extract must not see a fare that is not JSON ('').
 */
export const indexOpenEntries = `INSERT OR IGNORE INTO open_entries (card, at)
  SELECT token, open_at FROM (
    SELECT token, CASE WHEN json_valid(fare) THEN json_extract(fare, '$.open.t') END AS open_at FROM cards
  ) WHERE open_at IS NOT NULL`;
