// The bench's topics on the real broker (load/bench/kafka-admin.ts): a run's topic is dropped when
// it is done, leftovers of stopped runs at the next start, and nothing but the bench's own.
import Kafka from 'node-rdkafka';
import { describe, expect, it } from 'vitest';
import { BENCH_TOPIC_PREFIX, dropTopics, topicsNamed } from '../../../load/bench/kafka-admin.js';
import { createTopic } from '../../gateway/kafka/kafka.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { until } from '../../support/gateway.js';

const brokers = testEnv.kafkaBrokers();

async function createBenchTopic(): Promise<string> {
  const topic = `${BENCH_TOPIC_PREFIX}${uniqueId('test-')}`;
  const admin = Kafka.AdminClient.create({
    'metadata.broker.list': brokers,
    'client.id': 'bench-admin-test',
  });
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createTopic({ topic, num_partitions: 2, replication_factor: 1 }, 10_000, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  } finally {
    admin.disconnect();
  }
  return topic;
}

/** The broker's metadata follows a deletion shortly after the controller took it: asked until then. */
const listedAfterDrop = (topic: string): Promise<boolean> =>
  until(`${topic} gone from the broker's metadata`, async () =>
    (await topicsNamed(brokers, topic)).includes(topic) ? undefined : false,
  );

describe('bench Kafka topics', () => {
  it('lists a bench topic by its prefix and drops it', async () => {
    const topic = await createBenchTopic();
    expect(await topicsNamed(brokers, topic)).toEqual([topic]);
    await dropTopics(brokers, [topic]);
    expect(await listedAfterDrop(topic)).toBe(false);
  }, 60_000);

  it('takes a topic that is already gone as dropped', async () => {
    const topic = await createBenchTopic();
    await dropTopics(brokers, [topic]);
    await expect(
      dropTopics(brokers, [topic, `${BENCH_TOPIC_PREFIX}${uniqueId('never-')}`]),
    ).resolves.toBeUndefined();
  }, 60_000);

  it('refuses to drop a topic that is not the bench own, and drops none of the list', async () => {
    const other = await createTopic();
    const mine = await createBenchTopic();
    await expect(dropTopics(brokers, [mine, other])).rejects.toThrow(/not a bench topic/);
    expect(await topicsNamed(brokers, other)).toEqual([other]);
    expect(await topicsNamed(brokers, mine)).toEqual([mine]);
    await dropTopics(brokers, [mine]);
  }, 60_000);
});
