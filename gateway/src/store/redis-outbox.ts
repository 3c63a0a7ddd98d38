// The Redis store's outbox reads (store/ports/outbox.ts, docs/decisions/0209). An entry of a
// partition's stream, read as bytes (xrangeBuffer) so a batch is never decoded into a string:
//   b, n   the RecordBatch of the records one commit call applied in the partition, and their
//          count: what commitEffects writes (one entry per partition per call);
//   i, r   one record as JSON (records not kept, 0204), written before 0209;
//   i      one record whose JSON is in the partition's records hash, written before 0209.
// An entry of the last two kinds may still sit in an outbox at the upgrade: it is read as a
// one-record batch, so the relay publishes one format whatever the outbox holds.
import type { LedgerRecord } from '../../../core/ledger.js';
import { withSubsidy } from '../../../core/subsidy.js';
import { encodeRecordBatch } from '../../../protos/record-codec.js';
import type { OutboxEntry } from './ports/outbox.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** A stream entry's fields by name (each name a byte: b, n, i, r). */
interface Fields {
  b?: Buffer;
  n?: Buffer;
  i?: Buffer;
  r?: Buffer;
}

export async function readOutbox(
  redis: RedisClient,
  keys: RedisKeys,
  partition: number,
  limit: number,
): Promise<OutboxEntry[]> {
  const entries = await redis.xrangeBuffer(keys.outbox(partition), '-', '+', 'COUNT', limit);
  if (entries.length === 0) return [];
  const parsed = entries.map(([id, flat]) => ({ id: id.toString('latin1'), f: fieldsOf(flat) }));
  // Records of old id-only entries live in the records hash: one HMGET for the page.
  const wanted = parsed.filter(({ f }) => !f.b && !f.r).map(({ f }) => f.i?.toString('utf8') ?? '');
  const bodies = wanted.length > 0 ? await redis.hmget(keys.records(partition), ...wanted) : [];
  let next = 0;
  return parsed.map(({ id, f }) => {
    const committedAt = Number(id.slice(0, id.indexOf('-')));
    if (f.b) {
      const count = Number(f.n?.toString('latin1'));
      // commitEffects writes both fields in one XADD; without a count the entry is damaged.
      if (!(count > 0)) throw new Error(`outbox entry ${id} of partition ${partition}: no record count`);
      return { id, batch: f.b, count, committedAt };
    }
    const body = f.r?.toString('utf8') ?? bodies[next++];
    // commitEffects writes the record and its outbox entry in one step; a gap is data loss.
    if (!body) throw new Error(`outbox entry ${id} of partition ${partition}: record ${f.i} missing`);
    const record = withSubsidy(JSON.parse(body) as LedgerRecord);
    return { id, batch: encodeRecordBatch([record]), count: 1, committedAt };
  });
}

function fieldsOf(flat: readonly Buffer[]): Fields {
  const f: Fields = {};
  for (let k = 0; k + 1 < flat.length; k += 2) {
    const name = flat[k]!;
    if (name.length !== 1) continue;
    const c = String.fromCharCode(name[0]!);
    if (c === 'b' || c === 'n' || c === 'i' || c === 'r') f[c] = flat[k + 1]!;
  }
  return f;
}
