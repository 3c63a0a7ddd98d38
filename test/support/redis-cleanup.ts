// Suites share one test Redis: each test works under a key prefix of its own and removes its
// keys afterwards (SCAN + UNLINK, never FLUSHDB, which would wipe other suites' keys mid-run).
import type { Redis } from 'ioredis';

export async function unlinkPrefix(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
