import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaProducer, type KafkaProducerOptions } from '../../../gateway/src/kafka/producer.js';
import { silentLogger } from '../../../gateway/src/log.js';
import { testEnv } from '../../support/env.js';
import { createTopic, headersOf, readUntil } from './kafka.js';

let producer: KafkaProducer | undefined;

function open(topic: string, extra: Partial<KafkaProducerOptions> = {}): KafkaProducer {
  producer = new KafkaProducer({
    brokers: testEnv.kafkaBrokers(),
    topic,
    clientId: 'onecard-test-producer',
    log: silentLogger,
    ...extra,
  });
  return producer;
}

afterEach(async () => {
  await producer?.disconnect();
  producer = undefined;
});

describe('KafkaProducer', () => {
  it('resolves send once every message is in Kafka, keeping each key in order', async () => {
    const topic = await createTopic();
    const p = open(topic);
    await p.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: `card-${i % 3}`,
      value: Buffer.from(String(i)),
      headers: [{ 'record-id': `r${i}` }],
      opaque: `r${i}`,
    }));
    await p.send(messages);

    const got = await readUntil(topic, (m) => m.length >= 30);
    expect(got).toHaveLength(30);
    for (const key of ['card-0', 'card-1', 'card-2']) {
      const values = got.filter((m) => m.key?.toString() === key).map((m) => Number(m.value!.toString()));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(new Set(got.filter((m) => m.key?.toString() === key).map((m) => m.partition)).size).toBe(1);
    }
    expect(got.map((m) => headersOf(m)['record-id']).sort()).toEqual(messages.map((m) => m.opaque).sort());
  });

  it('waits and retries when the local queue is full instead of failing the send', async () => {
    const topic = await createTopic();
    const p = open(topic, { extraConfig: { 'queue.buffering.max.messages': 5 } });
    await p.connect();
    const messages = Array.from({ length: 200 }, (_, i) => ({
      key: `k${i % 7}`,
      value: Buffer.from(`v${i}`),
    }));
    await p.send(messages);

    const got = await readUntil(topic, (m) => m.length >= 200);
    expect(new Set(got.map((m) => m.value!.toString())).size).toBe(200);
  });

  it('rejects send, naming the message, when the broker refuses a delivery', async () => {
    const topic = await createTopic({ 'max.message.bytes': '1000' });
    const p = open(topic);
    await p.connect();
    // Random bytes, so compression cannot bring the message under the topic's limit.
    const send = p.send([{ key: 'b', value: randomBytes(5_000), opaque: 'tap:dev-1:2' }]);
    await expect(send).rejects.toThrow(/^Kafka delivery failed for tap:dev-1:2: /);
  });

  it('fails connect with a message naming the brokers when Kafka is unreachable', async () => {
    const p = open('unused', { brokers: '127.0.0.1:1', connectTimeoutMs: 1_000 });
    await expect(p.connect()).rejects.toThrow(
      /^Kafka unreachable at 127\.0\.0\.1:1: no metadata within 1000 ms/,
    );
    expect(p.connected).toBe(false);
  });

  it('refuses to send before connect', async () => {
    const p = open('unused');
    await expect(p.send([{ key: 'a', value: Buffer.from('x') }])).rejects.toThrow(
      'Kafka producer not connected',
    );
  });
});
