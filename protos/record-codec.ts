// The records' wire codec: a committed LedgerRecord (core/ledger.ts) as the outbox and the
// records topic carry it, onecard.v1.LedgerRecord in a RecordBatch (protos/onecard/v1/record.proto,
// docs/decisions/0209). The device wire (taps, acks, lists) is protos/codec.ts.
//
// The store writes one frame per applied record and the outbox entry is the concatenation of
// its frames: a RecordBatch's encoding (a repeated field is its elements one after another), so
// neither the store nor the relay decodes or re-encodes anything. Only a consumer decodes.
import $protobuf from 'protobufjs/minimal.js';
import type { LedgerRecord } from '../core/ledger.js';
import type { FareLine } from '../core/tariff/lines.js';
import type { onecard } from './gen/onecard.js';
import { v1 } from './wire.js';

/** The records topic's schema header for a RecordBatch value (the `schema` Kafka header). */
export const RECORD_BATCH_SCHEMA = 'onecard.v1.RecordBatch+protobuf';

/** RecordBatch.records: field 1, length-delimited (wire type 2). */
const RECORDS_TAG = (1 << 3) | 2;

/**
 * One record as a RecordBatch element: its field tag, its length, its bytes. Written by hand
 * into one scratch buffer (the generated encoder measured ~2.4 µs a ride, more than the JSON it
 * replaces; this ~0.7 µs), and byte for byte what the generated encoder writes (a test holds the
 * two together). A value it does not write the short way (a negative time, a number past 2^52)
 * goes through the generated encoder. A number that is not whole is refused: the wire has no
 * fractions, and a fen lost in transit would break the money invariant without a trace.
 */
export function recordFrame(record: LedgerRecord): Buffer {
  const frames = new RecordFrames(SCRATCH_FRAME);
  frames.append(record);
  return frames.finish();
}

/** A small record's frame: the initial room a single-record writer takes. */
const SCRATCH_FRAME = 512;

/**
 * A RecordBatch written record by record straight into one growing buffer (docs/decisions/0219):
 * no Buffer per record and no Buffer.concat of them. `append` writes a record's frame and says
 * its length (the commit script cuts the outbox entries by it); `finish` gives the batch, the
 * same bytes as the frames of `recordFrame` one after another. The buffer is the writer's own, so
 * several writers (one per commit call) can be filled in turn.
 */
export class RecordFrames {
  private buf: Buffer;
  private end = 0;

  /** bytes: the room to start with; it doubles when a record needs more. */
  constructor(bytes = 4096) {
    this.buf = Buffer.allocUnsafe(Math.max(64, bytes));
  }

  /** Appends the record's frame (tag, length, body); its length in bytes. */
  append(record: LedgerRecord): number {
    // recordBound sends every number that is not a safe integer the generated encoder's way, so
    // only there must each be checked whole (0235: not twice for every record).
    const bound = recordBound(record);
    if (bound < 0) {
      wholeNumbers(record);
      return this.appendBytes(generatedFrame(record));
    }
    // The body goes after the tag and a guessed 2-byte length (a ride is 128 to 16,383 bytes);
    // another length size moves the body once it is written (room for a 5-byte one).
    const start = this.end;
    this.room(start + 6 + bound);
    buf = this.buf;
    pos = start + 3;
    writeBody(record);
    const body = pos - (start + 3);
    const size = varintSize(body);
    if (size !== 2) buf.copyWithin(start + 1 + size, start + 3, pos);
    buf[start] = RECORDS_TAG;
    pos = start + 1;
    varint(body);
    // The module's cursor lets go of the writer's buffer (it may be large and handed on).
    buf = NONE;
    this.end = pos + body;
    return this.end - start;
  }

  /** The batch: a view of the writer's buffer (nothing copied), valid until the writer is reset. */
  finish(): Buffer {
    return this.buf.subarray(0, this.end);
  }

  /** Empty again, its buffer kept: a writer used over and over allocates once (0235). */
  reset(): this {
    this.end = 0;
    return this;
  }

  /** Bytes its buffer holds, written or not. */
  get capacity(): number {
    return this.buf.length;
  }

  private appendBytes(frame: Buffer): number {
    this.room(this.end + frame.length);
    frame.copy(this.buf, this.end);
    this.end += frame.length;
    return frame.length;
  }

  private room(need: number): void {
    if (need <= this.buf.length) return;
    let n = this.buf.length * 2;
    while (n < need) n *= 2;
    const bigger = Buffer.allocUnsafe(n);
    this.buf.copy(bigger, 0, 0, this.end);
    this.buf = bigger;
  }
}

function wholeNumbers(r: LedgerRecord): void {
  // Field by field, not a loop over an array of them: the array was ~100 bytes a record of
  // garbage (0219).
  whole(r, r.seq);
  whole(r, r.at);
  whole(r, r.committedAt);
  whole(r, r.baseFen);
  whole(r, r.chargedFen);
  whole(r, r.subsidyFen);
  whole(r, r.amountFen);
  whole(r, r.balanceAfterFen);
  for (const l of r.lines)
    if (!Number.isSafeInteger(l.fen)) throw new RangeError(`record ${r.id}: fare line ${l.fen} is not whole`);
}

function whole(r: LedgerRecord, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`record ${r.id}: ${v} is not a whole number`);
}

function generatedFrame(record: LedgerRecord): Buffer {
  const w = $protobuf.Writer.create();
  // The generated encoder reads the LedgerRecord's own fields (the .proto uses its names).
  v1.LedgerRecord.encode(record as onecard.v1.ILedgerRecord, w.uint32(RECORDS_TAG).fork()).ldelim();
  return w.finish() as Buffer;
}

/** A record larger than this (free text in fare notes) goes through the generated encoder. */
const SCRATCH = 16 * 1024;
/** The buffer being written (a writer's) and the next byte's place in it. */
const NONE = Buffer.alloc(0);
let buf: Buffer = NONE;
let pos = 0;

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * An unsigned integer up to 2^53 as a varint. Shifts cut to 32 bits, so a larger one (a time in
 * ms) gives its low 28 bits as four bytes first, cut off by one division; the rest is below 2^25.
 * Not % and division by 128 all the way: on a double, % is a call to fmod, and with times among
 * its callers every varint was written in floating point (~30 ns a time, 0241).
 */
function varint(v: number): void {
  if (v >= 0x10000000) {
    const high = Math.floor(v / 0x10000000);
    const low = v - high * 0x10000000;
    buf[pos++] = (low & 127) | 128;
    buf[pos++] = ((low >>> 7) & 127) | 128;
    buf[pos++] = ((low >>> 14) & 127) | 128;
    buf[pos++] = ((low >>> 21) & 127) | 128;
    v = high;
  }
  let x = v | 0;
  while (x > 127) {
    buf[pos++] = (x & 127) | 128;
    x >>>= 7;
  }
  buf[pos++] = x;
}

/** A field's key: one byte for fields 1-15, two for 16-2047. */
function key(field: number, wireType: number): void {
  varint((field << 3) | wireType);
}

function str(field: number, s: string): void {
  if (s === '') return;
  key(field, 2);
  bytes(s);
}

/** A string's length and UTF-8 bytes (room for 3 bytes a UTF-16 unit and its length is there). */
function bytes(s: string): void {
  const len = s.length;
  // Ids, names and tokens are short ASCII: copied in a loop here (a native write per string
  // costs more than the whole record's loop); anything else goes through Buffer.write.
  if (len < 128) {
    let i = 0;
    const start = pos + 1;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) break;
      buf[start + i] = c;
    }
    if (i === len) {
      buf[pos] = len;
      pos = start + len;
      return;
    }
  }
  const start = pos + 1;
  const n = buf.write(s, start, buf.length - start, 'utf8');
  if (n > 127) {
    buf.copyWithin(pos + varintSize(n), start, start + n);
    varint(n);
    pos += n;
  } else {
    buf[pos] = n;
    pos = start + n;
  }
}

function uint(field: number, v: number): void {
  if (v === 0) return;
  key(field, 0);
  varint(v);
}

function sint(field: number, v: number): void {
  if (v === 0) return;
  key(field, 0);
  varint(v < 0 ? -v * 2 - 1 : v * 2);
}

/** Integers the short way can write: whole, 0 ≤ v ≤ 2^53 (uint64/int64 fields). */
function plain(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** Signed integers the short way can write: whole, |v| < 2^52 (zigzag doubles them). */
function signed(v: number): boolean {
  return Number.isSafeInteger(v) && Math.abs(v) < 2 ** 52;
}

/**
 * The most bytes the record's body can take when written the short way, or -1 when it must go
 * through the generated encoder (a number the short way does not write, a record past SCRATCH).
 */
function recordBound(r: LedgerRecord): number {
  if (!plain(r.seq) || !plain(r.at) || !plain(r.committedAt)) return -1;
  if (!signed(r.baseFen) || !signed(r.chargedFen) || !signed(r.subsidyFen)) return -1;
  if (!signed(r.amountFen) || !signed(r.balanceAfterFen)) return -1;
  // Worst case 3 bytes per UTF-16 unit, plus keys and lengths.
  let units = r.id.length + r.cardToken.length + r.cardMasked.length + r.operatorId.length;
  units += r.deviceId.length + r.routeId.length + r.stopId.length + r.stationId.length;
  units += r.venueId.length + r.concession.length + (r.entitlementId?.length ?? 0) + 64;
  for (const l of r.lines) {
    if (!signed(l.fen)) return -1;
    units += l.kind.length + l.note.length + 24;
  }
  const bound = units * 3 + 400;
  return bound > SCRATCH ? -1 : bound;
}

/** The record's body at pos, in field order (recordBound said it fits and may go this way). */
function writeBody(r: LedgerRecord): void {
  str(1, r.id);
  str(2, r.kind);
  str(3, r.cardToken);
  str(4, r.cardMasked);
  str(5, r.operatorId);
  str(6, r.deviceId);
  uint(7, r.seq);
  str(8, r.routeId);
  str(9, r.stopId);
  str(10, r.stationId);
  str(11, r.venueId);
  str(12, r.direction);
  str(13, r.credential);
  uint(14, r.at);
  uint(15, r.committedAt);
  str(16, r.edgeDecision);
  str(17, r.edgeReason);
  if (r.offline) {
    key(18, 0);
    buf[pos++] = 1;
  }
  str(19, r.concession);
  sint(20, r.baseFen);
  sint(21, r.chargedFen);
  for (const l of r.lines) {
    key(22, 2);
    const lenAt = pos++;
    const start = pos;
    str(1, l.kind);
    sint(2, l.fen);
    str(3, l.note);
    const n = pos - start;
    if (n > 127) {
      const size = varintSize(n);
      buf.copyWithin(lenAt + size, start, pos);
      pos = lenAt;
      varint(n);
      pos += n;
    } else buf[lenAt] = n;
  }
  sint(23, r.subsidyFen);
  sint(24, r.amountFen);
  sint(25, r.balanceAfterFen);
  str(26, r.outcome);
  str(27, r.reason);
  if (r.entitlementId !== undefined) {
    // proto3 optional: written when set, even empty.
    key(28, 2);
    bytes(r.entitlementId);
  }
}

/** A RecordBatch of these records (what concatenating their frames gives). */
export function encodeRecordBatch(records: readonly LedgerRecord[]): Buffer {
  const frames = new RecordFrames(records.length * SCRATCH_FRAME);
  for (const r of records) frames.append(r);
  return frames.finish();
}

/** The records of a RecordBatch, each a complete LedgerRecord as the gateway committed it. */
export function decodeRecordBatch(bytes: Uint8Array): LedgerRecord[] {
  const batch = v1.RecordBatch.decode(bytes);
  const out: LedgerRecord[] = new Array(batch.records.length);
  for (let i = 0; i < out.length; i++) out[i] = toRecord(batch.records[i] as onecard.v1.LedgerRecord);
  return out;
}

/**
 * A decoded record as a plain LedgerRecord: every field its own (proto3 leaves defaults on the
 * prototype), in the order a ride's record is built (core/ride-record.ts), so its JSON reads alike.
 */
function toRecord(m: onecard.v1.LedgerRecord): LedgerRecord {
  const r: LedgerRecord = {
    id: m.id,
    kind: m.kind as LedgerRecord['kind'],
    cardToken: m.cardToken,
    cardMasked: m.cardMasked,
    operatorId: m.operatorId,
    deviceId: m.deviceId,
    seq: Number(m.seq),
    routeId: m.routeId,
    stopId: m.stopId,
    stationId: m.stationId,
    venueId: m.venueId,
    direction: m.direction as LedgerRecord['direction'],
    credential: m.credential as LedgerRecord['credential'],
    at: Number(m.at),
    committedAt: Number(m.committedAt),
    edgeDecision: m.edgeDecision as LedgerRecord['edgeDecision'],
    edgeReason: m.edgeReason as LedgerRecord['edgeReason'],
    offline: m.offline,
    concession: m.concession,
    baseFen: Number(m.baseFen),
    amountFen: Number(m.amountFen),
    lines: m.lines.map(toLine),
    subsidyFen: Number(m.subsidyFen),
    outcome: m.outcome as LedgerRecord['outcome'],
    chargedFen: Number(m.chargedFen),
    balanceAfterFen: Number(m.balanceAfterFen),
    reason: m.reason as LedgerRecord['reason'],
  };
  // Present only when it was set, as on the record committed (an empty id included).
  if (Object.hasOwn(m, 'entitlementId') && m.entitlementId != null) r.entitlementId = m.entitlementId;
  return r;
}

function toLine(l: onecard.v1.IFareLine): FareLine {
  return { kind: l.kind as FareLine['kind'], fen: Number(l.fen ?? 0), note: l.note ?? '' };
}
