// Spoofed device status against the real Mosquitto and an in-process gateway: a retained status
// under another operator's topic, or for an id nobody registered, is dropped and counted and
// never shows in GET /v1/devices (docs/decisions/0160).
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { v1 } from '../../protos/wire.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { bearerFor } from '../support/operators.js';

const op = uniqueId('op');
const evil = uniqueId('evil');
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

async function publishStatus(topic: string, softwareVersion: string): Promise<void> {
  const payload = v1.DeviceStatus.encode({
    online: true,
    profile: 'bus_validator',
    softwareVersion,
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
  client = await mqtt.connectAsync(testEnv.mqttUrl(), { clientId: uniqueId('c'), protocolVersion: 5 });
});

afterAll(async () => {
  // Retained messages outlive the suite: clear ours.
  for (const t of retained) await client?.publishAsync(t, Buffer.alloc(0), { qos: 1, retain: true });
  await client?.endAsync();
  await gw?.stop();
});

describe('device status from the broker', () => {
  it('does not show a retained status published under another operator’s topic', async () => {
    const before = await dropped('other_operator');
    await publishStatus(topics.status(evil, dev), '6.6.6');
    await poll('the spoof counted', async () =>
      (await dropped('other_operator')) > before ? true : undefined,
    );
    expect(await listed()).toMatchObject({ deviceId: dev, online: false });
    expect((await listed())?.softwareVersion).toBeUndefined();

    // The device's own status is taken; a spoof after it changes nothing.
    await publishStatus(topics.status(op, dev), '1.2.3');
    await poll('the genuine status', async () =>
      (await listed())?.softwareVersion === '1.2.3' ? true : undefined,
    );
    await publishStatus(topics.status(evil, dev), '6.6.7');
    await poll('the second spoof counted', async () =>
      (await dropped('other_operator')) > before + 1 ? true : undefined,
    );
    expect(await listed()).toMatchObject({ deviceId: dev, online: true, softwareVersion: '1.2.3' });
  });

  it('drops and counts a status for a device nobody registered', async () => {
    const before = await dropped('unknown_device');
    await publishStatus(topics.status(op, uniqueId('ghost')), '6.6.6');
    await poll('the ghost counted', async () =>
      (await dropped('unknown_device')) > before ? true : undefined,
    );
  });
});
