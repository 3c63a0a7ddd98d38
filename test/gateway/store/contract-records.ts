// queryRecords: filters, newest-first order, keyset pages that never skip or repeat.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import type { LedgerRecord } from '../../../core/ledger.js';
import type { HistoryStore, LedgerStore, RecordQuery } from '../../../gateway/src/store/port.js';
import { issue, load, planRun, T0, tap, token, topUpOf } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const CARDS = [0, 1, 2, 3];

/** Everything queryRecords returns page by page; each page checked against the limit. */
async function readAll(store: LedgerStore & HistoryStore, q: RecordQuery): Promise<LedgerRecord[]> {
  const all: LedgerRecord[] = [];
  let cursor = q.cursor;
  for (let page = 0; page < 1_000; page++) {
    const result = await store.queryRecords({ ...q, cursor });
    expect(result.items.length).toBeLessThanOrEqual(q.limit);
    all.push(...result.items);
    if (!result.nextCursor) return all;
    expect(result.items).toHaveLength(q.limit);
    cursor = result.nextCursor;
  }
  throw new Error('no last page');
}

/** The expected order, spelled out: newest first, ties by id descending. */
function newestFirst(records: LedgerRecord[]): LedgerRecord[] {
  return [...records].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function recordsContract(h: StoreHarness<LedgerStore & HistoryStore>): void {
  describe('queryRecords', () => {
    let committed: LedgerRecord[];

    // 30 rides on 4 cards (4 partitions on Redis) from 3 devices on 2 routes of 2 operators,
    // three rides per second so that equal times are broken by id; and one top-up.
    beforeEach(async () => {
      const cards = new Map<string, CardState>();
      for (const n of CARDS) cards.set(token(n), await issue(h.store(), n, 100_000));
      const taps = Array.from({ length: 30 }, (_, i) =>
        tap({
          cardToken: token(CARDS[i % 4]!),
          deviceId: `dev-${i % 3}`,
          seq: i + 1,
          routeId: i % 2 === 0 ? 'r2' : 'r1',
          stopId: `s${i % 4}`,
          stationId: i % 3 === 0 ? 'st-a' : '',
          operatorId: i % 5 === 0 ? 'metro-co' : 'bus-co',
          deviceTimeMs: T0 + Math.floor(i / 3) * 1_000,
        }),
      );
      const rides = planRun(cards, taps);
      const outcomes = await h.store().commit(rides);
      const topUp = topUpOf(await load(h.store(), token(0)), 'q1', 1_000, T0 + 4_000);
      outcomes.push(...(await h.store().commit([topUp])));
      expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
      committed = [...rides, topUp].map((e) => e.record);
    });

    it('pages through every record newest first, none missing or repeated', async () => {
      expect(await readAll(h.store(), { limit: 4 })).toEqual(newestFirst(committed));
    });

    it('finds a card’s records, rides and top-ups', async () => {
      const mine = committed.filter((r) => r.cardToken === token(0));
      expect(mine.some((r) => r.kind === 'topup')).toBe(true);
      expect(await readAll(h.store(), { cardToken: token(0), limit: 2 })).toEqual(newestFirst(mine));
    });

    it('keeps only the kinds asked for, page by page', async () => {
      const mine = committed.filter((r) => r.cardToken === token(0));
      for (const kinds of [['ride'], ['topup'], ['ride', 'topup'], ['visit']] as const) {
        const want = mine.filter((r) => (kinds as readonly string[]).includes(r.kind));
        expect(await readAll(h.store(), { cardToken: token(0), kinds, limit: 2 })).toEqual(newestFirst(want));
      }
      expect(await readAll(h.store(), { cardToken: token(0), kinds: [], limit: 2 })).toEqual([]);
    });

    it('finds a device’s records across cards in every partition', async () => {
      const mine = committed.filter((r) => r.deviceId === 'dev-1');
      expect(new Set(mine.map((r) => r.cardToken)).size).toBe(4);
      expect(await readAll(h.store(), { deviceId: 'dev-1', limit: 3 })).toEqual(newestFirst(mine));
    });

    it('applies every criterion together: route, operator, device and card', async () => {
      const wanted = (r: LedgerRecord) => r.routeId === 'r2' && r.operatorId === 'bus-co';
      expect(await readAll(h.store(), { routeId: 'r2', operatorId: 'bus-co', limit: 5 })).toEqual(
        newestFirst(committed.filter(wanted)),
      );
      const narrow = (r: LedgerRecord) => r.deviceId === 'dev-2' && r.cardToken === token(1);
      expect(await readAll(h.store(), { deviceId: 'dev-2', cardToken: token(1), limit: 1 })).toEqual(
        newestFirst(committed.filter(narrow)),
      );
      expect(await readAll(h.store(), { operatorId: 'metro-co', limit: 2 })).toEqual(
        newestFirst(committed.filter((r) => r.operatorId === 'metro-co')),
      );
    });

    it('finds records by station and by stop, with the other criteria', async () => {
      expect(await readAll(h.store(), { stationId: 'st-a', limit: 3 })).toEqual(
        newestFirst(committed.filter((r) => r.stationId === 'st-a')),
      );
      expect(await readAll(h.store(), { stopId: 's1', operatorId: 'bus-co', limit: 2 })).toEqual(
        newestFirst(committed.filter((r) => r.stopId === 's1' && r.operatorId === 'bus-co')),
      );
      expect((await h.store().queryRecords({ stationId: 'nowhere', limit: 5 })).items).toEqual([]);
    });

    it('finds the records of every card shown with a masked number', async () => {
      // Card 100 is shown as A12****00, like card 0.
      const twin = await issue(h.store(), 100, 1_000);
      const [ride] = planRun(new Map([[twin.token, twin]]), [
        tap({ cardToken: twin.token, deviceId: 'dev-9', seq: 99, deviceTimeMs: T0 + 20_000 }),
      ]);
      await h.store().commit([ride!]);
      const shown = [...committed, ride!.record].filter((r) => r.cardMasked === 'A12****00');
      expect(new Set(shown.map((r) => r.cardToken)).size).toBe(2);
      expect(await readAll(h.store(), { cardMasked: 'A12****00', limit: 3 })).toEqual(newestFirst(shown));
      expect(await readAll(h.store(), { cardMasked: 'A12****00', operatorId: 'metro-co', limit: 3 })).toEqual(
        newestFirst(shown.filter((r) => r.operatorId === 'metro-co')),
      );
    });

    it('keeps records from `from` (inclusive) up to `to` (exclusive)', async () => {
      const from = T0 + 2_000;
      const to = T0 + 5_000;
      const inRange = committed.filter((r) => r.at >= from && r.at < to);
      expect(inRange.some((r) => r.at === from)).toBe(true);
      expect(await readAll(h.store(), { from, to, limit: 4 })).toEqual(newestFirst(inRange));
      expect(await readAll(h.store(), { routeId: 'r1', from, to, limit: 2 })).toEqual(
        newestFirst(inRange.filter((r) => r.routeId === 'r1')),
      );
    });

    it('gives no cursor when the last page is exactly full', async () => {
      const mine = committed.filter((r) => r.cardToken === token(2));
      const page = await h.store().queryRecords({ cardToken: token(2), limit: mine.length });
      expect(page.items).toHaveLength(mine.length);
      expect(page.nextCursor).toBeUndefined();
    });

    it('answers an empty page without a cursor when nothing matches', async () => {
      expect(await h.store().queryRecords({ deviceId: 'nobody', limit: 5 })).toEqual({ items: [] });
      expect(await h.store().queryRecords({ cardToken: token(42), limit: 5 })).toEqual({ items: [] });
    });

    it('continues where the last page ended when newer records arrive between pages', async () => {
      const first = await h.store().queryRecords({ limit: 7 });
      const late = tap({ cardToken: token(1), deviceId: 'dev-9', seq: 1, deviceTimeMs: T0 + 99_000 });
      await h.store().commit(planRun(new Map([[token(1), await load(h.store(), token(1))]]), [late]));
      const rest = await readAll(h.store(), { limit: 7, cursor: first.nextCursor });
      expect([...first.items, ...rest]).toEqual(newestFirst(committed));
    });

    it('refuses a cursor it did not make', async () => {
      await expect(h.store().queryRecords({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(
        'invalid cursor',
      );
    });
  });
}
