// A card's entitlement uses (core/uses.ts, docs/decisions/0203): written with the card under the
// visit's compare-and-set, in the same atomic commit as its record, so the entry rules count
// uses from the card's state and never from records. An effect without uses leaves them; a
// duplicate or a conflict writes nothing; counts go once their last day has passed.
import { describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { chain, type TapInput } from '../../../core/ledger.js';
import { localDay } from '../../../core/time.js';
import { LATE_UPLOAD_DAYS, USE_KEEP_DAYS } from '../../../core/uses.js';
import { planVisitCounting } from '../../../core/visit.js';
import type { LedgerStore } from '../../../gateway/src/store/port.js';
import { issue, load, rideOf, T0, tap, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const DAY_MS = 24 * 3600_000;
const until = (at: number) => localDay(at) + USE_KEEP_DAYS;

const visit = (seq: number, entitlementId: string, at = T0 + seq * 1000): TapInput =>
  tap({
    cardToken: token(1),
    seq,
    operatorId: 'park-co',
    deviceId: 'gate-1',
    routeId: '',
    stopId: '',
    venueId: 'park-1',
    direction: 'entry',
    record: 'visit',
    edgeReason: 'TICKET_ADMITTED',
    entitlementId,
    deviceTimeMs: at,
  });

const plan = (card: CardState, t: TapInput, now = T0) => planVisitCounting(card, t, now);

export function usesContract(h: StoreHarness<LedgerStore>): void {
  describe('entitlement uses', () => {
    it('issues a card with no uses and commits each visit on a ticket with its count', async () => {
      const card = await issue(h.store(), 1);
      expect(card.uses).toEqual([]);
      expect(await h.store().commit([plan(card, visit(1, 't1'))])).toMatchObject([{ status: 'applied' }]);
      const once = await load(h.store(), token(1));
      expect(once.uses).toEqual([['t1', 1, until(T0)]]);
      // Planned from the card alone: the second entry on a single-use ticket is marked.
      const again = plan(once, visit(2, 't1'));
      expect(again.result.reason).toBe('ENTITLEMENT_REUSED_OFFLINE');
      await h.store().commit([again]);
      expect((await load(h.store(), token(1))).uses).toEqual([['t1', 2, until(T0)]]);
    });

    it('writes the last uses of a chain in one commit, and a ride after them keeps them', async () => {
      const card = await issue(h.store(), 1);
      const a = chain(card, (c) => plan(c, visit(1, 't1')));
      const b = chain(a.next, (c) => plan(c, visit(2, 't2')));
      const ride = chain(b.next, (c) => rideOf(c, tap({ cardToken: token(1), seq: 3 })));
      expect(ride.effect.newUses).toBeUndefined();
      expect(await h.store().commit([a.effect, b.effect, ride.effect])).toMatchObject([
        { status: 'applied' },
        { status: 'applied' },
        { status: 'applied' },
      ]);
      const after = await load(h.store(), token(1));
      expect(after).toMatchObject({ version: 4, balanceFen: 9_800 });
      expect(after.uses).toEqual([
        ['t2', 1, until(T0)],
        ['t1', 1, until(T0)],
      ]);
      // A ride in a commit of its own leaves them as well.
      await h.store().commit([rideOf(after, tap({ cardToken: token(1), seq: 4 }))]);
      expect((await load(h.store(), token(1))).uses).toEqual(after.uses);
    });

    it('leaves the uses alone when the visit is a duplicate or conflicts', async () => {
      const card = await issue(h.store(), 1);
      const first = plan(card, visit(1, 't1'));
      await h.store().commit([first]);
      // From the stale version: it would have counted t2 on a card that no longer exists.
      const stale = plan(card, visit(2, 't2'));
      expect(await h.store().commit([stale, first])).toMatchObject([
        { status: 'conflict' },
        { status: 'duplicate' },
      ]);
      expect((await load(h.store(), token(1))).uses).toEqual([['t1', 1, until(T0)]]);
    });

    it('drops a count once its last day and late uploads have passed: the card holds only what the rules still need', async () => {
      const card = await issue(h.store(), 1);
      await h.store().commit([plan(card, visit(1, 't1'))]);
      const kept = T0 + USE_KEEP_DAYS * DAY_MS;
      const past = T0 + (USE_KEEP_DAYS + 1) * DAY_MS;
      const on = await load(h.store(), token(1));
      // On the last kept day the ticket still counts; a day later it no longer counts, but is
      // kept LATE_UPLOAD_DAYS for a gate's late tap of an earlier day (0215)...
      expect(plan(on, visit(2, 't1', kept), kept).result.reason).toBe('ENTITLEMENT_REUSED_OFFLINE');
      await h.store().commit([plan(on, visit(3, 't2', past), past)]);
      const after = await load(h.store(), token(1));
      expect(after.uses).toEqual([
        ['t2', 1, until(past)],
        ['t1', 1, until(T0)],
      ]);
      expect(plan(after, visit(4, 't1', past), past).result.reason).toBe('TICKET_ADMITTED');
      // ...and goes with the first write after that.
      const gone = T0 + (USE_KEEP_DAYS + LATE_UPLOAD_DAYS + 1) * DAY_MS;
      await h.store().commit([plan(after, visit(5, 't3', gone), gone)]);
      expect((await load(h.store(), token(1))).uses?.map(([id]) => id)).toEqual(['t3', 't2']);
    });

    it("keeps a count to the entitlement's last day the tap names, and drops a one-day ticket's once its late uploads are over (0215)", async () => {
      const card = await issue(h.store(), 1);
      const day = localDay(T0);
      const month = { ...visit(1, 'month'), entitlementToDay: day + 29 };
      const oneDay = { ...visit(2, 'day'), entitlementToDay: day };
      await h.store().commit([plan(card, month)]);
      await h.store().commit([plan(await load(h.store(), token(1)), oneDay)]);
      const both = await load(h.store(), token(1));
      expect(both.uses).toEqual([
        ['day', 1, day],
        ['month', 1, day + 29],
      ]);
      // Twenty days on, from the stored card: the month ticket's reuse is marked, the day
      // ticket's count (kept LATE_UPLOAD_DAYS after its day for a late offline tap) is gone with
      // the next write.
      const later = T0 + 20 * DAY_MS;
      const reuse = plan(both, { ...visit(3, 'month', later), entitlementToDay: day + 29 }, later);
      expect(reuse.result.reason).toBe('ENTITLEMENT_REUSED_OFFLINE');
      await h.store().commit([reuse]);
      expect((await load(h.store(), token(1))).uses).toEqual([['month', 2, day + 29]]);
    });
  });
}
