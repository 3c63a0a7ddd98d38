// Issue 8 item 8: a bounded fuzz run of TapBatch bytes against the whole gateway (SQLite, real
// Mosquitto). A few thousand batches from registered devices, most of them mutated: bytes
// flipped, cut, spliced, appended, fields set to values no firmware sends, topics swapped,
// plain noise. What must hold afterwards:
// - the gateway is alive and answered or refused every batch (each counted exactly once);
// - nothing was charged from a refused batch: every ride record is a tap some ack reported;
// - the money invariant holds to the fen on every card;
// - the dead letters stayed within their bounds, the ones that made room counted.
// The generator is seeded, so a failure replays the same bytes.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../core/ledger.js';
import { cardToken } from '../../core/pii.js';
import { mulberry32 as rng } from '../../core/random.js';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway, until } from '../support/gateway.js';
import { expectedBalancesFen, moneyTally } from '../support/money.js';
import { connectAsService } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { privateKeyOf, publicKeyOf, signedBatch } from '../support/signing.js';

const KEY = 'f5'.repeat(32);
const OP = 'bj-bus';
const SEED = 0x5eed_0008;
const BATCHES = 3000;
const DEAD_LETTER_MAX = 40;
const T0 = Date.UTC(2025, 5, 3, 1, 0); // 09:00 in Beijing
const ISSUED_FEN = 1_000_000;
const devices = [uniqueId('fz-a'), uniqueId('fz-b'), uniqueId('fz-c')];
const cardNumbers = ['FUZZ00001', 'FUZZ00002', 'FUZZ00003', 'FUZZ00004', 'FUZZ00005'];
const tokenBytes = cardNumbers.map((n) => cardToken(Buffer.from(KEY, 'hex'), n));
const tokens = tokenBytes.map((b) => b.toString('hex'));

let gw: Gateway;
let client: MqttClient;
let admin = '';
/** "device seq" of every tap an ack reported. */
const acked = new Set<string>();
let acks = 0;

const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

/** Values a firmware would never send, for one field at a time. */
const oddSeqs = [0, -1, 2 ** 53, 2 ** 64 - 1, '18446744073709551616'];
const oddTimes = [0, -1, T0 + 10 * 86_400_000, Date.UTC(2019, 0, 1), 2 ** 62];
const oddStrings = ['', 'x'.repeat(300), '\u0000', '../../etc', '110101199003074514', '😀'.repeat(40)];

const nextSeq = new Map(devices.map((d) => [d, 1]));

function tap(seq: number) {
  return {
    seq,
    deviceTimeMs: T0 + seq * 1000,
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: pick(tokenBytes),
    issuingRegion: '110000',
    location: { routeId: '101', stopId: `s${int(30)}` },
    direction: v1.Direction.DIRECTION_BOARD,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
  };
}

/** One batch as a device would send it, then maybe broken in one of several ways. */
function nextMessage(): { topic: string; payload: Buffer } {
  const dev = pick(devices);
  const first = nextSeq.get(dev)!;
  const n = 1 + int(12);
  nextSeq.set(dev, first + n);
  const batch = {
    deviceId: dev,
    operatorId: OP,
    taps: Array.from({ length: n }, (_, i) => tap(first + i)),
    sentAtMs: T0 + first * 1000,
  };
  let topic = topics.taps(OP, dev);
  const kind = int(10);
  if (kind === 0) {
    // A field no firmware sends, on one tap (the rest of the batch stays good).
    const t = batch.taps[int(n)]! as Record<string, unknown>;
    const field = pick(['seq', 'deviceTimeMs', 'cardToken', 'issuingRegion', 'credential', 'direction']);
    if (field === 'seq') t.seq = pick(oddSeqs);
    else if (field === 'deviceTimeMs') t.deviceTimeMs = pick(oddTimes);
    else if (field === 'cardToken' || field === 'issuingRegion') t[field] = pick(oddStrings);
    else t[field] = pick([-1, 99, 2 ** 31 - 1]);
  } else if (kind === 1) {
    batch.deviceId = pick([...devices, pick(oddStrings)]);
    batch.operatorId = pick([OP, 'bj-metro', '', 'lists']);
  } else if (kind === 2) {
    topic = topics.taps(OP, pick(devices)); // maybe another device's topic
  }
  // Signed by the device that built it, as its firmware would, before any byte is broken.
  let payload = signedBatch(batch as Parameters<typeof v1.TapBatch.encode>[0], privateKeyOf(dev));
  const bytes = int(10);
  if (bytes === 0)
    for (let i = 1 + int(8); i > 0; i--) {
      const at = int(payload.length);
      payload[at] = (payload[at] ?? 0) ^ (1 << int(8));
    }
  else if (bytes === 1) payload = payload.subarray(0, int(payload.length));
  else if (bytes === 2) payload = Buffer.concat([payload, noise(1 + int(64))]);
  else if (bytes === 3) {
    const at = int(payload.length);
    payload = Buffer.concat([payload.subarray(0, at), noise(1 + int(16)), payload.subarray(at)]);
  } else if (bytes === 4) payload = noise(int(400));
  else if (bytes === 5) payload = Buffer.concat([payload, payload]); // a batch twice over
  return { topic, payload };
}

async function metric(name: string): Promise<number> {
  const r = await fetch(`${gw.url}/metrics`, { headers: { authorization: admin } });
  const text = await r.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function allRides(): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  for (const deviceId of devices) {
    let cursor: string | undefined;
    do {
      const page = await gw.store.queryRecords({ deviceId, limit: 500, cursor });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return out;
}

beforeAll(async () => {
  ({ gw } = await startTestGateway({
    tokenKeyHex: KEY,
    deadLetterMaxCount: DEAD_LETTER_MAX,
    deadLetterMaxBytes: 64 * 1024,
    deadLetterMaxPayloadBytes: 1024,
  }));
  admin = await bearerFor(gw.url, 'admin');
  for (const deviceId of devices) {
    const r = await fetch(`${gw.url}/v1/devices`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({
        deviceId,
        operatorId: OP,
        profile: 'bus_validator',
        routeId: '101',
        publicKey: publicKeyOf(deviceId),
      }),
    });
    expect(r.status).toBe(201);
  }
  for (const cardNumber of cardNumbers) {
    const r = await fetch(`${gw.url}/v1/cards`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ cardNumber, region: '110000', balanceFen: ISSUED_FEN }),
    });
    expect(r.status).toBe(201);
  }
  // One connection plays every device (and reads their acks): a user with the gateways'
  // rights on the shipped broker (test/support/mqtt.ts).
  client = await connectAsService('fz-sub');
  client.on('message', (_topic, payload) => {
    const ack = v1.BatchAck.decode(payload);
    acks++;
    for (const r of ack.results) acked.add(`${ack.deviceId} ${Number(r.seq)}`);
  });
  for (const d of devices) await client.subscribeAsync(topics.ack(OP, d), { qos: 1 });
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

describe('a few thousand mutated TapBatches', () => {
  it('are each answered or refused, charge nothing when refused, and keep the money whole', {
    timeout: 180_000,
  }, async () => {
    for (let i = 0; i < BATCHES; i++) {
      const { topic, payload } = nextMessage();
      await client.publishAsync(topic, payload, { qos: 1 });
    }
    const handled = async () =>
      (await metric('onecard_batches_total')) +
      (await metric('onecard_batches_rejected_total')) +
      (await metric('onecard_ingest_errors_total'));
    let seen = await handled();
    for (const end = Date.now() + 120_000; seen < BATCHES && Date.now() < end; seen = await handled())
      await new Promise((r) => setTimeout(r, 100));
    expect(seen).toBe(BATCHES);
    expect(await metric('onecard_ingest_errors_total')).toBe(0);
    const answered = await metric('onecard_batches_total');
    await until('every ack', () => (acks >= answered ? true : undefined), 30_000);
    expect(acks).toBe(answered);
    // Both kinds happened: the run says something about each.
    expect(answered).toBeGreaterThan(BATCHES / 4);
    expect(await metric('onecard_batches_rejected_total')).toBeGreaterThan(BATCHES / 10);

    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);

    const rides = await allRides();
    expect(rides.length).toBeGreaterThan(0);
    const unacked = rides.filter((r) => !acked.has(`${r.deviceId} ${r.seq}`)).map((r) => r.id);
    expect(unacked).toEqual([]);
    const ids = rides.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);

    const t = await moneyTally(
      gw.store,
      tokens.map((token) => ({ token, issuedFen: ISSUED_FEN })),
    );
    expect(t.chargesFen).toBeGreaterThan(0);
    expect(t.balancesFen).toBe(expectedBalancesFen(t));

    const letters = await gw.store.deadLetters(1000);
    expect(letters.length).toBeLessThanOrEqual(DEAD_LETTER_MAX);
    expect(await metric('onecard_dead_letters_dropped_total')).toBeGreaterThan(0);
  });
});
