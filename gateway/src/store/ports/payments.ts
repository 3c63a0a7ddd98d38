// The store's payment part (Store.payments): paid top-up orders with their state machine
// (gateway/src/payments/order.ts) and daily sums. Both adapters (sqlite-payments.ts,
// redis-payments.ts) do each step atomically, and one contract suite
// (test/gateway/store/contract-payments.ts) runs against both. Card money moves through
// Store.commit (the order's credit is a top-up effect), never here.
import type { OrderStatus, TopUpOrder } from '../../payments/order.js';

export type CreateOrderOutcome =
  /** Written now. */
  | { status: 'created'; order: TopUpOrder }
  /** The card has an order with this requestId: nothing changed; the stored order. */
  | { status: 'duplicate'; order: TopUpOrder }
  /** The card's orders of the day that count (order.ts countsToday) plus this one pass the limit: nothing changed. */
  | { status: 'over_daily'; usedFen: number };

export interface PaymentStore {
  /**
   * Atomically: a duplicate when the card has an order with order.requestId; otherwise over_daily
   * when the amounts of the card's orders of order.day that count at `now` plus order.amountFen
   * pass dailyLimitFen; otherwise the order is written, kept at least until order.retainUntil.
   */
  createOrder(order: TopUpOrder, dailyLimitFen: number, now: number): Promise<CreateOrderOutcome>;
  getOrder(id: string): Promise<TopUpOrder | undefined>;
  orderByRequest(cardToken: string, requestId: string): Promise<TopUpOrder | undefined>;
  /**
   * Atomically moves an order whose status is one of `from` to `to` (compare-and-set on the
   * status), setting updatedAt and, when not '', providerTxnId. undefined for an unknown order;
   * changed false (and the order as it is) when its status was not in `from`.
   */
  transitionOrder(
    id: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    at: number,
    providerTxnId?: string,
  ): Promise<{ changed: boolean; order: TopUpOrder } | undefined>;
  /**
   * A daily sum under a key (an operator account's counter top-ups): atomically adds amountFen
   * under id, unless id was added that day already (ok, nothing added: a retried request) or
   * the sum would pass limitFen (not ok, nothing added). usedFen: the sum after.
   */
  addDailyUse(
    key: string,
    day: number,
    id: string,
    amountFen: number,
    limitFen: number,
  ): Promise<{ ok: boolean; usedFen: number }>;
  /**
   * Removes orders whose retainUntil is at or before `now`, and daily sums of days before
   * `beforeDay`; returns the orders removed. (Redis keys also carry a TTL as a safety net.)
   */
  prune(now: number, beforeDay: number): Promise<number>;
}
