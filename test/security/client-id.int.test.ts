// Issue 8 item 8, client-id takeover. The attack worked on the anonymous broker: eight
// connections with the gateway's client id kept it reconnecting (/readyz not ready 12 of 20
// samples), and the same against any device. With the shipped configuration the client id is
// the username (use_username_as_clientid, docs/decisions/0170): an enrolled device asking for
// another client's id gets a session named after itself, so its connections only take over each
// other. Proof from three sides, against the real Mosquitto and an in-process gateway:
// - the broker's log (connection_messages) names the attacker, never the victim, as the client
//   whose old connection was closed;
// - the gateway stays ready at every sample and still acks a device's batch afterwards;
// - a device victim's connection stays up and still receives its acks.
import { readFileSync, statSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { v1 } from '../../protos/wire.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import {
  connectAsService,
  connectWhenAccepted,
  type EnrolledDevice,
  enrolDevice,
  type ServiceUser,
  serviceUser,
} from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';
import { eventually } from './attacker.js';

const KEY = '6d'.repeat(32);
const op = uniqueId('op');
const ATTEMPTS = 8;
let gwUser: ServiceUser;
let gw: Gateway;
let admin = '';
/** A client with the gateways' rights: sends the victim device its sentinel ack. */
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

/** The broker's log from a byte offset on: what it said since. */
const logSince = (offset: number) => readFileSync(testEnv.mqttLogFile()).subarray(offset).toString('utf8');
const logSize = () => statSync(testEnv.mqttLogFile()).size;
/** The lines where the broker closed a client's old connection for a new one with its id. */
const takenOver = (log: string, clientId: string) =>
  log.split('\n').filter((l) => l.includes(`Client ${clientId} already connected, closing old connection.`));

/** The attacker's connections, each asking for the victim's client id; left open. */
async function takeover(attacker: EnrolledDevice, victimClientId: string): Promise<MqttClient[]> {
  // Once the broker knows the new device (its reload), as itself.
  await (await connectWhenAccepted(attacker)).endAsync();
  const made: MqttClient[] = [];
  for (let i = 0; i < ATTEMPTS; i++) {
    const c = await mqtt.connectAsync(testEnv.mqttUrl(), {
      protocolVersion: 5,
      reconnectPeriod: 0,
      clientId: victimClientId,
      username: attacker.username,
      password: attacker.password,
    });
    made.push(c);
    open.push(c);
    if (gwUser.username === victimClientId) {
      const r = await fetch(`${gw.url}/readyz`);
      expect(r.status).toBe(200);
    }
  }
  return made;
}

beforeAll(async () => {
  // The gateway's broker user made here, so the test knows its client id (= its username).
  gwUser = serviceUser('gw-victim');
  await (await connectWhenAccepted(gwUser)).endAsync();
  ({ gw } = await startTestGateway({
    tokenKeyHex: KEY,
    tariff: 'flat',
    mqttUsername: gwUser.username,
    mqttPassword: gwUser.password,
  }));
  admin = await bearerFor(gw.url, 'admin');
  insider = await connectAsService('insider');
});

afterAll(async () => {
  for (const c of open) await c.endAsync(true);
  await insider?.endAsync();
  await gw?.stop();
  gwUser?.remove();
});

describe('a device connecting with another client’s id', () => {
  it('takes nothing from the gateway: it stays ready and keeps acking', async () => {
    const attacker = await enrol();
    const from = logSize();
    await takeover(attacker, gwUser.username);
    // Each of its connections closed its previous one, under its own name.
    await eventually('the attacker’s own takeovers logged', () => {
      return takenOver(logSince(from), attacker.username).length >= ATTEMPTS - 1;
    });
    expect(takenOver(logSince(from), gwUser.username)).toEqual([]);
    // The gateway's connection was never the one closed: a batch is still taken and acked.
    const honest = await enrol();
    const device = await connectWhenAccepted(honest);
    open.push(device);
    const acks: string[] = [];
    device.on('message', (topic) => acks.push(topic));
    await device.subscribeAsync(topics.ack(op, honest.deviceId), { qos: 1 });
    const tap = {
      seq: 1,
      deviceTimeMs: Date.now(),
      cardToken: Buffer.alloc(16, 3),
      issuingRegion: '110000',
      credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
      direction: v1.Direction.DIRECTION_ENTRY,
      decision: v1.Decision.DECISION_ALLOW,
      reason: v1.Reason.REASON_OK,
      routeId: 'r1',
    };
    const batch = signedBatch({
      deviceId: honest.deviceId,
      operatorId: op,
      taps: [tap],
      sentAtMs: Date.now(),
    });
    await device.publishAsync(topics.taps(op, honest.deviceId), batch, { qos: 1 });
    await eventually('the ack', () => acks.length > 0);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    expect(takenOver(logSince(from), gwUser.username)).toEqual([]);
  });

  it('takes nothing from another device: its session lives on and its acks still reach it', async () => {
    const [attacker, victim] = [await enrol(), await enrol()];
    const v = await connectWhenAccepted(victim);
    open.push(v);
    const inbox: string[] = [];
    v.on('message', (topic) => inbox.push(topic));
    await v.subscribeAsync(topics.ack(op, victim.deviceId), { qos: 1 });
    const from = logSize();
    await takeover(attacker, victim.deviceId);
    await eventually('the attacker’s own takeovers logged', () => {
      return takenOver(logSince(from), attacker.username).length >= ATTEMPTS - 1;
    });
    expect(takenOver(logSince(from), victim.username)).toEqual([]);
    // Sent after the takeovers: the victim's session and subscription are the ones it made.
    await insider.publishAsync(topics.ack(op, victim.deviceId), Buffer.from('sentinel'), { qos: 1 });
    await eventually('the victim still receiving', () => inbox.length > 0);
    expect(v.connected).toBe(true);
  });
});
