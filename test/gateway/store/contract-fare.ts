// The tariff engine's per-card fare state: written with the balance under the same
// compare-and-set, so a duplicate or a conflict changes neither, and records keep their lines.
import { describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { tariffPricer } from '../../../core/pricing.js';
import type { HistoryStore, LedgerStore } from '../../../gateway/src/store/port.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { issue, load, T0, tap, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const beijing = tariffPricer(readTariff(tariffPath('beijing')));

const metro = (seq: number, direction: 'entry' | 'exit', stationId: string, minutes: number) =>
  tap({
    cardToken: token(1),
    seq,
    operatorId: 'bj-metro',
    deviceId: `gate-${stationId}`,
    routeId: '',
    stopId: '',
    stationId,
    direction,
    deviceTimeMs: T0 + minutes * 60_000,
  });

export function fareStateContract(h: StoreHarness<LedgerStore & HistoryStore>): void {
  describe('fare state', () => {
    it('keeps an open entry with the card, and the exit charges the distance fare from it', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const entry = planTap(card, metro(1, 'entry', 'bj-pingguoyuan', 0), beijing, T0);
      expect(await h.store().commit([entry])).toMatchObject([{ status: 'applied' }]);
      const open = await load(h.store(), token(1));
      expect(open.fare).toEqual({ open: { n: 'bj-metro', s: 'bj-pingguoyuan', t: T0, c: 0 } });
      const exit = planTap(open, metro(2, 'exit', 'bj-xidan', 30), beijing, T0);
      await h.store().commit([exit]);
      const after = await load(h.store(), token(1));
      // 18.5 km: the 12–22 km band, 5 yuan.
      expect(after).toMatchObject({ balanceFen: 500, version: 3 });
      expect(after.fare.open).toBeUndefined();
      expect(after.fare.acc).toEqual({ 'metro-month': [202506, 500] });
    });

    it('writes the fare state of a chain of taps in one commit, and keeps the lines in the record', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const entry = planTap(card, metro(1, 'entry', 'bj-fuxingmen', 0), beijing, T0);
      const next = { ...card, version: card.version + 1, fare: entry.newFare };
      const exit = planTap(next, metro(2, 'exit', 'bj-jianguomen', 20), beijing, T0);
      await h.store().commit([entry, exit]);
      expect((await load(h.store(), token(1))).fare.open).toBeUndefined();
      const page = await h.store().queryRecords({ cardToken: token(1), limit: 10 });
      const ride = page.items.find((r) => r.id === exit.record.id)!;
      // 6.6 km along line 1 (shorter than 7.8 km round line 2).
      expect(ride.lines).toEqual([{ kind: 'base', fen: 400, note: '6.5 km, band up to 12 km' }]);
      expect(ride.chargedFen).toBe(400);
    });

    it('leaves the fare state alone when the effect is a duplicate or conflicts', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const entry = planTap(card, metro(1, 'entry', 'bj-pingguoyuan', 0), beijing, T0);
      await h.store().commit([entry]);
      // Planned from the stale version: a second entry elsewhere would close the first as unfinished.
      const stale = planTap(card, metro(3, 'entry', 'bj-xidan', 10), beijing, T0);
      expect(await h.store().commit([stale, entry])).toMatchObject([
        { status: 'conflict' },
        { status: 'duplicate' },
      ]);
      expect((await load(h.store(), token(1))).fare).toEqual(entry.newFare);
    });
  });
}
