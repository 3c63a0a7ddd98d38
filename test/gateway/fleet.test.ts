// The fleet takes status only from registered devices under their own operator's topic, and
// holds a bounded number of them (docs/decisions/0160). Real SQLite store (in memory).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import { Fleet, type StatusDrop } from '../../gateway/src/fleet.js';
import { DeviceRegistry } from '../../gateway/src/ingest/devices.js';
import { silentLogger } from '../../gateway/src/log.js';
import type { Store } from '../../gateway/src/store/port.js';
import { openSqliteStore } from '../../gateway/src/store/sqlite.js';
import { v1 } from '../../protos/wire.js';

const T0 = Date.parse('2026-12-04T08:00:00Z');
let store: Store;
let registry: DeviceRegistry;
let dropped: StatusDrop[];

const status = (softwareVersion: string) =>
  Buffer.from(v1.DeviceStatus.encode({ online: true, profile: 'bus_validator', softwareVersion }).finish());

async function register(operatorId: string, deviceId: string): Promise<void> {
  await store.upsertDevice({
    deviceId,
    operatorId,
    profile: 'bus_validator',
    routeId: 'r1',
    stationId: '',
    venueId: '',
  });
}

function fleet(maxDevices: number): Fleet {
  return new Fleet({
    log: silentLogger,
    now: () => T0,
    devices: registry,
    maxDevices,
    onDropped: (r) => dropped.push(r),
  });
}

beforeEach(async () => {
  store = await openSqliteStore({ file: ':memory:' });
  registry = new DeviceRegistry(store, () => T0, { maxDevices: 100, maxMisses: 100 });
  dropped = [];
});

afterEach(async () => {
  await store.close();
});

describe('fleet', () => {
  it('drops and counts a status from an id nobody registered: 10,000 made-up ids add nothing', async () => {
    const f = fleet(50);
    for (let i = 0; i < 10_000; i++) await f.onStatus(topics.status('bus-co', `fake-${i}`), status('6.6.6'));
    expect(f.size()).toBe(0);
    expect(dropped).toHaveLength(10_000);
    expect(new Set(dropped)).toEqual(new Set(['unknown_device']));
  });

  it('holds at most its bound of devices, the least recently heard dropped first', async () => {
    const f = fleet(50);
    for (let i = 0; i < 120; i++) {
      await register('bus-co', `bus-${i}`);
      await f.onStatus(topics.status('bus-co', `bus-${i}`), status('1.0.0'));
    }
    expect(f.size()).toBe(50);
    expect(f.get('bus-0')).toBeUndefined();
    expect(f.get('bus-119')?.softwareVersion).toBe('1.0.0');
    expect(dropped).toEqual([]);
  });

  it('drops a status for a registered device under another operator’s topic', async () => {
    const f = fleet(10);
    await register('bus-co', 'bus-1');
    await f.onStatus(topics.status('bus-co', 'bus-1'), status('1.0.0'));
    await f.onStatus(topics.status('evil-co', 'bus-1'), status('6.6.6'));
    expect(f.get('bus-1')).toMatchObject({ operatorId: 'bus-co', softwareVersion: '1.0.0' });
    expect(dropped).toEqual(['other_operator']);
  });

  it('drops a malformed status and anything not on a status topic', async () => {
    const f = fleet(10);
    await register('bus-co', 'bus-1');
    await f.onStatus(topics.status('bus-co', 'bus-1'), Buffer.from([0xff, 0xff, 0xff]));
    await f.onStatus(topics.taps('bus-co', 'bus-1'), status('1.0.0'));
    await f.onStatus('elsewhere/bus-1', status('1.0.0'));
    expect(f.size()).toBe(0);
    expect(dropped).toEqual(['malformed', 'bad_topic', 'bad_topic']);
  });
});
