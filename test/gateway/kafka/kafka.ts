// Test helpers for the real Kafka broker: a fresh topic per test and a reader that collects
// messages from the beginning until a condition holds or a deadline passes.

import type { Message } from 'node-rdkafka';
import Kafka from 'node-rdkafka';
import type { LedgerRecord } from '../../../core/ledger.js';
import { decodeRecordsMessage } from '../../../gateway/src/kafka/records-message.js';
import { testEnv, uniqueId } from '../../support/env.js';

export const PARTITIONS = 4;

/** Creates a topic with PARTITIONS partitions and returns its name. */
export async function createTopic(config: Record<string, string> = {}): Promise<string> {
  const topic = uniqueId('onecard-test-');
  const admin = Kafka.AdminClient.create({
    'metadata.broker.list': testEnv.kafkaBrokers(),
    'client.id': 'onecard-test-admin',
  });
  try {
    await new Promise<void>((resolve, reject) => {
      admin.createTopic(
        { topic, num_partitions: PARTITIONS, replication_factor: 1, config },
        10_000,
        (err) => (err ? reject(new Error(`create topic ${topic}: ${err.message}`)) : resolve()),
      );
    });
  } finally {
    admin.disconnect();
  }
  return topic;
}

/**
 * Reads every partition of the topic from offset 0 (no consumer group coordination, so no
 * rebalance wait) until done(messages) is true. Throws when the deadline passes first, naming
 * how many messages arrived.
 */
export async function readUntil(
  topic: string,
  done: (messages: Message[]) => boolean,
  timeoutMs = 15_000,
): Promise<Message[]> {
  const consumer = new Kafka.KafkaConsumer(
    {
      'metadata.broker.list': testEnv.kafkaBrokers(),
      'group.id': uniqueId('onecard-test-group-'),
      'enable.auto.commit': false,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => {
    consumer.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve()));
  });
  const messages: Message[] = [];
  try {
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0 })));
    const deadline = Date.now() + timeoutMs;
    while (!done(messages)) {
      if (Date.now() > deadline) {
        throw new Error(`read ${messages.length} messages from ${topic} in ${timeoutMs} ms, expected more`);
      }
      const batch = await new Promise<Message[]>((resolve, reject) => {
        consumer.consume(100, (err, got) => (err ? reject(err) : resolve(got)));
      });
      messages.push(...batch);
    }
    return messages;
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

/** A message's headers as one object (node-rdkafka gives a list of one-key objects). */
export function headersOf(message: Message): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of message.headers ?? []) {
    for (const [key, value] of Object.entries(header)) out[key] = value.toString();
  }
  return out;
}

/** The records the messages carry (each decoded whole; a refused message fails the test), in order. */
export function recordsIn(messages: readonly Message[]): LedgerRecord[] {
  return messages.flatMap((m) => {
    const decoded = decodeRecordsMessage(m.value, m.headers);
    if (!decoded.ok) throw new Error(`message ${m.partition}/${m.offset} refused: ${decoded.detail}`);
    return decoded.records;
  });
}
