// The fleet takes status only from registered devices under their own operator's topic and
// holds a bounded number of them (docs/decisions/0160). First against the real Mosquitto and an
// in-process gateway: what a status shows, and a made-up device's status dropped and counted;
// then the Fleet itself over a real SQLite store, pushed past its bound. A device spoofing
// another's status through the broker: test/security/spoofed-status.int.test.ts.
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { Fleet, type StatusDrop } from '../../gateway/src/fleet.js';
import { DeviceRegistry } from '../../gateway/src/ingest/devices.js';
import { silentLogger } from '../../gateway/src/log.js';
import type { Store } from '../../gateway/src/store/port.js';
import { openSqliteStore } from '../../gateway/src/store/sqlite.js';
import { v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { connectAsService } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';

const op = uniqueId('op');
const dev = uniqueId('bus');
let gw: Gateway;
let auth = '';
let client: MqttClient;
const retained: string[] = [];

interface Listed {
  deviceId: string;
  online: boolean;
  softwareVersion?: string;
}

async function listed(): Promise<Listed | undefined> {
  const r = await fetch(`${gw.url}/v1/devices`, { headers: { authorization: auth } });
  return ((await r.json()) as { items: Listed[] }).items.find((d) => d.deviceId === dev);
}

async function dropped(reason: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`onecard_device_status_dropped_total{reason="${reason}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function publishStatus(topic: string, softwareVersion: string, acksRefused = 0): Promise<void> {
  const payload = v1.DeviceStatus.encode({
    online: true,
    profile: 'bus_validator',
    softwareVersion,
    acksRefused,
  }).finish();
  retained.push(topic);
  await client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain: true });
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  ({ gw } = await startTestGateway({ tokenKeyHex: 'c3'.repeat(32), tariff: 'flat' }));
  auth = await bearerFor(gw.url, 'admin');
  const r = await fetch(`${gw.url}/v1/devices`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId: dev, operatorId: op, profile: 'bus_validator', routeId: 'r1' }),
  });
  expect(r.status).toBe(201);
  client = await connectAsService('c');
});

afterAll(async () => {
  // Retained messages outlive the suite: clear ours.
  for (const t of retained) await client?.publishAsync(t, Buffer.alloc(0), { qos: 1, retain: true });
  await client?.endAsync();
  await gw?.stop();
});

describe('device status from the broker', () => {
  it('shows the acks the device refused (forged, not its own, wrong range: decision 0174)', async () => {
    await publishStatus(topics.status(op, dev), '1.2.4', 3);
    await poll('the status with refused acks', async () =>
      (await listed())?.softwareVersion === '1.2.4' ? true : undefined,
    );
    expect(await listed()).toMatchObject({ deviceId: dev, acksRefused: 3 });
  });

  it('drops and counts a status for a device nobody registered', async () => {
    const before = await dropped('unknown_device');
    await publishStatus(topics.status(op, uniqueId('ghost')), '6.6.6');
    await poll('the ghost counted', async () =>
      (await dropped('unknown_device')) > before ? true : undefined,
    );
  });
});

const T0 = Date.parse('2026-12-04T08:00:00Z');
let store: Store;
let registry: DeviceRegistry;
let drops: StatusDrop[];

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
    onDropped: (r) => drops.push(r),
  });
}

describe('fleet (real SQLite store, no broker)', () => {
  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    registry = new DeviceRegistry(store, () => T0, { maxDevices: 100, maxMisses: 100 });
    drops = [];
  });

  afterEach(async () => {
    await store.close();
  });

  it('drops and counts a status from an id nobody registered: 10,000 made-up ids add nothing', async () => {
    const f = fleet(50);
    for (let i = 0; i < 10_000; i++) await f.onStatus(topics.status('bus-co', `fake-${i}`), status('6.6.6'));
    expect(f.size()).toBe(0);
    expect(drops).toHaveLength(10_000);
    expect(new Set(drops)).toEqual(new Set(['unknown_device']));
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
    expect(drops).toEqual([]);
  });

  it('drops a status for a registered device under another operator’s topic', async () => {
    const f = fleet(10);
    await register('bus-co', 'bus-1');
    await f.onStatus(topics.status('bus-co', 'bus-1'), status('1.0.0'));
    await f.onStatus(topics.status('evil-co', 'bus-1'), status('6.6.6'));
    expect(f.get('bus-1')).toMatchObject({ operatorId: 'bus-co', softwareVersion: '1.0.0' });
    expect(drops).toEqual(['other_operator']);
  });

  it('drops a malformed status and anything not on a status topic', async () => {
    const f = fleet(10);
    await register('bus-co', 'bus-1');
    await f.onStatus(topics.status('bus-co', 'bus-1'), Buffer.from([0xff, 0xff, 0xff]));
    await f.onStatus(topics.taps('bus-co', 'bus-1'), status('1.0.0'));
    await f.onStatus('elsewhere/bus-1', status('1.0.0'));
    expect(f.size()).toBe(0);
    expect(drops).toEqual(['malformed', 'bad_topic', 'bad_topic']);
  });
});
