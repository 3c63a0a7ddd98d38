// The embedded store: one SQLite file (better-sqlite3), for a single site or the demo.
// Durability first: the gateway acks a tap only after commit() returns and the device then
// deletes the tap from its journal, so a commit must be on disk when it returns: WAL with
// synchronous=FULL (NORMAL may lose the last transactions on power loss).

import Database from 'better-sqlite3';
import { type CardState, type CardStatus, unknownCard } from '../../../core/card.js';
import {
  checkWindowDays,
  DEFAULT_DEDUPE_WINDOW_DAYS,
  dedupeDay,
  firstKeptDay,
  isTapKey,
} from '../../../core/dedupe-window.js';
import type { Effect, EffectResult, LedgerRecord } from '../../../core/ledger.js';
import { withSubsidy } from '../../../core/subsidy.js';
import { encodeFareState } from '../../../core/tariff/state.js';
import { encodeUses } from '../../../core/uses.js';
import { recordFrame } from '../../../protos/record-codec.js';
import type { StatSummary } from '../stats/rides.js';
import { checkEffects, checkNewCard } from './amounts.js';
import { encodeCursor } from './cursor.js';
import type {
  AuditEntry,
  AuditPage,
  CommitOutcome,
  DeadLetter,
  DeadLetterBounds,
  Device,
  Finding,
  KeptDeadLetter,
  NewCard,
  OpenEntry,
  OpenEntryQuery,
  OutboxEntry,
  RecordPage,
  RecordQuery,
  Store,
  TapClaim,
} from './port.js';
import type { AuthStore } from './ports/auth.js';
import type { CredentialStore } from './ports/credentials.js';
import type { PaymentStore } from './ports/payments.js';
import type { VenueStore } from './ports/venues.js';
import { appendAudit, auditSchema, queryAudit } from './sqlite-audit.js';
import { SqliteAuthStore } from './sqlite-auth.js';
import {
  type ClaimTaps,
  dedupeWindowSchema,
  sqliteClaimTaps,
  sqlitePruneDedupe,
  sqliteSeenBeforeWindow,
} from './sqlite-claims.js';
import { SqliteCredentialStore } from './sqlite-credentials.js';
import { deadLetterSchema, SqliteDeadLetters } from './sqlite-dead-letters.js';
import { ensureGeneration, migrateDenyTables, SqliteLists } from './sqlite-lists.js';
import { outboxSchema, SqliteOutbox } from './sqlite-outbox.js';
import { SqlitePaymentStore } from './sqlite-payments.js';
import { preparedCache } from './sqlite-prepared.js';
import {
  addFareColumn,
  addUsesColumn,
  type CardRow,
  cardOf,
  indexOpenEntries,
  recordFilter,
  schema,
} from './sqlite-schema.js';
import { bumpSql, bumpStats, migrateStats, queryStats, statsSchema } from './sqlite-stats.js';
import { SqliteVenueStore } from './sqlite-venues.js';
import { checkPartition, deviceOf } from './values.js';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:' for a store that lives as long as the process. */
  file: string;
  /** Days tap dedupe keys and claims are kept (docs/decisions/0196); default 30. */
  dedupeWindowDays?: number;
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  // timeout: how long a writer waits for another connection's write transaction (SQLITE_BUSY).
  const db = new Database(opts.file, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const hadOpenIndex = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'open_entries'`).get();
  db.exec(schema);
  const columns = db.pragma('table_info(cards)') as { name: string }[];
  if (!columns.some((c) => c.name === 'fare')) db.exec(addFareColumn);
  if (!columns.some((c) => c.name === 'uses')) db.exec(addUsesColumn);
  // A file written before the sweep (docs/decisions/0113): index the entries already open.
  if (!hadOpenIndex) db.exec(indexOpenEntries);
  db.exec(auditSchema);
  db.exec(statsSchema);
  migrateStats(db);
  migrateDenyTables(db);
  deadLetterSchema(db);
  dedupeWindowSchema(db);
  outboxSchema(db);
  // The composition edge: the generation begins now (core/lists/generation.ts).
  return new SqliteStore(
    db,
    ensureGeneration(db, Date.now()),
    checkWindowDays(opts.dedupeWindowDays ?? DEFAULT_DEDUPE_WINDOW_DAYS),
  );
}

class SqliteStore implements Store {
  private readonly commitTx: Database.Transaction<(effects: readonly Effect[]) => CommitOutcome[]>;
  private readonly claimTx: ClaimTaps;
  private readonly seenTx: ReturnType<typeof sqliteSeenBeforeWindow>;
  private readonly pruneTx: ReturnType<typeof sqlitePruneDedupe>;
  private readonly statusTx: Database.Transaction<(token: string, status: CardStatus) => boolean>;
  private readonly lists: SqliteLists;
  private readonly deadLetterBox: SqliteDeadLetters;
  private readonly outbox: SqliteOutbox;
  readonly venues: VenueStore;
  readonly payments: PaymentStore;
  readonly auth: AuthStore;
  readonly credentials: CredentialStore;

  /** Prepared once per distinct SQL text (sqlite-prepared.ts). */
  private readonly sql: (text: string) => Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly generation: string,
    private readonly windowDays: number,
  ) {
    this.sql = preparedCache(db);
    this.venues = new SqliteVenueStore(db);
    this.payments = new SqlitePaymentStore(db);
    this.auth = new SqliteAuthStore(db);
    this.credentials = new SqliteCredentialStore(db);
    this.outbox = new SqliteOutbox(this.sql);
    this.commitTx = db.transaction((effects: readonly Effect[]) => {
      const broken = new Set<string>();
      // The outbox row of this commit: the frames of the records it applied (sqlite-outbox.ts).
      const frames: Buffer[] = [];
      const outcomes = effects.map((e) => {
        const outcome = this.apply(e, broken);
        if (outcome.status === 'applied') frames.push(recordFrame(e.record));
        return outcome;
      });
      // The time it went into the outbox, as a Redis stream id says it: the relay's lag starts here.
      this.outbox.add(frames, Date.now());
      return outcomes;
    });
    this.claimTx = sqliteClaimTaps(db);
    this.seenTx = sqliteSeenBeforeWindow(db);
    this.pruneTx = sqlitePruneDedupe(db);
    this.statusTx = db.transaction(this.changeStatus.bind(this));
    this.lists = new SqliteLists(db);
    this.deadLetterBox = new SqliteDeadLetters(db);
  }

  async issueCard(card: NewCard): Promise<void> {
    checkNewCard(card);
    this.sql(
      `INSERT INTO cards (token, balance, version, status, flags, masked, region, uses)
       VALUES (?, ?, 1, 'active', ?, ?, ?, '[]') ON CONFLICT (token) DO NOTHING`,
    ).run(card.token, card.balanceFen, card.flags, card.masked, card.region);
  }

  async loadCards(tokens: readonly string[]): Promise<Map<string, CardState>> {
    const get = this.sql('SELECT * FROM cards WHERE token = ?');
    const out = new Map<string, CardState>();
    for (const token of tokens) {
      const row = get.get(token) as CardRow | undefined;
      out.set(token, row ? cardOf(row) : unknownCard(token));
    }
    return out;
  }

  async commit(effects: readonly Effect[]): Promise<CommitOutcome[]> {
    checkEffects(effects);
    // IMMEDIATE takes the write lock at BEGIN: two connections on one file queue up here
    // instead of both reading under a shared lock and one failing at its first write.
    return this.commitTx.immediate(effects);
  }

  /**
   * In order: dedupe, then compare-and-set, then everything the effect writes. `broken` holds
   * the cards whose chain in this commit was cut by an effect that did not apply.
   */
  private apply(e: Effect, broken: Set<string>): CommitOutcome {
    const seen = this.sql('SELECT result FROM dedupe WHERE key = ?').get(e.dedupeKey) as
      | { result: string }
      | undefined;
    if (seen) {
      if (e.expectVersion !== null) broken.add(e.cardToken);
      return { status: 'duplicate', result: JSON.parse(seen.result) as EffectResult };
    }
    if (e.expectVersion !== null) {
      const cas = broken.has(e.cardToken)
        ? undefined
        : this.sql(
            // Uses only change with a visit that carries them (core/visit.ts); NULL keeps them.
            'UPDATE cards SET balance = ?, fare = ?, uses = coalesce(?, uses), version = version + 1 WHERE token = ? AND version = ?',
          ).run(
            e.newBalanceFen,
            encodeFareState(e.newFare),
            e.newUses ? encodeUses(e.newUses) : null,
            e.cardToken,
            e.expectVersion,
          );
      if (cas?.changes !== 1) {
        broken.add(e.cardToken);
        return { status: 'conflict' };
      }
      const open = e.newFare.open;
      if (open)
        this.sql(
          'INSERT INTO open_entries (card, at) VALUES (?, ?) ON CONFLICT (card) DO UPDATE SET at = excluded.at',
        ).run(e.cardToken, open.t);
      else this.sql('DELETE FROM open_entries WHERE card = ?').run(e.cardToken);
    }
    const r = e.record;
    // A tap's key carries its day, for the window's prune (docs/decisions/0196).
    this.sql('INSERT INTO dedupe (key, result, day) VALUES (?, ?, ?)').run(
      e.dedupeKey,
      JSON.stringify(e.result),
      isTapKey(e.dedupeKey) ? dedupeDay(r.at) : null,
    );
    this.sql(
      'INSERT INTO records (id, card, device, route, operator, at, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(r.id, r.cardToken, r.deviceId, r.routeId, r.operatorId, r.at, JSON.stringify(r));
    bumpStats(this.sql(bumpSql), r);
    return { status: 'applied', result: e.result };
  }

  async committedResult(_cardToken: string, dedupeKey: string): Promise<EffectResult | undefined> {
    const seen = this.sql('SELECT result FROM dedupe WHERE key = ?').get(dedupeKey) as
      | { result: string }
      | undefined;
    return seen ? (JSON.parse(seen.result) as EffectResult) : undefined;
  }

  // SQLite's floor rises with its prune (sqlite-claims.ts), which has the clock: `now` is not needed here.
  async claimTaps(
    deviceId: string,
    epoch: string,
    claims: readonly TapClaim[],
    _now: number,
  ): Promise<boolean[]> {
    return this.claimTx(deviceId, epoch, claims);
  }

  async seenBeforeWindow(deviceId: string, epoch: string, seqs: readonly number[]): Promise<boolean[]> {
    return this.seenTx(deviceId, epoch, seqs);
  }

  async pruneDedupe(now: number): Promise<number> {
    return this.pruneTx(firstKeptDay(now, this.windowDays));
  }

  async setCardStatus(token: string, status: CardStatus): Promise<boolean> {
    return this.statusTx.immediate(token, status);
  }

  private changeStatus(token: string, status: CardStatus): boolean {
    const row = this.sql('SELECT status FROM cards WHERE token = ?').get(token) as
      | { status: CardStatus }
      | undefined;
    if (!row) return false;
    // A status change bumps the version, so a tap planned from the old status re-plans (its
    // record then says LOST_AFTER_THE_FACT rather than OK).
    if (row.status !== status)
      this.sql('UPDATE cards SET status = ?, version = version + 1 WHERE token = ?').run(status, token);
    return true;
  }

  async listGeneration(): Promise<string> {
    return this.generation;
  }

  readonly changeList: Store['changeList'] = (...a) => this.lists.changeList(...a);
  readonly listVersion: Store['listVersion'] = (...a) => this.lists.listVersion(...a);
  readonly listSize: Store['listSize'] = (...a) => this.lists.listSize(...a);
  readonly listChangesSince: Store['listChangesSince'] = (...a) => this.lists.listChangesSince(...a);
  readonly listEntriesPage: Store['listEntriesPage'] = (...a) => this.lists.listEntriesPage(...a);

  async queryRecords(q: RecordQuery): Promise<RecordPage> {
    const { filter, params } = recordFilter(q);
    // One row more than asked tells whether another page exists.
    const rows = this.sql(`SELECT body FROM records ${filter} ORDER BY at DESC, id DESC LIMIT ?`).all(
      ...params,
      q.limit + 1,
    ) as { body: string }[];
    const items = rows.slice(0, q.limit).map((r) => withSubsidy(JSON.parse(r.body) as LedgerRecord));
    const last = items.at(-1);
    return rows.length > q.limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async queryStats(q: { operatorId?: string; from: number; to: number }): Promise<StatSummary> {
    return queryStats(this.db, q);
  }

  async openEntries(q: OpenEntryQuery): Promise<OpenEntry[]> {
    checkPartition(q.partition, 1);
    const select = 'SELECT card AS cardToken, at FROM open_entries WHERE at <= ?';
    const rows = q.after
      ? this.sql(`${select} AND (at, card) > (?, ?) ORDER BY at, card LIMIT ?`).all(
          q.before,
          q.after.at,
          q.after.cardToken,
          q.limit,
        )
      : this.sql(`${select} ORDER BY at, card LIMIT ?`).all(q.before, q.limit);
    return rows as OpenEntry[];
  }

  outboxPartitions(): number {
    return 1;
  }

  async readOutbox(partition: number, limit: number): Promise<OutboxEntry[]> {
    checkPartition(partition, 1);
    return this.outbox.read(limit);
  }

  async ackOutbox(partition: number, uptoId: string): Promise<void> {
    checkPartition(partition, 1);
    this.outbox.ack(uptoId);
  }

  async leaseOutbox(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    checkPartition(partition, 1);
    return this.outbox.lease(partition, owner, ttlMs, Date.now());
  }

  async putDeadLetter(letter: DeadLetter, bounds: DeadLetterBounds): Promise<{ dropped: number }> {
    return this.deadLetterBox.put(letter, bounds);
  }

  async deadLetters(limit: number): Promise<KeptDeadLetter[]> {
    return this.deadLetterBox.list(limit);
  }

  async putFindings(findings: readonly Finding[]): Promise<void> {
    const put = this.sql('INSERT OR IGNORE INTO findings (id, found_at, body) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const f of findings) put.run(f.id, f.foundAt, JSON.stringify(f));
    })();
  }

  async findings(q: { limit: number; since?: number }): Promise<Finding[]> {
    const rows = this.sql(
      'SELECT body FROM findings WHERE found_at >= ? ORDER BY found_at DESC, id DESC LIMIT ?',
    ).all(q.since ?? 0, q.limit) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Finding);
  }

  async upsertDevice(device: Device): Promise<void> {
    this.sql(
      'INSERT INTO devices (device_id, body) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET body = excluded.body',
    ).run(device.deviceId, JSON.stringify(deviceOf(device)));
  }

  async getDevice(deviceId: string): Promise<Device | undefined> {
    const row = this.sql('SELECT body FROM devices WHERE device_id = ?').get(deviceId) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as Device) : undefined;
  }

  async listDevices(): Promise<Device[]> {
    const rows = this.sql('SELECT body FROM devices ORDER BY device_id').all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Device);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    appendAudit(this.db, entry);
  }

  async queryAudit(q: { limit: number; cursor?: string }): Promise<AuditPage> {
    return queryAudit(this.db, q);
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
  }

  moduleCommands(): ReadonlyMap<string, boolean> {
    return new Map();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
