// Top-up limits from the configuration (support.ts LIMITS), counter top-ups with their reason
// and the operator account's daily sum, and refunds by card service, on each store. The
// gateway's clock is set to a day of its own per run, so the daily sums of earlier runs on the
// shared Redis never count here, and to noon (local) on it, so the sums the tests add up, within
// a test and from one test to the next, all fall on that one day whatever the hour of the run
// (time passed in).
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { localDay } from '../../../core/time.js';
import { clockFrom, localInstant } from '../../support/clock.js';
import { uniqueId } from '../../support/env.js';
import type { TestGateway } from '../../support/gateway.js';
import { expectedBalancesFen, moneyTally } from '../../support/money.js';
import { bearerFor } from '../../support/operators.js';
import { type Simulator, startSimulator } from '../../support/payment-simulator.js';
import { fare, tap } from '../store/fixtures.js';
import {
  balanceOf,
  call,
  makeOrder,
  metric,
  newCard,
  notify,
  orderStatus,
  type StoreKind,
  signed,
  startPayingGateway,
  type TestCard,
} from './support.js';

describe.each<StoreKind>(['sqlite', 'redis'])('top-up limits on %s', (kind) => {
  // Up to ~50 years ahead: times stay within the API's bounds (schemas.unixMs, before 2100).
  const now = clockFrom(localInstant(localDay(Date.now()) + randomInt(1_000, 18_000), 12 * 60));
  // Top-up request ids are exactly-once keys in the store, which the Redis suites share.
  const run = uniqueId('c');
  let sim: Simulator;
  let g: TestGateway;
  let url = '';
  let counter = '';
  const cards: TestCard[] = [];
  const orders: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator();
    g = await startPayingGateway(kind, sim, { now });
    url = g.gw.url;
    counter = await bearerFor(url, 'counter');
  });

  afterAll(async () => {
    const tally = await moneyTally(g.gw.store, cards, orders);
    expect(tally.balancesFen).toBe(expectedBalancesFen(tally));
    expect(tally.paidTopUpsFen).toBe(tally.creditedOrdersFen);
    await g?.gw.stop();
    await sim?.stop();
  });

  async function card(issuedFen = 0): Promise<TestCard> {
    const c = await newCard(url, issuedFen);
    cards.push(c);
    return c;
  }

  /** An order paid and credited: the provider's notification, signed at the gateway's time. */
  async function creditedOrder(c: TestCard, amountFen: number): Promise<string> {
    const made = await makeOrder(url, c, amountFen);
    const orderId = String(made.body.orderId);
    orders.push(orderId);
    const r = await notify(url, signed(sim, { orderId, amountFen, paidAt: now(), timestamp: now() }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return orderId;
  }

  it('refuses a single paid top-up over the limit, counted, and takes one at the limit', async () => {
    const c = await card();
    const before = await metric(url, 'onecard_topup_orders_total', 'outcome="TOPUP_LIMIT_SINGLE"');
    const over = await makeOrder(url, c, 50_001);
    expect(over).toMatchObject({ status: 422, body: { code: 'TOPUP_LIMIT_SINGLE' } });
    expect(await metric(url, 'onecard_topup_orders_total', 'outcome="TOPUP_LIMIT_SINGLE"')).toBe(before + 1);
    expect((await makeOrder(url, c, 50_000)).status).toBe(201);
  });

  it('refuses a top-up that would leave more than the maximum balance', async () => {
    const c = await card(190_000);
    expect((await makeOrder(url, c, 10_001)).body).toMatchObject({ code: 'TOPUP_LIMIT_BALANCE' });
    expect((await makeOrder(url, c, 10_000)).status).toBe(201);
  });

  it("refuses orders past the card's daily sum, paid or awaiting payment", async () => {
    const c = await card();
    await creditedOrder(c, 50_000);
    expect((await makeOrder(url, c, 30_000)).status).toBe(201);
    const over = await makeOrder(url, c, 1);
    expect(over).toMatchObject({ status: 422, body: { code: 'TOPUP_LIMIT_DAILY' } });
    expect(await balanceOf(url, c)).toBe(50_000);
  });

  it('requires a reason from the closed list for a counter top-up and keeps it in the audit log', async () => {
    const c = await card();
    const path = `/v1/cards/${c.token}/topups`;
    const none = await call(url, 'POST', path, counter, { amountFen: 100, requestId: `${run}-r-0001` });
    expect(none).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const prose = await call(url, 'POST', path, counter, {
      amountFen: 100,
      requestId: `${run}-r-0002`,
      reason: 'card 6222021234567890',
    });
    expect(prose.status).toBe(400);
    const ok = await call(url, 'POST', path, counter, {
      amountFen: 100,
      requestId: `${run}-r-0003`,
      reason: 'cash',
    });
    expect(ok).toMatchObject({ status: 200, body: { balanceAfterFen: 100, duplicate: false } });
    const audit = await call(url, 'GET', '/v1/audit?limit=20', await bearerFor(url, 'auditor'));
    const entries = audit.body.items as Array<Record<string, unknown>>;
    expect(entries.find((e) => e.action === 'card.topup' && e.status === 200)).toMatchObject({
      actor: 'counter',
      target: c.token,
      reason: 'cash',
    });
  });

  it("refuses counter top-ups past the operator account's daily sum; a retried request counts once", async () => {
    const c = await card();
    const path = `/v1/cards/${c.token}/topups`;
    const up = (amountFen: number, requestId: string) =>
      call(url, 'POST', path, counter, { amountFen, requestId, reason: 'cash' });
    // 100 fen went in above (same account, same day).
    expect((await up(20_000, `${run}-d-0001`)).status).toBe(200);
    expect((await up(20_000, `${run}-d-0001`)).body).toMatchObject({ duplicate: true });
    const over = await up(9_901, `${run}-d-0002`);
    expect(over).toMatchObject({ status: 422, body: { code: 'TOPUP_LIMIT_OPERATOR_DAILY' } });
    expect((await up(9_900, `${run}-d-0003`)).status).toBe(200);
    expect(await balanceOf(url, c)).toBe(29_900);
  });

  it('lets card service refund a credited order once; other orders and holders are refused', async () => {
    const c = await card();
    const orderId = await creditedOrder(c, 4_000);
    const path = `/v1/payments/orders/${orderId}/refund`;
    expect(await call(url, 'POST', path, c.holder)).toMatchObject({ status: 401 });
    const refunded = await call(url, 'POST', path, counter);
    expect(refunded).toMatchObject({ status: 200, body: { orderId, status: 'refunded' } });
    expect((await call(url, 'POST', path, counter)).body).toMatchObject({ status: 'refunded' });
    expect(await balanceOf(url, c)).toBe(0);
    expect(await orderStatus(url, c, orderId)).toBe('refunded');
    const unpaid = String((await makeOrder(url, c, 1_000)).body.orderId);
    const refused = await call(url, 'POST', `/v1/payments/orders/${unpaid}/refund`, counter);
    expect(refused).toMatchObject({ status: 409, body: { code: 'PAYMENT_ORDER_NOT_REFUNDABLE' } });
  });

  it('refuses to refund an order whose money the card has spent, and changes nothing', async () => {
    const c = await card();
    const orderId = await creditedOrder(c, 150);
    // A 2-yuan bus ride (the card goes below zero, as a ride let through may).
    const state = (await g.gw.store.loadCards([c.token])).get(c.token)!;
    await g.gw.store.commit([
      planTap(state, tap({ cardToken: c.token, seq: 1, deviceId: `${run}-bus` }), fare, now()),
    ]);
    const refused = await call(url, 'POST', `/v1/payments/orders/${orderId}/refund`, counter);
    expect(refused).toMatchObject({ status: 409, body: { code: 'PAYMENT_REFUND_BALANCE' } });
    expect(await orderStatus(url, c, orderId)).toBe('credited');
    expect(await balanceOf(url, c)).toBe(-50);
  });
});
