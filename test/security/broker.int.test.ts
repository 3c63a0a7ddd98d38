// Attacks on the broker and the device credentials, against the real Mosquitto running the
// shipped configuration (deploy/mosquitto, rendered by scripts/services.sh) and a real gateway
// keeping the broker's password file in step with its registry (docs/decisions/0170). Each
// attack is tried and must be refused: by the broker (CONNACK/PUBACK reason codes, nothing
// delivered) or by the gateway (401 problem+json, a dead letter with its reason and counter).
// Client-id takeover: client-id.int.test.ts.
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { v1 } from '../../protos/wire.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { connectAsService, connectWhenAccepted, type EnrolledDevice, enrolDevice } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';

const KEY = '5e'.repeat(32);
const op = uniqueId('op');
let gw: Gateway;
let admin: string;
/** A client with the gateways' rights: plays the gateway's side (acks) and watches. */
let insider: MqttClient;
const open: MqttClient[] = [];

async function enrol(): Promise<EnrolledDevice> {
  const deviceId = uniqueId('bus');
  return enrolDevice(gw.url, admin, {
    deviceId,
    operatorId: op,
    profile: 'bus_validator',
    routeId: 'r1',
    publicKey: publicKeyOf(deviceId),
  });
}

async function connect(d: EnrolledDevice, options = {}): Promise<MqttClient> {
  const c = await connectWhenAccepted(d, options);
  open.push(c);
  return c;
}

/** Polls until fn answers true; fails after ms with what was awaited (no timed assertion). */
async function eventually(what: string, fn: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The CONNACK refusal of a connection attempt (its message), or 'connected'. */
async function tryConnect(options: mqtt.IClientOptions, url = testEnv.mqttUrl()): Promise<string> {
  try {
    const c = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, ...options });
    await c.endAsync();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

/** Waits until the broker refuses these credentials (its reload after a change takes a moment). */
async function refused(d: { username: string; password: string }): Promise<string> {
  let answer = '';
  await eventually(`the broker refusing ${d.username}`, async () => {
    answer = await tryConnect({ clientId: d.username, username: d.username, password: d.password });
    return answer !== 'connected';
  });
  return answer;
}

/** Messages on the client, by topic, from now on. */
function inbox(c: MqttClient): string[] {
  const seen: string[] = [];
  c.on('message', (topic) => seen.push(topic));
  return seen;
}

async function resync(authorization: string): Promise<Response> {
  return fetch(`${gw.url}/v1/lists/deny`, { headers: { authorization } });
}

async function rejected(reason: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`onecard_batches_rejected_total{reason="${reason}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

function batch(deviceId: string, seq: number): Buffer {
  const tap = {
    seq,
    deviceTimeMs: Date.now(),
    cardToken: Buffer.alloc(16, 7),
    issuingRegion: '110000',
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    direction: v1.Direction.DIRECTION_ENTRY,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
    routeId: 'r1',
  };
  // Signed with the device's registered key (decision 0173), so what the broker lets through
  // is judged by the gateway on its merits.
  return signedBatch({ deviceId, operatorId: op, taps: [tap], sentAtMs: Date.now() });
}

beforeAll(async () => {
  ({ gw } = await startTestGateway({ tokenKeyHex: KEY, tariff: 'flat' }));
  admin = await bearerFor(gw.url, 'admin');
  insider = await connectAsService('insider');
});

afterAll(async () => {
  for (const c of open) await c.endAsync(true);
  await insider?.endAsync();
  await gw?.stop();
});

describe('who may connect', () => {
  it('refuses an anonymous client, and a wrong password', async () => {
    expect(await tryConnect({ clientId: uniqueId('anon') })).toMatch(/not authori[sz]ed/i);
    const d = await enrol();
    expect(
      await tryConnect({ clientId: d.username, username: d.username, password: 'x'.repeat(43) }),
    ).toMatch(/not authori[sz]ed|bad user name or password/i);
  });

  it('lets a device in over TLS with the certificate the project CA signed', async () => {
    const d = await enrol();
    const c = await connectWhenAccepted(d, { ca: [readCa()], servername: 'localhost' }, testEnv.mqttsUrl());
    expect(c.connected).toBe(true);
    await c.endAsync();
  });
});

describe('what a device may publish and read', () => {
  it('refuses a publish on another device’s taps (PUBACK 0x87) and the gateway sees nothing', async () => {
    const [a, b] = [await enrol(), await enrol()];
    const c = await connect(a);
    const before = await rejected('UNKNOWN_DEVICE');
    const err = await c
      .publishAsync(topics.taps(op, b.deviceId), batch(b.deviceId, 1), { qos: 1 })
      .catch((e) => e);
    expect(String(err)).toMatch(/not authori[sz]ed/i);
    expect((err as { code?: number }).code).toBe(0x87);
    // Its own topic works, and is processed after the refused one would have been.
    const acks = inbox(c);
    await c.subscribeAsync(topics.ack(op, a.deviceId), { qos: 1 });
    await c.publishAsync(topics.taps(op, a.deviceId), batch(a.deviceId, 1), { qos: 1 });
    await eventually('its own ack', () => acks.includes(topics.ack(op, a.deviceId)));
    expect(await rejected('UNKNOWN_DEVICE')).toBe(before);
  });

  it('delivers a device nothing of others’ through `onecard/v1/#` or the gateways’ shared subscription', async () => {
    const [a, b] = [await enrol(), await enrol()];
    const spy = await connect(a);
    const seen = inbox(spy);
    await spy.subscribeAsync(
      ['onecard/v1/#', '$share/gateway/onecard/v1/+/+/taps', topics.ack(op, a.deviceId)],
      {
        qos: 1,
      },
    );
    const other = await connect(b);
    const otherAcks = inbox(other);
    await other.subscribeAsync(topics.ack(op, b.deviceId), { qos: 1 });
    await other.publishAsync(topics.taps(op, b.deviceId), batch(b.deviceId, 1), { qos: 1 });
    await eventually('B’s ack from the gateway', () => otherAcks.length > 0);
    // Sent after everything above: once it is in, anything of B's would have come before it.
    await insider.publishAsync(topics.ack(op, a.deviceId), Buffer.from('sentinel'), { qos: 1 });
    await eventually('the spy’s own sentinel', () => seen.includes(topics.ack(op, a.deviceId)));
    expect(seen.filter((t) => t.includes(b.deviceId))).toEqual([]);
  });
});

describe('rotation and retirement', () => {
  it('refuses a rotated secret on the broker and the API; the new one works', async () => {
    const d = await enrol();
    const c = await connect(d);
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.options.reconnectPeriod = 0;
    const r = await fetch(`${gw.url}/v1/devices/${d.deviceId}/credentials/rotate`, {
      method: 'POST',
      headers: { authorization: admin },
    });
    expect(r.status).toBe(200);
    const fresh = (await r.json()) as { secret: string; credential: string; mqttUsername: string };
    expect(fresh.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh.secret).not.toBe(d.password);
    // The old secret: refused by the API at once, by the broker within its reload, and the
    // connection made with it is closed.
    const old = await resync(`Device ${d.credential}`);
    expect(old.status).toBe(401);
    expect(old.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await old.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    expect(await refused(d)).toMatch(/not authori[sz]ed|bad user name or password/i);
    await closed;
    const again = await connect({ ...d, password: fresh.secret, credential: fresh.credential });
    expect(again.connected).toBe(true);
    expect((await resync(`Device ${fresh.credential}`)).status).toBe(200);
  });

  it('retires a device: disconnected, refused by the broker and the API, its batches dead-lettered', async () => {
    const d = await enrol();
    const c = await connect(d);
    c.options.reconnectPeriod = 0;
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    expect((await resync(`Device ${d.credential}`)).status).toBe(200);
    const r = await fetch(`${gw.url}/v1/devices/${d.deviceId}`, {
      method: 'DELETE',
      headers: { authorization: admin },
    });
    expect(r.status).toBe(200);
    await closed;
    expect(await refused(d)).toMatch(/not authori[sz]ed|bad user name or password/i);
    const http = await resync(`Device ${d.credential}`);
    expect(http.status).toBe(401);
    expect(http.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A batch still on its way (here: sent by someone with the gateways' rights) is refused
    // with the reason, kept as a dead letter and counted.
    const before = await rejected('DEVICE_RETIRED');
    await insider.publishAsync(topics.taps(op, d.deviceId), batch(d.deviceId, 9), { qos: 1 });
    await eventually('the DEVICE_RETIRED counter', async () => (await rejected('DEVICE_RETIRED')) > before);
    const letters = await gw.store.deadLetters(20);
    expect(letters.find((l) => l.topic === topics.taps(op, d.deviceId))?.reason).toMatch(/^DEVICE_RETIRED/);
    // Gone from the registry, and a second retirement finds nothing.
    const list = (await (
      await fetch(`${gw.url}/v1/devices`, { headers: { authorization: admin } })
    ).json()) as {
      items: Array<{ deviceId: string }>;
    };
    expect(list.items.map((i) => i.deviceId)).not.toContain(d.deviceId);
    const twice = await fetch(`${gw.url}/v1/devices/${d.deviceId}`, {
      method: 'DELETE',
      headers: { authorization: admin },
    });
    expect(twice.status).toBe(404);
  });

  it('answers a wrong or malformed device credential 401 problem+json', async () => {
    const d = await enrol();
    for (const credential of [
      `${d.deviceId}.${'A'.repeat(43)}`,
      `${d.deviceId}.`,
      'nodot',
      `ghost.${d.password}`,
    ]) {
      const r = await resync(`Device ${credential}`);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('keeps a device’s secret when its registration is updated', async () => {
    const d = await enrol();
    const r = await fetch(`${gw.url}/v1/devices`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: d.deviceId, operatorId: op, profile: 'bus_validator', routeId: 'r2' }),
    });
    expect(r.status).toBe(201);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body.secret).toBeUndefined();
    expect(body.credential).toBeUndefined();
    expect((await resync(`Device ${d.credential}`)).status).toBe(200);
  });
});

function readCa(): Buffer {
  return readFileSync(testEnv.mqttCaFile());
}
