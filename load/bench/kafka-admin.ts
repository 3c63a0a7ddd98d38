// The bench's own Kafka topics, dropped once a run is done with them. Each city run and each
// history-ingest run publishes to a topic of its own (`onecard.bench.…`, a fresh name so no run
// reads another's records), and a topic outlives the run: its partitions' logs and their
// preallocated 10 MB index files stay in the broker's data directory until it is deleted. The
// bench's Kafka is kept between runs (scripts/bench.sh stops only what it started), so run after
// run they piled up: 849 partition directories and 1 GB after a few days of runs.
import Kafka from 'node-rdkafka';

/** Every topic of the bench's own runs starts with this; nothing else is ever dropped here. */
export const BENCH_TOPIC_PREFIX = 'onecard.bench.';

const TIMEOUT_MS = 10_000;
/** Kafka's UNKNOWN_TOPIC_OR_PARTITION, as librdkafka reports a topic that is not there. */
const UNKNOWN_TOPIC_OR_PART = 3;

/** The broker's topics whose names start with `prefix`. */
export async function topicsNamed(brokers: string, prefix: string): Promise<string[]> {
  const producer = new Kafka.Producer({
    'metadata.broker.list': brokers,
    'client.id': 'onecard-bench-admin',
  });
  await new Promise<void>((resolve, reject) =>
    producer.connect({ timeout: TIMEOUT_MS }, (err) => (err ? reject(err) : resolve())),
  );
  try {
    const metadata = await new Promise<Kafka.Metadata>((resolve, reject) =>
      producer.getMetadata({ timeout: TIMEOUT_MS }, (err, m) => (err ? reject(err) : resolve(m))),
    );
    return metadata.topics.map((t) => t.name).filter((name) => name.startsWith(prefix));
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}

/**
 * Deletes the topics; one that is already gone is not an error (a run cleaning up after itself
 * and the sweep of leftovers may both name it). Only the bench's own topics (BENCH_TOPIC_PREFIX)
 * are accepted: a bench pointed at a shared broker must never drop anyone else's.
 */
export async function dropTopics(brokers: string, topics: readonly string[]): Promise<void> {
  for (const t of topics)
    if (!t.startsWith(BENCH_TOPIC_PREFIX)) throw new Error(`not a bench topic, not dropped: '${t}'`);
  if (topics.length === 0) return;
  const admin = Kafka.AdminClient.create({
    'metadata.broker.list': brokers,
    'client.id': 'onecard-bench-admin',
  });
  try {
    for (const topic of topics)
      await new Promise<void>((resolve, reject) =>
        admin.deleteTopic(topic, TIMEOUT_MS, (err) =>
          err && err.code !== UNKNOWN_TOPIC_OR_PART
            ? reject(new Error(`drop topic ${topic}: ${err.message}`))
            : resolve(),
        ),
      );
  } finally {
    admin.disconnect();
  }
}

/** Drops what earlier bench runs left on the broker (one that was stopped before its cleanup). */
export async function dropLeftoverTopics(brokers: string): Promise<string[]> {
  const left = await topicsNamed(brokers, BENCH_TOPIC_PREFIX);
  await dropTopics(brokers, left);
  return left;
}
