// GET /v1/venues/:venueId/stats on a running gateway (SQLite store, the real Mosquitto): who may
// read a venue's day (its operator, admin, auditor; not a bus company, not the card service),
// what a day holds after real passages and a reservation, problem+json errors, OpenAPI.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CST_OFFSET_MS, localDay } from '../../../core/time.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { dateOf } from '../../../gateway/src/http/routes/venue-schemas.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';

let gw: Gateway;

interface DayJson {
  hours: Array<{ hour: number; entries: number; exits: number }>;
  occupancy: { inside: number; entriesToday: number };
}
const DAY = localDay(Date.now());
const today = dateOf(DAY);
const tomorrow = dateOf(DAY + 1);
/** Unix ms of a local (UTC+8) minute of a day. */
const at = (day: number, minute: number) => day * 86_400_000 - CST_OFFSET_MS + minute * 60_000;

const bearers = new Map<string, string>();
async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, as?: string) {
  if (as !== undefined && !bearers.has(as))
    bearers.set(as, as.startsWith('SCARD') ? await holderBearer(gw.url, as) : await bearerFor(gw.url, as));
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(as ? { authorization: bearers.get(as)! } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as T };
}

const museum = {
  id: 'city-museum',
  name: 'City museum',
  kind: 'museum',
  operatorId: 'museums',
  openMin: 540,
  closeMin: 1020,
  slots: [
    { startMin: 540, endMin: 660, capacity: 4 },
    { startMin: 660, endMin: 780, capacity: 4 },
  ],
  capacity: { daily: 10, instant: 5 },
  booking: { horizonDays: 7, maxParty: 2 },
  products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
};
const otherMuseum = { ...museum, id: 'art-museum', name: 'Art museum', operatorId: 'arts' };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-venue-stats-'));
  mkdirSync(join(dir, 'venues'), { recursive: true });
  writeFileSync(join(dir, 'venues', 'city.json'), JSON.stringify(museum));
  writeFileSync(join(dir, 'venues', 'art.json'), JSON.stringify(otherMuseum));
  ({ gw } = await startTestGateway(
    { tokenKeyHex: 'b4'.repeat(32), venuesDir: join(dir, 'venues') },
    {
      dir,
      tenants: [
        { username: 'museum-ops', role: 'venue_operator', tenant: 'museums' },
        { username: 'bus-ops', role: 'transit_operator', tenant: 'busco' },
      ],
    },
  ));
  const issued = await call(
    'POST',
    '/v1/cards',
    { cardNumber: 'SCARD001', region: '110000', concessions: [], balanceFen: 0 },
    'admin',
  );
  expect(issued.status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

describe('who reads a venue day', () => {
  it.each([
    ['museum-ops', 'city-museum', 200],
    ['admin', 'city-museum', 200],
    ['auditor', 'art-museum', 200],
    ['museum-ops', 'art-museum', 403],
    ['bus-ops', 'city-museum', 403],
    ['counter', 'city-museum', 403],
    ['ecard', 'city-museum', 403],
  ])('%s reading %s: %i', async (as, venue, status) => {
    const r = await call('GET', `/v1/venues/${venue}/stats?day=${today}`, undefined, as);
    expect(r.status).toBe(status);
    if (status !== 200)
      expect(r).toMatchObject({
        type: expect.stringMatching(/^application\/problem\+json/),
        body: { status },
      });
  });

  it('asks for a login, and answers a bad day and an unknown venue as problems', async () => {
    expect((await call('GET', '/v1/venues/city-museum/stats')).status).toBe(401);
    expect(
      await call('GET', '/v1/venues/city-museum/stats?day=2026-02-30', undefined, 'admin'),
    ).toMatchObject({
      status: 400,
      type: expect.stringMatching(/^application\/problem\+json/),
      body: { code: 'VENUE_BAD_DATE' },
    });
    expect(await call('GET', '/v1/venues/nowhere/stats', undefined, 'admin')).toMatchObject({
      status: 404,
      type: expect.stringMatching(/^application\/problem\+json/),
      body: { code: 'VENUE_NOT_FOUND' },
    });
  });

  it('the auditor reads but cannot count passages', async () => {
    const r = await call(
      'POST',
      '/v1/venues/city-museum/passages',
      { id: 'audit-1', at: at(DAY, 600), direction: 'entry' },
      'auditor',
    );
    expect(r.status).toBe(403);
  });
});

describe('a venue day', () => {
  it('holds visits per hour, occupancy against capacity, reservations per slot and entries by kind', async () => {
    const pass = (id: string, minute: number, direction: 'entry' | 'exit') =>
      call(
        'POST',
        '/v1/venues/city-museum/passages',
        { id, at: at(DAY + 1, minute), direction },
        'museum-ops',
      );
    for (let i = 1; i <= 4; i++) expect((await pass(`d${i}`, 9 * 60 + i, 'entry')).status).toBe(200);
    await pass('d4', 9 * 60 + 4, 'entry');
    await pass('d5', 10 * 60 + 15, 'exit');
    const booked = await call(
      'POST',
      '/v1/holder/venues/city-museum/bookings',
      { productId: 'visit', date: tomorrow, slotStartMin: 660, requestId: 'stats-req-1' },
      'SCARD001',
    );
    expect(booked.status).toBe(200);

    const r = await call<DayJson>(
      'GET',
      `/v1/venues/city-museum/stats?day=${tomorrow}`,
      undefined,
      'museum-ops',
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      venueId: 'city-museum',
      date: tomorrow,
      capacity: { daily: 10, instant: 5, warnShare: 0.8 },
      warnAt: { instant: 4, daily: 8 },
      occupancy: { inside: 3, entriesToday: 4, levels: { instant: 'normal', daily: 'normal' } },
      entries: { annual_pass: 0, reservation: 0, ticket: 0, none: 4 },
      slots: [
        { startMin: 540, capacity: 4, booked: 0 },
        { startMin: 660, capacity: 4, booked: 1 },
      ],
    });
    expect(r.body.hours).toHaveLength(24);
    expect(r.body.hours[9]).toEqual({ hour: 9, entries: 4, exits: 0 });
    expect(r.body.hours[10]).toEqual({ hour: 10, entries: 0, exits: 1 });
    // Another day is untouched.
    const other = await call<DayJson>('GET', `/v1/venues/city-museum/stats?day=${today}`, undefined, 'admin');
    expect(other.body.occupancy).toMatchObject({ inside: 0, entriesToday: 0 });
  });

  it('is described in /openapi.json', async () => {
    const r = await call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(r.body.paths).toHaveProperty('/v1/venues/{venueId}/stats');
  });
});
