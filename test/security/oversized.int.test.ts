// Issue 8 item 8, the oversized flood: an enrolled device publishes packets past the MQTT
// maximum packet size on either side (docs/decisions/0160), against the real Mosquitto with the
// shipped configuration: the gateway tells the broker the largest packet it takes (its batch
// limit + envelope), and the broker (deploy/mosquitto: max_packet_size) refuses larger packets
// from anyone and cuts the sender off. Junk past either bound never reaches the ingest: no
// rejection, no dead letter, nothing grows; a valid batch after it is charged as usual.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../core/pii.js';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway, until } from '../support/gateway.js';
import { connectWhenAccepted, type EnrolledDevice, enrolDevice } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';

const op = uniqueId('op');
const dev = uniqueId('bus');
let gw: Gateway;
let device: MqttClient;
/** A second enrolled device of the same operator: the attacker that is cut off. */
let rogueDevice: EnrolledDevice;
const acks: BatchAck[] = [];

async function metric(name: string): Promise<string[]> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name));
}

const KEY = 'b2'.repeat(32);

/** One tap of a card the gateway does not know: acked (recorded), proves the path is alive. */
function smallBatch(seq: number): Buffer {
  const tap = {
    seq,
    deviceTimeMs: Date.now(),
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: cardToken(Buffer.from(KEY, 'hex'), 'A20000001'),
    issuingRegion: '500228',
    location: { routeId: 'r1', stopId: 's3' },
    direction: v1.Direction.DIRECTION_BOARD,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
  };
  return Buffer.from(signedBatch({ deviceId: dev, operatorId: op, taps: [tap], sentAtMs: Date.now() }));
}

beforeAll(async () => {
  ({ gw } = await startTestGateway({ tokenKeyHex: KEY, tariff: 'flat', maxBatchBytes: 4096 }));
  const auth = await bearerFor(gw.url, 'admin');
  const enrolled = await enrolDevice(gw.url, auth, {
    deviceId: dev,
    operatorId: op,
    profile: 'bus_validator',
    routeId: 'r1',
    publicKey: publicKeyOf(dev),
  });
  rogueDevice = await enrolDevice(gw.url, auth, {
    deviceId: uniqueId('rogue'),
    operatorId: op,
    profile: 'bus_validator',
    routeId: 'r1',
  });
  device = await connectWhenAccepted(enrolled);
  device.on('message', (_t, payload) => acks.push(v1.BatchAck.decode(payload)));
  await device.subscribeAsync(topics.ack(op, dev), { qos: 1 });
});

afterAll(async () => {
  await device?.endAsync();
  await gw?.stop();
});

describe('MQTT maximum packet size', () => {
  it('keeps a publish past the gateway’s packet limit away from its ingest', async () => {
    // 20 KB: the broker takes it (its limit is 260 KB), the gateway said it takes 8 KB at most.
    await device.publishAsync(topics.taps(op, dev), Buffer.alloc(20_000, 0x5a), { qos: 1 });
    // Sent after it on the same topic, so dealt after it: once this is acked, the big one is past.
    await device.publishAsync(topics.taps(op, dev), smallBatch(1), { qos: 1 });
    await until('ack of the small batch', () => acks.find((a) => a.deviceId === dev));
    expect(await gw.store.deadLetters(10)).toEqual([]);
    expect(await metric('onecard_batches_rejected_total{')).toEqual([]);
    expect(await metric('onecard_batches_total ')).toEqual(['onecard_batches_total 1']);
  });

  it('has the broker refuse a packet past its own limit: the sender is cut off, nothing is delivered', async () => {
    // MQTT 3.1.1: the client learns no limit from the broker, so the packet goes out.
    // On its own taps topic, which the ACL allows: only the size is wrong.
    const rogue = await connectWhenAccepted(rogueDevice, { protocolVersion: 4 });
    rogue.options.reconnectPeriod = 0;
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish(topics.taps(op, rogueDevice.deviceId), Buffer.alloc(300_000, 0x5a), { qos: 1 });
    await closed;
    rogue.end(true);
    acks.length = 0;
    await device.publishAsync(topics.taps(op, dev), smallBatch(2), { qos: 1 });
    await until('ack of the next small batch', () => acks.find((a) => a.deviceId === dev));
    expect(await gw.store.deadLetters(10)).toEqual([]);
    expect(await metric('onecard_batches_rejected_total{')).toEqual([]);
    expect(await metric('onecard_batches_total ')).toEqual(['onecard_batches_total 2']);
  });
});
