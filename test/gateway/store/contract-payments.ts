// Store.payments: top-up orders written once per request id, within the card's daily sum
// (checked in the same atomic step, also between two gateways), the status moved by
// compare-and-set, daily sums per key, and orders pruned once past their retention.
import { describe, expect, it } from 'vitest';
import type { TopUpOrder } from '../../../gateway/src/payments/order.js';
import type { StoreParts } from '../../../gateway/src/store/port.js';
import { T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const DAY = 20_300;
const HOUR = 3600_000;

export function order(id: string, over: Partial<TopUpOrder> = {}): TopUpOrder {
  return {
    id,
    cardToken: token(1),
    requestId: `req-${id}`,
    amountFen: 1_000,
    status: 'created',
    payReference: `pr_${id}`,
    providerTxnId: '',
    createdAt: T0,
    expiresAt: T0 + HOUR,
    day: DAY,
    retainUntil: T0 + 30 * 24 * HOUR,
    updatedAt: T0,
    ...over,
  };
}

/** Order ids as the gateway makes them: po_ and 20 base32 characters. */
const oid = (n: number) =>
  `po_${String(n)
    .padStart(20, 'a')
    .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;

export function paymentsContract(h: StoreHarness<Pick<StoreParts, 'payments'>>): void {
  describe('payment orders', () => {
    it('writes an order once per card and request id; a repeat answers the stored order', async () => {
      const p = h.store().payments;
      const first = await p.createOrder(order(oid(1)), 10_000, T0);
      expect(first).toEqual({ status: 'created', order: order(oid(1)) });
      const again = await p.createOrder(
        order(oid(2), { requestId: `req-${oid(1)}`, amountFen: 5 }),
        10_000,
        T0,
      );
      expect(again).toEqual({ status: 'duplicate', order: order(oid(1)) });
      expect(await p.getOrder(oid(1))).toEqual(order(oid(1)));
      expect(await p.getOrder(oid(2))).toBeUndefined();
      expect(await p.orderByRequest(token(1), `req-${oid(1)}`)).toEqual(order(oid(1)));
      expect(await p.orderByRequest(token(2), `req-${oid(1)}`)).toBeUndefined();
    });

    it("refuses an order past the card's daily sum; expired, other days and other cards do not count", async () => {
      const p = h.store().payments;
      await p.createOrder(order(oid(1), { amountFen: 4_000 }), 10_000, T0);
      await p.createOrder(order(oid(2), { amountFen: 3_000, expiresAt: T0 + 10 }), 10_000, T0);
      await p.createOrder(order(oid(3), { amountFen: 9_000, day: DAY - 1 }), 10_000, T0);
      await p.createOrder(order(oid(4), { amountFen: 9_000, cardToken: token(2) }), 10_000, T0);
      // 4,000 + 3,000 (not yet expired) + 3,001 > 10,000.
      expect(await p.createOrder(order(oid(5), { amountFen: 3_001 }), 10_000, T0)).toEqual({
        status: 'over_daily',
        usedFen: 7_000,
      });
      expect(await p.getOrder(oid(5))).toBeUndefined();
      // Once order 2 expired unpaid, its amount is free again: exactly up to the limit.
      expect((await p.createOrder(order(oid(6), { amountFen: 6_000 }), 10_000, T0 + 10)).status).toBe(
        'created',
      );
      expect((await p.createOrder(order(oid(7), { amountFen: 1 }), 10_000, T0 + 10)).status).toBe(
        'over_daily',
      );
    });

    it('counts paid and credited orders; not refunded or expired ones', async () => {
      const p = h.store().payments;
      for (const n of [1, 2, 3, 4]) await p.createOrder(order(oid(n), { amountFen: 1_000 }), 10_000, T0);
      await p.transitionOrder(oid(1), ['created'], 'paid', T0 + 1, 'tx_one_00001');
      await p.transitionOrder(oid(2), ['created'], 'paid', T0 + 1, 'tx_two_00002');
      await p.transitionOrder(oid(2), ['paid'], 'credited', T0 + 2);
      await p.transitionOrder(oid(3), ['created'], 'expired', T0 + 3);
      await p.transitionOrder(oid(4), ['created'], 'paid', T0 + 1, 'tx_four_0004');
      await p.transitionOrder(oid(4), ['paid'], 'credited', T0 + 2);
      await p.transitionOrder(oid(4), ['credited'], 'refunded', T0 + 3);
      const over = await p.createOrder(order(oid(5), { amountFen: 8_001 }), 10_000, T0 + HOUR);
      expect(over).toEqual({ status: 'over_daily', usedFen: 2_000 });
    });

    it('moves the status by compare-and-set, keeping the transaction id', async () => {
      const p = h.store().payments;
      await p.createOrder(order(oid(1)), 10_000, T0);
      const paid = await p.transitionOrder(oid(1), ['created'], 'paid', T0 + 5, 'tx_abcdefgh');
      expect(paid).toEqual({
        changed: true,
        order: order(oid(1), { status: 'paid', providerTxnId: 'tx_abcdefgh', updatedAt: T0 + 5 }),
      });
      const again = await p.transitionOrder(oid(1), ['created'], 'paid', T0 + 6, 'tx_other_id');
      expect(again).toEqual({ changed: false, order: paid!.order });
      const credited = await p.transitionOrder(oid(1), ['paid'], 'credited', T0 + 7);
      expect(credited?.order).toMatchObject({
        status: 'credited',
        providerTxnId: 'tx_abcdefgh',
        updatedAt: T0 + 7,
      });
      expect(await p.transitionOrder(oid(9), ['created'], 'paid', T0)).toBeUndefined();
    });

    it('two gateways: one order of two fits the daily sum, one move of two applies', async () => {
      const a = h.store().payments;
      const b = (await h.open()).payments;
      const made = await Promise.all([
        a.createOrder(order(oid(1), { amountFen: 6_000 }), 10_000, T0),
        b.createOrder(order(oid(2), { amountFen: 6_000 }), 10_000, T0),
      ]);
      expect(made.map((m) => m.status).sort()).toEqual(['created', 'over_daily']);
      const id = made[0]!.status === 'created' ? oid(1) : oid(2);
      const moves = await Promise.all([
        a.transitionOrder(id, ['created'], 'paid', T0 + 1, 'tx_same_0001'),
        b.transitionOrder(id, ['created'], 'paid', T0 + 1, 'tx_same_0001'),
      ]);
      expect(moves.map((m) => m?.changed).sort()).toEqual([false, true]);
    });

    it('keeps a daily sum per key: each id once, never past the limit', async () => {
      const p = h.store().payments;
      expect(await p.addDailyUse('op:counter1', DAY, 'r1', 600, 1_000)).toEqual({ ok: true, usedFen: 600 });
      expect(await p.addDailyUse('op:counter1', DAY, 'r1', 600, 1_000)).toEqual({ ok: true, usedFen: 600 });
      expect(await p.addDailyUse('op:counter1', DAY, 'r2', 401, 1_000)).toEqual({ ok: false, usedFen: 600 });
      expect(await p.addDailyUse('op:counter1', DAY, 'r3', 400, 1_000)).toEqual({ ok: true, usedFen: 1_000 });
      expect(await p.addDailyUse('op:counter1', DAY + 1, 'r4', 1_000, 1_000)).toEqual({
        ok: true,
        usedFen: 1_000,
      });
      expect(await p.addDailyUse('op:counter2', DAY, 'r5', 1_000, 1_000)).toEqual({
        ok: true,
        usedFen: 1_000,
      });
    });

    it('prunes orders once past their retention, with their request ids; younger ones stay', async () => {
      const p = h.store().payments;
      await p.createOrder(order(oid(1), { retainUntil: T0 + 10 * HOUR }), 10_000, T0);
      await p.createOrder(order(oid(2), { retainUntil: T0 + 20 * HOUR }), 10_000, T0);
      expect(await p.prune(T0 + 10 * HOUR - 1, DAY - 2)).toBe(0);
      expect(await p.prune(T0 + 10 * HOUR, DAY - 2)).toBe(1);
      expect(await p.getOrder(oid(1))).toBeUndefined();
      expect(await p.orderByRequest(token(1), `req-${oid(1)}`)).toBeUndefined();
      expect(await p.getOrder(oid(2))).toEqual(order(oid(2), { retainUntil: T0 + 20 * HOUR }));
    });
  });
}
