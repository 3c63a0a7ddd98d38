// The journal contract: what every adapter of edge-agent/src/journal/port.ts must do. Run by
// memory.test.ts (in-memory adapter) and sqlite.int.test.ts (SQLite file).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEpoch } from '../../../core/epoch.js';
import type { TapRecord } from '../../../core/tap.js';
import type { Journal } from '../../../edge-agent/src/journal/port.js';

/** Opens journals over one persistent place; open() again after close() is a device restart. */
export interface JournalFixture {
  open(): Journal;
  /** Loses the persistent place (a wiped or replaced journal); the next open() starts a new one. */
  lose(): void;
  dispose(): void;
}

export function tapRecord(overrides: Partial<TapRecord> = {}): TapRecord {
  return {
    deviceTimeMs: Date.UTC(2026, 10, 23, 8, 0, 0),
    credential: 'card',
    cardToken: 'ab'.repeat(16),
    issuingRegion: '500228',
    routeId: 'r12',
    stopId: 's3',
    stationId: '',
    venueId: '',
    direction: 'board',
    decision: 'allow',
    reason: 'OK',
    concession: 'none',
    offline: false,
    ...overrides,
  };
}

export function journalContract(name: string, makeFixture: () => JournalFixture): void {
  describe(`journal contract: ${name}`, () => {
    let fixture: JournalFixture;
    let journal: Journal;

    beforeEach(() => {
      fixture = makeFixture();
      journal = fixture.open();
    });
    afterEach(() => {
      journal.close();
      fixture.dispose();
    });

    const restart = () => {
      journal.close();
      journal = fixture.open();
    };
    const appendN = (n: number) =>
      Array.from({ length: n }, (_, i) => journal.append(tapRecord({ deviceTimeMs: 1_800_000_000_000 + i })));

    it("keeps a venue tap's entitlement id and its reason across a restart", () => {
      const tap = tapRecord({
        venueId: 'park-1',
        direction: 'entry',
        reason: 'TICKET_ADMITTED',
        entitlementId: 'tkt-1',
      });
      journal.append(tap);
      restart();
      expect(journal.range(1, 1)).toEqual([{ ...tap, seq: 1 }]);
    });

    it('starts empty, with seq counter 0', () => {
      expect(journal.depth()).toBe(0);
      expect(journal.oldestSeq()).toBeUndefined();
      expect(journal.lastSeq()).toBe(0);
      expect(journal.lastAckedSeq()).toBe(0);
      expect(journal.range(1, 10)).toEqual([]);
    });

    it('assigns seq 1, 2, 3 … in append order and returns the tap with its seq', () => {
      const a = journal.append(tapRecord({ cardToken: '01'.repeat(16) }));
      const b = journal.append(tapRecord({ cardToken: '02'.repeat(16) }));
      expect(a).toEqual({ ...tapRecord({ cardToken: '01'.repeat(16) }), seq: 1 });
      expect(b.seq).toBe(2);
      expect(journal.lastSeq()).toBe(2);
      expect(journal.depth()).toBe(2);
      expect(journal.oldestSeq()).toBe(1);
    });

    it('keeps every field of the tap exactly as appended', () => {
      const tap = tapRecord({
        credential: 'qr',
        cardToken: '0123456789abcdef'.repeat(2),
        issuingRegion: '',
        routeId: '',
        stopId: '',
        stationId: 'st-7',
        venueId: 'v.9',
        direction: 'entry',
        decision: 'deny',
        reason: 'CARD_FROZEN',
        concession: 'student_half',
        offline: true,
      });
      journal.append(tap);
      expect(journal.range(1, 1)).toEqual([{ ...tap, seq: 1 }]);
    });

    it('returns ranges oldest first, from a seq, bounded by a count', () => {
      appendN(10);
      expect(journal.range(1, 3).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(journal.range(4, 100).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
      expect(journal.range(11, 5)).toEqual([]);
      expect(journal.range(3, 0)).toEqual([]);
    });

    it('deletes exactly the acknowledged range and skips it in later ranges', () => {
      appendN(10);
      expect(journal.deleteRange(3, 5)).toBe(3);
      expect(journal.depth()).toBe(7);
      expect(journal.oldestSeq()).toBe(1);
      expect(journal.range(1, 100).map((e) => e.seq)).toEqual([1, 2, 6, 7, 8, 9, 10]);
      expect(journal.range(3, 2).map((e) => e.seq)).toEqual([6, 7]);
      expect(journal.lastAckedSeq()).toBe(5);
    });

    it('treats a repeated delete of the same range as a no-op', () => {
      appendN(4);
      expect(journal.deleteRange(1, 2)).toBe(2);
      expect(journal.deleteRange(1, 2)).toBe(0);
      expect(journal.depth()).toBe(2);
      expect(journal.oldestSeq()).toBe(3);
    });

    it('never lowers the last acked seq when an older range is acked late', () => {
      appendN(6);
      journal.deleteRange(4, 6);
      journal.deleteRange(1, 3);
      expect(journal.lastAckedSeq()).toBe(6);
      expect(journal.depth()).toBe(0);
    });

    it('never reuses a seq, even after every tap was deleted', () => {
      appendN(3);
      journal.deleteRange(1, 3);
      expect(journal.oldestSeq()).toBeUndefined();
      expect(journal.append(tapRecord()).seq).toBe(4);
    });

    it('keeps taps, the seq counter and the last acked seq across a restart', () => {
      appendN(5);
      journal.deleteRange(1, 2);
      restart();
      expect(journal.lastSeq()).toBe(5);
      expect(journal.lastAckedSeq()).toBe(2);
      expect(journal.depth()).toBe(3);
      expect(journal.oldestSeq()).toBe(3);
      expect(journal.range(1, 10).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect(journal.append(tapRecord()).seq).toBe(6);
    });

    it('has an epoch of 16 hex characters from its creation, kept across restarts', () => {
      const epoch = journal.epoch();
      expect(isEpoch(epoch)).toBe(true);
      appendN(2);
      restart();
      expect(journal.epoch()).toBe(epoch);
    });

    it('starts a lost journal again at seq 1 under a new epoch', () => {
      const before = journal.epoch();
      appendN(3);
      journal.close();
      fixture.lose();
      journal = fixture.open();
      expect(journal.epoch()).not.toBe(before);
      expect(isEpoch(journal.epoch())).toBe(true);
      expect(journal.append(tapRecord()).seq).toBe(1);
    });

    it('keeps the seq counter across a restart after the journal emptied', () => {
      appendN(2);
      journal.deleteRange(1, 2);
      restart();
      expect(journal.append(tapRecord()).seq).toBe(3);
    });
  });
}
