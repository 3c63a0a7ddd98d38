// The one wire codec: every conversion between the wire messages (protos/onecard/v1, reached
// through protos/wire.ts) and the domain's plain records and names. The edge agent and the
// gateway both encode and decode here, so a field or an enum value is mapped in one place.
//
// Every name set is derived from the generated enums (DIRECTION_BOARD → 'board',
// REASON_CARD_LOST → 'CARD_LOST'): a value added to a .proto reaches the names with `npm run gen`,
// never by retyping a list. Lookups are arrays and records built once at load, so converting a
// tap on the hot path allocates nothing but its one result object.
import { EPOCH_BYTES, isEpoch, LEGACY_EPOCH } from '../core/epoch.js';
import type { TapInput } from '../core/ledger.js';
import type { JournalEntry } from '../core/tap.js';
import { type Tap, v1 } from './wire.js';

type After<K, P extends string> = K extends `${P}${infer N}` ? N : never;
/** The lower-case names of an enum's values without their prefix, UNSPECIFIED left out. */
type Named<E, P extends string> = Exclude<Lowercase<After<keyof E & string, P>>, 'unspecified'>;

export type CredentialName = Named<typeof v1.CredentialKind, 'CREDENTIAL_KIND_'>;
export type DirectionName = Named<typeof v1.Direction, 'DIRECTION_'>;
export type DecisionName = Named<typeof v1.Decision, 'DECISION_'>;
/** The concession a device applied to a tap (core/concession.ts names what a card holds). */
export type AppliedConcessionName = Named<typeof v1.Concession, 'CONCESSION_'>;
/** Why a card is on the deny list. */
export type DenyReasonName = Named<typeof v1.DenyReason, 'DENY_REASON_'>;
export type ListKind = Named<typeof v1.ListKind, 'LIST_KIND_'>;
export type EnvelopeType = Named<typeof v1.ListEnvelopeType, 'LIST_ENVELOPE_TYPE_'>;
export type OutcomeName = Named<typeof v1.Outcome, 'OUTCOME_'>;
/** Reason names without the REASON_ prefix, e.g. "CARD_LOST" (upper case, UNSPECIFIED kept). */
export type ReasonName = After<keyof typeof v1.Reason & string, 'REASON_'>;
export type ReasonCode = (typeof v1.Reason)[keyof typeof v1.Reason];

interface EnumTable<N extends string> {
  /** Name of each wire code; undefined for UNSPECIFIED and for codes this build does not know. */
  name: ReadonlyArray<N | undefined>;
  code: Readonly<Record<N, number>>;
  /** Every name, in code order. */
  names: readonly N[];
}

/** Generated enums are objects of NAME → code (the codes → names sit on their prototype). */
function table<N extends string>(values: object, prefix: string, keepCase = false): EnumTable<N> {
  const name: Array<N | undefined> = [];
  const code = {} as Record<N, number>;
  for (const [key, c] of Object.entries(values) as Array<[string, number]>) {
    const n = key.slice(prefix.length);
    if (!keepCase && n === 'UNSPECIFIED') continue;
    const domain = (keepCase ? n : n.toLowerCase()) as N;
    name[c] = domain;
    code[domain] = c;
  }
  return { name, code, names: name.filter((n): n is N => n !== undefined) };
}

export const credentials = table<CredentialName>(v1.CredentialKind, 'CREDENTIAL_KIND_');
export const directions = table<DirectionName>(v1.Direction, 'DIRECTION_');
export const decisions = table<DecisionName>(v1.Decision, 'DECISION_');
export const concessions = table<AppliedConcessionName>(v1.Concession, 'CONCESSION_');
export const denyReasons = table<DenyReasonName>(v1.DenyReason, 'DENY_REASON_');
export const listKinds = table<ListKind>(v1.ListKind, 'LIST_KIND_');
export const envelopeTypes = table<EnvelopeType>(v1.ListEnvelopeType, 'LIST_ENVELOPE_TYPE_');
export const outcomes = table<OutcomeName>(v1.Outcome, 'OUTCOME_');
const reasons = table<ReasonName>(v1.Reason, 'REASON_', true);

/** The reason a deny-list entry refuses with (the edge decides before the gateway knows). */
export const denyReasonReason: Readonly<Record<DenyReasonName, ReasonName>> = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  negative_balance: 'BALANCE_NEGATIVE',
};

/** 'UNSPECIFIED' for a code this build does not know (a newer device's reason). */
export function reasonName(code: number): ReasonName {
  return reasons.name[code] ?? 'UNSPECIFIED';
}

export function reasonCode(name: ReasonName): ReasonCode {
  return (reasons.code[name] ?? v1.Reason.REASON_UNSPECIFIED) as ReasonCode;
}

/** The plain-object form protobufjs encodes from (onecard.v1.ITap). */
export type WireTap = Parameters<typeof v1.Tap.encode>[0];

/**
 * Bytes as lowercase hex: the 16-byte token as the 32 hex chars records carry. A batch decoded
 * from a Buffer (the MQTT payload) gives its bytes fields as Buffers already: no view is made
 * for them (one object per tap less, docs/decisions/0211); other bytes get a view, never a copy.
 */
function tokenHex(bytes: Uint8Array): string {
  return (
    bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ).toString('hex');
}

export function toWireTap(e: JournalEntry): WireTap {
  return {
    seq: e.seq,
    deviceTimeMs: e.deviceTimeMs,
    credential: credentials.code[e.credential],
    cardToken: Buffer.from(e.cardToken, 'hex'),
    issuingRegion: e.issuingRegion,
    location: { routeId: e.routeId, stopId: e.stopId, stationId: e.stationId, venueId: e.venueId },
    direction: directions.code[e.direction],
    decision: decisions.code[e.decision],
    reason: reasonCode(e.reason),
    concession: concessions.code[e.concession],
    offline: e.offline,
    entitlementId: e.entitlementId ?? '',
    entitlementToDay: e.entitlementToDay ?? 0,
  };
}

/**
 * A journal epoch as TapBatch/BatchAck.journal_epoch carries it (core/epoch.ts): 8 bytes, or
 * none for the legacy epoch.
 */
export function epochToWire(epoch: string): Uint8Array {
  return epoch === LEGACY_EPOCH ? new Uint8Array(0) : Buffer.from(epoch, 'hex');
}

/**
 * A received journal_epoch as the domain's hex form: LEGACY_EPOCH when empty, undefined when
 * it is not an epoch (another length, or all zero bytes).
 */
export function epochFromWire(bytes: Uint8Array | null | undefined): string | undefined {
  if (!bytes || bytes.byteLength === 0) return LEGACY_EPOCH;
  if (bytes.byteLength !== EPOCH_BYTES) return undefined;
  const hex = tokenHex(bytes);
  return isEpoch(hex) ? hex : undefined;
}

/**
 * A tap's fields as the wire carries them, enums as their codes: what the gateway's TapBatch
 * decoder (protos/tap-codec.ts) reads each tap into, and what a generated Tap is read as here
 * (decodedTap), so that the two become TapInputs in one place (tapInputOf).
 */
export interface DecodedTap {
  /** uint64 as a number: not a safe integer past 2^53. */
  seq: number;
  deviceTimeMs: number;
  credential: number;
  /** card_token's length in bytes. */
  cardTokenBytes: number;
  /** card_token as lowercase hex ('' from tap-codec.ts when not TOKEN_BYTES long: refused then). */
  cardToken: string;
  issuingRegion: string;
  /** Location's ids ('' when absent, as a message or as a field). */
  routeId: string;
  stopId: string;
  stationId: string;
  venueId: string;
  direction: number;
  decision: number;
  reason: number;
  concession: number;
  offline: boolean;
  entitlementId: string;
  /** entitlement_to_day (0215): 0 when not sent. */
  entitlementToDay: number;
}

/** A generated Tap's fields (protobufjs leaves proto3 defaults on the prototype: read here as values). */
export function decodedTap(t: Tap): DecodedTap {
  const loc = t.location;
  return {
    seq: Number(t.seq),
    deviceTimeMs: Number(t.deviceTimeMs),
    credential: t.credential,
    cardTokenBytes: t.cardToken.length,
    cardToken: tokenHex(t.cardToken),
    issuingRegion: t.issuingRegion,
    routeId: loc?.routeId ?? '',
    stopId: loc?.stopId ?? '',
    stationId: loc?.stationId ?? '',
    venueId: loc?.venueId ?? '',
    direction: t.direction,
    decision: t.decision,
    reason: t.reason,
    concession: t.concession,
    offline: t.offline,
    entitlementId: t.entitlementId,
    entitlementToDay: t.entitlementToDay,
  };
}

/**
 * A received tap as the gateway's TapInput, from a tap that passed validation (known
 * credential, direction and decision). Unknown codes fall back to the first value. `epoch` is
 * the batch's (core/epoch.ts); the legacy one leaves TapInput.epoch unset.
 */
export function tapInputOf(
  t: DecodedTap,
  seq: number,
  operatorId: string,
  deviceId: string,
  epoch: string = LEGACY_EPOCH,
): TapInput {
  const input: TapInput = {
    operatorId,
    deviceId,
    seq,
    deviceTimeMs: t.deviceTimeMs,
    credential: credentials.name[t.credential] ?? 'card',
    cardToken: t.cardToken,
    issuingRegion: t.issuingRegion,
    routeId: t.routeId,
    stopId: t.stopId,
    stationId: t.stationId,
    venueId: t.venueId,
    direction: directions.name[t.direction] ?? 'board',
    edgeDecision: decisions.name[t.decision] ?? 'allow',
    edgeReason: reasonName(t.reason),
    offline: t.offline,
  };
  // Set only when present (not as undefined): records and stores see the key only when it means something.
  if (epoch !== LEGACY_EPOCH) input.epoch = epoch;
  if (t.entitlementId) input.entitlementId = t.entitlementId;
  // 0 is "not sent" (firmware before 0215, a tap journaled before it): absent, as with no id.
  if (t.entitlementToDay) input.entitlementToDay = t.entitlementToDay;
  return input;
}

/** tapInputOf for a generated Tap (the edge reading its journal back, tests). */
export function tapInputFromWire(
  t: Tap,
  seq: number,
  operatorId: string,
  deviceId: string,
  epoch: string = LEGACY_EPOCH,
): TapInput {
  return tapInputOf(decodedTap(t), seq, operatorId, deviceId, epoch);
}

/**
 * A journaled tap read back: the gateway's decoding above, renamed to the device's own record
 * (its decision and reason, plus the concession it showed). Off the decide path: the uplink
 * reads the journal once per batch, so the second object costs nothing where it matters.
 */
export function journalEntryFromWire(t: Tap): JournalEntry {
  const i = tapInputFromWire(t, Number(t.seq), '', '');
  const entry: JournalEntry = {
    seq: i.seq,
    deviceTimeMs: i.deviceTimeMs,
    credential: i.credential,
    cardToken: i.cardToken,
    issuingRegion: i.issuingRegion,
    routeId: i.routeId,
    stopId: i.stopId,
    stationId: i.stationId,
    venueId: i.venueId,
    direction: i.direction,
    decision: i.edgeDecision,
    reason: i.edgeReason,
    concession: concessions.name[t.concession] ?? 'none',
    offline: i.offline,
  };
  if (i.entitlementId !== undefined) entry.entitlementId = i.entitlementId;
  if (i.entitlementToDay !== undefined) entry.entitlementToDay = i.entitlementToDay;
  return entry;
}

/**
 * The journal stores each tap as its encoded wire Tap, so what is sent is byte for byte what
 * was journaled, and a journal row is as compact as the message.
 */
export function encodeTap(e: JournalEntry): Uint8Array {
  return v1.Tap.encode(toWireTap(e)).finish();
}

export function decodeTap(bytes: Uint8Array): JournalEntry {
  return journalEntryFromWire(v1.Tap.decode(bytes));
}

// ---------------------------------------------------------------------------------------------
// Signed batches and acks (docs/decisions/0173, 0174; docs/topics.md "Signed batches"). The
// signature is the message's last field, appended after the rest is encoded, and it covers a
// domain string and exactly the bytes before it: the receiver verifies the bytes it received,
// never a re-encoding, so a firmware in any language signs what its own encoder wrote.

/** Ed25519 and SM2 r‖s signatures are both 64 bytes. */
export const SIGNATURE_BYTES = 64;
/** Prefixes of the signed bytes: an ack can never pass for a batch or a list, nor one for another. */
export const BATCH_SIGNATURE_DOMAIN = Buffer.from('onecard.batch.v1\0', 'latin1');
export const ACK_SIGNATURE_DOMAIN = Buffer.from('onecard.ack.v1\0', 'latin1');
/** Tag bytes of TapBatch.signature (field 14) and BatchAck.signature (15), length-delimited. */
const BATCH_SIGNATURE_TAG = (14 << 3) | 2;
const ACK_SIGNATURE_TAG = (15 << 3) | 2;

/** Signs the bytes it is given (the domain prefix included). */
export type SignFn = (bytes: Uint8Array) => Uint8Array;
export type WireBatch = Parameters<typeof v1.TapBatch.encode>[0];
export type WireAck = Parameters<typeof v1.BatchAck.encode>[0];

function appendSignature(unsigned: Uint8Array, tag: number, domain: Buffer, sign: SignFn): Buffer {
  const signature = sign(Buffer.concat([domain, unsigned]));
  if (signature.length !== SIGNATURE_BYTES) throw new Error(`a signature is ${SIGNATURE_BYTES} bytes`);
  return Buffer.concat([unsigned, Buffer.from([tag, SIGNATURE_BYTES]), signature]);
}

export type Signed =
  | { ok: true; signedBytes: Buffer; signature: Buffer }
  | { ok: false; missing: boolean; why: string };

/**
 * The bytes a trailing signature covers, from a payload whose decoded signature field is
 * `decoded`: the last 66 bytes must be that field (tag, length 64, the same signature).
 */
/** The signed bytes: the domain, then the body. A caller that checks them at once may reuse a buffer. */
export type JoinSigned = (domain: Buffer, body: Buffer) => Buffer;

const concatSigned: JoinSigned = (domain, body) => Buffer.concat([domain, body]);

function splitSignature(
  payload: Uint8Array,
  decoded: Uint8Array,
  tag: number,
  domain: Buffer,
  join: JoinSigned = concatSigned,
): Signed {
  if (decoded.length === 0) return { ok: false, missing: true, why: 'no signature' };
  const end = payload.length - SIGNATURE_BYTES;
  const p = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (
    decoded.length !== SIGNATURE_BYTES ||
    end < 2 ||
    p[end - 2] !== tag ||
    p[end - 1] !== SIGNATURE_BYTES ||
    !p.subarray(end).equals(decoded)
  )
    return { ok: false, missing: false, why: 'the signature is not the last field, or not 64 bytes' };
  return {
    ok: true,
    signedBytes: join(domain, p.subarray(0, end - 2)),
    signature: p.subarray(end),
  };
}

/** A TapBatch signed by the device (field `signature` in `batch` is ignored). */
export function encodeSignedBatch(batch: WireBatch, sign: SignFn): Buffer {
  const unsigned = v1.TapBatch.encode({ ...batch, signature: undefined }).finish();
  return appendSignature(unsigned, BATCH_SIGNATURE_TAG, BATCH_SIGNATURE_DOMAIN, sign);
}

/** What a received batch's signature must verify over; `decoded` is its decoded `signature`. */
export function batchSignature(payload: Uint8Array, decoded: Uint8Array, join?: JoinSigned): Signed {
  return splitSignature(payload, decoded, BATCH_SIGNATURE_TAG, BATCH_SIGNATURE_DOMAIN, join);
}

/** A BatchAck signed with the list-signing key keyId names. */
export function encodeSignedAck(ack: WireAck, keyId: string, sign: SignFn): Buffer {
  const unsigned = v1.BatchAck.encode({ ...ack, keyId, signature: undefined }).finish();
  return appendSignature(unsigned, ACK_SIGNATURE_TAG, ACK_SIGNATURE_DOMAIN, sign);
}

/** What a received ack's signature must verify over. */
export function ackSignature(payload: Uint8Array, decoded: Uint8Array): Signed {
  return splitSignature(payload, decoded, ACK_SIGNATURE_TAG, ACK_SIGNATURE_DOMAIN);
}
