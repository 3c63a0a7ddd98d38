// The path records take to PostgreSQL, started for a suite: the store's outbox relayed to a
// fresh Kafka topic, the history service consuming it into `schema`, and a reader on that
// schema. Each part is stopped by the suite's cleanups, last started first.
import { startHistoryService } from '../../../gateway/src/history/service.js';
import { OutboxRelay, type OutboxStore } from '../../../gateway/src/kafka/relay.js';
import { silentLogger } from '../../../gateway/src/log.js';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../../gateway/src/store/pg/history.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { createTopic } from '../kafka/kafka.js';

export async function startPipeline(
  store: OutboxStore,
  schema: string,
  cleanups: (() => Promise<void> | void)[],
): Promise<{ history: Awaited<ReturnType<typeof startHistoryService>>; pgHistory: PgHistoryStore }> {
  const topic = await createTopic();
  const relay = new OutboxRelay({
    store,
    brokers: testEnv.kafkaBrokers(),
    topic,
    owner: uniqueId('relay-'),
    log: silentLogger,
    idleMs: 50,
  });
  cleanups.push(() => relay.stop());
  const history = await startHistoryService({
    pgUrl: testEnv.pgUrl(),
    pgSchema: schema,
    brokers: testEnv.kafkaBrokers(),
    topic,
    groupId: uniqueId('g-'),
    retentionDays: 0,
    log: silentLogger,
  });
  cleanups.push(() => history.stop());
  await relay.start();

  const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 1 });
  cleanups.push(() => pool.end());
  return { history, pgHistory: new PgHistoryStore(pool) };
}
