// A gateway (SQLite or Redis store) wired to the real payment simulator process, and the calls
// the payment suites make: issue a card, get its holder token, make and read orders, post a
// notification, read a metric.
import { randomBytes, randomInt } from 'node:crypto';
import type { GatewayConfig } from '../../../gateway/src/config.js';
import { type PaymentFacts, signNotification } from '../../../gateway/src/payments/signature.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';
import type { Simulator } from '../../support/payment-simulator.js';

export const TOKEN_KEY = 'a7'.repeat(32);

export const LIMITS = {
  topupMaxSingleFen: 50_000,
  topupMaxDailyFen: 80_000,
  topupMaxBalanceFen: 200_000,
  counterTopupDailyFen: 30_000,
} satisfies Partial<GatewayConfig>;

export type StoreKind = 'sqlite' | 'redis';

/** A gateway on its own data: a new SQLite file, or a Redis database shared by the suites. */
export async function startPayingGateway(
  kind: StoreKind,
  sim: Simulator,
  opts: { dir?: string; now?: () => number } = {},
): Promise<TestGateway> {
  return startTestGateway(
    {
      tokenKeyHex: TOKEN_KEY,
      paymentProviderUrl: sim.url,
      paymentProviderPublicKeyHex: sim.publicKeyHex,
      ...LIMITS,
      ...(kind === 'redis' ? { store: 'redis', redisUrl: `${testEnv.redisUrl()}/9` } : {}),
    },
    { ...(opts.dir ? { dir: opts.dir } : {}), deps: { now: opts.now } },
  );
}

export interface Json {
  status: number;
  body: Record<string, unknown>;
}

export async function call(
  url: string,
  method: string,
  path: string,
  auth?: string,
  body?: unknown,
): Promise<Json> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export interface TestCard {
  token: string;
  issuedFen: number;
  holder: string;
}

/** Issues a new card with a balance and mints its holder token. */
export async function newCard(url: string, issuedFen = 0): Promise<TestCard> {
  const cardNumber = `P${randomInt(1e9, 1e10)}${randomInt(1e5, 1e6)}`;
  const issued = await call(url, 'POST', '/v1/cards', await bearerFor(url, 'admin'), {
    cardNumber,
    region: '500100',
    balanceFen: issuedFen,
  });
  if (issued.status !== 201) throw new Error(`issue: ${issued.status}`);
  return { token: String(issued.body.token), issuedFen, holder: await holderBearer(url, cardNumber) };
}

export async function balanceOf(url: string, card: TestCard): Promise<number> {
  return Number((await call(url, 'GET', '/v1/holder/card', card.holder)).body.balanceFen);
}

export async function makeOrder(
  url: string,
  card: TestCard,
  amountFen: number,
  requestId = uniqueId('req-'),
) {
  return call(url, 'POST', '/v1/holder/topup-orders', card.holder, { amountFen, requestId });
}

export async function orderStatus(url: string, card: TestCard, orderId: string): Promise<string> {
  return String((await call(url, 'GET', `/v1/holder/topup-orders/${orderId}`, card.holder)).body.status);
}

/** A notification signed with the simulator's key (the provider's), for the cases it would not send itself. */
export function signed(
  sim: Simulator,
  facts: Partial<PaymentFacts> & { orderId: string; amountFen: number },
) {
  const now = Date.now();
  return signNotification(sim.privateKey, {
    providerTxnId: `tx_${randomBytes(9).toString('base64url')}`,
    paidAt: now,
    timestamp: now,
    nonce: randomBytes(12).toString('base64url'),
    ...facts,
  });
}

export async function notify(url: string, body: unknown): Promise<Json> {
  return call(url, 'POST', '/v1/payments/notify', undefined, body);
}

/** One sample of a Prometheus counter (0 when never counted). */
export async function metric(url: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Polls until fn's value passes the test, or fails after ms (no timed assertion: a deadline). */
export async function eventually<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
