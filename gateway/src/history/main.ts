// History process: `npm run history` (node --import tsx gateway/src/history/main.ts). Reads
// the records topic and writes PostgreSQL (docs/decisions/0190). Configured by environment
// variables (README):
//   ONECARD_PG_URL (required), ONECARD_KAFKA_BROKERS (required), ONECARD_KAFKA_TOPIC,
//   ONECARD_PG_SCHEMA, ONECARD_HISTORY_GROUP, ONECARD_HISTORY_BATCH,
//   ONECARD_HISTORY_RETENTION_DAYS (default 400; 0 keeps every day), ONECARD_HISTORY_METRICS_PORT.
import type { Logger } from '../log.js';
import { startHistoryService } from './service.js';

/** One JSON line per event on stderr, as the gateway's logger writes them. */
function line(level: string): (obj: object | string, msg?: string) => void {
  return (obj, msg) =>
    process.stderr.write(
      `${JSON.stringify({ level, time: Date.now(), ...(typeof obj === 'string' ? { msg: obj } : { ...obj, msg }) })}\n`,
    );
}
const log: Logger = { debug() {}, info: line('info'), warn: line('warn'), error: line('error') };

function int(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name} must be a whole number ≥ 0, got "${raw}"`);
    process.exit(1);
  }
  return n;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is required for the history process`);
    process.exit(1);
  }
  return v;
}

try {
  const service = await startHistoryService({
    pgUrl: required('ONECARD_PG_URL'),
    pgSchema: process.env.ONECARD_PG_SCHEMA || undefined,
    brokers: required('ONECARD_KAFKA_BROKERS'),
    topic: process.env.ONECARD_KAFKA_TOPIC || undefined,
    groupId: process.env.ONECARD_HISTORY_GROUP || undefined,
    batchSize: int('ONECARD_HISTORY_BATCH', undefined),
    retentionDays: int('ONECARD_HISTORY_RETENTION_DAYS', 400) ?? 400,
    metricsPort: int('ONECARD_HISTORY_METRICS_PORT', undefined),
    log,
  });
  log.info({ metricsPort: service.metricsPort }, 'history consumer started');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping the history consumer`);
    // A batch not committed is read again by the next consumer and written once: safe to cut.
    setTimeout(() => process.exit(1), 10_000).unref();
    await service.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  log.error({ err: (err as Error).message }, 'history consumer failed to start');
  process.exit(1);
}
