// Cards and commit(): issuing, loading, exactly-once effects, compare-and-set, chains.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag, unknownCard } from '../../../core/card.js';
import { issue, load, planRun, rideOf, T0, tap, token, topUpOf } from './fixtures.js';
import { type CommitStores, outboxRecordIds, type StoreHarness } from './harness.js';

export function commitContract(h: StoreHarness<CommitStores>): void {
  describe('cards', () => {
    it('loads a card never issued as unknownCard(token)', async () => {
      const cards = await h.store().loadCards([token(7)]);
      expect(cards.get(token(7))).toEqual(unknownCard(token(7)));
    });

    it('issues a card at version 1, active, with its balance, flags, masked number and region', async () => {
      expect(await issue(h.store(), 1, 2_500, ConcessionFlag.STUDENT)).toEqual({
        token: token(1),
        known: true,
        version: 1,
        balanceFen: 2_500,
        status: 'active',
        flags: ConcessionFlag.STUDENT,
        masked: 'A12****01',
        region: '500100',
        fare: {},
        // No ticket or reservation used yet (docs/decisions/0203).
        uses: [],
      });
    });

    it('leaves an existing card as it is when the same token is issued again', async () => {
      const card = await issue(h.store(), 1, 1_000);
      await h.store().commit([topUpOf(card, 'q1', 500)]);
      await h.store().issueCard({ token: token(1), masked: 'X', region: '110000', flags: 7, balanceFen: 0 });
      expect(await load(h.store(), token(1))).toMatchObject({
        version: 2,
        balanceFen: 1_500,
        masked: 'A12****01',
      });
    });

    it('loads known and unknown cards in one call', async () => {
      await issue(h.store(), 1, 100);
      const cards = await h.store().loadCards([token(1), token(2)]);
      expect([...cards.keys()].sort()).toEqual([token(1), token(2)].sort());
      expect(cards.get(token(1))).toMatchObject({ known: true, balanceFen: 100 });
      expect(cards.get(token(2))).toEqual(unknownCard(token(2)));
    });

    it('loads a token asked for more than once as one entry, the same card as asked once (0245)', async () => {
      await issue(h.store(), 1, 100);
      const once = await h.store().loadCards([token(1), token(2)]);
      const repeated = await h.store().loadCards([token(1), token(2), token(1), token(2), token(1)]);
      expect(repeated.size).toBe(2);
      expect(repeated).toEqual(once);
    });

    it('sets a status, bumping the version only when the status changes', async () => {
      await issue(h.store(), 1);
      expect(await h.store().setCardStatus(token(1), 'lost')).toBe(true);
      expect(await load(h.store(), token(1))).toMatchObject({ status: 'lost', version: 2 });
      expect(await h.store().setCardStatus(token(1), 'lost')).toBe(true);
      expect(await load(h.store(), token(1))).toMatchObject({ status: 'lost', version: 2 });
    });

    it('answers false when setting the status of a card never issued, and does not create it', async () => {
      expect(await h.store().setCardStatus(token(9), 'frozen')).toBe(false);
      expect(await load(h.store(), token(9))).toEqual(unknownCard(token(9)));
    });

    it('makes a tap planned before a status change conflict, so it is planned again', async () => {
      const before = await issue(h.store(), 1);
      await h.store().setCardStatus(token(1), 'lost');
      expect(await h.store().commit([rideOf(before, tap({ cardToken: token(1), seq: 1 }))])).toEqual([
        { status: 'conflict' },
      ]);
      const [again] = await h
        .store()
        .commit([rideOf(await load(h.store(), token(1)), tap({ cardToken: token(1), seq: 1 }))]);
      expect(again).toMatchObject({ status: 'applied', result: { reason: 'LOST_AFTER_THE_FACT' } });
    });
  });

  describe('commit', () => {
    it('answers an empty commit with no outcomes', async () => {
      expect(await h.store().commit([])).toEqual([]);
    });

    it('applies a ride: balance and version change, the record and an outbox entry are written', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const effect = rideOf(card, tap({ cardToken: token(1), seq: 1 }));
      expect(await h.store().commit([effect])).toEqual([{ status: 'applied', result: effect.result }]);
      expect(effect.result).toEqual({
        outcome: 'charged',
        chargedFen: 200,
        balanceAfterFen: 800,
        reason: 'OK',
      });
      expect(await load(h.store(), token(1))).toMatchObject({ version: 2, balanceFen: 800 });
      expect((await h.store().queryRecords({ cardToken: token(1), limit: 10 })).items).toEqual([
        effect.record,
      ]);
      expect(await outboxRecordIds(h.store())).toEqual([effect.record.id]);
    });

    it('answers a redelivered tap with the ORIGINAL result and changes nothing', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const first = rideOf(card, tap({ cardToken: token(1), seq: 1 }));
      await h.store().commit([first]);
      await h.store().commit([topUpOf(await load(h.store(), token(1)), 'q1', 5_000)]);
      const after = await load(h.store(), token(1));
      // The same tap again, planned from the new state: the store must answer as the first time.
      const again = rideOf(after, tap({ cardToken: token(1), seq: 1 }), T0 + 60_000);
      expect(await h.store().commit([again])).toEqual([{ status: 'duplicate', result: first.result }]);
      expect(await load(h.store(), token(1))).toEqual(after);
      const { items } = await h.store().queryRecords({ cardToken: token(1), limit: 10 });
      expect(items.map((r) => r.id).sort()).toEqual(['tap:bus-1:1', 'topup:q1']);
      expect(await outboxRecordIds(h.store())).toHaveLength(2);
    });

    it('answers a repeated dedupe key within one commit as a duplicate of the first', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const effect = rideOf(card, tap({ cardToken: token(1), seq: 1 }));
      expect(await h.store().commit([effect, effect])).toEqual([
        { status: 'applied', result: effect.result },
        { status: 'duplicate', result: effect.result },
      ]);
      expect(await load(h.store(), token(1))).toMatchObject({ version: 2, balanceFen: 800 });
    });

    it('changes nothing on a version conflict; the tap applies once planned again', async () => {
      const stale = await issue(h.store(), 1, 1_000);
      await h.store().commit([topUpOf(stale, 'q1', 100)]);
      const current = await load(h.store(), token(1));
      const t = tap({ cardToken: token(1), seq: 1 });
      expect(await h.store().commit([rideOf(stale, t)])).toEqual([{ status: 'conflict' }]);
      expect(await load(h.store(), token(1))).toEqual(current);
      expect((await h.store().queryRecords({ deviceId: 'bus-1', limit: 10 })).items).toEqual([]);
      expect(await outboxRecordIds(h.store())).toEqual(['topup:q1']);
      const replanned = rideOf(current, t);
      expect(await h.store().commit([replanned])).toEqual([{ status: 'applied', result: replanned.result }]);
    });

    it('applies a chain of taps of one card in one commit, each from the state the previous left', async () => {
      const card = await issue(h.store(), 1, 500);
      const taps = [1, 2, 3].map((seq) => tap({ cardToken: token(1), seq }));
      const effects = planRun(new Map([[token(1), card]]), taps);
      const outcomes = await h.store().commit(effects);
      expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
      expect(outcomes.map((o) => (o.status === 'applied' ? o.result.balanceAfterFen : null))).toEqual([
        300, 100, -100,
      ]);
      expect(effects[2]!.result.reason).toBe('CHARGED_INTO_NEGATIVE');
      expect(await load(h.store(), token(1))).toMatchObject({ version: 4, balanceFen: -100 });
    });

    it('refuses the rest of a chain once a link conflicts, even where the versions line up again', async () => {
      const stale = await issue(h.store(), 1, 500);
      await h.store().commit([topUpOf(stale, 'q1', 100)]);
      // The card is at version 2 now, from the top-up: the second link expects 2 too, but was
      // planned from a state (after the first ride) that never existed. Applying it would lose
      // the top-up.
      const effects = planRun(
        new Map([[token(1), stale]]),
        [1, 2].map((seq) => tap({ cardToken: token(1), seq })),
      );
      expect(effects[1]!.expectVersion).toBe(2);
      expect(await h.store().commit(effects)).toEqual([{ status: 'conflict' }, { status: 'conflict' }]);
      expect(await load(h.store(), token(1))).toMatchObject({ version: 2, balanceFen: 600 });
    });

    it('refuses the rest of a chain after a link that was a duplicate', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const t1 = tap({ cardToken: token(1), seq: 1 });
      await h.store().commit([rideOf(card, t1)]);
      const other = await h.open();
      const now = await load(h.store(), token(1));
      // A redelivered batch [t1, t2] planned from version 2, while another instance tops up.
      const effects = planRun(new Map([[token(1), now]]), [t1, tap({ cardToken: token(1), seq: 2 })]);
      await other.commit([topUpOf(now, 'q1', 500)]);
      expect((await h.store().commit(effects)).map((o) => o.status)).toEqual(['duplicate', 'conflict']);
      expect(await load(h.store(), token(1))).toMatchObject({ version: 3, balanceFen: 1_300 });
    });

    it('records a tap of a card never issued without charging or creating the card', async () => {
      const effect = rideOf(unknownCard(token(5)), tap({ cardToken: token(5), seq: 1 }));
      expect(effect.expectVersion).toBeNull();
      expect(await h.store().commit([effect])).toEqual([{ status: 'applied', result: effect.result }]);
      expect(effect.result).toMatchObject({ outcome: 'recorded', chargedFen: 0, reason: 'UNKNOWN_CARD' });
      expect(await load(h.store(), token(5))).toEqual(unknownCard(token(5)));
      expect((await h.store().queryRecords({ cardToken: token(5), limit: 10 })).items).toEqual([
        effect.record,
      ]);
      expect(await outboxRecordIds(h.store())).toEqual([effect.record.id]);
    });

    it('records a tap the device denied without touching the card', async () => {
      const card = await issue(h.store(), 1, 1_000);
      const denied = tap({ cardToken: token(1), seq: 1, edgeDecision: 'deny', edgeReason: 'CARD_LOST' });
      const effect = rideOf(card, denied);
      expect(await h.store().commit([effect])).toEqual([{ status: 'applied', result: effect.result }]);
      expect(await load(h.store(), token(1))).toEqual(card);
      expect(await h.store().commit([effect])).toEqual([{ status: 'duplicate', result: effect.result }]);
    });

    it('conflicts on an effect that expects a version of a card never issued', async () => {
      const effect = topUpOf(unknownCard(token(6)), 'q1', 1_000);
      expect(await h.store().commit([effect])).toEqual([{ status: 'conflict' }]);
      expect(await load(h.store(), token(6))).toEqual(unknownCard(token(6)));
    });

    it('tops up a card, and answers the same request id again with the original result', async () => {
      const card = await issue(h.store(), 1, 100);
      const effect = topUpOf(card, 'q1', 2_000);
      expect(await h.store().commit([effect])).toEqual([
        {
          status: 'applied',
          result: { outcome: 'charged', chargedFen: 0, balanceAfterFen: 2_100, reason: 'OK' },
        },
      ]);
      const again = topUpOf(await load(h.store(), token(1)), 'q1', 2_000);
      expect(await h.store().commit([again])).toEqual([{ status: 'duplicate', result: effect.result }]);
      expect(await load(h.store(), token(1))).toMatchObject({ version: 2, balanceFen: 2_100 });
    });

    it('answers in effect order when one commit spans cards of many partitions', async () => {
      const cards = new Map();
      for (const n of [0, 1, 2, 3, 4, 5]) cards.set(token(n), await issue(h.store(), n, 1_000));
      const stale = cards.get(token(3));
      await h.store().commit([topUpOf(stale, 'q3', 1)]);
      const taps = [0, 1, 2, 3, 4, 5, 0, 1, 2].map((n, i) => tap({ cardToken: token(n), seq: i + 1 }));
      const outcomes = await h.store().commit(planRun(cards, taps));
      expect(outcomes.map((o) => o.status)).toEqual([
        'applied',
        'applied',
        'applied',
        'conflict',
        'applied',
        'applied',
        'applied',
        'applied',
        'applied',
      ]);
      expect(outcomes[6]).toMatchObject({ result: { balanceAfterFen: 600 } });
      expect(await load(h.store(), token(3))).toMatchObject({ version: 2, balanceFen: 1_001 });
    });
  });
}
