// Holder tokens (docs/decisions/0132, 0152): bound to one card, expiring after the configured
// lifetime, and ended by a lost report, whoever makes it (the holder or the card service) on
// every holder route. A token minted after the card is found works again. Real SQLite store,
// fastify inject; time from the auth context's clock.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAuthLimits } from '../../../gateway/src/auth/throttle.js';
import { startTestHttp, type TestHttp } from './harness.js';

const T0 = 1_750_000_000_000;
let clock = T0;
let t: TestHttp;
afterEach(async () => t?.close());

async function start(holderTokenTtlMs = defaultAuthLimits.holderTokenTtlMs) {
  clock = T0;
  t = await startTestHttp({ now: () => clock, limits: { ...defaultAuthLimits, holderTokenTtlMs } });
}

async function issue(cardNumber: string): Promise<string> {
  return (await t.cards.issue({ cardNumber, region: '500228', concessions: [], balanceFen: 5_000 })).token;
}

async function mint(cardNumber: string): Promise<{ authorization: string; expiresAt: number }> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/holder-tokens',
    headers: await t.as('ecard'),
    payload: { cardNumber },
  });
  expect(r.statusCode).toBe(201);
  const { token, expiresAt } = r.json<{ token: string; expiresAt: number }>();
  return { authorization: `Bearer ${token}`, expiresAt };
}

const holderRoutes: Array<['GET' | 'POST', string, (() => object)?]> = [
  ['GET', '/v1/holder/card'],
  ['GET', '/v1/holder/records'],
  ['GET', '/v1/holder/rides'],
  ['GET', '/v1/holder/visits'],
  ['GET', '/v1/holder/topups'],
  ['POST', '/v1/holder/lost', () => ({})],
];

async function statusesOn(authorization: string): Promise<number[]> {
  const out: number[] = [];
  for (const [method, url, body] of holderRoutes) {
    const r = await t.app.inject({
      method,
      url,
      headers: { authorization },
      ...(body ? { payload: body() } : {}),
    });
    out.push(r.statusCode);
  }
  return out;
}

const all = (status: number) => holderRoutes.map(() => status);

describe('a holder token', () => {
  it('ends when the holder reports the card lost: 401 on every holder route, other cards untouched', async () => {
    await start();
    const card = await issue('A10000001');
    await issue('A10000002');
    const mine = await mint('A10000001');
    const other = await mint('A10000002');
    expect((await t.app.inject({ method: 'GET', url: '/v1/holder/card', headers: mine })).statusCode).toBe(
      200,
    );
    const lost = await t.app.inject({ method: 'POST', url: '/v1/holder/lost', headers: mine });
    expect(lost.statusCode).toBe(200);
    expect((await t.cards.get(card)).status).toBe('lost');
    expect(await statusesOn(mine.authorization)).toEqual(all(401));
    const otherCard = await t.app.inject({ method: 'GET', url: '/v1/holder/card', headers: other });
    expect(otherCard.statusCode).toBe(200);
  });

  it('ends when the card service reports the card lost; one minted after the card is found works, the old stays ended', async () => {
    await start();
    const card = await issue('A10000003');
    const before = await mint('A10000003');
    const staff = await t.as('counter1');
    const lost = await t.app.inject({ method: 'POST', url: `/v1/cards/${card}/lost`, headers: staff });
    expect(lost.statusCode).toBe(200);
    expect(await statusesOn(before.authorization)).toEqual(all(401));
    const found = await t.app.inject({ method: 'POST', url: `/v1/cards/${card}/found`, headers: staff });
    expect(found.statusCode).toBe(200);
    const after = await mint('A10000003');
    // The last route reports the card lost again, which ends `after` too: checked below.
    expect(await statusesOn(after.authorization)).toEqual(all(200));
    expect(await statusesOn(before.authorization)).toEqual(all(401));
    expect(await statusesOn(after.authorization)).toEqual(all(401));
  });

  it('expires after the configured lifetime (ONECARD_HOLDER_TOKEN_TTL_SEC), not before', async () => {
    await start(5 * 60_000);
    await issue('A10000004');
    const { authorization, expiresAt } = await mint('A10000004');
    expect(expiresAt).toBe(T0 + 5 * 60_000);
    clock = expiresAt - 1;
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/holder/card', headers: { authorization } })).statusCode,
    ).toBe(200);
    clock = expiresAt;
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/holder/card', headers: { authorization } })).statusCode,
    ).toBe(401);
  });
});
