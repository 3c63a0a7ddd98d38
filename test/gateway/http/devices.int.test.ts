// The fleet API's half of "a tap is priced where the device is" (docs/decisions/0161): the routes
// a bus validator may report besides its registered one, which only a route device may list and
// never on another operator's network. The Beijing tariff, with one route of the metro network
// added so a route can belong to someone else.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttp, type TestHttp } from './harness.js';

let t: TestHttp;

beforeAll(async () => {
  const doc = JSON.parse(
    readFileSync(new URL('../../../gateway/tariffs/beijing/tariff.json', import.meta.url), 'utf8'),
  );
  doc.routeNetworks.push({ routeId: 'metro-airport', networkId: 'bj-metro' });
  const file = join(mkdtempSync(join(tmpdir(), 'onecard-devices-')), 'tariff.json');
  writeFileSync(file, JSON.stringify(doc));
  t = await startTestHttp({ tariff: file });
});
afterAll(async () => t.close());

async function register(body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/devices',
    headers: await t.as('root'),
    payload: { operatorId: 'bj-bus', profile: 'bus_validator', routeId: '101', ...body },
  });
}

describe('the routes a device may report', () => {
  it('keeps the listed routes of a bus validator and shows them in the fleet', async () => {
    const r = await register({ deviceId: 'bus-routes-1', routes: ['102', 'bus-1'] });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ routeId: '101', routes: ['102', 'bus-1'] });
    expect(await t.store.getDevice('bus-routes-1')).toMatchObject({ routes: ['102', 'bus-1'] });
    const fleet = await t.app.inject({ method: 'GET', url: '/v1/devices', headers: await t.as('root') });
    expect(fleet.json().items.find((d: { deviceId: string }) => d.deviceId === 'bus-routes-1')).toMatchObject(
      {
        routes: ['102', 'bus-1'],
      },
    );
  });

  it('defaults to the registered route only', async () => {
    expect((await register({ deviceId: 'bus-routes-2' })).statusCode).toBe(201);
    expect(await t.store.getDevice('bus-routes-2')).not.toHaveProperty('routes');
  });

  it("refuses a route on another operator's network, whoever registers", async () => {
    const r = await register({ deviceId: 'bus-routes-3', routes: ['102', 'metro-airport'] });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({
      code: 'BAD_REQUEST',
      detail: "routes metro-airport are on another operator's network",
    });
    expect(await t.store.getDevice('bus-routes-3')).toBeUndefined();
  });

  it('refuses routes on a device that does not stand on a route', async () => {
    const r = await register({
      deviceId: 'gate-routes-1',
      operatorId: 'bj-metro',
      profile: 'metro_entry_gate',
      routeId: '',
      stationId: 'bj-xidan',
      routes: ['metro-airport'],
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().detail).toBe('routes are for route devices, not the metro_entry_gate profile');
    expect(await t.store.getDevice('gate-routes-1')).toBeUndefined();
  });

  it.each([
    ['an empty route id', ['']],
    ['a route id of the wrong form', ['bus 1']],
    ['the same route twice', ['102', '102']],
    ['not a list', '102'],
  ])('refuses %s', async (_what, routes) => {
    const r = await register({ deviceId: 'bus-routes-4', routes });
    expect(r.statusCode).toBe(400);
    expect(await t.store.getDevice('bus-routes-4')).toBeUndefined();
  });
});
