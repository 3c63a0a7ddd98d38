// Who sees what, enforced on the server: every role against every area, tenants kept apart,
// and every state-changing request in the audit log. Real SQLite store, fastify inject.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { planTap } from '../../../core/ledger.js';
import { flatPricer } from '../../../core/pricing.js';
import { flatFare } from '../../../core/tariff/flat.js';
import { tapInput } from '../../support/taps.js';
import { PASSWORD, startTestHttp, type TestHttp } from './harness.js';

let t: TestHttp;
let busCard: string;
const NUMBER = 'A12345678';

async function call(user: string | null, method: 'GET' | 'POST', url: string, payload?: object) {
  const headers = user ? await t.as(user) : {};
  return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

beforeAll(async () => {
  t = await startTestHttp();
  const card = await t.cards.issue({
    cardNumber: NUMBER,
    region: '500228',
    concessions: [],
    balanceFen: 5000,
  });
  busCard = card.token;
  // One ride on each of two operators.
  let state = card;
  for (const [seq, operatorId, deviceId] of [
    [1, 'busco', 'bus-1'],
    [2, 'metroco', 'gate-1'],
  ] as const) {
    const effect = planTap(
      state,
      tapInput({ seq, operatorId, deviceId, cardToken: busCard }),
      flatPricer(flatFare()),
      Date.now(),
    );
    await t.store.commit([effect]);
    state = (await t.store.loadCards([busCard])).get(busCard)!;
  }
  for (const [deviceId, operatorId] of [
    ['bus-1', 'busco'],
    ['gate-1', 'metroco'],
  ] as const)
    await t.store.upsertDevice({
      deviceId,
      operatorId,
      profile: 'bus_validator',
      routeId: 'r12',
      stationId: '',
      venueId: '',
    });
});
afterAll(async () => t.close());

const operatorsIn = (body: string) =>
  [...new Set(JSON.parse(body).items.map((r: LedgerRecord) => r.operatorId))].sort();

describe('logging in', () => {
  it('refuses a wrong password and an unknown user alike, and audits both', async () => {
    await t.as('audrey'); // the auditor's own login comes first in the log
    for (const username of ['root', 'nobody']) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { username, password: 'wrong' },
      });
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ code: 'BAD_LOGIN' });
    }
    const audit = await call('audrey', 'GET', '/v1/audit?limit=5');
    expect(audit.json().items.slice(0, 2)).toMatchObject([
      // A name that is no account is kept as a hash only (it may be a card or ID number).
      { action: 'auth.login', target: expect.stringMatching(/^unknown:[A-Za-z0-9_-]{12}$/), status: 401 },
      { action: 'auth.login', target: 'root', status: 401 },
    ]);
  });

  it('sets an HttpOnly SameSite=Strict session cookie that works for reads', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { username: 'busco-ops', password: PASSWORD },
    });
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/^oc_session=op\.[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    expect(r.json()).not.toHaveProperty('token');
    const cookie = setCookie.split(';')[0]!;
    const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });
    expect(me.json()).toEqual({
      username: 'busco-ops',
      role: 'transit_operator',
      tenant: 'busco',
      permissions: ['records:read', 'stats:read', 'live:read', 'devices:read', 'devices:write'],
    });
  });

  it('ignores a session cookie on a state change without a JSON body (no cross-site form posts)', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { username: 'counter1', password: PASSWORD },
    });
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    const form = await t.app.inject({
      method: 'POST',
      url: `/v1/cards/${busCard}/lost`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1',
    });
    expect(form.statusCode).toBe(401);
    expect((await t.cards.get(busCard)).status).toBe('active');
  });

  it('refuses a forged or tampered token', async () => {
    const { authorization } = await t.as('busco-ops');
    const [kind, body, mac] = authorization!.slice(7).split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, r: 'admin', t: '' })).toString('base64url');
    const r = await t.app.inject({
      method: 'GET',
      url: '/v1/records',
      headers: { authorization: `Bearer ${kind}.${forged}.${mac}` },
    });
    expect(r.statusCode).toBe(401);
  });
});

describe('ride records', () => {
  it('are refused without a session', async () => {
    expect((await call(null, 'GET', '/v1/records')).statusCode).toBe(401);
    expect((await call(null, 'GET', '/v1/records.csv')).statusCode).toBe(401);
  });

  it('show everything to an admin and an auditor', async () => {
    for (const user of ['root', 'audrey'])
      expect(operatorsIn((await call(user, 'GET', '/v1/records')).body)).toEqual(['busco', 'metroco']);
  });

  it('show a transit operator its own rides only, also when it asks for none in particular', async () => {
    expect(operatorsIn((await call('busco-ops', 'GET', '/v1/records')).body)).toEqual(['busco']);
    expect(operatorsIn((await call('metro-ops', 'GET', '/v1/records?operator=metroco')).body)).toEqual([
      'metroco',
    ]);
  });

  it("refuse a tenant asking for another operator's rides, in the API and the CSV export", async () => {
    for (const url of ['/v1/records?operator=metroco', '/v1/records.csv?operator=metroco']) {
      const r = await call('busco-ops', 'GET', url);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'FORBIDDEN_TENANT' });
    }
  });

  it('export as CSV with the tenant scope applied', async () => {
    const r = await call('busco-ops', 'GET', '/v1/records.csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^at,kind,cardMasked,cardToken,operatorId,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',busco,bus-1,');
    expect(r.body).not.toContain(NUMBER);
  });

  it('are not for the card service, the venue of another tenant or the e-card app', async () => {
    expect((await call('counter1', 'GET', '/v1/records')).statusCode).toBe(403);
    expect(operatorsIn((await call('museum-ops', 'GET', '/v1/records')).body)).toEqual([]);
    expect((await call('ecard', 'GET', '/v1/records')).statusCode).toBe(403);
  });
});

describe('cards', () => {
  it('card service staff top up, report lost and unfreeze; each is audited with the token', async () => {
    const top = await call('counter1', 'POST', `/v1/cards/${busCard}/topups`, {
      amountFen: 1000,
      requestId: 'counter-topup-1',
      reason: 'cash',
    });
    expect(top.statusCode).toBe(200);
    expect((await call('counter1', 'POST', `/v1/cards/${busCard}/lost`, {})).statusCode).toBe(200);
    expect((await t.cards.get(busCard)).status).toBe('lost');
    expect((await call('counter1', 'POST', `/v1/cards/${busCard}/found`, {})).statusCode).toBe(200);
    const audit = (await call('root', 'GET', '/v1/audit?limit=3')).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['card.found', 'card.lost', 'card.topup']);
    expect(audit[2]).toMatchObject({
      actor: 'counter1',
      role: 'card_service',
      target: busCard,
      status: 200,
      reason: 'cash',
    });
  });

  it('find a card by number in the body; the number is nowhere in the audit log', async () => {
    const r = await call('counter1', 'POST', '/v1/cards/lookup', { cardNumber: NUMBER });
    expect(r.json()).toMatchObject({ token: busCard, masked: expect.stringContaining('*') });
    await call('root', 'POST', '/v1/cards', { cardNumber: 'B99887766', region: '500228' });
    expect((await call('root', 'GET', '/v1/audit?limit=100')).body).not.toMatch(/A12345678|B99887766/);
  });

  it('are read-only for an auditor, and the refusal is audited', async () => {
    expect((await call('audrey', 'GET', `/v1/cards/${busCard}`)).statusCode).toBe(200);
    expect((await call('audrey', 'POST', `/v1/cards/${busCard}/lost`, {})).statusCode).toBe(403);
    expect((await call('audrey', 'GET', '/v1/audit?limit=1')).json().items[0]).toMatchObject({
      actor: 'audrey',
      action: 'card.lost',
      status: 403,
    });
  });

  it('are out of reach of transit and venue operators', async () => {
    for (const user of ['busco-ops', 'museum-ops']) {
      expect((await call(user, 'GET', `/v1/cards/${busCard}`)).statusCode).toBe(403);
      expect(
        (await call(user, 'POST', `/v1/cards/${busCard}/topups`, { amountFen: 1, requestId: 'steal-0001' }))
          .statusCode,
      ).toBe(403);
    }
  });
});

describe('devices', () => {
  it('a tenant lists and registers its own devices only', async () => {
    const list = (await call('busco-ops', 'GET', '/v1/devices')).json();
    expect(list.items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['bus-1']);
    const mine = { deviceId: 'bus-2', operatorId: 'busco', profile: 'bus_validator', routeId: 'r12' };
    const r = await call('busco-ops', 'POST', '/v1/devices', mine);
    expect(r.statusCode).toBe(201);
    expect(r.json().credential).toMatch(/^bus-2\./);
    expect(
      (await call('busco-ops', 'POST', '/v1/devices', { ...mine, deviceId: 'gate-9', operatorId: 'metroco' }))
        .statusCode,
    ).toBe(403);
    // Taking over another operator's device by its id is refused too.
    expect((await call('busco-ops', 'POST', '/v1/devices', { ...mine, deviceId: 'gate-1' })).statusCode).toBe(
      403,
    );
  });

  it('a device resyncs its list with its credential; a forged or unregistered one is refused', async () => {
    const credential = (
      await call('root', 'POST', '/v1/devices', {
        deviceId: 'bus-3',
        operatorId: 'busco',
        profile: 'bus_validator',
        routeId: 'r3',
      })
    ).json().credential;
    const ok = await t.app.inject({
      method: 'GET',
      url: '/v1/lists/deny?since=0',
      headers: { authorization: `Device ${credential}` },
    });
    expect(ok.statusCode).toBe(200);
    const forged = await t.app.inject({
      method: 'GET',
      url: '/v1/lists/deny',
      headers: { authorization: 'Device bus-3.AAAA' },
    });
    expect(forged.statusCode).toBe(401);
    const stranger = credential.replace('bus-3', 'bus-404');
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/v1/lists/deny',
          headers: { authorization: `Device ${stranger}` },
        })
      ).statusCode,
    ).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/lists/deny' })).statusCode).toBe(401);
  });
});

describe('audit log', () => {
  it('is for admins and unbound auditors only', async () => {
    expect((await call('root', 'GET', '/v1/audit')).statusCode).toBe(200);
    for (const user of ['counter1', 'busco-ops', 'ecard'])
      expect((await call(user, 'GET', '/v1/audit')).statusCode).toBe(403);
  });
});

describe('card holders', () => {
  it('the e-card app mints a holder token; the holder sees and acts on that card only', async () => {
    expect((await call('busco-ops', 'POST', '/v1/holder-tokens', { cardNumber: NUMBER })).statusCode).toBe(
      403,
    );
    const minted = await call('ecard', 'POST', '/v1/holder-tokens', { cardNumber: NUMBER });
    expect(minted.statusCode).toBe(201);
    const headers = { authorization: `Bearer ${minted.json().token}` };
    const card = await t.app.inject({ method: 'GET', url: '/v1/holder/card', headers });
    expect(card.json()).toMatchObject({ token: busCard });
    const records = await t.app.inject({ method: 'GET', url: '/v1/holder/records', headers });
    expect(new Set(records.json().items.map((r: LedgerRecord) => r.cardToken))).toEqual(new Set([busCard]));
    const top = await t.app.inject({
      method: 'POST',
      url: '/v1/holder/topups',
      headers,
      payload: { amountFen: 500, requestId: 'app-topup-0001' },
    });
    // A holder token alone adds no money any more: paid orders only (docs/decisions/0151).
    expect(top.statusCode).toBe(410);
    expect(top.json()).toMatchObject({ code: 'PAYMENT_REQUIRED' });
    expect((await call('root', 'GET', '/v1/audit?limit=1')).json().items[0]).toMatchObject({
      actor: 'holder',
      action: 'holder.topup',
      target: busCard,
      status: 410,
    });
    // The app's three lists: each holds its own kinds of this card's records only.
    const kindsIn = async (url: string) => {
      const r = await t.app.inject({ method: 'GET', url, headers });
      expect(r.statusCode).toBe(200);
      const items = r.json().items as LedgerRecord[];
      expect(new Set(items.map((i) => i.cardToken))).toEqual(new Set(items.length ? [busCard] : []));
      return items.map((i) => i.kind);
    };
    expect(await kindsIn('/v1/holder/rides')).toEqual(['ride', 'ride']);
    // The counter's top-up of an earlier case.
    expect(await kindsIn('/v1/holder/topups')).toEqual(['topup']);
    expect(await kindsIn('/v1/holder/visits')).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/holder/rides' })).statusCode).toBe(401);
  });

  it('an operator session is no holder token, and no token is refused', async () => {
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/holder/card', headers: await t.as('root') })).statusCode,
    ).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/holder/card' })).statusCode).toBe(401);
  });
});

describe('revenue and ridership', () => {
  it('a tenant gets its own figures; an admin every operator; the card service none', async () => {
    // The rides carry the fixed device time of tapInput(); ask for that hour, not for "now".
    const from = Math.floor(tapInput().deviceTimeMs / 3_600_000) * 3_600_000;
    const range = `from=${from}&to=${from + 3_600_000}`;
    const bus = (await call('busco-ops', 'GET', `/v1/stats?${range}`)).json();
    expect(bus.totals).toMatchObject({ rides: 1, chargedFen: 200 });
    expect(bus.byLine).toEqual([
      { line: 'r12', rides: 1, denied: 0, chargedFen: 200, free: 0, subsidyFen: 0 },
    ]);
    expect((await call('root', 'GET', `/v1/stats?${range}`)).json().totals.rides).toBe(2);
    expect((await call('busco-ops', 'GET', '/v1/stats?operator=metroco')).statusCode).toBe(403);
    expect((await call('counter1', 'GET', '/v1/stats')).statusCode).toBe(403);
  });

  it('refuses a range longer than 62 days', async () => {
    const r = await call('root', 'GET', `/v1/stats?from=0&to=${63 * 24 * 3_600_000}`);
    expect(r.statusCode).toBe(400);
  });
});
