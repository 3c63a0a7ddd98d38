// What `npm run redis:drop-records` (scripts/redis-drop-records.ts, docs/decisions/0212) reads
// before it deletes anything: the gateways' own settings, from the gateway's configuration schema
// (the same environment file the gateway units start from), and the refusals, each with a stable
// code. Nothing here writes.
import { type ConfigOf, readConfig } from '../../../core/config/schema.js';
import { configSchema } from '../config.js';
import { checkSchemaName } from './pg/connect.js';
import type { RedisClient } from './redis-client.js';
import { RedisKeys } from './redis-keys.js';

/** The gateway settings the command reads: where Redis and the history are, and the history mode. */
const dropSchema = {
  store: configSchema.store,
  redisUrl: configSchema.redisUrl,
  redisCluster: configSchema.redisCluster,
  redisSentinels: configSchema.redisSentinels,
  redisSentinelMaster: configSchema.redisSentinelMaster,
  redisPrefix: configSchema.redisPrefix,
  history: configSchema.history,
  pgUrl: configSchema.pgUrl,
  pgSchema: configSchema.pgSchema,
  dedupeWindowDays: configSchema.dedupeWindowDays,
} as const;

export type DropConfig = ConfigOf<typeof dropSchema>;

export type DropRefusalCode =
  | 'USAGE'
  | 'CONFIG'
  | 'NOT_REDIS_STORE'
  | 'HISTORY_IN_STORE'
  | 'NO_STORE'
  | 'NO_HISTORY_TABLES'
  | 'OUTBOX_NOT_RELAYED';

/** A refusal: nothing was changed. The CLI prints it as problem+json and exits 2. */
export class DropRefusal extends Error {
  constructor(
    readonly code: DropRefusalCode,
    detail: string,
  ) {
    super(detail);
  }

  problem(): { type: string; title: string; status: number; code: DropRefusalCode; detail: string } {
    return { type: 'about:blank', title: 'refused', status: 409, code: this.code, detail: this.message };
  }
}

/**
 * The settings, refused unless they name a Redis store whose gateways keep no records
 * (ONECARD_HISTORY=postgres, 0204) and the PostgreSQL that holds their history. No flag
 * overrides this: the file the gateways start from is the evidence that they no longer read
 * records from Redis (0212).
 */
export function readDropConfig(env: Readonly<Record<string, string | undefined>>): DropConfig {
  const read = readConfig(dropSchema, { env });
  const problems = read.problems.map((p) => `${p.key.env}: ${p.problem}`);
  const c = read.config;
  if (problems.length > 0) throw new DropRefusal('CONFIG', problems.join('; '));
  if (c.store !== 'redis')
    throw new DropRefusal(
      'NOT_REDIS_STORE',
      'ONECARD_STORE is not redis: SQLite keeps its records by design (0204)',
    );
  if (c.history !== 'postgres')
    throw new DropRefusal(
      'HISTORY_IN_STORE',
      'ONECARD_HISTORY is not postgres: gateways on this configuration read their records from Redis; switch them first (docs/operations.md)',
    );
  if (c.redisCluster === '' && c.redisSentinels === '' && !env[configSchema.redisUrl.env])
    throw new DropRefusal(
      'CONFIG',
      'name the Redis: ONECARD_REDIS_URL, ONECARD_REDIS_CLUSTER or ONECARD_REDIS_SENTINELS (no default for a command that deletes)',
    );
  if (c.pgUrl === '')
    throw new DropRefusal('CONFIG', 'ONECARD_PG_URL: required (the history the records must be in)');
  checkSchemaName(c.pgSchema);
  return c;
}

/** The store's keys with the partition count its data was written with. */
export async function storeKeys(redis: RedisClient, prefix: string): Promise<RedisKeys> {
  const stored = Number(await redis.get(new RedisKeys(prefix, 1).layout()));
  if (!Number.isInteger(stored) || stored < 1)
    throw new DropRefusal('NO_STORE', `no Redis store under key prefix '${prefix}'`);
  return new RedisKeys(prefix, stored);
}

/**
 * Refuses while any outbox still begins or ends with an entry that carries no record (written
 * by a gateway keeping records before 0209: field i alone): its record is read from the records
 * hash when the relay sends it (readOutbox), so deleting it would stop the relay. An entry with
 * its record (r, 0204) or its records' batch (b, 0209) needs nothing from the hash. Such an entry means the relay has not
 * sent everything from before the switch, or a gateway still runs ONECARD_HISTORY=store.
 */
export async function checkOutboxes(redis: RedisClient, keys: RedisKeys): Promise<void> {
  for (let p = 0; p < keys.partitions; p++) {
    const [first, last] = await Promise.all([
      redis.xrange(keys.outbox(p), '-', '+', 'COUNT', 1),
      redis.xrevrange(keys.outbox(p), '+', '-', 'COUNT', 1),
    ]);
    for (const [, fields] of [...first, ...last])
      if (!fields.some((f, k) => k % 2 === 0 && (f === 'r' || f === 'b')))
        throw new DropRefusal(
          'OUTBOX_NOT_RELAYED',
          `partition ${p}'s outbox holds an entry whose record is in the records hash: wait for the relay (onecard_outbox_lag_seconds 0) and make sure no gateway runs ONECARD_HISTORY=store`,
        );
  }
}

/** Refuses a PostgreSQL schema without the history's tables (not the history's database). */
export async function checkHistoryTables(
  query: (sql: string) => Promise<{ rows: { ok: boolean }[] }>,
  schema: string,
): Promise<void> {
  const { rows } = await query("SELECT to_regclass('records') IS NOT NULL AS ok");
  if (!rows[0]?.ok)
    throw new DropRefusal(
      'NO_HISTORY_TABLES',
      `PostgreSQL schema ${schema} has no records table: not the history`,
    );
}
