import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../core/tap.js';
import {
  decodeTap,
  denyReasonReason,
  denyReasons,
  directions,
  encodeTap,
  epochFromWire,
  epochToWire,
  listKinds,
  type ReasonName,
  reasonCode,
  reasonName,
  tapInputFromWire,
  toWireTap,
} from '../../protos/codec.js';
import { type Tap, v1 } from '../../protos/wire.js';

const entry: JournalEntry = {
  seq: 7,
  deviceTimeMs: Date.UTC(2026, 10, 23, 1, 30),
  credential: 'qr',
  cardToken: '0123456789abcdef0123456789abcdef',
  issuingRegion: '110000',
  routeId: '',
  stopId: '',
  stationId: 'S1',
  venueId: 'V1',
  direction: 'exit',
  decision: 'deny',
  reason: 'PASSBACK',
  concession: 'student_half',
  offline: true,
};

describe('wire codec', () => {
  it('names the values of the generated enums, wire numbers unchanged', () => {
    expect(denyReasons.code).toEqual({ lost: 1, frozen: 2, negative_balance: 3 });
    expect(denyReasons.name[0]).toBeUndefined();
    expect(directions.names).toEqual(['board', 'entry', 'exit']);
    expect(listKinds.code).toEqual({ deny: 1, flags: 2, regions: 3, entitlements: 4 });
  });

  it('maps every reason name to its REASON_ number and back', () => {
    const names = Object.keys(v1.Reason).map((k) => k.slice('REASON_'.length) as ReasonName);
    expect(names).toContain('CARD_LOST');
    for (const name of names) expect(reasonName(reasonCode(name))).toBe(name);
    expect(reasonCode('TARIFF_NO_FARE_RULE')).toBe(v1.Reason.REASON_TARIFF_NO_FARE_RULE);
    expect(reasonName(9999)).toBe('UNSPECIFIED');
  });

  it('refuses a deny-list card with the reason of its deny code', () => {
    expect(denyReasonReason).toEqual({
      lost: 'CARD_LOST',
      frozen: 'CARD_FROZEN',
      negative_balance: 'BALANCE_NEGATIVE',
    });
  });

  it('carries a journal epoch as 8 bytes, the legacy one as none, and refuses any other form', () => {
    expect(Buffer.from(epochToWire('9f3a1c0de4b27a51')).toString('hex')).toBe('9f3a1c0de4b27a51');
    expect(epochToWire('').byteLength).toBe(0);
    expect(epochFromWire(Buffer.from('9f3a1c0de4b27a51', 'hex'))).toBe('9f3a1c0de4b27a51');
    expect(epochFromWire(new Uint8Array(0))).toBe('');
    expect(epochFromWire(undefined)).toBe('');
    expect(epochFromWire(Buffer.alloc(8))).toBeUndefined();
    expect(epochFromWire(Buffer.alloc(4, 1))).toBeUndefined();
  });

  it('sets a tap input epoch only for a batch that has one', () => {
    const tap = v1.Tap.decode(encodeTap(entry)) as Tap;
    expect(tapInputFromWire(tap, 7, 'op1', 'd1', '9f3a1c0de4b27a51').epoch).toBe('9f3a1c0de4b27a51');
    expect('epoch' in tapInputFromWire(tap, 7, 'op1', 'd1', '')).toBe(false);
  });

  it('reads a journaled tap back as it was written, with and without an entitlement', () => {
    expect(decodeTap(encodeTap(entry))).toStrictEqual(entry);
    const admitted = {
      ...entry,
      decision: 'allow' as const,
      reason: 'TICKET_ADMITTED' as const,
      entitlementId: 't-1',
    };
    expect(decodeTap(encodeTap(admitted))).toStrictEqual(admitted);
    const dated = { ...admitted, entitlementToDay: 20_780 };
    expect(decodeTap(encodeTap(dated))).toStrictEqual(dated);
  });

  it('reads a tap journaled before entitlement_to_day (0215) without the field, and sends it as 0', () => {
    // What the encoder wrote before the field existed: the same tap, field 81 absent.
    const { entitlementToDay: _, ...before } = toWireTap({
      ...entry,
      decision: 'allow',
      reason: 'TICKET_ADMITTED',
      entitlementId: 't-1',
    });
    const old = decodeTap(v1.Tap.encode(before).finish());
    expect(old.entitlementId).toBe('t-1');
    expect('entitlementToDay' in old).toBe(false);
    expect(toWireTap(old).entitlementToDay).toBe(0);
    expect(
      tapInputFromWire(v1.Tap.decode(encodeTap(old)) as Tap, 7, 'op1', 'd1').entitlementToDay,
    ).toBeUndefined();
  });

  it('gives the gateway the device decision as edgeDecision and edgeReason, entitlement only when sent', () => {
    const tap = v1.Tap.decode(encodeTap(entry)) as Tap;
    const { decision, reason, concession, ...fields } = entry;
    expect(tapInputFromWire(tap, 7, 'op1', 'd1')).toStrictEqual({
      operatorId: 'op1',
      deviceId: 'd1',
      ...fields,
      edgeDecision: decision,
      edgeReason: reason,
    });
    expect(toWireTap(entry).entitlementId).toBe('');
  });
});
