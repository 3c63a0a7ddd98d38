// The concession subsidy agrees wherever it is read (docs/decisions/0162): a month of mixed
// riders committed through the store's commit path, then the ride counters' subsidy, the
// records' subsidy and the CSV export's subsidy column sum to the same fen.
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { subsidyOf } from '../../../core/subsidy.js';
import { recordsCsv } from '../../../gateway/src/http/csv.js';
import { HOUR_MS, metrics, zero } from '../../../gateway/src/stats/rides.js';
import type { DeviceStore, HistoryStore, LedgerStore } from '../../../gateway/src/store/port.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { issue } from './fixtures.js';
import type { StoreHarness } from './harness.js';
import { monthOfCard, prng, riderFlags } from './month.js';

const tariff = readTariff(tariffPath('beijing'));
/** 2026-11-01 00:00 in Beijing. */
const MONTH = Date.UTC(2026, 9, 31, 16);
const DAYS = 30;
const CARDS = 24;
const RANGE = { from: MONTH, to: MONTH + (DAYS + 1) * 24 * HOUR_MS };

async function allRecords(store: LedgerStore & HistoryStore & DeviceStore): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryRecords({ ...RANGE, limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function csvText(store: LedgerStore & HistoryStore & DeviceStore): Promise<string> {
  let text = '';
  for await (const chunk of recordsCsv(store, RANGE, 1_000_000)) text += chunk;
  return text;
}

export function subsidyContract(h: StoreHarness<LedgerStore & HistoryStore & DeviceStore>): void {
  describe('concession subsidy', () => {
    it('sums to the same fen in the ride counters, the records and the CSV export over a month', async () => {
      const store = h.store();
      // Ingest takes taps only from registered devices; the Redis store finds operators by them.
      for (const operatorId of ['bj-bus', 'bj-metro'])
        await store.upsertDevice({
          deviceId: `${operatorId}-v1`,
          operatorId,
          profile: 'bus_validator',
          routeId: '',
          stationId: '',
          venueId: '',
        });
      const rand = prng(20261101);
      let seq = 0;
      const nextSeq = () => ++seq;
      for (let n = 0; n < CARDS; n++) {
        const card = await issue(store, 500 + n, 20_000, riderFlags[n % riderFlags.length]!);
        const effects = monthOfCard(tariff, card, MONTH, DAYS, rand, nextSeq);
        for (let i = 0; i < effects.length; i += 40) {
          const results = await store.commit(effects.slice(i, i + 40));
          expect(results.map((r) => r.status)).toEqual(results.map(() => 'applied'));
        }
      }

      const stats = await store.queryStats(RANGE);
      const counted = zero();
      for (const c of stats.byConcession) for (const m of metrics) counted[m] += c[m];
      const records = await allRecords(store);
      const fares = records.filter((r) => r.kind === 'ride' || r.kind === 'adjustment');
      const sum = (rs: LedgerRecord[], f: (r: LedgerRecord) => number) => rs.reduce((a, r) => a + f(r), 0);

      // Every record's figure is the one definition applied to its own lines.
      for (const r of records) expect(r.subsidyFen).toBe(subsidyOf(r.kind, r.lines));
      const fromRecords = sum(records, (r) => r.subsidyFen);
      expect(fromRecords).toBeGreaterThan(0);
      expect(counted.subsidyFen).toBe(fromRecords);
      expect(counted.chargedFen).toBe(sum(fares, (r) => r.chargedFen));

      const [header, ...rows] = (await csvText(store)).trimEnd().split('\r\n');
      const column = header!.split(',').indexOf('subsidyFen');
      expect(rows).toHaveLength(records.length);
      expect(rows.reduce((a, row) => a + Number(row.split(',')[column]), 0)).toBe(fromRecords);

      // The month has what makes the figure hard: free and partial concessions, card and
      // e-card discounts, missing tap-outs the sweep charged, and late exits giving a waiver back.
      const concessions = new Set(fares.map((r) => r.concession));
      expect([...concessions].sort()).toEqual([
        'disabled_free',
        'none',
        'senior_free',
        'student_quarter',
        'veteran_free',
      ]);
      expect(fares.some((r) => r.kind === 'adjustment' && r.subsidyFen > 0)).toBe(true);
      expect(fares.some((r) => r.lines.some((l) => l.kind === 'concession' && l.fen > 0))).toBe(true);
      // The old "fare forgone" (base minus charged) counted the card discount every rider gets.
      const forgone = sum(
        fares.filter((r) => r.edgeDecision !== 'deny' && r.concession !== 'none'),
        (r) => Math.max(0, r.baseFen - r.chargedFen),
      );
      expect(forgone).toBeGreaterThan(fromRecords);
    });
  });
}
