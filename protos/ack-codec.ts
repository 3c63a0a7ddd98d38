// The BatchAck the gateway signs and sends for every tap batch (protos/onecard/v1/ack.proto,
// docs/decisions/0174), written by hand into one scratch buffer: the generated encoder makes a
// LongBits object for every 64-bit field of every tap's result and a writer call per field, and
// the signature then needed two copies (the domain in front, the signature behind). Byte for
// byte what encodeSignedAck (protos/codec.ts) writes, field order, omitted defaults and 10-byte
// negative varints included: test/protos/ack-codec.test.ts holds the two together. An id that
// is not ASCII goes through encodeSignedAck (docs/decisions/0211).
import { ACK_SIGNATURE_DOMAIN, encodeSignedAck, SIGNATURE_BYTES, type SignFn } from './codec.js';

/** A TapResult as the ack carries it: enum fields as their wire codes; absent fields are not written. */
export interface AckResult {
  seq: number;
  outcome: number;
  chargedFen?: number;
  balanceAfterFen?: number;
  reason: number;
  duplicate?: boolean;
}

export interface AckFields {
  deviceId: string;
  fromSeq: number;
  toSeq: number;
  results: AckResult[];
  gatewayTimeMs: number;
  /** TapBatch.journal_epoch as received: empty for a legacy batch. */
  journalEpoch: Uint8Array;
}

/** Tag bytes (field << 3 | wire type) of BatchAck and TapResult, as the generated encoder writes them. */
const ACK = {
  deviceId: 10,
  fromSeq: 16,
  toSeq: 24,
  result: 34,
  gatewayTime: 40,
  epoch: 50,
  keyId: 114,
  signature: 122,
};
const RESULT = { seq: 8, outcome: 16, charged: 24, balance: 32, reason: 40, duplicate: 48 };
/** A TapResult's largest encoding: six tags, five 10-byte varints and a bool (57 bytes): its length is one byte. */
const MAX_RESULT = 6 + 4 * 10 + 10 + 1;
const DOMAIN = ACK_SIGNATURE_DOMAIN.length;

let scratch = Buffer.allocUnsafe(16 * 1024);
let pos = 0;

/** encodeSignedAck for the gateway's own acks: the same bytes, one buffer written. */
export function writeSignedAck(ack: AckFields, keyId: string, sign: SignFn): Buffer {
  if (!isAscii(ack.deviceId) || !isAscii(keyId)) return encodeSignedAck(ack, keyId, sign);
  const bound =
    DOMAIN +
    64 +
    ack.deviceId.length +
    keyId.length +
    ack.journalEpoch.length +
    ack.results.length * (2 + MAX_RESULT);
  if (scratch.length < bound) scratch = Buffer.allocUnsafe(bound * 2);
  ACK_SIGNATURE_DOMAIN.copy(scratch, 0);
  pos = DOMAIN;
  if (ack.deviceId !== '') ascii(ACK.deviceId, ack.deviceId);
  if (ack.fromSeq !== 0) int64(ACK.fromSeq, ack.fromSeq);
  if (ack.toSeq !== 0) int64(ACK.toSeq, ack.toSeq);
  for (const r of ack.results) {
    scratch[pos++] = ACK.result;
    const len = pos++;
    if (r.seq != null && r.seq !== 0) int64(RESULT.seq, r.seq);
    if (r.outcome != null && r.outcome !== 0) int32(RESULT.outcome, r.outcome);
    if (r.chargedFen != null && r.chargedFen !== 0) int64(RESULT.charged, r.chargedFen);
    if (r.balanceAfterFen != null && r.balanceAfterFen !== 0) int64(RESULT.balance, r.balanceAfterFen);
    if (r.reason != null && r.reason !== 0) int32(RESULT.reason, r.reason);
    if (r.duplicate != null && r.duplicate !== false) {
      scratch[pos++] = RESULT.duplicate;
      scratch[pos++] = r.duplicate ? 1 : 0;
    }
    scratch[len] = pos - len - 1;
  }
  if (ack.gatewayTimeMs !== 0) int64(ACK.gatewayTime, ack.gatewayTimeMs);
  if (ack.journalEpoch.length > 0) {
    scratch[pos++] = ACK.epoch;
    varint32(ack.journalEpoch.length);
    scratch.set(ack.journalEpoch, pos);
    pos += ack.journalEpoch.length;
  }
  if (keyId !== '') ascii(ACK.keyId, keyId);
  // The signature covers the domain and every byte before its own field (codec.ts appendSignature).
  const signature = sign(scratch.subarray(0, pos));
  if (signature.length !== SIGNATURE_BYTES) throw new Error(`a signature is ${SIGNATURE_BYTES} bytes`);
  const out = Buffer.allocUnsafe(pos - DOMAIN + 2 + SIGNATURE_BYTES);
  scratch.copy(out, 0, DOMAIN, pos);
  out[pos - DOMAIN] = ACK.signature;
  out[pos - DOMAIN + 1] = SIGNATURE_BYTES;
  out.set(signature, pos - DOMAIN + 2);
  return out;
}

function isAscii(s: string): boolean {
  return Buffer.byteLength(s) === s.length;
}

function ascii(tag: number, s: string): void {
  scratch[pos++] = tag;
  varint32(s.length);
  pos += scratch.write(s, pos, 'latin1');
}

function varint32(v: number): void {
  while (v > 127) {
    scratch[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  scratch[pos++] = v;
}

/** protobufjs Writer.int32: a negative value as its 64-bit two's complement (10 bytes). */
function int32(tag: number, value: number): void {
  const v = value | 0;
  if (v < 0) int64(tag, v);
  else {
    scratch[pos++] = tag;
    varint32(v >>> 0);
  }
}

/** protobufjs Writer.int64/uint64 of a number: LongBits.fromNumber's halves, then writeVarint64. */
function int64(tag: number, value: number): void {
  scratch[pos++] = tag;
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  let lo = magnitude >>> 0;
  let hi = ((magnitude - lo) / 4294967296) >>> 0;
  if (negative) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 4294967295) {
      lo = 0;
      if (++hi > 4294967295) hi = 0;
    }
  }
  while (hi) {
    scratch[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    scratch[pos++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  scratch[pos++] = lo;
}
