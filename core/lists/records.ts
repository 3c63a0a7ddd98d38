// List bodies: records back to back, a fixed layout per list kind (protos/onecard/v1/lists.proto
// ListKind). Validation runs over a whole body (or stream chunk) before anything is applied, so
// a malformed body changes nothing. Pure and allocation-free on the card lists' hot path.
import { denyReasons, type ListKind } from '../../protos/codec.js';
import type { Entitlement, EntitlementKind } from '../facts.js';

export const TOKEN_RECORD_BYTES = 17;
export const REGION_RECORD_BYTES = 7;
const ENT_FIXED_BYTES = 16 + 1 + 1 + 4 + 4 + 2 + 2 + 2 + 1;
const MAX_ENT_ID_BYTES = 64;
const REGION = /^\d{6}$/;
/** Largest DenyReason code (protos/onecard/v1/lists.proto); 0 in a record removes the token. */
const MAX_DENY_CODE = denyReasons.name.length - 1;

const entKinds: readonly EntitlementKind[] = ['annual_pass', 'ticket', 'reservation'];
export const entitlementKindCode = (k: EntitlementKind): number => entKinds.indexOf(k) + 1;

/** Why a body (or stream chunk) of this kind is malformed; undefined when every record is sound. */
export function bodyProblem(kind: ListKind, body: Uint8Array): string | undefined {
  if (kind === 'deny' || kind === 'flags') {
    if (body.length % TOKEN_RECORD_BYTES !== 0)
      return `${body.length} bytes is not a whole number of ${TOKEN_RECORD_BYTES}-byte records`;
    if (kind === 'deny')
      for (let o = 16; o < body.length; o += TOKEN_RECORD_BYTES)
        if (body[o]! > MAX_DENY_CODE)
          return `record ${(o - 16) / TOKEN_RECORD_BYTES} has deny code ${body[o]}`;
    return undefined;
  }
  if (kind === 'regions') {
    if (body.length % REGION_RECORD_BYTES !== 0)
      return `${body.length} bytes is not a whole number of ${REGION_RECORD_BYTES}-byte records`;
    for (let o = 0; o < body.length; o += REGION_RECORD_BYTES) {
      for (let i = 0; i < 6; i++) {
        const c = body[o + i]!;
        if (c < 0x30 || c > 0x39) return `record ${o / REGION_RECORD_BYTES} is not a 6-digit region`;
      }
      if (body[o + 6]! > 1) return `record ${o / REGION_RECORD_BYTES} has op ${body[o + 6]}`;
    }
    return undefined;
  }
  let problem: string | undefined;
  forEachEntitlement(body, (_t, _op, _e, why) => {
    problem ??= why;
  });
  return problem;
}

/** A token record: 16-byte token, 1 value byte (deny code or flags; 0 removes). */
export function encodeTokenRecords(entries: ReadonlyArray<{ token: string; value: number }>): Buffer {
  const out = Buffer.alloc(entries.length * TOKEN_RECORD_BYTES);
  entries.forEach((e, i) => {
    out.write(e.token, i * TOKEN_RECORD_BYTES, 16, 'hex');
    out[i * TOKEN_RECORD_BYTES + 16] = e.value;
  });
  return out;
}

export function encodeRegionRecords(entries: ReadonlyArray<{ region: string; recognised: boolean }>): Buffer {
  const out = Buffer.alloc(entries.length * REGION_RECORD_BYTES);
  entries.forEach((e, i) => {
    if (!REGION.test(e.region)) throw new Error(`region "${e.region}" is not 6 digits`);
    out.write(e.region, i * REGION_RECORD_BYTES, 6, 'latin1');
    out[i * REGION_RECORD_BYTES + 6] = e.recognised ? 1 : 0;
  });
  return out;
}

/** Visits region records of a validated body. */
export function forEachRegion(body: Uint8Array, visit: (region: string, recognised: boolean) => void): void {
  const b = Buffer.from(body.buffer, body.byteOffset, body.length);
  for (let o = 0; o + REGION_RECORD_BYTES <= b.length; o += REGION_RECORD_BYTES)
    visit(b.toString('latin1', o, o + 6), b[o + 6] === 1);
}

/** An entitlement put (entitlement given) or removal (only token and id matter). */
export function encodeEntitlementRecord(token: string, e: Entitlement, remove = false): Buffer {
  const id = Buffer.from(e.id, 'utf8');
  if (id.length < 1 || id.length > MAX_ENT_ID_BYTES) throw new Error('entitlement id is 1 to 64 bytes');
  const out = Buffer.alloc(ENT_FIXED_BYTES + id.length);
  out.write(token, 0, 16, 'hex');
  let o = out.writeUInt8(remove ? 0 : 1, 16);
  o = out.writeUInt8(entitlementKindCode(e.kind), o);
  o = out.writeUInt32BE(e.fromDay, o);
  o = out.writeUInt32BE(e.toDay, o);
  o = out.writeUInt16BE(e.slotStartMin, o);
  o = out.writeUInt16BE(e.slotEndMin, o);
  o = out.writeUInt16BE(e.maxEntries, o);
  o = out.writeUInt8(id.length, o);
  id.copy(out, o);
  return out;
}

/**
 * Visits entitlement records; on a malformed record calls visit once with `why` and stops.
 * venueId is filled in by the caller (the envelope's scope).
 */
export function forEachEntitlement(
  body: Uint8Array,
  visit: (tokenHex: string, put: boolean, e: Omit<Entitlement, 'venueId'>, why?: string) => void,
): void {
  const b = Buffer.from(body.buffer, body.byteOffset, body.length);
  let o = 0;
  let n = 0;
  const problem = (o: number): string | undefined => {
    if (o + ENT_FIXED_BYTES > b.length) return 'truncated';
    if (b[o + 16]! > 1) return `op ${b[o + 16]}`;
    if (!entKinds[b[o + 17]! - 1]) return `kind ${b[o + 17]}`;
    if (b.readUInt32BE(o + 18) > b.readUInt32BE(o + 22)) return 'from day after to day';
    const start = b.readUInt16BE(o + 26);
    const end = b.readUInt16BE(o + 28);
    if (start >= end || end > 1440) return 'slot is not within a day';
    const idLen = b[o + 32]!;
    if (idLen < 1 || idLen > MAX_ENT_ID_BYTES || o + ENT_FIXED_BYTES + idLen > b.length) return 'id length';
    return undefined;
  };
  while (o < b.length) {
    const why = problem(o);
    if (why) {
      visit('', false, emptyEnt, `record ${n}: ${why}`);
      return;
    }
    const op = b[o + 16]!;
    const kind = entKinds[b[o + 17]! - 1]!;
    const fromDay = b.readUInt32BE(o + 18);
    const toDay = b.readUInt32BE(o + 22);
    const slotStartMin = b.readUInt16BE(o + 26);
    const slotEndMin = b.readUInt16BE(o + 28);
    const maxEntries = b.readUInt16BE(o + 30);
    const idLen = b[o + 32]!;
    const id = b.toString('utf8', o + ENT_FIXED_BYTES, o + ENT_FIXED_BYTES + idLen);
    visit(b.toString('hex', o, o + 16), op === 1, {
      kind,
      id,
      fromDay,
      toDay,
      slotStartMin,
      slotEndMin,
      maxEntries,
    });
    o += ENT_FIXED_BYTES + idLen;
    n++;
  }
}

const emptyEnt: Omit<Entitlement, 'venueId'> = {
  kind: 'ticket',
  id: '',
  fromDay: 0,
  toDay: 0,
  slotStartMin: 0,
  slotEndMin: 0,
  maxEntries: 0,
};
