// Ride counters: kept by commit() with the records, once per record, summed per bucket.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import type { DeviceStore, HistoryStore, LedgerStore } from '../../../gateway/src/store/port.js';
import { issue, rideOf, T0, tap, token, topUpOf } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;
const device = (deviceId: string, operatorId: string) => ({
  deviceId,
  operatorId,
  profile: 'bus_validator',
  routeId: 'r1',
  stationId: '',
  venueId: '',
});

export function statsContract(h: StoreHarness<LedgerStore & HistoryStore & DeviceStore>): void {
  describe('ride counters', () => {
    it('count each committed ride once in its operator, hour, line and concession', async () => {
      const store = h.store();
      await store.upsertDevice(device('bus-1', 'bus-co'));
      await store.upsertDevice(device('m-1', 'metro-co'));
      const adult = await issue(store, 1);
      const senior = await issue(store, 2, 10_000, ConcessionFlag.SENIOR);
      const lost = await issue(store, 3);
      const rides = [
        rideOf(adult, tap({ cardToken: token(1), seq: 1 })),
        rideOf(senior, tap({ cardToken: token(2), seq: 2 })),
        rideOf(lost, tap({ cardToken: token(3), seq: 3, edgeDecision: 'deny', edgeReason: 'CARD_LOST' })),
      ];
      for (const e of rides) await store.commit([e]);
      // An hour later, on another operator's line.
      const later = tap({
        cardToken: token(1),
        seq: 4,
        operatorId: 'metro-co',
        deviceId: 'm-1',
        routeId: 'L2',
        deviceTimeMs: H0 + HOUR_MS + 5,
      });
      await store.commit([rideOf((await store.loadCards([token(1)])).get(token(1))!, later)]);
      // A duplicate and a top-up count nowhere.
      await store.commit([rides[1]!]);
      await store.commit([topUpOf((await store.loadCards([token(2)])).get(token(2))!, 'top-1', 500)]);

      const all = await store.queryStats({ from: H0, to: H0 + 2 * HOUR_MS });
      const c = (rides: number, denied: number, chargedFen: number, free: number, subsidyFen: number) => ({
        rides,
        denied,
        chargedFen,
        free,
        subsidyFen,
      });
      expect(all.byHour).toEqual([
        { hour: H0, ...c(3, 1, 200, 1, 200) },
        { hour: H0 + HOUR_MS, ...c(1, 0, 200, 0, 0) },
      ]);
      expect(all.byLine).toEqual([
        { line: 'r1', ...c(3, 1, 200, 1, 200) },
        { line: 'L2', ...c(1, 0, 200, 0, 0) },
      ]);
      expect(all.byConcession).toEqual([
        { concession: 'none', ...c(3, 1, 400, 0, 0) },
        { concession: 'senior_free', ...c(1, 0, 0, 1, 200) },
      ]);
      const metro = await store.queryStats({ operatorId: 'metro-co', from: H0, to: H0 + 2 * HOUR_MS });
      expect(metro.byLine.map((l) => l.line)).toEqual(['L2']);
      expect((await store.queryStats({ from: H0 + HOUR_MS, to: H0 + 2 * HOUR_MS })).byHour).toHaveLength(1);
      expect(await store.queryStats({ operatorId: 'nobody', from: H0, to: H0 + HOUR_MS })).toEqual({
        byHour: [],
        byLine: [],
        byConcession: [],
      });
    });

    it('are shared by every connection to the same data', async () => {
      await h.store().upsertDevice(device('bus-1', 'bus-co'));
      const other = await h.open();
      const card = await issue(other, 5);
      await other.commit([rideOf(card, tap({ cardToken: token(5), seq: 9 }))]);
      expect((await h.store().queryStats({ from: H0, to: H0 + HOUR_MS })).byHour).toMatchObject([
        { hour: H0, rides: 1, chargedFen: 200 },
      ]);
    });
  });
}
