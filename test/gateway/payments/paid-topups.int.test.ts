// Paid top-ups end to end, against each store: a real gateway, the real simulator process over
// real sockets. The card is credited only by the provider's signed notification, once, however
// often and by whichever gateway it arrives; every refused notification changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyPair } from '../../../core/credentials/keys.js';
import { signNotification } from '../../../gateway/src/payments/signature.js';
import type { TestGateway } from '../../support/gateway.js';
import { expectedBalancesFen, moneyTally } from '../../support/money.js';
import { type Simulator, startSimulator } from '../../support/payment-simulator.js';
import {
  balanceOf,
  call,
  eventually,
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

describe.each<StoreKind>(['sqlite', 'redis'])('paid top-ups on %s', (kind) => {
  let sim: Simulator;
  let a: TestGateway;
  let b: TestGateway;
  let url = '';
  const cards: TestCard[] = [];
  const orders: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ attempts: 3, backoffMs: 20 });
    a = await startPayingGateway(kind, sim);
    // A second gateway on the same data, as a second instance behind the load balancer.
    b = await startPayingGateway(kind, sim, { dir: a.dir });
    url = a.gw.url;
  });

  afterAll(async () => {
    // Every fen on the cards these tests used is explained by their records.
    const tally = await moneyTally(a.gw.store, cards, orders);
    expect(tally.balancesFen).toBe(expectedBalancesFen(tally));
    expect(tally.paidTopUpsFen).toBe(tally.creditedOrdersFen);
    expect(tally.paidTopUpsFen).toBeGreaterThan(0);
    await b?.gw.stop();
    await a?.gw.stop();
    await sim?.stop();
  });

  async function card(issuedFen = 0): Promise<TestCard> {
    const c = await newCard(url, issuedFen);
    cards.push(c);
    return c;
  }

  async function order(c: TestCard, amountFen: number) {
    const r = await makeOrder(url, c, amountFen);
    expect(r.status).toBe(201);
    orders.push(String(r.body.orderId));
    return { id: String(r.body.orderId), payReference: String(r.body.payReference), body: r.body };
  }

  it('credits the card only once the provider notifies that the app paid', async () => {
    const c = await card(1_000);
    const o = await order(c, 5_000);
    expect(o.body).toMatchObject({ amountFen: 5_000, status: 'created', provider: 'simulator' });
    expect(Number(o.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(await balanceOf(url, c)).toBe(1_000);
    const paid = await sim.pay(o.payReference);
    expect(paid.status).toBe(200);
    await eventually(
      'the order credited',
      () => orderStatus(url, c, o.id),
      (s) => s === 'credited',
    );
    expect(await balanceOf(url, c)).toBe(6_000);
    expect(await sim.payment(paid.providerTxnId)).toMatchObject({ acknowledged: true, attempts: 1 });
    const records = await call(url, 'GET', '/v1/holder/topups', c.holder);
    expect(records.body.items).toEqual([
      expect.objectContaining({ id: `topup:pay-${o.id}`, amountFen: 5_000, balanceAfterFen: 6_000 }),
    ]);
  });

  it('answers a replayed or redelivered notification with success and credits nothing more', async () => {
    const c = await card();
    const o = await order(c, 2_000);
    const { providerTxnId } = await sim.pay(o.payReference);
    const first = await eventually(
      'delivery',
      () => sim.payment(providerTxnId),
      (p) => p.acknowledged,
    );
    const before = await metric(url, 'onecard_payment_notifications_total', 'outcome="duplicate"');
    // The very bytes the provider sent, again (a capture replayed), and a fresh delivery.
    const replay = await notify(url, first.notification);
    expect(replay).toEqual({ status: 200, body: { code: 'SUCCESS', duplicate: true } });
    expect(await sim.redeliver(providerTxnId)).toBe(200);
    expect(await balanceOf(url, c)).toBe(2_000);
    expect(await metric(url, 'onecard_payment_notifications_total', 'outcome="duplicate"')).toBe(before + 2);
  });

  it('refuses a forged notification: signed with a key that is not the provider’s', async () => {
    const c = await card();
    const o = await order(c, 3_000);
    const forged = signNotification(newKeyPair().privateKey, {
      orderId: o.id,
      amountFen: 3_000,
      providerTxnId: 'tx_forged_0001',
      paidAt: Date.now(),
      timestamp: Date.now(),
      nonce: 'forged-nonce-1',
    });
    const before = await metric(
      url,
      'onecard_payment_notifications_total',
      'outcome="PAYMENT_BAD_SIGNATURE"',
    );
    const r = await notify(url, forged);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'PAYMENT_BAD_SIGNATURE', status: 400 });
    expect(await orderStatus(url, c, o.id)).toBe('created');
    expect(await balanceOf(url, c)).toBe(0);
    expect(await metric(url, 'onecard_payment_notifications_total', 'outcome="PAYMENT_BAD_SIGNATURE"')).toBe(
      before + 1,
    );
  });

  it('refuses an amount that is not the order’s, while the provider retries a bounded number of times', async () => {
    const c = await card();
    const o = await order(c, 4_000);
    const { providerTxnId } = await sim.pay(o.payReference, 4_001);
    const p = await eventually(
      'the deliveries to end',
      () => sim.payment(providerTxnId),
      (x) => x.done,
    );
    expect(p).toMatchObject({ acknowledged: false, attempts: 3, lastStatus: 409 });
    const again = await notify(url, signed(sim, { orderId: o.id, amountFen: 4_001 }));
    expect(again.body).toMatchObject({ code: 'PAYMENT_AMOUNT_MISMATCH' });
    expect(await orderStatus(url, c, o.id)).toBe('created');
    expect(await balanceOf(url, c)).toBe(0);
  });

  it('refuses stale and unknown-order notifications', async () => {
    const c = await card();
    const o = await order(c, 1_000);
    const stale = await notify(
      url,
      signed(sim, { orderId: o.id, amountFen: 1_000, timestamp: Date.now() - 600_000 }),
    );
    expect(stale).toMatchObject({ status: 400, body: { code: 'PAYMENT_STALE_NOTIFICATION' } });
    const unknown = await notify(url, signed(sim, { orderId: 'po_aaaaaaaaaaaaaaaaaaaa', amountFen: 1_000 }));
    expect(unknown).toMatchObject({ status: 404, body: { code: 'PAYMENT_ORDER_UNKNOWN' } });
    expect(await orderStatus(url, c, o.id)).toBe('created');
    expect(await balanceOf(url, c)).toBe(0);
  });

  it('never credits an order paid at or after its expiry, nor later on', async () => {
    const c = await card();
    const o = await order(c, 1_500);
    const expiresAt = Number(o.body.expiresAt);
    const late = await notify(url, signed(sim, { orderId: o.id, amountFen: 1_500, paidAt: expiresAt }));
    expect(late).toMatchObject({ status: 409, body: { code: 'PAYMENT_ORDER_EXPIRED' } });
    expect(await orderStatus(url, c, o.id)).toBe('expired');
    const again = await notify(url, signed(sim, { orderId: o.id, amountFen: 1_500, paidAt: expiresAt - 1 }));
    expect(again.body).toMatchObject({ code: 'PAYMENT_ORDER_EXPIRED' });
    expect(await balanceOf(url, c)).toBe(0);
  });

  it('credits once when two gateways receive the same notification at the same moment', async () => {
    const c = await card(500);
    const o = await order(c, 7_000);
    const n = signed(sim, { orderId: o.id, amountFen: 7_000 });
    const answers = await Promise.all([notify(a.gw.url, n), notify(b.gw.url, n), notify(a.gw.url, n)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await orderStatus(url, c, o.id)).toBe('credited');
    expect(await balanceOf(url, c)).toBe(7_500);
  });

  it('answers the same order to the same request id, and the old direct top-up 410 Gone', async () => {
    const c = await card();
    const first = await makeOrder(url, c, 1_000, 'same-request-1');
    const again = await makeOrder(url, c, 1_000, 'same-request-1');
    expect(first.status).toBe(201);
    expect(again).toEqual({ status: 200, body: first.body });
    const other = await makeOrder(url, c, 1_001, 'same-request-1');
    expect(other).toMatchObject({ status: 409, body: { code: 'PAYMENT_CONFLICT' } });
    // Another holder cannot read it: as unknown as a missing order.
    const stranger = await card();
    const peek = await call(
      url,
      'GET',
      `/v1/holder/topup-orders/${String(first.body.orderId)}`,
      stranger.holder,
    );
    expect(peek).toMatchObject({ status: 404, body: { code: 'PAYMENT_ORDER_UNKNOWN' } });
    orders.push(String(first.body.orderId));
    const gone = await call(url, 'POST', '/v1/holder/topups', c.holder, {
      amountFen: 100,
      requestId: 'old-route-1',
    });
    expect(gone).toMatchObject({ status: 410, body: { code: 'PAYMENT_REQUIRED' } });
    expect(await balanceOf(url, c)).toBe(0);
  });
});
