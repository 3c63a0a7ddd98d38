// A local payment provider, standing in for WeChat Pay / Alipay / UnionPay (docs/decisions/0150).
//
//   node --import tsx scripts/payment-simulator.ts
//
// Environment:
//   ONECARD_SIM_PORT          HTTP port (default 0: any free port)
//   ONECARD_SIM_PRIVATE_KEY   Ed25519 seed, 64 hex chars, that signs notifications (default: a
//                             fresh one; its public key is printed: give it to the gateway as
//                             ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY)
//   ONECARD_SIM_ATTEMPTS      notification deliveries before giving up (default 8)
//   ONECARD_SIM_BACKOFF_MS    delay before the second delivery, doubled each time up to 30 s (default 200)
//
// On start it prints one JSON line: {"url": "http://127.0.0.1:<port>", "publicKey": "<hex>"}.
//
// HTTP:
//   POST /v1/orders {orderId, amountFen, expiresAt, notifyUrl} → {payReference}
//        the merchant (the gateway) registers an order ("unified order")
//   POST /v1/pay {payReference, amountFen?} → {providerTxnId, paidAt}
//        "the app pays": refused once the order expired or was paid; amountFen (default: the
//        order's) is what the notification reports. Then the signed notification is POSTed to
//        the order's notifyUrl, signed afresh for every delivery, until a 2xx answer or the
//        attempts run out.
//   GET  /v1/payments/{providerTxnId} → {acknowledged, attempts, lastStatus, done, notification}
//        (done: the deliveries ended, acknowledged or out of attempts)
//   POST /v1/payments/{providerTxnId}/redeliver → {status}: one more delivery, as providers do
//        when the merchant asks again (the gateway must not credit twice)
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { privateKeyFromSeed, rawPublicKey } from '../core/credentials/keys.js';
import { type PaymentNotification, signNotification } from '../gateway/src/payments/signature.js';

interface SimOrder {
  orderId: string;
  amountFen: number;
  expiresAt: number;
  notifyUrl: string;
  paidBy?: string;
}

interface Payment {
  order: SimOrder;
  amountFen: number;
  paidAt: number;
  attempts: number;
  acknowledged: boolean;
  lastStatus: number;
  /** The delivery loop ended: acknowledged, or out of attempts. */
  done: boolean;
  notification?: PaymentNotification;
}

const seed = process.env.ONECARD_SIM_PRIVATE_KEY ?? randomBytes(32).toString('hex');
if (!/^[0-9a-fA-F]{64}$/.test(seed)) throw new Error('ONECARD_SIM_PRIVATE_KEY: 64 hex chars');
const key = privateKeyFromSeed(Buffer.from(seed, 'hex'));
const attemptsMax = Number(process.env.ONECARD_SIM_ATTEMPTS ?? 8);
const backoffMs = Number(process.env.ONECARD_SIM_BACKOFF_MS ?? 200);

const orders = new Map<string, SimOrder>();
const payments = new Map<string, Payment>();
const id = (prefix: string) => `${prefix}${randomBytes(12).toString('base64url')}`;

/** One delivery, signed now with a fresh nonce (each retry is a new signature, as WeChat Pay's are). */
async function deliver(p: Payment, txn: string): Promise<number> {
  p.notification = signNotification(key, {
    orderId: p.order.orderId,
    amountFen: p.amountFen,
    providerTxnId: txn,
    paidAt: p.paidAt,
    timestamp: Date.now(),
    nonce: randomBytes(12).toString('base64url'),
  });
  p.attempts++;
  try {
    const res = await fetch(p.order.notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(p.notification),
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    p.lastStatus = res.status;
  } catch {
    p.lastStatus = 0;
  }
  if (p.lastStatus >= 200 && p.lastStatus < 300) p.acknowledged = true;
  return p.lastStatus;
}

/** Until acknowledged, at most attemptsMax deliveries, the waits doubling (bounded). */
async function notifyUntilAcknowledged(p: Payment, txn: string): Promise<void> {
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    await deliver(p, txn);
    if (p.acknowledged || attempt === attemptsMax) break;
    const wait = Math.min(backoffMs * 2 ** (attempt - 1), 30_000);
    await new Promise((r) => setTimeout(r, wait));
  }
  p.done = true;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '';
  if (req.method === 'POST' && url === '/v1/orders') {
    const b = await body(req);
    const order: SimOrder = {
      orderId: String(b.orderId),
      amountFen: Number(b.amountFen),
      expiresAt: Number(b.expiresAt),
      notifyUrl: String(b.notifyUrl),
    };
    if (!Number.isInteger(order.amountFen) || order.amountFen < 1 || !/^https?:\/\//.test(order.notifyUrl))
      return send(res, 400, { code: 'BAD_ORDER' });
    const payReference = id('pr_');
    orders.set(payReference, order);
    return send(res, 200, { payReference });
  }
  if (req.method === 'POST' && url === '/v1/pay') {
    const b = await body(req);
    const order = orders.get(String(b.payReference));
    if (!order) return send(res, 404, { code: 'UNKNOWN_PAY_REFERENCE' });
    if (order.paidBy) return send(res, 409, { code: 'ORDER_PAID' });
    const paidAt = Date.now();
    if (paidAt >= order.expiresAt) return send(res, 409, { code: 'ORDER_CLOSED' });
    const txn = id('tx_');
    order.paidBy = txn;
    const amountFen = b.amountFen === undefined ? order.amountFen : Number(b.amountFen);
    const p: Payment = {
      order,
      amountFen,
      paidAt,
      attempts: 0,
      acknowledged: false,
      lastStatus: 0,
      done: false,
    };
    payments.set(txn, p);
    void notifyUntilAcknowledged(p, txn);
    return send(res, 200, { providerTxnId: txn, paidAt });
  }
  const m = /^\/v1\/payments\/([A-Za-z0-9_-]+)(\/redeliver)?$/.exec(url);
  const p = m ? payments.get(m[1]!) : undefined;
  if (m && !p) return send(res, 404, { code: 'UNKNOWN_PAYMENT' });
  if (m && p && req.method === 'GET' && !m[2]) {
    const { acknowledged, attempts, lastStatus, done, notification } = p;
    return send(res, 200, { acknowledged, attempts, lastStatus, done, notification });
  }
  if (m && p && req.method === 'POST' && m[2]) return send(res, 200, { status: await deliver(p, m[1]!) });
  send(res, 404, { code: 'NOT_FOUND' });
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 400, { code: 'BAD_REQUEST' }));
});
server.listen(Number(process.env.ONECARD_SIM_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(
    JSON.stringify({ url: `http://127.0.0.1:${port}`, publicKey: rawPublicKey(key).toString('hex') }),
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
