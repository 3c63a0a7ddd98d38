// The Redis store's audit log: one stream (XADD ids grow with time), paged newest first.
import type { AuditEntry, AuditPage } from './port.js';
import type { RedisClient } from './redis-client.js';

export async function appendAudit(redis: RedisClient, key: string, e: AuditEntry): Promise<void> {
  await redis.xadd(key, '*', 'e', JSON.stringify(e));
}

export async function queryAudit(
  redis: RedisClient,
  key: string,
  q: { limit: number; cursor?: string },
): Promise<AuditPage> {
  if (q.cursor !== undefined && !/^\d+-\d+$/.test(q.cursor))
    throw new RangeError(`not an audit cursor of this store: ${q.cursor}`);
  // '(' makes the bound exclusive: the page starts after the cursor's entry.
  const end = q.cursor === undefined ? '+' : `(${q.cursor}`;
  const rows = await redis.xrevrange(key, end, '-', 'COUNT', q.limit + 1);
  const items = rows
    .slice(0, q.limit)
    .map(([id, fields]) => ({ ...(JSON.parse(fields[1]!) as AuditEntry), id }));
  const last = items.at(-1);
  return rows.length > q.limit && last ? { items, nextCursor: last.id } : { items };
}
