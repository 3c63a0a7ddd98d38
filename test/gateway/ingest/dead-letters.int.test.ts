// Rejected batches through the real Mosquitto into an in-process gateway: the dead letters stay
// within their bounds and the letters that made room are counted (docs/decisions/0160).
import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../core/topics.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { uniqueId } from '../../support/env.js';
import { startTestGateway } from '../../support/gateway.js';
import { connectAsService } from '../../support/mqtt.js';

const op = uniqueId('op');
const dev = uniqueId('bus');
let gw: Gateway;
let device: MqttClient;

async function metric(line: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

beforeAll(async () => {
  ({ gw } = await startTestGateway({
    tokenKeyHex: 'd4'.repeat(32),
    tariff: 'flat',
    deadLetterMaxCount: 3,
    deadLetterMaxPayloadBytes: 64,
  }));
  device = await connectAsService('junk');
});

afterAll(async () => {
  await device?.endAsync();
  await gw?.stop();
});

describe('dead letters at the gateway', () => {
  it('keeps the newest rejected batches within the bound, cut, and counts the ones dropped', async () => {
    const junk = (i: number) =>
      Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.alloc(1000, i)]);
    for (let i = 0; i < 8; i++) await device.publishAsync(topics.taps(op, dev), junk(i), { qos: 1 });
    // The rejection is counted before its letter is put: wait until every letter is accounted for.
    const accounted = async () =>
      (await metric('onecard_dead_letters_dropped_total')) + (await gw.store.deadLetters(100)).length;
    for (let i = 0; i < 500 && (await accounted()) < 8; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await metric('onecard_batches_rejected_total{reason="MALFORMED_PROTOBUF"}')).toBe(8);
    expect(await metric('onecard_dead_letters_dropped_total')).toBe(5);
    const kept = await gw.store.deadLetters(100);
    expect(kept).toHaveLength(3);
    for (const l of kept) {
      expect(l.payload).toHaveLength(64);
      expect(l.payloadBytes).toBe(1005);
    }
    // Batches are handled concurrently, so which three stay is not fixed; each is one sent.
    const sent = new Set(
      Array.from({ length: 8 }, (_, i) => createHash('sha256').update(junk(i)).digest('hex')),
    );
    expect(kept.every((l) => sent.has(l.payloadSha256))).toBe(true);
  });
});
