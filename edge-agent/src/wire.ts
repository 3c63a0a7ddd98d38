// Conversions between the agent's plain records and the wire messages (protos/onecard/v1).
// The SQLite journal stores each tap as its encoded wire Tap, so what is sent is byte for byte
// what was journaled, and the journal row is as compact as the message.
import type { DenyReasonName } from '../../core/decide.js';
import type { ConcessionName, DirectionName } from '../../core/fare.js';
import { reasonCode, reasonName } from '../../core/reasons.js';
import { type Tap, v1 } from '../../protos/wire.js';
import type { JournalEntry } from './journal/port.js';

const directions: Record<DirectionName, number> = {
  board: v1.Direction.DIRECTION_BOARD,
  entry: v1.Direction.DIRECTION_ENTRY,
  exit: v1.Direction.DIRECTION_EXIT,
};

const concessions: Record<ConcessionName, number> = {
  none: v1.Concession.CONCESSION_NONE,
  senior_free: v1.Concession.CONCESSION_SENIOR_FREE,
  disabled_free: v1.Concession.CONCESSION_DISABLED_FREE,
  student_half: v1.Concession.CONCESSION_STUDENT_HALF,
};

/** The plain-object form protobufjs encodes from (onecard.v1.ITap). */
export type WireTap = Parameters<typeof v1.Tap.encode>[0];

export const denyReasons: Record<DenyReasonName, number> = {
  lost: v1.DenyReason.DENY_REASON_LOST,
  frozen: v1.DenyReason.DENY_REASON_FROZEN,
  negative_balance: v1.DenyReason.DENY_REASON_NEGATIVE_BALANCE,
};

function invert<K extends string>(m: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(m).map(([k, v]) => [v as number, k as K]));
}
const directionNames = invert(directions);
const concessionNames = invert(concessions);
const denyReasonNames = invert(denyReasons);

export function denyReasonName(code: number): DenyReasonName | undefined {
  return denyReasonNames.get(code);
}

export function toWireTap(e: JournalEntry): WireTap {
  return {
    seq: e.seq,
    deviceTimeMs: e.deviceTimeMs,
    credential:
      e.credential === 'qr' ? v1.CredentialKind.CREDENTIAL_KIND_QR : v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: Buffer.from(e.cardToken, 'hex'),
    issuingRegion: e.issuingRegion,
    location: { routeId: e.routeId, stopId: e.stopId, stationId: e.stationId, venueId: e.venueId },
    direction: directions[e.direction],
    decision: e.decision === 'deny' ? v1.Decision.DECISION_DENY : v1.Decision.DECISION_ALLOW,
    reason: reasonCode(e.reason),
    concession: concessions[e.concession],
    offline: e.offline,
    entitlementId: e.entitlementId ?? '',
  };
}

export function fromWireTap(t: Tap): JournalEntry {
  return {
    seq: Number(t.seq),
    deviceTimeMs: Number(t.deviceTimeMs),
    credential: t.credential === v1.CredentialKind.CREDENTIAL_KIND_QR ? 'qr' : 'card',
    cardToken: Buffer.from(t.cardToken).toString('hex'),
    issuingRegion: t.issuingRegion,
    routeId: t.location?.routeId ?? '',
    stopId: t.location?.stopId ?? '',
    stationId: t.location?.stationId ?? '',
    venueId: t.location?.venueId ?? '',
    direction: directionNames.get(t.direction) ?? 'board',
    decision: t.decision === v1.Decision.DECISION_DENY ? 'deny' : 'allow',
    reason: reasonName(t.reason),
    concession: concessionNames.get(t.concession) ?? 'none',
    offline: t.offline,
    ...(t.entitlementId ? { entitlementId: t.entitlementId } : {}),
  };
}

export function encodeTap(e: JournalEntry): Uint8Array {
  return v1.Tap.encode(toWireTap(e)).finish();
}

export function decodeTap(bytes: Uint8Array): JournalEntry {
  return fromWireTap(v1.Tap.decode(bytes));
}
