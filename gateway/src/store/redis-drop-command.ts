// `npm run redis:drop-records -- [--dry-run] [--older-than-days N] [--page N] [--max-pages N]`
// (scripts/redis-drop-records.ts, docs/operations.md, docs/decisions/0212): the settings and
// refusals (redis-drop-config.ts), then the walk (redis-drop-records.ts). Progress goes to
// `progress` (stderr), the summary or the refusal is the answer (stdout, JSON).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { connectRedis } from './redis-client.js';
import {
  checkHistoryTables,
  checkOutboxes,
  DropRefusal,
  readDropConfig,
  storeKeys,
} from './redis-drop-config.js';
import { type DropSummary, dropRecords, HELD_SQL } from './redis-drop-records.js';
import { redisTargetOf } from './redis-target.js';

export const USAGE =
  'usage: npm run redis:drop-records -- [--dry-run] [--older-than-days N] [--page 1..1000] [--max-pages N]';

export interface DropArgs {
  dryRun: boolean;
  olderThanDays: number;
  pageSize: number;
  maxPages?: number;
}

export function parseDropArgs(argv: readonly string[]): DropArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'dry-run': { type: 'boolean' },
        'older-than-days': { type: 'string' },
        page: { type: 'string' },
        'max-pages': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new DropRefusal('USAGE', `${(err as Error).message}; ${USAGE}`);
  }
  const whole = (name: string, min: number, max: number, fallback?: number) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max)
      throw new DropRefusal('USAGE', `--${name} takes a whole number in ${min}..${max}; ${USAGE}`);
    return n;
  };
  const maxPages = whole('max-pages', 1, Number.MAX_SAFE_INTEGER);
  return {
    dryRun: values['dry-run'] === true,
    olderThanDays: whole('older-than-days', 0, 36_500, 0)!,
    pageSize: whole('page', 1, 1000, 200)!,
    ...(maxPages !== undefined ? { maxPages } : {}),
  };
}

export type DropAnswer =
  | { ok: true; summary: DropSummary }
  | { ok: false; problem: ReturnType<DropRefusal['problem']> };

/** Runs the command with these settings and arguments; a refusal changes nothing. */
export async function runDropRecords(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  now: number,
  progress?: (line: string) => void,
): Promise<DropAnswer> {
  let args: DropArgs;
  let config: ReturnType<typeof readDropConfig>;
  try {
    args = parseDropArgs(argv);
    config = readDropConfig(env);
  } catch (err) {
    if (err instanceof DropRefusal) return { ok: false, problem: err.problem() };
    throw err;
  }
  const redis = connectRedis(redisTargetOf(config));
  // Not openPgPool: that creates the schema, and a command that deletes must find the history there.
  const pool = new pg.Pool({
    connectionString: config.pgUrl,
    max: 1,
    options: `-c search_path=${config.pgSchema}`,
  });
  pool.on('error', () => {});
  try {
    const keys = await storeKeys(redis, config.redisPrefix);
    await checkHistoryTables((sql) => pool.query(sql), config.pgSchema);
    await checkOutboxes(redis, keys);
    const held = async (ids: string[], ats: number[]) =>
      new Set((await pool.query<{ id: string }>(HELD_SQL, [ids, ats])).rows.map((r) => r.id));
    const summary = await dropRecords(redis, keys, held, {
      now,
      dedupeWindowDays: config.dedupeWindowDays,
      dryRun: args.dryRun,
      olderThanDays: args.olderThanDays,
      pageSize: args.pageSize,
      ...(args.maxPages !== undefined ? { maxPages: args.maxPages } : {}),
      ...(progress ? { progress } : {}),
    });
    return { ok: true, summary };
  } catch (err) {
    if (err instanceof DropRefusal) return { ok: false, problem: err.problem() };
    throw err;
  } finally {
    redis.disconnect();
    await pool.end();
  }
}
