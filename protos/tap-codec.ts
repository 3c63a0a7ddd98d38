// The gateway's TapBatch decoder (protos/onecard/v1/tap.proto, docs/decisions/0216), written by
// hand: the generated decode makes a Tap and a Location object, a LongBits per 64-bit field and
// a Buffer view per bytes field for every tap, and the ingest then copies it all into a
// TapInput. Here the wire is read into one reused DecodedTap, each string is decoded once (the
// last occurrence: a scalar's last value wins), a location id or region equal to the previous
// tap's is that same string again, the card token goes from the payload straight to its hex,
// and the ingest builds one object per tap (tapInputOf, codec.ts, as for a generated Tap).
//
// What it accepts and refuses is what protobufjs (protos/gen, the edge and the tests still use
// it) accepts and refuses, and the values it reads are the ones protobufjs reads:
// test/protos/tap-codec.test.ts compares the two on generated and corrupted batches. So, as
// protobufjs 8 does: an unknown field is skipped by its wire type (proto3 forward
// compatibility), and so is a known field sent with another wire type; a split Location merges
// field by field; int64/uint64 become numbers the way LongBits.toNumber makes them (past 2^53
// they are not safe integers, and validation refuses them); an enum number this build does not
// know is kept; a truncated field, a length past the message's end, a varint over 10 bytes, a
// field number 0, wire type 4 outside a group, 6 or 7, an unclosed or mismatched group, groups
// nested past 100 levels and a string that is not UTF-8 refuse the batch, with a reason.
//
// A field added to Tap is one case in readTap, and one member of DecodedTap and one line in
// decodedTap and tapInputOf (codec.ts); the field-list test in test/protos/tap-codec.test.ts
// fails until it is.
import { isUtf8 } from 'node:buffer';
import { TOKEN_BYTES } from '../core/pii.js';
import type { DecodedTap } from './codec.js';

/** A DecodedTap to read taps into (one per batch). */
export function emptyTap(): DecodedTap {
  return {
    seq: 0,
    deviceTimeMs: 0,
    credential: 0,
    cardTokenBytes: 0,
    cardToken: '',
    issuingRegion: '',
    routeId: '',
    stopId: '',
    stationId: '',
    venueId: '',
    direction: 0,
    decision: 0,
    reason: 0,
    concession: 0,
    offline: false,
    entitlementId: '',
    entitlementToDay: 0,
  };
}

/** Wire types (protobuf encoding spec). */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const SGROUP = 3;
const EGROUP = 4;
const I32 = 5;
/** protobufjs's Reader.recursionLimit (protoc's default): deeper groups are refused. */
const MAX_DEPTH = 100;
const TWO_32 = 4294967296;
const EMPTY = Buffer.alloc(0);

/**
 * Hex of bytes [from, to): Buffer's own hexSlice, which toString('hex', …) calls after checking
 * its arguments and which costs ~35 % less a token; toString where a Node lacks it.
 */
type HexSlicing = { hexSlice?: (from: number, to: number) => string };
const hexOf: (b: Buffer, from: number, to: number) => string =
  typeof (Buffer.prototype as HexSlicing).hexSlice === 'function'
    ? (b, from, to) => (b as HexSlicing).hexSlice!(from, to)
    : (b, from, to) => b.toString('hex', from, to);

/** Thrown inside the reader only; the reader's methods return false and keep its message. */
class Malformed extends Error {}

// The reader's state while one of TapBatchReader's methods runs (validation is synchronous: one
// batch at a time). Module variables, as in ack-codec.ts: the hot loop reads no `this`.
let buf: Buffer = EMPTY;
let pos = 0;
/** The last varint64's halves (no LongBits object per field). */
let lo = 0;
let hi = 0;

function fail(why: string): never {
  throw new Malformed(`${why} (byte ${pos})`);
}

function truncated(): never {
  fail('truncated');
}

/**
 * A varint of at most 5 bytes whose 5th is at most `lastMax`, as protobufjs reads field keys
 * (Reader.tag: 32 bits, lastMax 15) and length prefixes (Reader.size: below 2^31, lastMax 7).
 */
function varint32(end: number, lastMax: number, why: string): number {
  if (pos >= end) truncated();
  let b = buf[pos++]!;
  if (b < 128) return b;
  let v = b & 127;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= end) truncated();
    b = buf[pos++]!;
    v |= (b & 127) << shift;
    if (b < 128) return v >>> 0;
  }
  if (pos >= end) truncated();
  b = buf[pos++]!;
  if (b > lastMax) fail(why);
  return (v | (b << 28)) >>> 0;
}

/** A field key: protobufjs Reader.tag. */
function tag(end: number): number {
  return varint32(end, 15, 'field key longer than 32 bits');
}

/** A length prefix: protobufjs Reader.size. */
function size(end: number): number {
  return varint32(end, 7, 'length prefix of 2^31 or more');
}

/** The end of a length-delimited field that starts here, refused when past its message's end. */
function span(end: number): number {
  const n = size(end);
  const to = pos + n;
  if (to > end) fail(`length ${n} runs past the end of its message`);
  return to;
}

/** A varint of up to 10 bytes into lo/hi: its low 64 bits, as protobufjs's readLongVarint. */
function varint64(end: number): void {
  lo = 0;
  hi = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) truncated();
    b = buf[pos++]!;
    lo = (lo | ((b & 127) << shift)) >>> 0;
    if (b < 128) return;
  }
  if (pos >= end) truncated();
  b = buf[pos++]!;
  lo = (lo | ((b & 127) << 28)) >>> 0;
  hi = (b & 127) >> 4;
  if (b < 128) return;
  for (let shift = 3; shift < 38; shift += 7) {
    if (pos >= end) truncated();
    b = buf[pos++]!;
    hi = (hi | ((b & 127) << shift)) >>> 0;
    if (b < 128) return;
  }
  fail('varint longer than 10 bytes');
}

/** uint64 as LongBits.toNumber(true) makes it. */
function uint64(end: number): number {
  varint64(end);
  return lo + hi * TWO_32;
}

/** int64 as LongBits.toNumber(false) makes it. */
function int64(end: number): number {
  varint64(end);
  if (hi >>> 31 === 0) return lo + hi * TWO_32;
  const l = (~lo + 1) >>> 0;
  let h = ~hi >>> 0;
  if (l === 0) h = (h + 1) >>> 0;
  return -(l + h * TWO_32);
}

/** int32 (an enum): the varint's low 32 bits, signed. */
function int32(end: number): number {
  if (pos < end && buf[pos]! < 128) return buf[pos++]!;
  varint64(end);
  return lo | 0;
}

/** protobufjs Reader.uint32: the varint's low 32 bits, unsigned (a longer varint is cut). */
function uint32(end: number): number {
  if (pos < end && buf[pos]! < 128) return buf[pos++]!;
  varint64(end);
  return lo >>> 0;
}

/** protobufjs Reader.bool: true when any of its (up to 10) bytes has a bit set below the 8th. */
function bool(end: number): boolean {
  let value = false;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) truncated();
    const b = buf[pos++]!;
    if (b & 127) value = true;
    if (b < 128) return value;
  }
  fail('varint longer than 10 bytes');
}

/**
 * A string field's end, its bytes checked as UTF-8 (protobufjs's stringVerify refuses what is
 * not, at every occurrence, the overwritten ones too). The string itself is made once, later.
 */
function checkedString(end: number, field: string): number {
  const to = span(end);
  for (let i = pos; i < to; i++)
    if (buf[i]! > 127) {
      if (!isUtf8(buf.subarray(pos, to))) fail(`${field} is not UTF-8`);
      break;
    }
  return to;
}

/** protobufjs Reader.skipType: an unknown field (or a known one with another wire type) passed over. */
function skip(wireType: number, field: number, depth: number, end: number): void {
  if (depth > MAX_DEPTH) fail(`groups nested deeper than ${MAX_DEPTH}`);
  if (field === 0) fail('field number 0');
  switch (wireType) {
    case VARINT:
      // Any length, as protobufjs skips it: only the end of the message bounds it.
      do if (pos >= end) truncated();
      while (buf[pos++]! & 128);
      return;
    case I64:
      if (pos + 8 > end) truncated();
      pos += 8;
      return;
    case LEN:
      pos = span(end);
      return;
    case SGROUP:
      for (;;) {
        const k = tag(end);
        const inner = k >>> 3;
        if (inner === 0) fail('field number 0');
        if ((k & 7) === EGROUP) {
          if (inner !== field) fail(`group ${field} closed as ${inner}`);
          return;
        }
        skip(k & 7, inner, depth + 1, end);
      }
    case I32:
      if (pos + 4 > end) truncated();
      pos += 4;
      return;
    default:
      fail(`wire type ${wireType}`);
  }
}

// Where the current tap's string fields lie (the last occurrence of each), and the previous
// tap's strings: a device sends the same region and location tap after tap.
const STRINGS = 6;
const REGION = 0;
const ROUTE = 1;
const STOP = 2;
const STATION = 3;
const VENUE = 4;
const ENTITLEMENT = 5;
const from = new Int32Array(STRINGS);
const to = new Int32Array(STRINGS);
const lastFrom = new Int32Array(STRINGS);
const lastTo = new Int32Array(STRINGS);
const last: string[] = ['', '', '', '', '', ''];
let tokenFrom = 0;
let tokenTo = 0;

/** String `slot` of the tap just read: the previous tap's string when its bytes are the same. */
function text(slot: number): string {
  const f = from[slot]!;
  const n = to[slot]! - f;
  if (n === 0) return '';
  const lf = lastFrom[slot]!;
  if (lastTo[slot]! - lf === n) {
    let i = 0;
    while (i < n && buf[f + i] === buf[lf + i]) i++;
    if (i === n) return last[slot]!;
  }
  const s = buf.toString('utf8', f, f + n);
  lastFrom[slot] = f;
  lastTo[slot] = f + n;
  last[slot] = s;
  return s;
}

/** Location (Tap.location, field 6): its ids' last occurrences; a second Location merges into the first. */
function readLocation(end: number): void {
  while (pos < end) {
    const k = tag(end);
    const wireType = k & 7;
    const field = k >>> 3;
    if (field >= 1 && field <= 4 && wireType === LEN) {
      // route_id 1, stop_id 2, station_id 3, venue_id 4: slots ROUTE..VENUE.
      const e = checkedString(end, 'a location id');
      from[field] = pos;
      to[field] = e;
      pos = e;
      continue;
    }
    skip(wireType, field, 2, end);
  }
}

/** One Tap message, bytes [pos, end), into `t`. */
function readTap(end: number, t: DecodedTap): void {
  t.seq = 0;
  t.deviceTimeMs = 0;
  t.credential = 0;
  t.direction = 0;
  t.decision = 0;
  t.reason = 0;
  t.concession = 0;
  t.offline = false;
  t.entitlementToDay = 0;
  tokenFrom = tokenTo = 0;
  for (let i = 0; i < STRINGS; i++) from[i] = to[i] = 0;
  while (pos < end) {
    // Every key of Tap but entitlement_id's and entitlement_to_day's is one byte.
    const k = buf[pos]! < 128 ? buf[pos++]! : tag(end);
    const wireType = k & 7;
    switch (k >>> 3) {
      case 1:
        if (wireType !== VARINT) break;
        t.seq = uint64(end);
        continue;
      case 2:
        if (wireType !== VARINT) break;
        t.deviceTimeMs = int64(end);
        continue;
      case 3:
        if (wireType !== VARINT) break;
        t.credential = int32(end);
        continue;
      case 4: {
        if (wireType !== LEN) break;
        const e = span(end);
        tokenFrom = pos;
        tokenTo = pos = e;
        continue;
      }
      case 5:
        if (wireType !== LEN) break;
        stringField(REGION, end, 'issuing_region');
        continue;
      case 6: {
        if (wireType !== LEN) break;
        const e = span(end);
        readLocation(e);
        continue;
      }
      case 7:
        if (wireType !== VARINT) break;
        t.direction = int32(end);
        continue;
      case 8:
        if (wireType !== VARINT) break;
        t.decision = int32(end);
        continue;
      case 9:
        if (wireType !== VARINT) break;
        t.reason = int32(end);
        continue;
      case 10:
        if (wireType !== VARINT) break;
        t.concession = int32(end);
        continue;
      case 11:
        if (wireType !== VARINT) break;
        t.offline = bool(end);
        continue;
      case 80:
        if (wireType !== LEN) break;
        stringField(ENTITLEMENT, end, 'entitlement_id');
        continue;
      case 81:
        if (wireType !== VARINT) break;
        t.entitlementToDay = uint32(end);
        continue;
    }
    skip(wireType, k >>> 3, 1, end);
  }
  const n = tokenTo - tokenFrom;
  t.cardTokenBytes = n;
  t.cardToken = n === TOKEN_BYTES ? hexOf(buf, tokenFrom, tokenTo) : '';
  t.issuingRegion = text(REGION);
  t.routeId = text(ROUTE);
  t.stopId = text(STOP);
  t.stationId = text(STATION);
  t.venueId = text(VENUE);
  t.entitlementId = text(ENTITLEMENT);
}

function stringField(slot: number, end: number, name: string): void {
  const e = checkedString(end, name);
  from[slot] = pos;
  to[slot] = e;
  pos = e;
}

/**
 * A TapBatch read from its payload: the constructor reads the batch's own fields and counts its
 * taps (their bounds checked, not their contents); nextTap then reads them one by one. `error`
 * says why the payload is not a TapBatch, once either found it malformed.
 */
export class TapBatchReader {
  deviceId = '';
  operatorId = '';
  /** How many taps the batch holds (field 3 occurrences). */
  taps = 0;
  sentAtMs = 0;
  /** Views into the payload (empty when absent), as the generated decode gives them. */
  journalEpoch: Uint8Array = EMPTY;
  signature: Uint8Array = EMPTY;
  error: string | undefined;
  private readonly buf: Buffer;
  private at = 0;

  constructor(payload: Uint8Array) {
    this.buf =
      payload instanceof Buffer
        ? payload
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    buf = this.buf;
    pos = 0;
    lastFrom.fill(0);
    lastTo.fill(0);
    try {
      this.readHead();
    } catch (err) {
      this.malformed(err);
    }
  }

  /** The next tap into `t`; false after the last one, or when a tap is malformed (`error`). */
  nextTap(t: DecodedTap): boolean {
    if (this.error !== undefined) return false;
    if (buf !== this.buf) {
      // Another reader ran in between: the previous tap's strings are not in this payload.
      buf = this.buf;
      lastFrom.fill(0);
      lastTo.fill(0);
    }
    pos = this.at;
    const end = buf.length;
    try {
      while (pos < end) {
        const k = tag(end);
        if (k === ((3 << 3) | LEN)) {
          const e = span(end);
          readTap(e, t);
          this.at = pos;
          return true;
        }
        // Every other field was read (and checked) by readHead: passed over by wire type.
        skip(k & 7, k >>> 3, 0, end);
      }
      this.at = pos;
      return false;
    } catch (err) {
      this.malformed(err);
      return false;
    }
  }

  private readHead(): void {
    const end = buf.length;
    let device = 0;
    let deviceTo = 0;
    let operator = 0;
    let operatorTo = 0;
    while (pos < end) {
      const k = tag(end);
      const wireType = k & 7;
      switch (k >>> 3) {
        case 1:
          if (wireType !== LEN) break;
          deviceTo = checkedString(end, 'device_id');
          device = pos;
          pos = deviceTo;
          continue;
        case 2:
          if (wireType !== LEN) break;
          operatorTo = checkedString(end, 'operator_id');
          operator = pos;
          pos = operatorTo;
          continue;
        case 3:
          if (wireType !== LEN) break;
          pos = span(end);
          this.taps++;
          continue;
        case 4:
          if (wireType !== VARINT) break;
          this.sentAtMs = int64(end);
          continue;
        case 5: {
          if (wireType !== LEN) break;
          const e = span(end);
          this.journalEpoch = buf.subarray(pos, e);
          pos = e;
          continue;
        }
        case 14: {
          if (wireType !== LEN) break;
          const e = span(end);
          this.signature = buf.subarray(pos, e);
          pos = e;
          continue;
        }
      }
      skip(wireType, k >>> 3, 0, end);
    }
    this.deviceId = buf.toString('utf8', device, deviceTo);
    this.operatorId = buf.toString('utf8', operator, operatorTo);
  }

  private malformed(err: unknown): void {
    if (!(err instanceof Malformed)) throw err;
    this.error = err.message;
  }
}
