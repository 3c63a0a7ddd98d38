// Store.payments on SQLite: each step one IMMEDIATE transaction, so a daily-sum check and the
// write it allows cannot interleave with another gateway process on the same file.

import type Database from 'better-sqlite3';
import { fitsDaily } from '../payments/limits.js';
import { countsToday, type OrderStatus, type TopUpOrder } from '../payments/order.js';
import type { CreateOrderOutcome, PaymentStore } from './ports/payments.js';
import { preparedCache } from './sqlite-prepared.js';

export const paymentSchema = `
CREATE TABLE IF NOT EXISTS payment_orders (
  id TEXT PRIMARY KEY,
  card TEXT NOT NULL,
  request_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  status TEXT NOT NULL,
  txn TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  retain_until INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (card, request_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS payment_orders_by_card_day ON payment_orders (card, day);
CREATE INDEX IF NOT EXISTS payment_orders_by_retention ON payment_orders (retain_until);
CREATE TABLE IF NOT EXISTS payment_daily_use (
  key TEXT NOT NULL,
  day INTEGER NOT NULL,
  id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  PRIMARY KEY (key, day, id)
) WITHOUT ROWID;
`;

interface Row {
  status: OrderStatus;
  txn: string;
  updated_at: number;
  body: string;
}

/** The creation facts from the body, the moving parts from their columns. */
const orderOf = (r: Row): TopUpOrder => ({
  ...(JSON.parse(r.body) as TopUpOrder),
  status: r.status,
  providerTxnId: r.txn,
  updatedAt: r.updated_at,
});

export class SqlitePaymentStore implements PaymentStore {
  private readonly createTx;
  private readonly transitionTx;
  private readonly useTx;
  /** Prepared once per distinct SQL text (sqlite-prepared.ts). */
  private readonly sql: (text: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.sql = preparedCache(db);
    db.exec(paymentSchema);
    this.createTx = db.transaction(this.create.bind(this));
    this.transitionTx = db.transaction(this.transition.bind(this));
    this.useTx = db.transaction(this.use.bind(this));
  }

  async createOrder(order: TopUpOrder, dailyLimitFen: number, now: number): Promise<CreateOrderOutcome> {
    return this.createTx.immediate(order, dailyLimitFen, now);
  }

  private create(o: TopUpOrder, limit: number, now: number): CreateOrderOutcome {
    const existing = this.sql('SELECT * FROM payment_orders WHERE card = ? AND request_id = ?').get(
      o.cardToken,
      o.requestId,
    ) as Row | undefined;
    if (existing) return { status: 'duplicate', order: orderOf(existing) };
    const today = (
      this.sql('SELECT * FROM payment_orders WHERE card = ? AND day = ?').all(o.cardToken, o.day) as Row[]
    )
      .map(orderOf)
      .filter((x) => countsToday(x, now));
    const usedFen = today.reduce((sum, x) => sum + x.amountFen, 0);
    if (!fitsDaily(usedFen, o.amountFen, limit)) return { status: 'over_daily', usedFen };
    this.sql(
      `INSERT INTO payment_orders (id, card, request_id, day, status, txn, updated_at, retain_until, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      o.id,
      o.cardToken,
      o.requestId,
      o.day,
      o.status,
      o.providerTxnId,
      o.updatedAt,
      o.retainUntil,
      JSON.stringify(o),
    );
    return { status: 'created', order: o };
  }

  async getOrder(id: string): Promise<TopUpOrder | undefined> {
    const row = this.sql('SELECT * FROM payment_orders WHERE id = ?').get(id) as Row | undefined;
    return row ? orderOf(row) : undefined;
  }

  async orderByRequest(cardToken: string, requestId: string): Promise<TopUpOrder | undefined> {
    const row = this.sql('SELECT * FROM payment_orders WHERE card = ? AND request_id = ?').get(
      cardToken,
      requestId,
    ) as Row | undefined;
    return row ? orderOf(row) : undefined;
  }

  async transitionOrder(
    id: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    at: number,
    providerTxnId = '',
  ): Promise<{ changed: boolean; order: TopUpOrder } | undefined> {
    return this.transitionTx.immediate(id, from, to, at, providerTxnId);
  }

  private transition(id: string, from: readonly OrderStatus[], to: OrderStatus, at: number, txn: string) {
    const row = this.sql('SELECT * FROM payment_orders WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    if (!from.includes(row.status)) return { changed: false, order: orderOf(row) };
    const next: Row = { ...row, status: to, updated_at: at, txn: txn === '' ? row.txn : txn };
    this.sql('UPDATE payment_orders SET status = ?, updated_at = ?, txn = ? WHERE id = ?').run(
      next.status,
      next.updated_at,
      next.txn,
      id,
    );
    return { changed: true, order: orderOf(next) };
  }

  async addDailyUse(key: string, day: number, id: string, amountFen: number, limitFen: number) {
    return this.useTx.immediate(key, day, id, amountFen, limitFen);
  }

  private use(key: string, day: number, id: string, amount: number, limit: number) {
    const sum = () =>
      (
        this.sql('SELECT COALESCE(SUM(amount), 0) AS s FROM payment_daily_use WHERE key = ? AND day = ?').get(
          key,
          day,
        ) as { s: number }
      ).s;
    const seen = this.sql('SELECT 1 FROM payment_daily_use WHERE key = ? AND day = ? AND id = ?').get(
      key,
      day,
      id,
    );
    const usedFen = sum();
    if (seen) return { ok: true, usedFen };
    if (!fitsDaily(usedFen, amount, limit)) return { ok: false, usedFen };
    this.sql('INSERT INTO payment_daily_use (key, day, id, amount) VALUES (?, ?, ?, ?)').run(
      key,
      day,
      id,
      amount,
    );
    return { ok: true, usedFen: usedFen + amount };
  }

  async prune(now: number, beforeDay: number): Promise<number> {
    this.sql('DELETE FROM payment_daily_use WHERE day < ?').run(beforeDay);
    return this.sql('DELETE FROM payment_orders WHERE retain_until <= ?').run(now).changes;
  }
}
