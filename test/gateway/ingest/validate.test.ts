import { describe, expect, it } from 'vitest';
import { localDay } from '../../../core/time.js';
import { MAX_ENTITLEMENT_DAYS } from '../../../core/uses.js';
import { validateBatch } from '../../../gateway/src/ingest/validate.js';
import { v1 } from '../../../protos/wire.js';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);
const limits = { maxBatchBytes: 64 * 1024, maxTapsPerBatch: 100 };
const topic = 'onecard/v1/busco/v-1/taps';

function tap(seq: number, overrides: Record<string, unknown> = {}) {
  return {
    seq,
    deviceTimeMs: NOW - 1000,
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: Buffer.alloc(16, seq),
    issuingRegion: '500228',
    location: { routeId: 'r12', stopId: 's3' },
    direction: v1.Direction.DIRECTION_BOARD,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
    ...overrides,
  };
}

function batch(
  taps: object[],
  ids = { deviceId: 'v-1', operatorId: 'busco' },
  journalEpoch = Buffer.alloc(0),
) {
  return Buffer.from(v1.TapBatch.encode({ ...ids, taps, sentAtMs: NOW, journalEpoch }).finish());
}

const IDS = { deviceId: 'v-1', operatorId: 'busco' };

describe('validating a tap batch', () => {
  it('accepts a well-formed batch and converts the taps', () => {
    const v = validateBatch(topic, batch([tap(1), tap(2)]), limits, NOW);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.batch.taps.map((t) => t.seq)).toEqual([1, 2]);
    expect(v.batch.taps[0]).toMatchObject({
      operatorId: 'busco',
      deviceId: 'v-1',
      cardToken: '01'.repeat(16),
      direction: 'board',
      edgeDecision: 'allow',
      edgeReason: 'OK',
      routeId: 'r12',
      credential: 'card',
    });
    expect(v.batch.invalid).toEqual([]);
  });

  it.each([
    ['bytes that are not protobuf', topic, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 'MALFORMED_PROTOBUF'],
    ['a batch larger than the limit', topic, Buffer.alloc(limits.maxBatchBytes + 1), 'OVERSIZED'],
    ['a topic that is not a device taps topic', 'onecard/v1/busco/v-1/status', batch([tap(1)]), 'BAD_TOPIC'],
    [
      'a device id that differs from the topic',
      'onecard/v1/busco/v-2/taps',
      batch([tap(1)]),
      'TOPIC_MISMATCH',
    ],
    [
      'an operator id that differs from the topic',
      'onecard/v1/metroco/v-1/taps',
      batch([tap(1)]),
      'TOPIC_MISMATCH',
    ],
    ['an empty batch', topic, batch([]), 'EMPTY_BATCH'],
    [
      'more taps than allowed',
      topic,
      batch(Array.from({ length: 101 }, (_, i) => tap(i + 1))),
      'TOO_MANY_TAPS',
    ],
  ])('rejects %s', (_name, t, payload, reason) => {
    const v = validateBatch(t, payload, limits, NOW);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toBe(reason);
  });

  it.each([
    ['a token of the wrong length', { cardToken: Buffer.alloc(8) }, /card_token has 8 bytes/],
    ['a clock before 2020', { deviceTimeMs: Date.UTC(2019, 0, 1) }, /implausible/],
    ['a clock more than a day ahead', { deviceTimeMs: NOW + 2 * 86_400_000 }, /implausible/],
    ['an unknown credential kind', { credential: 9 }, /credential/],
    ['an unknown direction', { direction: 0 }, /direction/],
    ['an unknown decision', { decision: 0 }, /decision/],
    ['an unknown reason', { reason: 999 }, /reason/],
    ['a region that is not 6 digits', { issuingRegion: '5002' }, /issuing_region/],
    ['a location id with a slash', { location: { routeId: 'r/1' } }, /location/],
  ])('quarantines a tap with %s and keeps the rest', (_name, overrides, problem) => {
    const v = validateBatch(topic, batch([tap(1), tap(2, overrides), tap(3)]), limits, NOW);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.batch.taps.map((t) => t.seq)).toEqual([1, 3]);
    expect(v.batch.invalid).toHaveLength(1);
    expect(v.batch.invalid[0]?.seq).toBe(2);
    expect(v.batch.invalid[0]?.problem).toMatch(problem);
  });

  describe("an entitlement's last day (entitlement_to_day, 0215)", () => {
    // The tap's local (UTC+8) day: NOW is 17:00 there.
    const day = localDay(NOW - 1000);
    const ticket = (toDay: number, id = 'tkt-1') => ({ entitlementId: id, entitlementToDay: toDay });

    it.each([
      ['the day before the tap', day - 1],
      ['the tap day', day],
      [`${MAX_ENTITLEMENT_DAYS} days ahead`, day + MAX_ENTITLEMENT_DAYS],
    ])('accepts %s and hands it on', (_name, toDay) => {
      const v = validateBatch(topic, batch([tap(1, ticket(toDay))]), limits, NOW);
      expect(v.ok && v.batch.invalid).toEqual([]);
      expect(v.ok && v.batch.taps[0]).toMatchObject({ entitlementId: 'tkt-1', entitlementToDay: toDay });
    });

    it('takes 0 as not sent: no field on the tap', () => {
      const v = validateBatch(topic, batch([tap(1, ticket(0))]), limits, NOW);
      expect(v.ok && v.batch.taps[0] && 'entitlementToDay' in v.batch.taps[0]).toBe(false);
    });

    it.each([
      ['two days before the tap', ticket(day - 2), `entitlement_to_day ${day - 2} is outside`],
      [
        `${MAX_ENTITLEMENT_DAYS + 1} days ahead`,
        ticket(day + MAX_ENTITLEMENT_DAYS + 1),
        `entitlement_to_day ${day + MAX_ENTITLEMENT_DAYS + 1} is outside ${day - 1}..${day + MAX_ENTITLEMENT_DAYS}`,
      ],
      ['the largest uint32', ticket(2 ** 32 - 1), 'entitlement_to_day 4294967295 is outside'],
      ['day 1 (1970)', ticket(1), 'entitlement_to_day 1 is outside'],
      ['no entitlement_id', { entitlementToDay: day }, 'entitlement_to_day is set without an entitlement_id'],
    ])('quarantines a last day %s and keeps the rest', (_name, overrides, problem) => {
      const v = validateBatch(topic, batch([tap(1), tap(2, overrides), tap(3)]), limits, NOW);
      expect(v.ok && v.batch.taps.map((t) => t.seq)).toEqual([1, 3]);
      expect(v.ok && v.batch.invalid).toEqual([{ seq: 2, problem: expect.stringContaining(problem) }]);
    });

    it("judges the range from the tap's own day, not the gateway's", () => {
      // A tap from 20 days ago, its 30-day ticket ending 9 days after it: in range.
      const at = NOW - 20 * 86_400_000;
      const v = validateBatch(
        topic,
        batch([tap(1, { deviceTimeMs: at, ...ticket(localDay(at) + 29) })]),
        limits,
        NOW,
      );
      expect(v.ok && v.batch.invalid).toEqual([]);
    });
  });

  it("gives every tap the batch's journal epoch as 16 hex characters (docs/decisions/0175)", () => {
    const v = validateBatch(
      topic,
      batch([tap(1), tap(2)], IDS, Buffer.from('9f3a1c0de4b27a51', 'hex')),
      limits,
      NOW,
    );
    expect(v.ok && v.batch.epoch).toBe('9f3a1c0de4b27a51');
    expect(v.ok && v.batch.taps.map((t) => t.epoch)).toEqual(['9f3a1c0de4b27a51', '9f3a1c0de4b27a51']);
  });

  it('takes a batch without an epoch as legacy: no epoch on its taps', () => {
    const v = validateBatch(topic, batch([tap(1)]), limits, NOW);
    expect(v.ok && v.batch.epoch).toBe('');
    expect(v.ok && 'epoch' in v.batch.taps[0]!).toBe(false);
  });

  it.each([
    ['7 bytes', Buffer.alloc(7, 1)],
    ['9 bytes', Buffer.alloc(9, 1)],
    ['8 zero bytes', Buffer.alloc(8)],
  ])('refuses the whole batch with a journal epoch of %s', (_name, epoch) => {
    const v = validateBatch(topic, batch([tap(1)], IDS, epoch), limits, NOW);
    expect(v).toMatchObject({ ok: false, reason: 'BAD_EPOCH' });
  });

  it('quarantines a sequence number that repeats within the batch', () => {
    const v = validateBatch(topic, batch([tap(1), tap(1)]), limits, NOW);
    expect(v.ok && v.batch.invalid[0]?.problem).toMatch(/twice/);
  });

  it('quarantines a repeat that comes after a higher sequence number, and only the repeat', () => {
    const v = validateBatch(topic, batch([tap(5), tap(2), tap(7), tap(2), tap(5), tap(6)]), limits, NOW);
    expect(v.ok && v.batch.taps.map((t) => t.seq)).toEqual([5, 2, 7, 6]);
    expect(v.ok && v.batch.invalid).toEqual([
      { seq: 2, problem: 'seq 2 appears twice in the batch' },
      { seq: 5, problem: 'seq 5 appears twice in the batch' },
    ]);
  });

  it('does not hold a quarantined tap against a later tap with its sequence number', () => {
    const v = validateBatch(
      topic,
      batch([tap(1), tap(2, { cardToken: Buffer.alloc(8) }), tap(2)]),
      limits,
      NOW,
    );
    expect(v.ok && v.batch.taps.map((t) => t.seq)).toEqual([1, 2]);
    expect(v.ok && v.batch.invalid.map((i) => i.seq)).toEqual([2]);
  });

  it('never throws on random bytes', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const valid = batch([tap(1), tap(2)]);
    for (let i = 0; i < 2000; i++) {
      const bytes = i % 2 === 0 ? Buffer.from(valid) : Buffer.alloc(rand() % 200);
      if (i % 2 === 0) for (let k = 0; k < 3; k++) bytes[rand() % bytes.length] = rand() & 0xff;
      else for (let k = 0; k < bytes.length; k++) bytes[k] = rand() & 0xff;
      expect(() => validateBatch(topic, bytes, limits, NOW)).not.toThrow();
    }
  });
});
