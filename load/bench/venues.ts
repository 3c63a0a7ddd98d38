// Venue purchases on the Redis store, in one run:
//   baseline  venue_topups_per_s: card top-ups (one Store.commit each: dedupe + compare-and-set),
//             the cheapest exactly-once money step on a card;
//   measured  venue_purchases_per_s: scenic tickets bought with the card account through
//             VenueService.book (place within the daily capacity, pay, confirm: three atomic
//             steps in two hash slots); venue_purchase_to_topup_ratio: what the saga costs.
// Both with the same concurrency over distinct cards. The allow-list step is left out (a no-op
// sink): its cost is the list service's, measured in load/bench/edge.ts.
import { randomBytes } from 'node:crypto';
import { planTopUp } from '../../core/ledger.js';
import type { Venue } from '../../core/venue/model.js';
import type { Store } from '../../gateway/src/store/port.js';
import { openRedisStore } from '../../gateway/src/store/redis.js';
import { VenueService } from '../../gateway/src/venues/service.js';
import { round } from './stats.js';

const park: Venue = {
  id: 'bench-park',
  name: 'Bench park',
  kind: 'scenic',
  operatorId: 'parks',
  openMin: 0,
  closeMin: 1440,
  slots: [],
  booking: {
    horizonDays: 7,
    maxParty: 5,
    seniorWalkInQuota: 0,
    closeBeforeEndMin: 0,
    noShowLimit: 0,
    noShowWindowDays: 90,
    blockDays: 0,
  },
  capacity: { daily: 10_000_000, instant: 0, warnShare: 0.8 },
  products: [
    { id: 'day', name: 'Day', kind: 'ticket', priceFen: 100, freeFor: [], validityDays: 1, maxEntries: 1 },
  ],
  entryRules: {},
  gates: {},
};

async function timed(n: number, concurrency: number, step: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) await step(i);
    }),
  );
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

export async function benchVenues(redisUrl: string, quick: boolean): Promise<Record<string, number>> {
  const n = quick ? 2_000 : 10_000;
  const store: Store = await openRedisStore({
    url: redisUrl,
    keyPrefix: `bv${randomBytes(3).toString('hex')}`,
  });
  try {
    const tokens = Array.from({ length: n }, () => randomBytes(16).toString('hex'));
    for (const token of tokens)
      await store.issueCard({ token, masked: 'B****', region: '110000', flags: 0, balanceFen: 1_000_000 });
    const now = Date.now();
    const service = new VenueService({
      store,
      venues: new Map([[park.id, park]]),
      entitlements: { changeEntitlements: async () => null },
      now: () => now,
    });
    const day = Math.floor((now + 8 * 3600_000) / 86_400_000);
    const topups = await timed(n, 32, async (i) => {
      const token = tokens[i]!;
      const card = (await store.loadCards([token])).get(token)!;
      await store.commit([
        planTopUp(card, { requestId: `bench-topup-${i}`, amountFen: 100, channel: 'bench' }, now),
      ]);
    });
    const purchases = await timed(n, 32, (i) =>
      service.book(park.id, {
        requestId: `bench-ticket-${i}`,
        productId: 'day',
        day,
        slotStartMin: 0,
        payerToken: tokens[i]!,
        holderTokens: [],
        channel: 'online',
      }),
    );
    return {
      venue_topups_per_s: Math.round(topups),
      venue_purchases_per_s: Math.round(purchases),
      venue_purchase_to_topup_ratio: round(purchases / topups, 3),
    };
  } finally {
    await store.close();
  }
}
