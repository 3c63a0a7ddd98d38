// The sweep's index of open entries (docs/decisions/0113): commit() sets and clears a card's
// entry in the same atomic step as its fare state, so the index never disagrees with the cards;
// and two sweepers over two connections charge each overdue entry once.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { planTap } from '../../../core/ledger.js';
import { planOverdue } from '../../../core/overdue.js';
import { tariffPricer } from '../../../core/pricing.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import type { OpenEntry } from '../../../gateway/src/store/port.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { MissingTapOutSweeper } from '../../../gateway/src/tariff/sweep.js';
import { issue, load, T0, tap, token, topUpOf } from './fixtures.js';
import { type CommitStores, outboxRecordIds, type StoreHarness } from './harness.js';

const tariff = readTariff(tariffPath('beijing'));
const beijing = tariffPricer(tariff);
const MIN = 60_000;
/** Past the metro's 4-hour limit for entries at T0 + a few minutes. */
const LATER = T0 + 5 * 60 * MIN;

const metro = (n: number, seq: number, direction: 'entry' | 'exit', stationId: string, minutes: number) =>
  tap({
    cardToken: token(n),
    seq,
    operatorId: 'bj-metro',
    deviceId: `gate-${stationId}-${direction}`,
    routeId: '',
    stopId: '',
    stationId,
    direction,
    deviceTimeMs: T0 + minutes * MIN,
  });

/** Every partition's entries made at or before `before`, oldest first. */
async function openEntries(store: CommitStores, before = Number.MAX_SAFE_INTEGER): Promise<OpenEntry[]> {
  const out: OpenEntry[] = [];
  for (let partition = 0; partition < store.outboxPartitions(); partition++)
    out.push(...(await store.openEntries({ partition, before, limit: 1000 })));
  return out.sort((a, b) => a.at - b.at || a.cardToken.localeCompare(b.cardToken));
}

/** Issues card n and commits its metro entry `minutes` after T0. */
async function enter(
  store: CommitStores,
  n: number,
  minutes: number,
  balanceFen = 2_000,
): Promise<CardState> {
  const card = await issue(store, n, balanceFen);
  expect(
    await store.commit([planTap(card, metro(n, 1000 + n, 'entry', 'bj-pingguoyuan', minutes), beijing, T0)]),
  ).toMatchObject([{ status: 'applied' }]);
  return load(store, token(n));
}

const sweeper = (store: CommitStores, now = LATER, pageSize = 500) =>
  new MissingTapOutSweeper({
    store,
    tariff,
    log: pino({ level: 'silent' }),
    now: () => now,
    intervalMs: 60_000,
    pageSize,
  });

export function openEntriesContract(h: StoreHarness<CommitStores>): void {
  describe('open-entry index', () => {
    it('lists a card from its metro entry until its exit', async () => {
      const entered = await enter(h.store(), 1, 10);
      expect(await openEntries(h.store())).toEqual([{ cardToken: token(1), at: T0 + 10 * MIN }]);
      await h.store().commit([planTap(entered, metro(1, 2, 'exit', 'bj-xidan', 40), beijing, T0)]);
      expect(await openEntries(h.store())).toEqual([]);
    });

    it('lists entries made at or before the time asked, oldest first then by token, page by page after a cursor', async () => {
      // Cards 1, 17, 33, 49 and 65 share a partition (16 Redis partitions; SQLite has one).
      await enter(h.store(), 17, 30);
      await enter(h.store(), 1, 10);
      await enter(h.store(), 33, 20);
      await enter(h.store(), 49, 50);
      await enter(h.store(), 65, 20); // the same millisecond as card 33
      const at20 = [token(33), token(65)].sort();
      const all = await openEntries(h.store());
      expect(all.map((e) => e.cardToken)).toEqual([token(1), ...at20, token(17), token(49)]);
      let partition = 0;
      while ((await h.store().openEntries({ partition, before: T0 + 60 * MIN, limit: 1 })).length === 0)
        partition++;
      for (const limit of [1, 2, 3]) {
        const read: OpenEntry[] = [];
        let after: OpenEntry | undefined;
        for (;;) {
          const page = await h.store().openEntries({ partition, before: T0 + 30 * MIN, after, limit });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(limit);
          read.push(...page);
          after = page.at(-1);
        }
        expect(read).toEqual(all.slice(0, 4));
      }
    });

    it('does not step over entries when those before the cursor leave the index', async () => {
      for (const [n, minutes] of [
        [1, 10],
        [17, 20],
        [33, 30],
        [49, 40],
      ] as const)
        await enter(h.store(), n, minutes);
      let partition = 0;
      while ((await h.store().openEntries({ partition, before: T0 + 60 * MIN, limit: 1 })).length === 0)
        partition++;
      const first = await h.store().openEntries({ partition, before: T0 + 60 * MIN, limit: 2 });
      expect(first.map((e) => e.cardToken)).toEqual([token(1), token(17)]);
      // Another instance charges both meanwhile.
      const cards = await h.store().loadCards(first.map((e) => e.cardToken));
      const charged = await h
        .store()
        .commit(first.map((e) => planOverdue(cards.get(e.cardToken)!, tariff, LATER)!));
      expect(charged.map((o) => o.status)).toEqual(['applied', 'applied']);
      const next = await h
        .store()
        .openEntries({ partition, before: T0 + 60 * MIN, after: first[1], limit: 2 });
      expect(next.map((e) => e.cardToken)).toEqual([token(33), token(49)]);
    });

    it('moves a card to its newer entry, and keeps it through a top-up', async () => {
      const entered = await enter(h.store(), 1, 10);
      // A second entry 20 minutes later closes the first as unfinished and opens another.
      await h.store().commit([planTap(entered, metro(1, 2, 'entry', 'bj-xidan', 30), beijing, T0)]);
      expect(await openEntries(h.store())).toEqual([{ cardToken: token(1), at: T0 + 30 * MIN }]);
      await h.store().commit([topUpOf(await load(h.store(), token(1)), 'q1', 500)]);
      expect(await openEntries(h.store())).toEqual([{ cardToken: token(1), at: T0 + 30 * MIN }]);
    });

    it('changes nothing in the index for a duplicate or a conflict', async () => {
      const card = await issue(h.store(), 1, 2_000);
      const entry = planTap(card, metro(1, 1, 'entry', 'bj-pingguoyuan', 10), beijing, T0);
      await h.store().commit([entry]);
      const exit = planTap(await load(h.store(), token(1)), metro(1, 2, 'exit', 'bj-xidan', 40), beijing, T0);
      // Planned from the version before the entry: it would have opened another entry.
      const stale = planTap(card, metro(1, 3, 'entry', 'bj-xidan', 20), beijing, T0);
      expect(await h.store().commit([stale, entry])).toMatchObject([
        { status: 'conflict' },
        { status: 'duplicate' },
      ]);
      expect(await openEntries(h.store())).toEqual([{ cardToken: token(1), at: T0 + 10 * MIN }]);
      await h.store().commit([exit]);
      expect(await h.store().commit([exit])).toMatchObject([{ status: 'duplicate' }]);
      expect(await openEntries(h.store())).toEqual([]);
    });

    it("takes a card off when the sweep charges its missing tap-out, with the card's fare state", async () => {
      const entered = await enter(h.store(), 1, 10);
      const charge = planOverdue(entered, tariff, LATER)!;
      expect(await h.store().commit([charge])).toMatchObject([{ status: 'applied' }]);
      expect(await openEntries(h.store())).toEqual([]);
      expect(await load(h.store(), token(1))).toMatchObject({ balanceFen: 1_300, fare: charge.newFare });
      const page = await h.store().queryRecords({ cardToken: token(1), limit: 10 });
      expect(page.items[0]).toMatchObject({ id: charge.record.id, kind: 'adjustment', chargedFen: 700 });
      expect(await outboxRecordIds(h.store())).toContain(charge.record.id);
      // Revenue counts the charge; the rides are the taps (the entry), not the adjustment.
      const stats = await h.store().queryStats({ operatorId: 'bj-metro', from: T0 - HOUR_MS, to: LATER });
      expect(stats.byLine).toEqual([
        { line: 'bj-pingguoyuan', rides: 1, denied: 0, chargedFen: 700, free: 0, subsidyFen: 0 },
      ]);
    });
  });

  describe('missing tap-out sweep', () => {
    it('charges each overdue entry once with two sweepers at once, and again never', async () => {
      const CARDS = 12;
      for (let n = 0; n < CARDS; n++) await enter(h.store(), n, n);
      // Not due yet: an entry 4 hours before LATER lacks a minute.
      await enter(h.store(), 100, 5 * 60 - 239);
      const second = await h.open();
      // Small pages, so the two interleave page by page.
      const reports = await Promise.all([
        sweeper(h.store(), LATER, 3).sweep(),
        sweeper(second, LATER, 3).sweep(),
      ]);
      expect(reports[0]!.charged + reports[1]!.charged).toBe(CARDS);
      for (const again of [await sweeper(h.store()).sweep(), await sweeper(second).sweep()])
        expect(again).toMatchObject({ charged: 0, conflicts: 0, duplicates: 0 });
      for (let n = 0; n < CARDS; n++) {
        expect(await load(h.store(), token(n))).toMatchObject({ balanceFen: 1_300 });
        const page = await h.store().queryRecords({ cardToken: token(n), limit: 10 });
        expect(page.items.filter((r) => r.kind === 'adjustment')).toHaveLength(1);
      }
      expect(await openEntries(h.store())).toHaveLength(1);
      expect(await load(h.store(), token(100))).toMatchObject({ balanceFen: 2_000 });
    });

    it('answers a sweep racing the card’s exit with one charge: the loser conflicts and plans again', async () => {
      const entered = await enter(h.store(), 1, 10);
      // Both planned from the same card version; the exit commits first.
      const exit = planTap(entered, metro(1, 2, 'exit', 'bj-xidan', 40), beijing, LATER);
      const charge = planOverdue(entered, tariff, LATER)!;
      await h.store().commit([exit]);
      expect(await h.store().commit([charge])).toEqual([{ status: 'conflict' }]);
      expect(await sweeper(h.store()).sweep()).toMatchObject({ charged: 0 });
      expect(await load(h.store(), token(1))).toMatchObject({ balanceFen: 1_500 });
    });

    it('leaves the late exit to correct a swept entry, and a restarted sweep charges nothing more', async () => {
      await enter(h.store(), 1, 10);
      expect(await sweeper(h.store()).sweep()).toMatchObject({ charged: 1 });
      const swept = await load(h.store(), token(1));
      // The exit gate was offline; its exit (40 minutes after the entry) arrives after the sweep.
      const late = planTap(swept, metro(1, 2, 'exit', 'bj-xidan', 40), beijing, LATER);
      expect(late.result).toMatchObject({ chargedFen: -200, reason: 'TARIFF_LATE_TAP_CORRECTED' });
      await h.store().commit([late]);
      // A new instance after a restart: the same store, nothing left to charge.
      expect(await sweeper(await h.open(), LATER + 60 * MIN).sweep()).toMatchObject({ charged: 0 });
      expect(await load(h.store(), token(1))).toMatchObject({ balanceFen: 1_500 });
    });
  });
}
