// A card written before docs/decisions/0203 has no entitlement uses in its state: the first
// visit that needs them derives them once from its records (gateway/src/ingest/visits.ts), and
// its commit writes them into the card, so no later tap reads records. A card with uses is never
// looked up. Both stores, each with a card made old the way each would hold it: SQLite a file
// whose cards table has no uses column, Redis a card hash with no 'u' field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { TapInput } from '../../../core/ledger.js';
import { localDay } from '../../../core/time.js';
import { USE_KEEP_DAYS } from '../../../core/uses.js';
import { planVisit } from '../../../core/visit.js';
import { planBatch } from '../../../gateway/src/ingest/plan.js';
import { withDerivedUses } from '../../../gateway/src/ingest/visits.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { asHashCard } from '../../support/redis-old-card.js';
import { fare, issue, load, T0, tap, token } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-uses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const visit = (seq: number, entitlementId: string): TapInput =>
  tap({
    cardToken: token(1),
    seq,
    deviceId: 'gate-1',
    routeId: '',
    stopId: '',
    venueId: 'park-1',
    direction: 'entry',
    record: 'visit',
    edgeReason: 'TICKET_ADMITTED',
    entitlementId,
  });

interface Backend {
  /** A store whose card 1 has one committed visit on t1 and, like a card from before 0203, no uses. */
  oldCard(): Promise<{ store: Store; close(): Promise<void> }>;
}

/** Commits the visit the way the gateway did before 0203: the effect carries no uses. */
async function visitWithoutUses(store: Store): Promise<void> {
  const card = await issue(store, 1);
  const [outcome] = await store.commit([planVisit(card, visit(1, 't1'), 0, T0)]);
  expect(outcome!.status).toBe('applied');
}

const backends: Record<'sqlite' | 'redis', Backend> = {
  sqlite: {
    async oldCard() {
      const file = join(dir, `${uniqueId('uses')}.db`);
      const first = await openSqliteStore({ file });
      await visitWithoutUses(first);
      await first.close();
      const db = new Database(file);
      db.exec('ALTER TABLE cards DROP COLUMN uses');
      db.close();
      // Opened again, the column comes back empty.
      const store = await openSqliteStore({ file });
      return { store, close: () => store.close() };
    },
  },
  redis: {
    async oldCard() {
      const prefix = uniqueId('oc');
      const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix });
      await visitWithoutUses(store);
      const admin = new Redis(testEnv.redisUrl());
      // As a gateway from before 0203 (and 0214) left it: a hash without uses.
      await asHashCard(admin, new RedisKeys(prefix, 16).card(token(1)), ['u']);
      return {
        store,
        async close() {
          await store.close();
          const keys = await admin.keys(`${prefix}:*`);
          if (keys.length > 0) await admin.unlink(...keys);
          await admin.quit();
        },
      };
    },
  },
};

describe.each(['sqlite', 'redis'] as const)('entitlement uses of a card from before 0203 (%s)', (name) => {
  it('derives them once from the records; the commit writes them into the card', async () => {
    const { store, close } = await backends[name].oldCard();
    try {
      const old = await load(store, token(1));
      expect(old.known).toBe(true);
      expect(old.uses).toBeUndefined();
      const taps = [visit(2, 't1')];
      const cards = await withDerivedUses(store, taps, new Map([[token(1), old]]), T0);
      const day = localDay(visit(1, 't1').deviceTimeMs) + USE_KEEP_DAYS;
      expect(cards.get(token(1))!.uses).toEqual([['t1', 1, day]]);
      const effects = planBatch(taps, cards, fare, T0);
      expect(effects[0]!.result.reason).toBe('ENTITLEMENT_REUSED_OFFLINE');
      await store.commit(effects);
      const now = await load(store, token(1));
      expect(now.uses).toEqual([['t1', 2, day]]);
      // From now on the card's state answers: the same map back, no records read.
      const again = new Map([[token(1), now]]);
      expect(await withDerivedUses(store, [visit(3, 't1')], again, T0)).toBe(again);
    } finally {
      await close();
    }
  });
});
