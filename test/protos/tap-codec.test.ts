// The hand-written TapBatch decoder (protos/tap-codec.ts) against the generated one
// (v1.TapBatch.decode, protobufjs): for generated batches that use every freedom of the wire
// (fields absent, repeated, out of order, with another wire type; unknown fields of every wire
// type; split Locations; non-minimal, 10-byte and overflowing varints; non-ASCII and invalid
// UTF-8) and for the same batches truncated and corrupted, the two accept the same payloads and
// read the same values, and validateBatch gives what the generated decode and the conversion
// before 0216 (tapInputFromWire) give.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKEN_BYTES } from '../../core/pii.js';
import { parseDeviceTopic } from '../../core/topics.js';
import {
  type BatchRejection,
  type InvalidTap,
  type Limits,
  tapProblem,
  type Validation,
  validateBatch,
} from '../../gateway/src/ingest/validate.js';
import { type DecodedTap, encodeSignedBatch, epochFromWire, tapInputFromWire } from '../../protos/codec.js';
import type { onecard } from '../../protos/gen/onecard.js';
import { emptyTap, TapBatchReader } from '../../protos/tap-codec.js';
import { v1 } from '../../protos/wire.js';
import { type SeededRandom, seededRandom } from '../support/random.js';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);
const TOPIC = 'onecard/v1/busco/v-1/taps';
const limits: Limits = { maxBatchBytes: 1 << 20, maxTapsPerBatch: 40 };

// ---- A wire writer that can say everything protobuf lets a sender say ----------------------

type Bytes = number[];

function varint(value: bigint, pad = 0): Bytes {
  let v = BigInt.asUintN(64, value);
  const out: Bytes = [];
  while (v > 127n) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  // Non-minimal encodings: the last group repeated as 0x80 … 0x00, which decoders must accept.
  if (pad > 0 && out.length + 1 + pad <= 10) {
    out.push(Number(v) | 128);
    for (let i = 1; i < pad; i++) out.push(128);
    out.push(0);
  } else out.push(Number(v));
  return out;
}
const key = (field: number, wireType: number): Bytes => varint(BigInt(field * 8 + wireType));
const lenField = (field: number, body: Bytes): Bytes => [
  ...key(field, 2),
  ...varint(BigInt(body.length)),
  ...body,
];
const utf8 = (s: string): Bytes => [...Buffer.from(s, 'utf8')];

type Rand = SeededRandom;

/** How often a batch strays from the usual value of a field: some batches rarely, some often. */
let odd = 0.15;
const usual = (r: Rand) => !r.chance(odd);

const U64 = [
  0n,
  1n,
  2n,
  127n,
  128n,
  300n,
  2n ** 32n + 5n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 64n - 1n,
];
const I64 = [
  BigInt(NOW - 1000),
  BigInt(NOW),
  BigInt(Date.UTC(2019, 0, 1)),
  0n,
  -1n,
  -(2n ** 53n),
  -(2n ** 63n),
  2n ** 63n - 1n,
  2n ** 53n + 3n,
];
const ENUMS = [0n, 1n, 2n, 3n, 4n, 5n, 9n, 40n, 999n, -1n, 2n ** 31n - 1n, 2n ** 32n + 1n, 2n ** 40n];
/** Byte soup for strings: valid and invalid UTF-8 (overlong, surrogate, > U+10FFFF, cut short, BOM). */
const SOUP = [
  0x41, 0x7a, 0xc2, 0xa9, 0xe4, 0xb8, 0xad, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0xf4, 0x90, 0xc0, 0xef, 0xbb,
  0xbf, 0xff,
];

function text(r: Rand): Bytes {
  switch (r.int(12)) {
    case 0:
      return [];
    case 1:
      return utf8('公交-7');
    case 2:
      return utf8('r/1');
    case 3:
      return utf8(`\ufeffbom-${r.int(3)}`);
    case 4:
      return utf8('x'.repeat(60 + r.int(20)));
    case 5:
      return r.chance(odd) ? Array.from({ length: r.int(8) }, () => r.pick(SOUP)) : utf8('é');
    default:
      return utf8(r.pick(['r12', 's3', 'st-9', 'museum.1', 'line:2', '500228', '5002', 'r1']));
  }
}

/** A field this build does not know, of any wire type (groups nested a little). */
function unknown(r: Rand, depth = 0): Bytes {
  const field = r.pick([12, 13, 15, 16, 79, 82, 100, 2047, 2 ** 29 - 1]);
  switch (r.int(depth > 2 ? 4 : 5)) {
    case 0:
      return [...key(field, 0), ...varint(r.pick(U64), r.int(3))];
    case 1:
      return [...key(field, 1), ...Array.from({ length: 8 }, () => r.int(256))];
    case 2:
      return lenField(
        field,
        Array.from({ length: r.int(12) }, () => r.int(256)),
      );
    case 3:
      return [...key(field, 5), ...Array.from({ length: 4 }, () => r.int(256))];
    default: {
      const body = Array.from({ length: r.int(3) }, () => unknown(r, depth + 1)).flat();
      return [...key(field, 3), ...body, ...key(field, 4)];
    }
  }
}

/** A known field sent with another wire type: protobufjs passes it over as unknown. */
function wrongType(field: number, r: Rand): Bytes {
  return r.chance(0.5) ? [...key(field, 5), 1, 2, 3, 4] : [...key(field, 0), ...varint(7n)];
}

/** Each entry: one or more occurrences of a field; the whole shuffled a little, unknowns between. */
function message(parts: Bytes[][], r: Rand): Bytes {
  const flat: Bytes[] = [];
  for (const occurrences of parts) for (const o of occurrences) flat.push(o);
  for (let i = 0; i < flat.length; i++)
    if (r.chance(0.1)) {
      const j = r.int(flat.length);
      [flat[i], flat[j]] = [flat[j]!, flat[i]!];
    }
  const out: Bytes = [];
  for (const f of flat) {
    if (r.chance(0.08)) out.push(...unknown(r));
    out.push(...f);
  }
  return out;
}

/** Present once (mostly), absent, or repeated with other values: the last one wins. */
function occurrences(r: Rand, one: () => Bytes, field: number): Bytes[] {
  const n = r.chance(odd) ? 0 : r.chance(0.1) ? 2 + r.int(2) : 1;
  const out = Array.from({ length: n }, one);
  if (r.chance(0.05)) out.splice(r.int(out.length + 1), 0, wrongType(field, r));
  return out;
}

function location(r: Rand): Bytes {
  const ids = [1, 2, 3, 4].map((f) =>
    r.chance(0.4)
      ? occurrences(
          r,
          () => lenField(f, usual(r) ? utf8(r.pick(['r12', 's3', 'st-9', 'v1', ''])) : text(r)),
          f,
        )
      : [],
  );
  return message(ids, r);
}

function tapBytes(r: Rand, seq: number): Bytes {
  const enumField = (f: number, common: bigint) => () => [
    ...key(f, 0),
    ...varint(usual(r) ? common : r.pick(ENUMS), r.chance(0.1) ? 1 + r.int(3) : 0),
  ];
  const token = () =>
    lenField(
      4,
      Array.from({ length: usual(r) ? TOKEN_BYTES : r.pick([0, 8, 17]) }, () => r.int(256)),
    );
  const parts: Bytes[][] = [
    occurrences(r, () => [...key(1, 0), ...varint(usual(r) ? BigInt(seq) : r.pick(U64))], 1),
    occurrences(
      r,
      () => [...key(2, 0), ...varint(usual(r) ? BigInt(NOW - 1000 - r.int(1e6)) : r.pick(I64))],
      2,
    ),
    occurrences(r, enumField(3, 1n), 3),
    occurrences(r, token, 4),
    occurrences(r, () => lenField(5, usual(r) ? utf8('500228') : text(r)), 5),
    // Location: once, or split in two that merge field by field.
    Array.from({ length: r.chance(0.1) ? 0 : r.chance(0.15) ? 2 : 1 }, () => lenField(6, location(r))),
    occurrences(r, enumField(7, 1n), 7),
    occurrences(r, enumField(8, 1n), 8),
    occurrences(r, enumField(9, BigInt(v1.Reason.REASON_OK)), 9),
    r.chance(0.3) ? occurrences(r, enumField(10, 2n), 10) : [],
    r.chance(0.3)
      ? occurrences(
          r,
          () => [
            ...key(11, 0),
            ...r.pick([
              [0],
              [1],
              [2],
              [0x80, 0x00],
              [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02],
            ]),
          ],
          11,
        )
      : [],
    r.chance(0.3)
      ? occurrences(r, () => lenField(80, r.chance(0.7) ? utf8(`pass-${r.int(9)}`) : text(r)), 80)
      : [],
    // entitlement_to_day (uint32, 0215): a local day, or any varint (cut to its low 32 bits).
    r.chance(0.3)
      ? occurrences(
          r,
          () => [...key(81, 0), ...varint(usual(r) ? BigInt(20_400 + r.int(60)) : r.pick(U64))],
          81,
        )
      : [],
  ];
  return message(parts, r);
}

function batchBytes(r: Rand): Buffer {
  odd = r.pick([0.01, 0.03, 0.15]);
  const count = r.chance(0.05) ? 0 : 1 + r.int(limits.maxTapsPerBatch + 2);
  const first = 1 + r.int(1000);
  const taps = Array.from({ length: count }, (_, i) =>
    lenField(3, tapBytes(r, r.chance(0.05) ? first : first + i)),
  );
  const parts: Bytes[][] = [
    occurrences(r, () => lenField(1, usual(r) ? utf8('v-1') : text(r)), 1),
    occurrences(r, () => lenField(2, usual(r) ? utf8('busco') : text(r)), 2),
    occurrences(r, () => [...key(4, 0), ...varint(r.pick(I64))], 4),
    occurrences(
      r,
      () =>
        lenField(
          5,
          usual(r)
            ? Array.from({ length: 8 }, () => r.int(256))
            : r.pick([[], [0, 0, 0, 0, 0, 0, 0, 0], [1, 2, 3]]),
        ),
      5,
    ),
  ];
  const body = message(parts, r);
  // The taps go among the batch's own fields, mostly after device and operator ids.
  const at = r.chance(0.8) ? body.length : r.int(body.length + 1);
  const bytes = [...body.slice(0, at), ...taps.flat(), ...body.slice(at)];
  if (r.chance(0.5))
    bytes.push(
      ...lenField(
        14,
        Array.from({ length: 64 }, () => r.int(256)),
      ),
    );
  return Buffer.from(bytes);
}

function corrupt(b: Buffer, r: Rand): Buffer {
  const out = Buffer.from(b);
  switch (r.int(4)) {
    case 0:
      return out.subarray(0, r.int(out.length + 1));
    case 1:
      for (let k = 1 + r.int(3); k > 0 && out.length > 0; k--) out[r.int(out.length)] = r.int(256);
      return out;
    case 2: {
      const at = r.int(out.length + 1);
      return Buffer.concat([
        out.subarray(0, at),
        Buffer.from([r.pick([0x80, 0xff, 0x07, 0x0c, 0x1a, 0x00])]),
        out.subarray(at),
      ]);
    }
    default:
      if (out.length > 0) out[r.int(out.length)] = r.pick([0xff, 0x7f, 0x80, 0x04, 0x06, 0x07, 0x03]);
      return out;
  }
}

// ---- The generated side -------------------------------------------------------------------

/** A generated Tap as the DecodedTap the hand decoder fills. */
function fromGenerated(t: onecard.v1.Tap): DecodedTap {
  const loc = t.location;
  return {
    seq: Number(t.seq),
    deviceTimeMs: Number(t.deviceTimeMs),
    credential: t.credential,
    cardTokenBytes: t.cardToken.length,
    cardToken: t.cardToken.length === TOKEN_BYTES ? Buffer.from(t.cardToken).toString('hex') : '',
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

interface Read {
  ok: boolean;
  head?: object;
  taps?: DecodedTap[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function generatedRead(payload: Uint8Array): Read {
  let m: onecard.v1.TapBatch;
  try {
    m = v1.TapBatch.decode(payload);
  } catch {
    return { ok: false };
  }
  return {
    ok: true,
    head: {
      deviceId: m.deviceId,
      operatorId: m.operatorId,
      taps: m.taps.length,
      sentAtMs: Number(m.sentAtMs),
      journalEpoch: hex(m.journalEpoch),
      signature: hex(m.signature),
    },
    taps: m.taps.map((t) => fromGenerated(t as onecard.v1.Tap)),
  };
}

function handRead(payload: Uint8Array): Read {
  const r = new TapBatchReader(payload);
  const taps: DecodedTap[] = [];
  const t = emptyTap();
  let steps = 0;
  while (r.nextTap(t)) {
    taps.push({ ...t });
    // Every tap takes at least two bytes: more steps than bytes would be a loop.
    if (++steps > payload.length) throw new Error('nextTap does not end');
  }
  if (r.error !== undefined) {
    expect(r.error).toMatch(/\(byte \d+\)$/);
    return { ok: false };
  }
  return {
    ok: true,
    head: {
      deviceId: r.deviceId,
      operatorId: r.operatorId,
      taps: r.taps,
      sentAtMs: r.sentAtMs,
      journalEpoch: hex(r.journalEpoch),
      signature: hex(r.signature),
    },
    taps,
  };
}

/** validateBatch as it was before 0216: the generated decode, then tapInputFromWire. */
function generatedValidate(topic: string, payload: Uint8Array, now: number): Validation {
  const ids = parseDeviceTopic(topic)!;
  let decoded: onecard.v1.TapBatch;
  try {
    decoded = v1.TapBatch.decode(payload);
  } catch (err) {
    return { ok: false, reason: 'MALFORMED_PROTOBUF', detail: (err as Error).message };
  }
  const refuse = (reason: BatchRejection, detail: string): Validation => ({ ok: false, reason, detail });
  if (decoded.deviceId !== ids.deviceId || decoded.operatorId !== ids.operatorId)
    return refuse(
      'TOPIC_MISMATCH',
      `payload ${decoded.operatorId}/${decoded.deviceId} on topic ${ids.operatorId}/${ids.deviceId}`,
    );
  if (decoded.taps.length === 0) return refuse('EMPTY_BATCH', 'no taps');
  if (decoded.taps.length > limits.maxTapsPerBatch)
    return refuse('TOO_MANY_TAPS', `${decoded.taps.length} > ${limits.maxTapsPerBatch}`);
  const epoch = epochFromWire(decoded.journalEpoch);
  if (epoch === undefined)
    return refuse(
      'BAD_EPOCH',
      `journal_epoch is ${decoded.journalEpoch.byteLength} bytes or all zero, not 8 random bytes`,
    );
  const taps = [];
  const invalid: InvalidTap[] = [];
  const seen = new Set<number>();
  for (const tap of decoded.taps as onecard.v1.Tap[]) {
    const seq = Number(tap.seq);
    const problem = tapProblem(fromGenerated(tap), seq, seen, now);
    if (problem) {
      invalid.push({ seq: Number.isSafeInteger(seq) ? seq : 0, problem });
      continue;
    }
    seen.add(seq);
    taps.push(tapInputFromWire(tap, seq, ids.operatorId, ids.deviceId, epoch));
  }
  return {
    ok: true,
    batch: {
      operatorId: ids.operatorId,
      deviceId: ids.deviceId,
      epoch,
      sentAtMs: Number(decoded.sentAtMs),
      taps,
      invalid,
      signature: decoded.signature,
    },
  };
}

/** The same refusal (a MALFORMED_PROTOBUF's words differ: each decoder says where it stopped). */
function sameValidation(payload: Buffer): Validation {
  const mine = validateBatch(TOPIC, payload, limits, NOW);
  const theirs = generatedValidate(TOPIC, payload, NOW);
  if (!mine.ok || !theirs.ok) {
    expect(mine.ok).toBe(theirs.ok);
    if (!mine.ok && !theirs.ok) {
      expect(mine.reason).toBe(theirs.reason);
      if (mine.reason !== 'MALFORMED_PROTOBUF') expect(mine.detail).toBe(theirs.detail);
    }
    return mine;
  }
  expect({ ...mine.batch, signature: hex(mine.batch.signature) }).toStrictEqual({
    ...theirs.batch,
    signature: hex(theirs.batch.signature),
  });
  // Member order too: records and logs see a TapInput's keys in this order.
  expect(mine.batch.taps.map((t) => Object.keys(t).join())).toEqual(
    theirs.batch.taps.map((t) => Object.keys(t).join()),
  );
  return mine;
}

function same(payload: Buffer): Read {
  const mine = handRead(payload);
  expect(mine).toStrictEqual(generatedRead(payload));
  sameValidation(payload);
  return mine;
}

// ---- The tests ------------------------------------------------------------------------------

describe('the hand-written TapBatch decoder', () => {
  it('reads 1,000 generated batches as the generated decoder does, and validates them alike', () => {
    const r = seededRandom(216);
    const seen = { ok: 0, refused: 0, accepted: 0, quarantined: 0 };
    for (let i = 0; i < 1000; i++) {
      const payload = batchBytes(r);
      const read = same(payload);
      seen[read.ok ? 'ok' : 'refused']++;
      const v = validateBatch(TOPIC, payload, limits, NOW);
      if (v.ok) {
        seen.accepted += v.batch.taps.length;
        seen.quarantined += v.batch.invalid.length;
      }
    }
    // The corpus reaches every path: decoded and refused, taps kept and quarantined.
    expect(seen.ok).toBeGreaterThan(700);
    expect(seen.refused).toBeGreaterThan(50);
    expect(seen.accepted).toBeGreaterThan(3000);
    expect(seen.quarantined).toBeGreaterThan(1000);
  }, 60_000);

  it('refuses the same truncated and corrupted batches, 3,000 of them, and never throws', () => {
    const r = seededRandom(2160);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const payload = corrupt(batchBytes(r), r);
      if (!same(payload).ok) refused++;
    }
    expect(refused).toBeGreaterThan(750);
  }, 60_000);

  it('reads a signed batch from the edge as the generated decoder does: the signature check still finds its bytes', () => {
    const sign = (b: Uint8Array) => Buffer.alloc(64, b.length & 0xff);
    const payload = encodeSignedBatch(
      {
        deviceId: 'v-1',
        operatorId: 'busco',
        journalEpoch: Buffer.from('9f3a1c0de4b27a51', 'hex'),
        sentAtMs: NOW,
        taps: [1, 2, 3].map((seq) => ({
          seq,
          deviceTimeMs: NOW - seq,
          credential: 1,
          cardToken: Buffer.alloc(16, seq),
          issuingRegion: '500228',
          location: { routeId: 'r12', stopId: 's3' },
          direction: 1,
          decision: 1,
          reason: v1.Reason.REASON_OK,
          entitlementId: seq === 2 ? 'pass-1' : '',
        })),
      },
      sign,
    );
    const v = sameValidation(payload);
    expect(v.ok && v.batch.taps.map((t) => t.cardToken)).toEqual(
      [1, 2, 3].map((s) => s.toString(16).padStart(2, '0').repeat(16)),
    );
    expect(v.ok && hex(v.batch.signature)).toBe(hex(payload.subarray(payload.length - 64)));
  });

  it.each<[string, Bytes]>([
    ['a tap whose length prefix says 2 GiB', [...key(3, 2), 0xff, 0xff, 0xff, 0xff, 0x07, 0x08, 0x01]],
    ['a length prefix of 2^31 or more', [...key(3, 2), 0xff, 0xff, 0xff, 0xff, 0x08, 0x08, 0x01]],
    ['a length prefix of 6 bytes', [...key(1, 2), 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x41]],
    ['a field number 0', [0x00, 0x01]],
    ['a field number 0 inside a tap', lenField(3, [0x02, 0x00])],
    ['wire type 4 with no group open', [...key(7, 4)]],
    ['wire type 6', [...key(7, 6), 1]],
    ['wire type 7 inside a Location', lenField(3, lenField(6, [...key(9, 7)]))],
    ['a group closed by another field number', [...key(20, 3), ...key(21, 4)]],
    ['a group never closed', [...key(20, 3), ...key(1, 0), 5]],
    ['a varint of 11 bytes', [...key(4, 0), ...Array(10).fill(0x80), 0x01]],
    ['a bool of 11 bytes', lenField(3, [...key(11, 0), ...Array(10).fill(0x81), 0x00])],
    ['a field key longer than 32 bits', [0x80, 0x80, 0x80, 0x80, 0x10, 0x00]],
    ['a tap running past the batch', [...key(3, 2), 10, ...key(1, 0), 1]],
    ['a Location running past its tap', lenField(3, [...key(6, 2), 4, ...key(1, 2), 1, 0x41])],
    ['a device id that is not UTF-8', lenField(1, [0xc0, 0xaf])],
    [
      'an overwritten device id that is not UTF-8',
      [...lenField(1, [0xed, 0xa0, 0x80]), ...lenField(1, utf8('v-1'))],
    ],
    ['a fixed64 cut short', [...key(30, 1), 1, 2, 3]],
    ['an unknown varint cut short', [...key(30, 0), 0x80, 0x80]],
  ])('refuses %s as MALFORMED_PROTOBUF, as the generated decoder does', (_name, bytes) => {
    const payload = Buffer.from(bytes);
    const before = process.memoryUsage().arrayBuffers;
    expect(handRead(payload).ok).toBe(false);
    expect(generatedRead(payload).ok).toBe(false);
    expect(validateBatch(TOPIC, payload, limits, NOW)).toMatchObject({
      ok: false,
      reason: 'MALFORMED_PROTOBUF',
    });
    // Nothing sized by the input was allocated (a length prefix of 2 GiB included).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('says why and where a batch is refused', () => {
    const payload = Buffer.from([...key(3, 2), 0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(validateBatch(TOPIC, payload, limits, NOW)).toEqual({
      ok: false,
      reason: 'MALFORMED_PROTOBUF',
      detail: 'length 2147483647 runs past the end of its message (byte 6)',
    });
  });

  it.each([99, 100, 101, 150])('treats groups nested %i deep as the generated decoder does', (depth) => {
    const open = Array.from({ length: depth }, () => key(20, 3)).flat();
    const close = Array.from({ length: depth }, () => key(20, 4)).flat();
    const tap = [...key(1, 0), 1, ...open, ...close];
    same(Buffer.from([...lenField(1, utf8('v-1')), ...lenField(2, utf8('busco')), ...lenField(3, tap)]));
    same(Buffer.from([...open, ...close]));
  });

  it('keeps what protobufjs keeps: the last value, a merged Location, another wire type skipped, numbers past 2^53', () => {
    const tap = [
      ...key(1, 0),
      ...varint(2n ** 64n - 1n),
      ...key(1, 2),
      0, // seq with the wrong wire type: skipped, not refused
      ...key(2, 0),
      ...varint(-5n),
      ...lenField(6, lenField(1, utf8('r1'))),
      ...lenField(6, [...lenField(2, utf8('s1')), ...lenField(1, utf8('r2'))]),
      ...lenField(5, utf8('110000')),
      ...lenField(5, []),
      ...key(3, 0),
      ...varint(-1n),
      ...key(11, 0),
      ...[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02],
    ];
    const read = same(Buffer.from(lenField(3, tap)));
    expect(read.taps![0]).toMatchObject({
      seq: 2 ** 64,
      deviceTimeMs: -5,
      routeId: 'r2',
      stopId: 's1',
      issuingRegion: '',
      credential: -1,
      offline: true,
    });
  });

  it('gives each tap its own strings when they differ from the tap before', () => {
    const tap = (route: string) => lenField(3, lenField(6, lenField(1, utf8(route))));
    const read = handRead(
      Buffer.from([...tap('r1'), ...tap('r1'), ...tap('r2'), ...tap('é1'), ...tap('r1')]),
    );
    expect(read.taps!.map((t) => t.routeId)).toEqual(['r1', 'r1', 'r2', 'é1', 'r1']);
  });

  it('knows every field of Tap, Location and TapBatch: a field added to tap.proto must be added to tap-codec.ts', () => {
    const proto = readFileSync(join(import.meta.dirname, '../../protos/onecard/v1/tap.proto'), 'utf8');
    const fields = (name: string) => {
      const body = proto.slice(proto.indexOf(`message ${name} {`)).split('\n}')[0]!;
      return [...body.matchAll(/^\s*(?:repeated\s+)?\w+\s+(\w+)\s*=\s*(\d+);/gm)].map(
        (m) => `${m[1]}=${m[2]}`,
      );
    };
    expect(fields('Location')).toEqual(['route_id=1', 'stop_id=2', 'station_id=3', 'venue_id=4']);
    expect(fields('Tap')).toEqual([
      'seq=1',
      'device_time_ms=2',
      'credential=3',
      'card_token=4',
      'issuing_region=5',
      'location=6',
      'direction=7',
      'decision=8',
      'reason=9',
      'concession=10',
      'offline=11',
      'entitlement_id=80',
      'entitlement_to_day=81',
    ]);
    expect(fields('TapBatch')).toEqual([
      'device_id=1',
      'operator_id=2',
      'taps=3',
      'sent_at_ms=4',
      'journal_epoch=5',
      'signature=14',
    ]);
  });
});
