// Reconciliation findings: kept once per record id, listed newest found first.
import { describe, expect, it } from 'vitest';
import type { Finding, FindingStore } from '../../../gateway/src/store/port.js';
import type { StoreHarness } from './harness.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');

export function finding(seq: number, foundAt: number, over: Partial<Finding> = {}): Finding {
  return {
    id: `tap:bus-1:${seq}`,
    kind: 'negative_balance',
    reason: 'CHARGED_INTO_NEGATIVE',
    action: 'deny_listed',
    at: foundAt - 1000,
    foundAt,
    cardToken: 'ab'.repeat(16),
    cardMasked: 'A12****78',
    operatorId: 'op',
    deviceId: 'bus-1',
    seq,
    routeId: 'r1',
    stationId: '',
    venueId: '',
    entitlementId: '',
    offline: true,
    chargedFen: 200,
    balanceAfterFen: -100,
    ...over,
  };
}

export function findingsContract(h: StoreHarness<FindingStore>): void {
  describe('reconciliation findings', () => {
    it('lists findings newest found first, at most limit, found at or after since', async () => {
      const store = h.store();
      await store.putFindings([finding(1, T0), finding(2, T0 + 2), finding(3, T0 + 1)]);
      expect((await store.findings({ limit: 10 })).map((f) => f.seq)).toEqual([2, 3, 1]);
      expect((await store.findings({ limit: 2 })).map((f) => f.seq)).toEqual([2, 3]);
      expect((await store.findings({ limit: 10, since: T0 + 1 })).map((f) => f.seq)).toEqual([2, 3]);
      expect((await store.findings({ limit: 1 }))[0]).toEqual(finding(2, T0 + 2));
    });

    it('keeps the first finding per record: a redelivered batch adds nothing', async () => {
      const store = h.store();
      await store.putFindings([finding(1, T0)]);
      await store.putFindings([finding(1, T0 + 5, { action: 'marked' })]);
      expect(await store.findings({ limit: 10 })).toEqual([finding(1, T0)]);
    });

    it('answers an empty list when there are none', async () => {
      expect(await h.store().findings({ limit: 10 })).toEqual([]);
      await h.store().putFindings([]);
      expect(await h.store().findings({ limit: 10 })).toEqual([]);
    });
  });
}
