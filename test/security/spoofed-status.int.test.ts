// Issue 8 item 8, the spoofed status: an enrolled device, with its own broker credentials, tries
// to make another device look online with a made-up software version in GET /v1/devices (the
// attack worked as a retained DeviceStatus, even under another operator's topic). Against the
// real Mosquitto with the shipped configuration and an in-process gateway:
// - on another device's status topic (its own operator's or another's): the broker refuses the
//   publish (PUBACK 0x87), nothing is retained, the fleet view does not change;
// - under another operator's topic with its own id (the ACL lets a device name any operator
//   level): the gateway drops it, counts it as other_operator, and the device's own entry keeps
//   what its genuine status said.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { connectAsService, connectWhenAccepted, type EnrolledDevice, enrolDevice } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { eventually, metric, pubackCode } from './attacker.js';

const op = uniqueId('op');
const evil = uniqueId('evil');
let gw: Gateway;
let admin = '';
let attackerDevice: EnrolledDevice;
let victimId = '';
let attacker: MqttClient;
/** Topics this suite left a retained message on (cleared at the end: they outlive the suite). */
const retained = new Set<string>();

interface Listed {
  deviceId: string;
  online: boolean;
  softwareVersion?: string;
}

async function listed(deviceId: string): Promise<Listed | undefined> {
  const r = await fetch(`${gw.url}/v1/devices`, { headers: { authorization: admin } });
  return ((await r.json()) as { items: Listed[] }).items.find((d) => d.deviceId === deviceId);
}

const dropped = (reason: string) => metric(gw.url, `onecard_device_status_dropped_total{reason="${reason}"}`);

function status(softwareVersion: string): Uint8Array {
  return v1.DeviceStatus.encode({ online: true, profile: 'bus_validator', softwareVersion }).finish();
}

/** The attacker's publish of a retained status: the broker's PUBACK code. */
async function spoof(topic: string, softwareVersion: string): Promise<number> {
  const code = await pubackCode(attacker, topic, status(softwareVersion), true);
  if (code === 0) retained.add(topic);
  return code;
}

beforeAll(async () => {
  ({ gw } = await startTestGateway({ tokenKeyHex: 'c3'.repeat(32), tariff: 'flat' }));
  admin = await bearerFor(gw.url, 'admin');
  const enrol = (deviceId: string) =>
    enrolDevice(gw.url, admin, { deviceId, operatorId: op, profile: 'bus_validator', routeId: 'r1' });
  attackerDevice = await enrol(uniqueId('bus'));
  victimId = (await enrol(uniqueId('victim'))).deviceId;
  attacker = await connectWhenAccepted(attackerDevice);
  // Its own genuine status first: what the spoofs below must not change.
  expect(await spoof(topics.status(op, attackerDevice.deviceId), '1.2.3')).toBe(0);
  await eventually('the genuine status listed', async () => {
    return (await listed(attackerDevice.deviceId))?.softwareVersion === '1.2.3';
  });
});

afterAll(async () => {
  for (const t of retained) await attacker?.publishAsync(t, Buffer.alloc(0), { qos: 1, retain: true });
  await attacker?.endAsync();
  await gw?.stop();
});

describe('a device spoofing status messages', () => {
  it('is refused by the broker on another device’s topic, under any operator; nothing is retained', async () => {
    expect(await spoof(topics.status(op, victimId), '6.6.6')).toBe(0x87);
    expect(await spoof(topics.status(evil, victimId), '6.6.6')).toBe(0x87);
    // A subscriber with the gateways' rights gets every retained status on subscribing: none of
    // the victim's. Its sentinel (the attacker's own retained status) proves the read is done.
    const watcher = await connectAsService('watch');
    const seen: string[] = [];
    watcher.on('message', (topic, payload) => {
      if (payload.length > 0) seen.push(topic);
    });
    await watcher.subscribeAsync([topics.status(op, victimId), topics.status(evil, victimId)], { qos: 1 });
    await watcher.subscribeAsync(topics.status(op, attackerDevice.deviceId), { qos: 1 });
    await eventually('the sentinel', () => seen.includes(topics.status(op, attackerDevice.deviceId)));
    await watcher.endAsync();
    expect(seen).toEqual([topics.status(op, attackerDevice.deviceId)]);
    expect(await listed(victimId)).toMatchObject({ deviceId: victimId, online: false });
    expect((await listed(victimId))?.softwareVersion).toBeUndefined();
  });

  it('is dropped by the gateway and counted under another operator’s topic with its own id', async () => {
    const before = await dropped('other_operator');
    expect(await spoof(topics.status(evil, attackerDevice.deviceId), '6.6.7')).toBe(0);
    await eventually('the spoof counted', async () => (await dropped('other_operator')) === before + 1);
    expect(await listed(attackerDevice.deviceId)).toMatchObject({ online: true, softwareVersion: '1.2.3' });
    // The operator of that topic sees no such device.
    const r = await fetch(`${gw.url}/v1/devices`, { headers: { authorization: admin } });
    const items = ((await r.json()) as { items: Array<{ deviceId: string; operatorId: string }> }).items;
    expect(items.filter((d) => d.operatorId === evil)).toEqual([]);
  });
});
