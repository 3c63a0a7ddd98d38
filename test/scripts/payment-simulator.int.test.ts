// The payment simulator process on its own, over real sockets: a merchant server here answers
// its notifications. It retries until acknowledged, signs each delivery afresh with the key
// whose public half it printed, gives up after its attempts, and refuses what a provider would.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyFromRaw } from '../../core/credentials/keys.js';
import { type PaymentNotification, verifyNotification } from '../../gateway/src/payments/signature.js';
import { eventually } from '../gateway/payments/support.js';
import { type Simulator, startSimulator } from '../support/payment-simulator.js';

let sim: Simulator | undefined;
let merchant: Server | undefined;

afterEach(async () => {
  await sim?.stop();
  merchant?.close();
  sim = undefined;
  merchant = undefined;
});

/** A merchant answering the given statuses in turn (the last one from then on). */
async function startMerchant(statuses: number[]): Promise<{ url: string; received: PaymentNotification[] }> {
  const received: PaymentNotification[] = [];
  merchant = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(text) as PaymentNotification);
      res.writeHead(statuses[Math.min(received.length, statuses.length) - 1]!).end('{}');
    });
  });
  merchant.listen(0, '127.0.0.1');
  await once(merchant, 'listening');
  return { url: `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/notify`, received };
}

async function register(s: Simulator, notifyUrl: string, amountFen: number, expiresAt = Date.now() + 60_000) {
  const res = await fetch(`${s.url}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: 'po_abcdefghijklmnopqrst', amountFen, expiresAt, notifyUrl }),
  });
  expect(res.status).toBe(200);
  return String(((await res.json()) as { payReference: string }).payReference);
}

describe('payment simulator', () => {
  it('retries a refused notification until the merchant acknowledges it, each delivery signed afresh', async () => {
    sim = await startSimulator({ attempts: 5, backoffMs: 10 });
    const m = await startMerchant([503, 500, 200]);
    const paid = await sim.pay(await register(sim, m.url, 2_500));
    expect(paid.status).toBe(200);
    const p = await eventually(
      'acknowledged',
      () => sim!.payment(paid.providerTxnId),
      (x) => x.acknowledged,
    );
    expect(p).toMatchObject({ attempts: 3, lastStatus: 200 });
    expect(m.received).toHaveLength(3);
    const key = publicKeyFromRaw(Buffer.from(sim.publicKeyHex, 'hex'))!;
    for (const n of m.received) {
      expect(verifyNotification(key, n)).toBe(true);
      expect(n).toMatchObject({
        orderId: 'po_abcdefghijklmnopqrst',
        amountFen: 2_500,
        providerTxnId: paid.providerTxnId,
      });
    }
    expect(new Set(m.received.map((n) => n.nonce)).size).toBe(3);
  });

  it('gives up after its attempts when the merchant never acknowledges', async () => {
    sim = await startSimulator({ attempts: 2, backoffMs: 10 });
    const m = await startMerchant([500]);
    const paid = await sim.pay(await register(sim, m.url, 100));
    const p = await eventually(
      'the deliveries to end',
      () => sim!.payment(paid.providerTxnId),
      (x) => x.done,
    );
    expect(p).toMatchObject({ acknowledged: false, attempts: 2, lastStatus: 500 });
    expect(m.received).toHaveLength(2);
  });

  it('refuses to take money for an unknown, expired or already paid order', async () => {
    sim = await startSimulator();
    const m = await startMerchant([200]);
    expect((await sim.pay('pr_unknown_reference')).status).toBe(404);
    expect((await sim.pay(await register(sim, m.url, 100, Date.now() - 1))).status).toBe(409);
    const ref = await register(sim, m.url, 100);
    expect((await sim.pay(ref)).status).toBe(200);
    expect((await sim.pay(ref)).status).toBe(409);
  });
});
