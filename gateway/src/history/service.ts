// The history service (docs/decisions/0190): the consumer, the writer, retention and the
// metrics, wired together. main.ts runs it as its own process; tests run it in theirs.
import { createServer, type Server } from 'node:http';
import type pg from 'pg';
import { Gauge, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { openPgPool } from '../store/pg/connect.js';
import { DAY_MS, dropPartitionsBefore } from '../store/pg/partitions.js';
import { PgHistoryWriter } from '../store/pg/writer.js';
import { HistoryConsumer, type HistoryConsumerStats } from './consumer.js';

export interface HistoryServiceConfig {
  pgUrl: string;
  pgSchema?: string;
  brokers: string;
  topic?: string;
  groupId?: string;
  batchSize?: number;
  /** Days of records kept; older day partitions are dropped. 0: kept forever. */
  retentionDays: number;
  /** /metrics on 127.0.0.1:port; undefined: none. 0: any free port. */
  metricsPort?: number;
  log: Logger;
  now?: () => number;
}

export interface HistoryService {
  stats(): HistoryConsumerStats;
  /** Partitions ahead and retention now (also run every hour). Returns the days dropped. */
  housekeep(): Promise<number[]>;
  readonly metricsPort: number | undefined;
  stop(): Promise<void>;
}

const HOUSEKEEPING_MS = 3_600_000;

export async function startHistoryService(config: HistoryServiceConfig): Promise<HistoryService> {
  const now = config.now ?? Date.now;
  const pool: pg.Pool = await openPgPool({ url: config.pgUrl, schema: config.pgSchema });
  const writer = new PgHistoryWriter(pool);
  const consumer = new HistoryConsumer({
    brokers: config.brokers,
    writer,
    log: config.log,
    topic: config.topic,
    groupId: config.groupId,
    batchSize: config.batchSize,
  });
  const housekeep = async (): Promise<number[]> => {
    await writer.prepare(now());
    if (config.retentionDays <= 0) return [];
    const dropped = await dropPartitionsBefore(pool, now() - config.retentionDays * DAY_MS);
    if (dropped.length > 0) config.log.info({ days: dropped }, 'history retention: day partitions dropped');
    return dropped;
  };
  await housekeep();
  const timer = setInterval(() => {
    housekeep().catch((err) =>
      config.log.error({ err: (err as Error).message }, 'history housekeeping failed'),
    );
  }, HOUSEKEEPING_MS);
  timer.unref();
  try {
    await consumer.start();
  } catch (err) {
    clearInterval(timer);
    await pool.end();
    throw err;
  }
  const server =
    config.metricsPort === undefined ? undefined : await serveMetrics(consumer, config.metricsPort);
  return {
    stats: () => consumer.stats(),
    housekeep,
    metricsPort: server ? (server.address() as { port: number }).port : undefined,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await consumer.stop();
      await pool.end();
    },
  };
}

/** The consumer's figures as Prometheus gauges, read when scraped. */
async function serveMetrics(consumer: HistoryConsumer, port: number): Promise<Server> {
  const registry = new Registry();
  const gauge = (name: string, help: string, pick: (s: HistoryConsumerStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(consumer.stats()));
      },
    });
  gauge('onecard_history_records_written', 'Records new to the PostgreSQL history', (s) => s.written);
  gauge(
    'onecard_history_records_duplicate',
    'Records already in the history (resends, replays)',
    (s) => s.duplicates,
  );
  new Gauge({
    name: 'onecard_history_messages_rejected',
    help: 'Messages on the records topic refused (none of their records written), by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const [reason, n] of Object.entries(consumer.stats().rejectedBy)) this.set({ reason }, n);
    },
  });
  gauge('onecard_history_errors', 'Failed writes and offset commits', (s) => s.errors);
  gauge(
    'onecard_history_records_up_to_seconds',
    'Records up to: commit time of the newest record written, oldest over the partitions read (Unix s)',
    (s) => s.upToMs / 1000,
  );
  gauge(
    'onecard_history_lag_messages',
    'Messages on the held partitions not written yet',
    (s) => s.lagMessages,
  );
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
