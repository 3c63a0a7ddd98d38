// Issue 8 item 3, the gateway's side: a batch counts only when the device's registered key
// signed it (docs/decisions/0173). The whole gateway (SQLite, real Mosquitto with the shipped
// configuration): each attack is refused with its reason, dead-lettered, counted in /metrics,
// never acked and charges nothing; the same taps correctly signed are charged, so the refusals
// are the signature's doing. The attacker on device A's own topic holds A's broker credentials
// (a leaked password: it is a device's attack) but not A's key; on B's topic, where the broker
// lets no device publish, the attacker is an insider with the gateways' rights.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../core/pii.js';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway, until } from '../support/gateway.js';
import { connectAsService, connectWhenAccepted, enrolDevice } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { privateKeyOf, publicKeyOf, signedBatch } from '../support/signing.js';

const KEY = 'c5'.repeat(32);
const OP = uniqueId('op');
const A = uniqueId('bus-a');
const B = uniqueId('bus-b');
const CARD = 'S10000001';
let gw: Gateway;
/** Device A's broker connection, in the attacker's hands. */
let device: MqttClient;
/** A client with the gateways' rights: publishes on B's topic. */
let client: MqttClient;
let admin = '';
const acks: BatchAck[] = [];

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: admin, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return (path === '/metrics' ? text : JSON.parse(text)) as T;
}

function batch(deviceId: string, seq: number) {
  return {
    deviceId,
    operatorId: OP,
    sentAtMs: Date.now(),
    taps: [
      {
        seq,
        deviceTimeMs: Date.now() - 1000,
        credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
        cardToken: cardToken(Buffer.from(KEY, 'hex'), CARD),
        issuingRegion: '500228',
        location: { routeId: 'r1', stopId: 's1' },
        direction: v1.Direction.DIRECTION_BOARD,
        decision: v1.Decision.DECISION_ALLOW,
        reason: v1.Reason.REASON_OK,
      },
    ],
  };
}

async function rejected(reason: string): Promise<number> {
  const m = new RegExp(`onecard_batches_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(
    await call<string>('GET', '/metrics'),
  );
  return m ? Number(m[1]) : 0;
}

async function balance(): Promise<number> {
  const token = cardToken(Buffer.from(KEY, 'hex'), CARD).toString('hex');
  return (await call<{ balanceFen: number }>('GET', `/v1/cards/${token}`)).balanceFen;
}

/** Publishes as `deviceId` and waits for the dead letter naming `reason` for this batch. */
async function attack(deviceId: string, payload: Uint8Array, reason: string): Promise<void> {
  const before = await rejected(reason);
  const lettersBefore = (await gw.store.deadLetters(100)).length;
  await (deviceId === A ? device : client).publishAsync(topics.taps(OP, deviceId), Buffer.from(payload), {
    qos: 1,
  });
  await until(`${reason} counted`, async () => ((await rejected(reason)) === before + 1 ? true : undefined));
  const letters = await gw.store.deadLetters(100);
  expect(letters).toHaveLength(lettersBefore + 1);
  expect(letters.some((l) => l.reason.startsWith(`${reason}: `))).toBe(true);
}

beforeAll(async () => {
  ({ gw } = await startTestGateway(
    { tokenKeyHex: KEY, tariff: 'flat' },
    { dir: mkdtempSync(join(tmpdir(), 'onecard-sec-batch-')) },
  ));
  admin = await bearerFor(gw.url, 'admin');
  // The worst case the shipped broker leaves: an insider with gateway rights (a device is
  // confined to its own topic, test/security/broker.int.test.ts); signatures must still hold.
  client = await connectAsService('attacker');
  client.on('message', (_t, payload) => acks.push(v1.BatchAck.decode(payload)));
  await client.subscribeAsync([topics.ack(OP, A), topics.ack(OP, B)], { qos: 1 });
  const enrolled = [];
  for (const deviceId of [A, B])
    enrolled.push(
      await enrolDevice(gw.url, admin, {
        deviceId,
        operatorId: OP,
        profile: 'bus_validator',
        routeId: 'r1',
        publicKey: publicKeyOf(deviceId),
      }),
    );
  device = await connectWhenAccepted(enrolled[0]!);
  await call('POST', '/v1/cards', { cardNumber: CARD, region: '500228', balanceFen: 1000 });
});

afterAll(async () => {
  await device?.endAsync();
  await client?.endAsync();
  await gw?.stop();
});

describe('signed tap batches at the gateway', () => {
  it('refuses a batch without a signature (SIGNATURE_MISSING)', async () => {
    await attack(A, v1.TapBatch.encode(batch(A, 1)).finish(), 'SIGNATURE_MISSING');
  });

  it('refuses a batch whose signature is forged (SIGNATURE_INVALID)', async () => {
    const forged = signedBatch(batch(A, 2));
    forged[forged.length - 1]! ^= 0x01;
    await attack(A, forged, 'SIGNATURE_INVALID');
  });

  it('refuses a batch for device B signed with device A’s key (SIGNATURE_INVALID)', async () => {
    await attack(B, signedBatch(batch(B, 3), privateKeyOf(A)), 'SIGNATURE_INVALID');
  });

  it('refuses a batch whose tap was changed after signing (SIGNATURE_INVALID)', async () => {
    const signed = signedBatch(batch(A, 4));
    // The card token's bytes sit inside the signed part: another card, the same signature.
    const token = cardToken(Buffer.from(KEY, 'hex'), CARD);
    const at = signed.indexOf(token);
    expect(at).toBeGreaterThan(0);
    signed[at]! ^= 0xff;
    await attack(A, signed, 'SIGNATURE_INVALID');
  });

  it('refuses a signature that is not the last field (SIGNATURE_INVALID)', async () => {
    const signed = signedBatch(batch(A, 5));
    // The same signature field moved in front of the batch: a valid protobuf, no longer trailing.
    const moved = Buffer.concat([
      signed.subarray(signed.length - 66),
      signed.subarray(0, signed.length - 66),
    ]);
    await attack(A, moved, 'SIGNATURE_INVALID');
  });

  it('has charged nothing and acked nothing for any of them; the same taps signed are charged', async () => {
    expect(acks).toEqual([]);
    expect(await balance()).toBe(1000);
    await device.publishAsync(topics.taps(OP, A), signedBatch(batch(A, 6)), { qos: 1 });
    const ack = await until('the ack of the signed batch', () => acks[0]);
    expect(ack.deviceId).toBe(A);
    expect(ack.results.map((r) => Number(r.chargedFen))).toEqual([200]);
    expect(await balance()).toBe(800);
  });
});
