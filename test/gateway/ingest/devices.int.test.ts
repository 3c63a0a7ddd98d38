// The device registry's caches are bounded LRUs (docs/decisions/0160): made-up device ids,
// as many as an attacker likes, never hold more than the bound. Real SQLite store (in memory).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../gateway/src/ingest/devices.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';

const device = (deviceId: string) => ({
  deviceId,
  operatorId: 'bus-co',
  profile: 'bus_validator',
  routeId: 'r1',
  stationId: '',
  venueId: '',
});

let store: Store;
let t = Date.parse('2026-12-04T08:00:00Z');
const now = () => t;

beforeEach(async () => {
  store = await openSqliteStore({ file: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

describe('device registry caches', () => {
  it('remembers at most the bound of made-up ids, the least recent dropped first', async () => {
    const registry = new DeviceRegistry(store, now, { maxDevices: 100, maxMisses: 500 });
    for (let i = 0; i < 10_000; i++) expect(await registry.get(`fake-${i}`)).toBeUndefined();
    expect(registry.size()).toEqual({ devices: 0, misses: 500 });
  });

  it('holds at most the bound of registered devices and still answers for the dropped ones', async () => {
    const registry = new DeviceRegistry(store, now, { maxDevices: 3, maxMisses: 3 });
    for (let i = 0; i < 5; i++) await store.upsertDevice(device(`bus-${i}`));
    for (let i = 0; i < 5; i++) expect(await registry.get(`bus-${i}`)).toEqual(device(`bus-${i}`));
    expect(registry.size()).toEqual({ devices: 3, misses: 0 });
    // bus-0 went out of the cache; the store still knows it.
    expect(await registry.get('bus-0')).toEqual(device('bus-0'));
  });

  it('sees a device registered after a miss once the miss has expired, or at once when told', async () => {
    const registry = new DeviceRegistry(store, now, { maxDevices: 10, maxMisses: 10 });
    expect(await registry.get('late')).toBeUndefined();
    await store.upsertDevice(device('late'));
    expect(await registry.get('late')).toBeUndefined();
    t += 2_001;
    expect(await registry.get('late')).toEqual(device('late'));

    expect(await registry.get('later')).toBeUndefined();
    await store.upsertDevice(device('later'));
    registry.forget('later');
    expect(await registry.get('later')).toEqual(device('later'));
  });
});
