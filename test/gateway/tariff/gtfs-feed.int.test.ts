// A GTFS-Fares v2 feed naming no network, as small operators publish them (synthetic.ts:
// three towns, fares by the zones of boarding and alighting), imported by the CLI's convert()
// and loaded by the gateway: its zone fares are charged at the exit gate (before decision
// 0112's catch-all network, every ride was charged 0). Real Mosquitto, SQLite store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../../core/pii.js';
import { topics } from '../../../core/topics.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';
import { convert } from '../../../scripts/gtfs-fares-import.js';
import { threeTownsFeed, writeFeed } from '../../core/tariff/gtfs/synthetic.js';
import { uniqueId } from '../../support/env.js';
import { startTestGateway, until } from '../../support/gateway.js';
import { connectAsService } from '../../support/mqtt.js';
import { bearerFor } from '../../support/operators.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';

const KEY = 'c3'.repeat(32);
const OP = 'three-towns';
// Stops of the towns 1 (North), 2 (Fort) and 3 (Riverside).
const STOPS = ['100', '117', '120'] as const;
type Stop = (typeof STOPS)[number];
type Dir = 'entry' | 'exit';
const gates = new Map<string, string>();
const gate = (stop: Stop, dir: Dir) => {
  const key = `${stop}-${dir}`;
  if (!gates.has(key)) gates.set(key, uniqueId(`gate-${key}`));
  return gates.get(key)!;
};
let gw: Gateway;
let client: MqttClient;
let auth = '';
const acks: BatchAck[] = [];
// 2025-11-17 08:00 in Warsaw (the feed's agency_timezone).
const T = Date.UTC(2025, 10, 17, 7, 0);
let seq = 0;

async function gateTap(stop: Stop, dir: Dir, at: number, card: string) {
  const deviceId = gate(stop, dir);
  const n = ++seq;
  const payload = signedBatch({
    deviceId,
    operatorId: OP,
    taps: [
      {
        seq: n,
        deviceTimeMs: at,
        credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
        cardToken: cardToken(Buffer.from(KEY, 'hex'), card),
        issuingRegion: '110000',
        location: { stationId: stop },
        direction: dir === 'entry' ? v1.Direction.DIRECTION_ENTRY : v1.Direction.DIRECTION_EXIT,
        decision: v1.Decision.DECISION_ALLOW,
        reason: v1.Reason.REASON_OK,
      },
    ],
    sentAtMs: Date.now(),
  });
  await client.publishAsync(topics.taps(OP, deviceId), Buffer.from(payload), { qos: 1 });
  return until(
    `ack ${deviceId}:${n}`,
    () => acks.find((a) => a.deviceId === deviceId && Number(a.toSeq) === n)?.results[0],
  );
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-gtfs-gw-'));
  const tariff = join(dir, 'three-towns.json');
  const folder = writeFeed(join(dir, 'feed'), threeTownsFeed());
  expect(convert(folder, tariff, 'three-towns', 'Three towns', false).written).toBe(true);
  ({ gw } = await startTestGateway({ tokenKeyHex: KEY, tariff }, { dir }));
  auth = await bearerFor(gw.url, 'admin');
  client = await connectAsService('gates');
  client.on('message', (_topic, payload) => acks.push(v1.BatchAck.decode(payload)));
  for (const stop of STOPS)
    for (const d of ['entry', 'exit'] as const) {
      const deviceId = gate(stop, d);
      await client.subscribeAsync(topics.ack(OP, deviceId), { qos: 1 });
      const r = await fetch(`${gw.url}/v1/devices`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          deviceId,
          operatorId: OP,
          profile: `metro_${d}_gate`,
          stationId: stop,
          publicKey: publicKeyOf(deviceId),
        }),
      });
      expect(r.status).toBeLessThan(300);
    }
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

describe('gateway with an imported GTFS feed that names no network', () => {
  it('charges the zone fares of the feed at the exit gate', async () => {
    const card = uniqueId('Z').slice(0, 12);
    const r = await fetch(`${gw.url}/v1/cards`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ cardNumber: card, region: '110000', balanceFen: 2000 }),
    });
    expect(r.status).toBeLessThan(300);
    const charged: number[] = [];
    for (const [from, to, start] of [
      ['100', '117', 0],
      ['117', '120', 60],
      ['120', '100', 120],
    ] as const) {
      await gateTap(from, 'entry', T + start * 60_000, card);
      const exit = await gateTap(to, 'exit', T + (start + 30) * 60_000, card);
      charged.push(Number(exit.chargedFen));
    }
    expect(charged).toEqual([400, 400, 500]);
  });
});
