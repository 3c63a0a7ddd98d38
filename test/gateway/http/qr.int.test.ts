// The QR issuing API on a running gateway (SQLite store, the real Mosquitto): the reference app
// obtains its credential and its codes verify offline with the published keys; tickets;
// online checks through the fake outside issuer (a real HTTP server with latency and failures).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, type QrContext, verifyQr } from '../../../core/credentials/index.js';
import { cardTokenHex } from '../../../core/pii.js';
import { localDay } from '../../../core/time.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { ReferenceApp } from '../../support/app.js';
import { type FakeIssuer, startFakeIssuer } from '../../support/fake-issuer.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';

const KEY = 'a2'.repeat(32);
const SEED_1 = '11'.repeat(32);
const SEED_2 = '22'.repeat(32);
let gw: Gateway;
let issuer: FakeIssuer;
/** Operator calls (issuing cards, reporting lost, tickets) go as the admin unless told otherwise. */
let auth = '';
/** The online checks come from this registered gate, with its credential. */
let gateAuth = '';

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  authorization = auth,
) {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as T };
}

async function deviceKeys(): Promise<Keyring> {
  const { body } = await call<{ keys: Array<{ keyId: number; publicKey: string }> }>('GET', '/v1/qr/keys');
  return new Keyring(body.keys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'hex')]));
}

function ctx(over: Partial<QrContext> = {}): QrContext {
  const seen = new Set<string>();
  return {
    nowMs: Date.now(),
    replay: { firstSeen: (k) => !seen.has(k) && seen.add(k).size > 0 },
    ticketUsed: () => false,
    ...over,
  };
}

const museum7 = {
  id: 'museum-7',
  name: 'Museum 7',
  kind: 'museum',
  operatorId: 'museum',
  openMin: 540,
  closeMin: 1020,
  slots: [{ startMin: 540, endMin: 660, capacity: 30 }],
  booking: { horizonDays: 7, maxParty: 2 },
  products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
};

beforeAll(async () => {
  issuer = await startFakeIssuer({ latencyMs: 30, codes: { 'HSA:GOOD': 'NAT123456', 'HSA:ANON': null } });
  const dir = mkdtempSync(join(tmpdir(), 'onecard-qr-'));
  // The museum's venue file makes museum-7 the venue operator's (its tickets, docs/decisions/0154).
  mkdirSync(join(dir, 'venues', 'qr-city'), { recursive: true });
  writeFileSync(join(dir, 'venues', 'qr-city', 'museum.json'), JSON.stringify(museum7));
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: KEY,
      qrSigningKeys: `2:${SEED_2},1:${SEED_1}`,
      qrOutsideIssuerUrl: issuer.url,
      qrOutsideTimeoutMs: 300,
      venuesDir: join(dir, 'venues'),
    },
    {
      dir,
      tenants: [
        { username: 'museum-ops', role: 'venue_operator', tenant: 'museum' },
        { username: 'bus-ops', role: 'transit_operator', tenant: 'busco' },
      ],
    },
  ));
  auth = await bearerFor(gw.url, 'admin');
  for (const [cardNumber, concessions] of [
    ['QRCARD001', ['SENIOR']],
    ['QRCARD002', []],
  ] as const)
    expect((await call('POST', '/v1/cards', { cardNumber, region: '500228', concessions })).status).toBe(201);
  expect(
    (await call('POST', `/v1/cards/${cardTokenHex(Buffer.from(KEY, 'hex'), 'QRCARD002')}/lost`)).status,
  ).toBe(200);
  const gate = await call<{ credential: string }>('POST', '/v1/devices', {
    deviceId: 'gate-1',
    operatorId: 'museum',
    profile: 'museum_gate',
    venueId: 'museum-7',
  });
  expect(gate.status).toBe(201);
  gateAuth = `Device ${gate.body.credential}`;
});

afterAll(async () => {
  await gw?.stop();
  await issuer?.close();
});

describe('the QR routes in the API description', () => {
  it('are documented in /openapi.json with their schemas', async () => {
    const doc = (await call<{ paths: Record<string, unknown> }>('GET', '/openapi.json')).body;
    for (const path of ['/v1/holder/qr-credential', '/v1/tickets', '/v1/qr/keys', '/v1/qr/online-check'])
      expect(doc.paths, path).toHaveProperty([path]);
  });
});

describe('POST /v1/holder/qr-credential', () => {
  it('gives the app a credential whose codes verify offline with the published keys', async () => {
    const app = new ReferenceApp();
    const answer = await app.fetchCredential(gw.url, 'QRCARD001', await holderBearer(gw.url, 'QRCARD001'));
    expect(answer).toMatchObject({ keyId: 2, bytes: 127 });
    expect(answer.notAfter - answer.notBefore).toBe((86_400 + 60) * 1000);
    const verdict = verifyQr(
      app.code(),
      { keys: await deviceKeys(), skewMs: 30_000, codeTtlMs: 60_000, outsidePrefixes: [] },
      ctx(),
    );
    expect(verdict).toEqual({
      ok: true,
      kind: 'dynamic',
      cardToken: cardTokenHex(Buffer.from(KEY, 'hex'), 'QRCARD001'),
      flags: 1,
      region: '500228',
    });
  });

  it.each([
    [
      'no holder token',
      null,
      { cardNumber: 'QRCARD001', appPublicKey: 'A'.repeat(43) },
      401,
      'UNAUTHENTICATED',
    ],
    [
      "another holder's card",
      'QRCARD001',
      { cardNumber: 'QRCARD002', appPublicKey: 'A'.repeat(43) },
      403,
      'FORBIDDEN',
    ],
    [
      'a card reported lost',
      'QRCARD002',
      { cardNumber: 'QRCARD002', appPublicKey: 'A'.repeat(43) },
      409,
      'CARD_NOT_ACTIVE',
    ],
    [
      'a key that is not base64url',
      'QRCARD001',
      { cardNumber: 'QRCARD001', appPublicKey: '!'.repeat(43) },
      400,
      'BAD_REQUEST',
    ],
    ['a missing key', 'QRCARD001', { cardNumber: 'QRCARD001' }, 400, 'BAD_REQUEST'],
  ])('refuses %s with a problem', async (_, holder, body, status, code) => {
    const authorization = holder ? await holderBearer(gw.url, holder) : '';
    const r = await call('POST', '/v1/holder/qr-credential', body, authorization);
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    expect(r.body.code).toBe(code);
  });
});

describe('POST /v1/tickets', () => {
  it('is for a venue operator at its own venues, the e-card app and admins; not for a bus company', async () => {
    const body = { kind: 'ticket', venueId: 'museum-7', date: '2026-05-01' };
    const as = async (user: string, b: object = body) =>
      (await call('POST', '/v1/tickets', b, await bearerFor(gw.url, user))).status;
    expect(await as('museum-ops')).toBe(200);
    expect(await as('museum-ops', { ...body, venueId: 'zoo-1' })).toBe(403);
    expect(await as('ecard')).toBe(200);
    expect(await as('bus-ops')).toBe(403);
    expect(await as('auditor')).toBe(403);
    expect((await call('POST', '/v1/tickets', body, '')).status).toBe(401);
  });

  it('issues a reservation whose code proves its venue, day and slot (the entry rules judge them)', async () => {
    const r = await call<{ code: string; bytes: number; ticketId: string }>('POST', '/v1/tickets', {
      kind: 'reservation',
      venueId: 'museum-7',
      date: '2026-05-01',
      slotStartMin: 600,
      slotEndMin: 660,
      cardNumber: 'QRCARD001',
    });
    expect(r.status).toBe(200);
    expect(r.body.bytes).toBe(99 + 'museum-7'.length);
    const policy = { keys: await deviceKeys(), skewMs: 30_000, codeTtlMs: 60_000, outsidePrefixes: [] };
    const at = Date.parse('2026-05-01T10:15:00+08:00');
    expect(verifyQr(r.body.code, policy, ctx({ nowMs: at }))).toMatchObject({
      ok: true,
      entitlement: {
        id: r.body.ticketId,
        kind: 'reservation',
        venueId: 'museum-7',
        fromDay: localDay(at),
        toDay: localDay(at),
        slotStartMin: 600,
        slotEndMin: 660,
      },
    });
  });

  it.each([
    ['a date that does not exist', { date: '2026-02-30' }, 400],
    ['a date beyond the 16-bit day', { date: '2200-01-01' }, 400],
    ['a slot that ends before it starts', { slotStartMin: 700, slotEndMin: 600 }, 400],
    ['a venue id with spaces', { venueId: 'a b' }, 400],
  ])('refuses %s', async (_, over, status) => {
    const body = { kind: 'ticket', venueId: 'museum-7', date: '2026-05-01', ...over };
    const r = await call('POST', '/v1/tickets', body);
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
  });
});

describe('POST /v1/qr/online-check (outside issuer)', () => {
  const check = (code: string) =>
    call<{ valid: boolean; cardToken?: string; code?: string }>(
      'POST',
      '/v1/qr/online-check',
      { code, venueId: 'museum-7', deviceId: 'gate-1', at: Date.now() },
      gateAuth,
    );

  it('is for registered devices, each in its own name', async () => {
    const body = { code: 'HSA:GOOD', venueId: 'museum-7', deviceId: 'gate-1', at: Date.now() };
    expect((await call('POST', '/v1/qr/online-check', body, '')).status).toBe(401);
    expect((await call('POST', '/v1/qr/online-check', body)).status).toBe(401);
    const other = { ...body, deviceId: 'gate-2' };
    expect((await call('POST', '/v1/qr/online-check', other, gateAuth)).status).toBe(403);
  });

  it("answers with the issuer's word, the holder as a token and never the card number", async () => {
    const good = await check('HSA:GOOD');
    expect(good).toMatchObject({
      status: 200,
      body: { valid: true, cardToken: cardTokenHex(Buffer.from(KEY, 'hex'), 'NAT123456') },
    });
    expect(JSON.stringify(good.body)).not.toContain('NAT123456');
    expect(await check('HSA:ANON')).toMatchObject({ status: 200, body: { valid: true } });
    expect(await check('HSA:BAD')).toMatchObject({ status: 200, body: { valid: false } });
    expect(issuer.calls.at(-1)).toEqual({ code: 'HSA:BAD', venueId: 'museum-7' });
  });

  it.each(['http500', 'hang', 'garbage', 'reset'] as const)(
    'answers 504 ISSUER_UNAVAILABLE when the issuer fails (%s), after its timeout',
    async (how) => {
      issuer.fail(1, how);
      // A hanging issuer never answers: the 504 itself shows the timeout ended the wait.
      const r = await check('HSA:GOOD');
      expect(r).toMatchObject({ status: 504, body: { code: 'ISSUER_UNAVAILABLE' } });
      expect((await check('HSA:GOOD')).body.valid).toBe(true);
    },
  );

  it('counts checks by result and issues by kind (GET /metrics)', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toContain('onecard_qr_online_checks_total{result="unavailable"} 4');
    expect(text).toContain('onecard_qr_online_checks_total{result="invalid"} 1');
    expect(text).toMatch(/onecard_qr_issued_total\{kind="credential"\} [1-9]/);
    expect(text).toContain('onecard_qr_issued_total{kind="reservation"} 1');
  });
});
