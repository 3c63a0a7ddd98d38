// The venue API on a running gateway (SQLite store, the real Mosquitto) with venue files from a
// folder (ONECARD_VENUES_DIR): products and availability, a reservation with its signed code,
// a ticket paid with the card once however often retried, capacity at its limit, cancellation
// with refund, occupancy, problem+json errors, the OpenAPI description.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../../core/time.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { dateOf } from '../../../gateway/src/http/routes/venue-schemas.js';
import { clockAtLocalMinute } from '../../support/clock.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';

const KEY = 'a3'.repeat(32);
let gw: Gateway;
// The gateway's clock, at noon (local) today: a run that crossed midnight (16:00 UTC) would find
// "tomorrow" become today, whose day ticket can no longer be cancelled for a refund.
const now = clockAtLocalMinute(12 * 60);
const tomorrow = dateOf(localDay(now()) + 1);

const bearers = new Map<string, string>();
/** as: an operator account, or a card number (its holder token, as the e-card app gets one). */
async function authOf(as: string | undefined): Promise<Record<string, string>> {
  if (as === undefined) return {};
  if (!bearers.has(as))
    bearers.set(as, as.startsWith('VCARD') ? await holderBearer(gw.url, as) : await bearerFor(gw.url, as));
  return { authorization: bearers.get(as)! };
}

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, as?: string) {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(await authOf(as)) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as T };
}

const tinyMuseum = {
  id: 'tiny-museum',
  name: 'Tiny museum',
  kind: 'museum',
  operatorId: 'museums',
  openMin: 540,
  closeMin: 1020,
  slots: [{ startMin: 540, endMin: 660, capacity: 3 }],
  booking: { horizonDays: 7, maxParty: 2, seniorWalkInQuota: 1 },
  products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
  entryRules: { slotToleranceAfterMin: 20 },
  gates: { 'group-gate': { slotToleranceBeforeMin: 40 } },
};
const park = {
  id: 'park',
  name: 'Park',
  kind: 'scenic',
  operatorId: 'parks',
  openMin: 0,
  closeMin: 1440,
  booking: { horizonDays: 7, maxParty: 5 },
  capacity: { daily: 1000, instant: 5 },
  products: [{ id: 'day', name: 'Day ticket', kind: 'ticket', priceFen: 3000, freeFor: ['SENIOR'] }],
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-venues-'));
  mkdirSync(join(dir, 'venues', 'test-city'), { recursive: true });
  writeFileSync(join(dir, 'venues', 'test-city', 'museum.json'), JSON.stringify(tinyMuseum));
  writeFileSync(join(dir, 'venues', 'test-city', 'park.json'), JSON.stringify(park));
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: KEY,
      qrSigningKeys: `1:${'11'.repeat(32)}`,
      venuesDir: join(dir, 'venues'),
    },
    { dir, tenants: [{ username: 'park-ops', role: 'venue_operator', tenant: 'parks' }], deps: { now } },
  ));
  for (let i = 1; i <= 5; i++)
    expect(
      (
        await call(
          'POST',
          '/v1/cards',
          {
            cardNumber: `VCARD00${i}`,
            region: '110000',
            concessions: [],
            balanceFen: 10_000,
          },
          'admin',
        )
      ).status,
    ).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

describe('venue products and availability', () => {
  it('lists the venues of the files with their products, slots and capacity', async () => {
    const { status, body } = await call<Array<Record<string, unknown>>>('GET', '/v1/venues');
    expect(status).toBe(200);
    expect(body.map((v) => v.id).sort()).toEqual(['park', 'tiny-museum']);
    expect(body.find((v) => v.id === 'park')).toMatchObject({
      capacity: { daily: 1000, instant: 5, warnShare: 0.8 },
      products: [
        { id: 'day', kind: 'ticket', priceFen: 3000, freeFor: ['SENIOR'], validityDays: 1, maxEntries: 1 },
      ],
    });
  });

  it("answers the entry rules of the venue's gates as edge-agent configuration", async () => {
    const r = await call('GET', '/v1/venues/tiny-museum/gate-config', undefined, 'admin');
    expect(r).toMatchObject({
      status: 200,
      body: {
        profile: 'museum_gate',
        venueId: 'tiny-museum',
        entrySlotToleranceBeforeMin: '15',
        entrySlotToleranceAfterMin: '20',
      },
    });
    const group = await call('GET', '/v1/venues/tiny-museum/gate-config?gate=group-gate', undefined, 'admin');
    expect(group.body).toMatchObject({ entrySlotToleranceBeforeMin: '40', entrySlotToleranceAfterMin: '20' });
  });

  it('answers a bad date and an unknown venue as problems', async () => {
    const bad = await call('GET', '/v1/venues/tiny-museum/availability?date=2026-02-30');
    expect(bad).toMatchObject({
      status: 400,
      type: expect.stringMatching(/^application\/problem\+json/),
      body: { code: 'VENUE_BAD_DATE' },
    });
    const unknown = await call('GET', '/v1/venues/nowhere/availability');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'VENUE_NOT_FOUND' } });
  });

  it('is described in /openapi.json', async () => {
    const doc = (await call<{ paths: Record<string, unknown> }>('GET', '/openapi.json')).body;
    for (const path of [
      '/v1/venues',
      '/v1/venues/{venueId}/availability',
      '/v1/holder/venues/{venueId}/bookings',
      '/v1/holder/venues/{venueId}/bookings/{bookingId}/cancel',
      '/v1/venues/{venueId}/occupancy',
    ])
      expect(doc.paths, path).toHaveProperty([path]);
  });
});

describe('reserving a museum slot (文化场馆线上预约)', () => {
  it('books to the limit (capacity minus the senior quota), refuses one more, frees a place on cancel', async () => {
    const book = (n: number) =>
      call<Record<string, unknown>>(
        'POST',
        '/v1/holder/venues/tiny-museum/bookings',
        { requestId: `museum-req-${n}`, productId: 'visit', date: tomorrow, slotStartMin: 540 },
        `VCARD00${n}`,
      );
    const first = await book(1);
    expect(first).toMatchObject({
      status: 200,
      body: {
        status: 'confirmed',
        kind: 'reservation',
        fromDate: tomorrow,
        slotStartMin: 540,
        slotEndMin: 660,
        holders: 1,
      },
    });
    expect(String(first.body.code)).toMatch(/^OC:/);
    expect(first.body).not.toHaveProperty('payerToken');
    expect((await book(2)).status).toBe(200);
    const full = await book(3);
    expect(full).toMatchObject({
      status: 409,
      type: expect.stringMatching(/^application\/problem\+json/),
      body: { code: 'VENUE_FULL' },
    });
    const avail = await call<{ slots: unknown[] }>(
      'GET',
      `/v1/venues/tiny-museum/availability?date=${tomorrow}`,
    );
    expect(avail.body.slots).toEqual([
      { startMin: 540, endMin: 660, capacity: 3, booked: 2, open: 0, seniorWalkIn: 1 },
    ]);
    const cancel = await call(
      'POST',
      `/v1/holder/venues/tiny-museum/bookings/${first.body.id}/cancel`,
      undefined,
      'VCARD001',
    );
    expect(cancel).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect((await book(3)).status).toBe(200);
    const list = await call<Array<Record<string, unknown>>>(
      'GET',
      `/v1/venues/tiny-museum/bookings?date=${tomorrow}`,
      undefined,
      'admin',
    );
    expect(list.body.map((b) => [b.status, b.holdersMasked])).toEqual([
      ['cancelled', ['VCA***01']],
      ['confirmed', ['VCA***02']],
      ['confirmed', ['VCA***03']],
    ]);
    expect(JSON.stringify(list.body)).not.toContain('VCARD00');
  });
});

describe('buying a scenic-area ticket with the card (景区购票)', () => {
  it('charges once for a retried request, refunds on cancel, and lists my bookings', async () => {
    const buy = () =>
      call<Record<string, unknown>>(
        'POST',
        '/v1/holder/venues/park/bookings',
        { requestId: 'park-ticket-1', productId: 'day', date: tomorrow },
        'VCARD004',
      );
    const first = await buy();
    expect(first).toMatchObject({ status: 200, body: { status: 'confirmed', priceFen: 3000 } });
    expect(first.body).not.toHaveProperty('code');
    expect((await buy()).body).toEqual(first.body);
    const cardAfter = await call('GET', '/v1/holder/card', undefined, 'VCARD004');
    expect(cardAfter.body.balanceFen).toBe(7000);
    const mine = await call<unknown[]>('GET', '/v1/holder/venues/park/my-bookings', undefined, 'VCARD004');
    expect(mine.body).toEqual([first.body]);
    await call('POST', `/v1/holder/venues/park/bookings/${first.body.id}/cancel`, undefined, 'VCARD004');
    expect((await call('GET', '/v1/holder/card', undefined, 'VCARD004')).body.balanceFen).toBe(10_000);
    // Another holder cannot cancel it, nor act without a holder token.
    const other = await call(
      'POST',
      `/v1/holder/venues/park/bookings/${first.body.id}/cancel`,
      undefined,
      'VCARD003',
    );
    expect(other).toMatchObject({ status: 404, body: { code: 'BOOKING_NOT_FOUND' } });
    expect((await call('GET', '/v1/holder/venues/park/my-bookings')).status).toBe(401);
  });

  it('refuses a purchase the balance does not cover with 402', async () => {
    const r = await call(
      'POST',
      '/v1/holder/venues/park/bookings',
      {
        requestId: 'park-ticket-big',
        productId: 'day',
        date: tomorrow,
        holderCardNumbers: ['VCARD005', 'VCARD001', 'VCARD002', 'VCARD003'],
      },
      'VCARD005',
    );
    expect(r).toMatchObject({ status: 402, body: { code: 'VENUE_INSUFFICIENT_BALANCE' } });
  });
});

describe('occupancy', () => {
  it("is for operators, a venue operator's own venues only", async () => {
    expect((await call('GET', '/v1/venues/park/occupancy')).status).toBe(401);
    expect((await call('GET', '/v1/venues/park/occupancy', undefined, 'park-ops')).status).toBe(200);
    expect(await call('GET', '/v1/venues/tiny-museum/occupancy', undefined, 'park-ops')).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN_TENANT' },
    });
    expect((await call('GET', '/v1/venues/tiny-museum/occupancy', undefined, 'counter')).status).toBe(403);
  });

  it('starts empty with its levels', async () => {
    const r = await call('GET', '/v1/venues/park/occupancy', undefined, 'admin');
    expect(r).toMatchObject({
      status: 200,
      body: { venueId: 'park', inside: 0, entriesToday: 0, levels: { instant: 'normal', daily: 'normal' } },
    });
  });
});
