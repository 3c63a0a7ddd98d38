// Turns a card stored as one string (gateway/src/store/redis-card.ts, decision 0214) back into
// the hash a gateway from before 0214 wrote, so tests can hold data as an older gateway left it.
import type { Redis } from 'ioredis';
import { HASH_CARD_FIELDS } from '../../gateway/src/store/redis-card.js';

/** drop: hash fields to leave out (e.g. 'u': a card from before decision 0203 has no uses). */
export async function asHashCard(admin: Redis, key: string, drop: readonly string[] = []): Promise<void> {
  const s = await admin.get(key);
  if (s === null) throw new Error(`no card string under ${key}`);
  const fields = s.split('\n');
  const args: string[] = [];
  HASH_CARD_FIELDS.forEach((f, i) => {
    // An empty uses field is how the string says "no uses field".
    if (!drop.includes(f) && !(f === 'u' && fields[i] === '')) args.push(f, fields[i]!);
  });
  await admin
    .multi()
    .del(key)
    .hset(key, ...args)
    .exec();
}
