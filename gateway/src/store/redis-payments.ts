// Store.payments on Redis: every key under the hash tag {pay} (redis-keys.ts), each atomic
// step one Lua script (lua/createOrder-4.lua, transitionOrder-1.lua, addDailyUse-1.lua).
// Orders carry a TTL a day past their retention as a safety net; prune() removes them on time.
import type { OrderStatus, TopUpOrder } from '../payments/order.js';
import type { CreateOrderOutcome, PaymentStore } from './ports/payments.js';
import type { RedisClient } from './redis-client.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

const DAY_MS = 24 * 3600 * 1000;
/** Daily sums outlive their day (a late retry of yesterday's request still counts once). */
const DAILY_USE_TTL_MS = 3 * DAY_MS;

type Fields = [string | null, string | null, string | null, string | null];

function orderOf([body, st, txn, up]: Fields): TopUpOrder | undefined {
  if (body === null) return undefined;
  return {
    ...(JSON.parse(body) as TopUpOrder),
    status: st as OrderStatus,
    providerTxnId: txn ?? '',
    updatedAt: Number(up),
  };
}

export class RedisPaymentStore implements PaymentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
  ) {}

  async createOrder(o: TopUpOrder, dailyLimitFen: number, now: number): Promise<CreateOrderOutcome> {
    const k = this.keys;
    const ttlMs = Math.max(1, o.retainUntil - o.createdAt) + DAY_MS;
    const reply = (await this.scripts.run(
      'createOrder',
      [
        k.payOrder(o.id),
        k.payRequest(o.cardToken, o.requestId),
        k.payCardDay(o.cardToken, o.day),
        k.payRetention(),
      ],
      [
        o.id,
        JSON.stringify(o),
        o.status,
        o.amountFen,
        o.expiresAt,
        o.updatedAt,
        dailyLimitFen,
        now,
        o.retainUntil,
        ttlMs,
        k.payOrder(''),
      ],
    )) as [number, string?];
    const code = resultCode('createOrder', reply[0]);
    if (code === ScriptResult.FULL) return { status: 'over_daily', usedFen: Number(reply[1]) };
    if (code === ScriptResult.DUPLICATE) {
      const order = await this.getOrder(reply[1]!);
      if (!order) throw new Error(`order ${reply[1]} of a known request id is gone`);
      return { status: 'duplicate', order };
    }
    return { status: 'created', order: o };
  }

  async getOrder(id: string): Promise<TopUpOrder | undefined> {
    return orderOf((await this.redis.hmget(this.keys.payOrder(id), 'body', 'st', 'txn', 'up')) as Fields);
  }

  async orderByRequest(cardToken: string, requestId: string): Promise<TopUpOrder | undefined> {
    const id = await this.redis.get(this.keys.payRequest(cardToken, requestId));
    return id ? this.getOrder(id) : undefined;
  }

  async transitionOrder(
    id: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    at: number,
    providerTxnId = '',
  ): Promise<{ changed: boolean; order: TopUpOrder } | undefined> {
    const reply = (await this.scripts.run(
      'transitionOrder',
      [this.keys.payOrder(id)],
      [to, at, providerTxnId, ...from],
    )) as [number, ...Fields];
    const code = resultCode('transitionOrder', reply[0]);
    if (code === ScriptResult.NOT_FOUND) return undefined;
    const order = orderOf(reply.slice(1) as Fields);
    if (!order) return undefined;
    return { changed: code === ScriptResult.OK, order };
  }

  async addDailyUse(key: string, day: number, id: string, amountFen: number, limitFen: number) {
    const reply = (await this.scripts.run(
      'addDailyUse',
      [this.keys.payDailyUse(key, day)],
      [id, amountFen, limitFen, DAILY_USE_TTL_MS],
    )) as [number, number];
    const code = resultCode('addDailyUse', reply[0]);
    return { ok: code !== ScriptResult.FULL, usedFen: Number(reply[1]) };
  }

  /** Daily sums expire by TTL alone (beforeDay is for SQLite); orders by the retention index. */
  async prune(now: number, _beforeDay: number): Promise<number> {
    const k = this.keys;
    const ids = await this.redis.zrangebyscore(k.payRetention(), '-inf', now, 'LIMIT', 0, 1000);
    let removed = 0;
    for (const id of ids) {
      const order = await this.getOrder(id);
      const tx = this.redis.multi().zrem(k.payRetention(), id).unlink(k.payOrder(id));
      if (order) tx.unlink(k.payRequest(order.cardToken, order.requestId));
      await tx.exec();
      if (order) removed++;
    }
    return removed;
  }
}
