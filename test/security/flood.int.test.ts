// Issue 8 item 8, the junk flood: a depot-network attacker publishes hundreds of large junk
// batches at a gateway on Redis (the store that holds the balances, under noeviction). Before
// the bounds, every rejected batch was kept whole (8 × 8 MB added 96 MB). Now the dead letters
// live in their own key space and take at most their configured bytes, however long the flood:
// the Redis memory of that key space is measured with MEMORY USAGE, and the ledger's keys are
// untouched. Redis database 12 is this suite's alone.
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { connectAsService } from '../support/mqtt.js';

const DB = 12;
const FLOOD = 300;
const JUNK_BYTES = 200 * 1024;
const MAX_BYTES = 256 * 1024;
const MAX_PAYLOAD = 4 * 1024;
const op = uniqueId('op');
let gw: Gateway;
let attacker: MqttClient;
let redis: Redis;

async function metric(line: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

/** Bytes Redis holds for the keys matching the pattern (MEMORY USAGE counts key, value, overhead). */
async function bytesOf(pattern: string): Promise<{ keys: number; bytes: number }> {
  let bytes = 0;
  const keys = await redis.keys(pattern);
  for (const k of keys) bytes += (await redis.memory('USAGE', k, 'SAMPLES', '0')) ?? 0;
  return { keys: keys.length, bytes };
}

beforeAll(async () => {
  redis = new Redis(`${testEnv.redisUrl()}/${DB}`);
  await redis.flushdb();
  ({ gw } = await startTestGateway({
    tokenKeyHex: 'f6'.repeat(32),
    tariff: 'flat',
    store: 'redis',
    redisUrl: `${testEnv.redisUrl()}/${DB}`,
    deadLetterMaxCount: 1000,
    deadLetterMaxBytes: MAX_BYTES,
    deadLetterMaxPayloadBytes: MAX_PAYLOAD,
  }));
  // The shipped broker refuses anonymous clients and confines a device to its own topics
  // (test/security/broker.int.test.ts); the worst case left is an insider with gateway rights
  // flooding any device's topic, which is what this attacker is.
  attacker = await connectAsService('flood');
});

afterAll(async () => {
  await attacker?.endAsync();
  await gw?.stop();
  await redis?.flushdb();
  await redis?.quit();
});

describe('a flood of large junk batches at a gateway on Redis', () => {
  it('keeps the dead letters within their byte bound, apart from the ledger, and counts every one', async () => {
    const ledgerBefore = await bytesOf('oc:{p*');
    for (let i = 0; i < FLOOD; i++) {
      const junk = Buffer.alloc(JUNK_BYTES, i % 251);
      junk[0] = 0xff; // never a valid first protobuf byte
      await attacker.publishAsync(topics.taps(op, uniqueId('dev')), junk, { qos: 1 });
    }
    for (let i = 0; i < 1500; i++) {
      if ((await metric('onecard_batches_rejected_total{reason="MALFORMED_PROTOBUF"}')) >= FLOOD) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await metric('onecard_batches_rejected_total{reason="MALFORMED_PROTOBUF"}')).toBe(FLOOD);
    // 60 MB of junk arrived; what stays is the bound (plus Redis' own per-key overhead).
    const dlq = await bytesOf('oc:{dlq}:*');
    expect(FLOOD * JUNK_BYTES).toBeGreaterThan(50 * MAX_BYTES);
    expect(dlq.bytes).toBeLessThan(MAX_BYTES * 1.5);
    const kept = await gw.store.deadLetters(1000);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((l) => l.payload.length <= MAX_PAYLOAD && l.payloadBytes === JUNK_BYTES)).toBe(true);
    // Every letter is kept or counted as dropped (a drop is counted just after its put).
    const accounted = async () =>
      (await gw.store.deadLetters(1000)).length + (await metric('onecard_dead_letters_dropped_total'));
    for (let i = 0; i < 500 && (await accounted()) < FLOOD; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await accounted()).toBe(FLOOD);
    // Nothing of it reached the ledger's partitions.
    expect(await bytesOf('oc:{p*')).toEqual(ledgerBefore);
  });
});
