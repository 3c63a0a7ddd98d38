// Tenants apart (docs/decisions/0154), the attacks of issue 9 replayed against the real HTTP
// side over SQLite: a venue operator planting a gate at another company's venue and selling
// its reservations, a tenant-bound auditor reading a card across operators, lists fetched
// beyond one's scope. Each refusal: 403 FORBIDDEN_TENANT, audited, counted, nothing changed.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LedgerRecord, planTap } from '../../../core/ledger.js';
import { flatPricer } from '../../../core/pricing.js';
import { flatFare } from '../../../core/tariff/flat.js';
import { tapInput } from '../../support/taps.js';
import { allDayMuseum } from '../../support/venues.js';
import { startTestHttp, type TestHttp } from './harness.js';

let t: TestHttp;
let cardToken = '';
const devices = new Map<string, string>();

async function call(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const authorization = devices.get(who) ?? (await t.as(who)).authorization!;
  return t.app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) });
}

async function refusals(route: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`onecard_tenant_refusals_total{route="${route}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function lastAudit() {
  return (await call('root', 'GET', '/v1/audit?limit=1')).json().items[0];
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-tenants-'));
  mkdirSync(join(dir, 'venues', 'x'), { recursive: true });
  writeFileSync(join(dir, 'venues', 'x', 'a.json'), JSON.stringify(allDayMuseum('museum-a', 'culture-a')));
  writeFileSync(join(dir, 'venues', 'x', 'b.json'), JSON.stringify(allDayMuseum('museum-b', 'culture-b')));
  t = await startTestHttp({
    venuesDir: join(dir, 'venues'),
    qrSigningKeys: `1:${'11'.repeat(32)}`,
    accounts: [
      { username: 'ops-a', role: 'venue_operator', tenant: 'culture-a' },
      { username: 'auditor-a', role: 'auditor', tenant: 'culture-a' },
    ],
  });
  let card = await t.cards.issue({
    cardNumber: 'TEN12345',
    region: '500228',
    concessions: [],
    balanceFen: 900,
  });
  cardToken = card.token;
  // The card has records at both companies.
  for (const [seq, operatorId] of [
    [1, 'culture-a'],
    [2, 'culture-b'],
  ] as const) {
    const tap = tapInput({ seq, operatorId, deviceId: `d-${operatorId}`, cardToken });
    await t.store.commit([planTap(card, tap, flatPricer(flatFare()), Date.now())]);
    card = (await t.store.loadCards([cardToken])).get(cardToken)!;
  }
  for (const [deviceId, operatorId, venueId] of [
    ['gate-a', 'culture-a', 'museum-a'],
    ['gate-b', 'culture-b', 'museum-b'],
  ]) {
    const r = await call('root', 'POST', '/v1/devices', {
      deviceId,
      operatorId,
      profile: 'museum_gate',
      venueId,
    });
    devices.set(deviceId!, `Device ${r.json().credential}`);
  }
});
afterAll(async () => t.close());

describe("a venue operator at another company's venue", () => {
  it('cannot register a gate there: refused, audited, counted, no device', async () => {
    const before = await refusals('POST /v1/devices');
    const r = await call('ops-a', 'POST', '/v1/devices', {
      deviceId: 'fake-gate',
      operatorId: 'culture-a',
      profile: 'museum_gate',
      venueId: 'museum-b',
    });
    expect(r.statusCode).toBe(403);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({ code: 'FORBIDDEN_TENANT', status: 403 });
    expect(await t.store.getDevice('fake-gate')).toBeUndefined();
    expect(await lastAudit()).toMatchObject({
      actor: 'ops-a',
      tenant: 'culture-a',
      action: 'device.register',
      target: 'fake-gate',
      status: 403,
    });
    expect(await refusals('POST /v1/devices')).toBe(before + 1);
  });

  it('cannot issue its reservations, though it issues its own', async () => {
    const ticket = { kind: 'reservation', venueId: 'museum-b', date: '2026-05-01' };
    const r = await call('ops-a', 'POST', '/v1/tickets', ticket);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'FORBIDDEN_TENANT' });
    expect(await lastAudit()).toMatchObject({ actor: 'ops-a', target: 'museum-b', status: 403 });
    expect(await refusals('POST /v1/tickets')).toBe(1);
    expect((await call('ops-a', 'POST', '/v1/tickets', { ...ticket, venueId: 'museum-a' })).statusCode).toBe(
      200,
    );
  });
});

describe('an auditor bound to one company', () => {
  const operatorsOf = (body: string) => JSON.parse(body).items.map((r: LedgerRecord) => r.operatorId);

  it("reads a card's records at its company only; an unbound auditor reads them all", async () => {
    const url = `/v1/cards/${cardToken}/records`;
    expect(operatorsOf((await call('auditor-a', 'GET', url)).body)).toEqual(['culture-a']);
    expect(operatorsOf((await call('audrey', 'GET', url)).body).sort()).toEqual(['culture-a', 'culture-b']);
  });

  it("is refused the card itself (balance and status are the card service's)", async () => {
    const r = await call('auditor-a', 'GET', `/v1/cards/${cardToken}`);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'FORBIDDEN_TENANT' });
    expect(r.body).not.toContain('900');
    expect((await call('auditor-a', 'POST', '/v1/cards/lookup', { cardNumber: 'TEN12345' })).statusCode).toBe(
      403,
    );
  });
});

describe('lists', () => {
  it("a device gets its own venue's entitlements and the device-wide lists, not another venue's", async () => {
    expect((await call('gate-a', 'GET', '/v1/lists/entitlements/museum-a')).statusCode).toBeLessThan(300);
    expect((await call('gate-a', 'GET', '/v1/lists/flags/all')).statusCode).toBeLessThan(300);
    const r = await call('gate-a', 'GET', '/v1/lists/entitlements/museum-b');
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'FORBIDDEN_TENANT' });
  });

  it("an operator gets its venues' entitlements; the concession and deny lists are not a tenant's", async () => {
    expect((await call('ops-a', 'GET', '/v1/lists/entitlements/museum-a')).statusCode).toBeLessThan(300);
    for (const url of ['/v1/lists/entitlements/museum-b', '/v1/lists/flags/all', '/v1/lists/deny'])
      expect((await call('ops-a', 'GET', url)).json(), url).toMatchObject({ code: 'FORBIDDEN_TENANT' });
  });

  it('shows a tenant the versions of its own lists only', async () => {
    const scopes = async (who: string) =>
      (await call(who, 'GET', '/v1/admin/lists'))
        .json()
        .items.map((l: { kind: string; scope: string }) => `${l.kind}/${l.scope}`);
    expect(await scopes('ops-a')).toEqual(['entitlements/museum-a']);
    expect((await scopes('root')).sort()).toEqual([
      'deny/all',
      'entitlements/museum-a',
      'entitlements/museum-b',
      'flags/all',
      'regions/all',
    ]);
  });
});
