// The digest of a tap's content (docs/decisions/0175): what the gateway compares when a tap's
// exactly-once key (device, epoch, seq) arrives again. A resend of the journaled tap has the
// same fields, so the same digest; another tap under the same key (a reused seq) has another.
// Computed from the decoded fields rather than the tap's bytes, so an encoder that orders or
// packs fields differently does not make a resend look like a conflict.
import { hash } from 'node:crypto';
import type { TapInput } from '../../../core/ledger.js';
import { sha256 } from '../addon/sha256.js';
import { intLength, writeAscii, writeInt } from '../text-bytes.js';

/** Hex characters kept: 64 bits, enough to tell two taps of one key apart. */
const DIGEST_HEX = 16;

/** Room for the content's fields after the card token; a longer tail takes the string way. */
const TAIL_ROOM = 2048;
/** Room before the tail for the time, the credential and the card token (ASCII). */
const HEAD_ROOM = 128;

/**
 * The content's fields after the card token, joined once while they stay the same (0221): a
 * batch's taps nearly all share them (the device's region, location, direction and decision), so
 * a tap writes three fields before them instead of thirteen. The tail is kept as its UTF-8 bytes
 * at the end of a scratch buffer, and a tap's head is written just before it (0240): the hash
 * reads the content from there (the gateway's addon, by offsets: 0247), with no string of it
 * built, flattened and dropped, nor a view of the buffer made.
 */
class Tail {
  private issuingRegion = '';
  private routeId = '';
  private stopId = '';
  private stationId = '';
  private venueId = '';
  private direction = '';
  private edgeDecision = '';
  private edgeReason = '';
  private offline = false;
  private entitlementId: string | undefined;
  private text: string | undefined;
  /** HEAD_ROOM bytes for a tap's head, then the tail's bytes up to `end` (-1: too long for it). */
  readonly bytes = Buffer.allocUnsafe(HEAD_ROOM + TAIL_ROOM);
  end = -1;
  of(t: TapInput): string {
    if (
      this.text === undefined ||
      t.issuingRegion !== this.issuingRegion ||
      t.routeId !== this.routeId ||
      t.stopId !== this.stopId ||
      t.stationId !== this.stationId ||
      t.venueId !== this.venueId ||
      t.direction !== this.direction ||
      t.edgeDecision !== this.edgeDecision ||
      t.edgeReason !== this.edgeReason ||
      t.offline !== this.offline ||
      t.entitlementId !== this.entitlementId
    ) {
      this.issuingRegion = t.issuingRegion;
      this.routeId = t.routeId;
      this.stopId = t.stopId;
      this.stationId = t.stationId;
      this.venueId = t.venueId;
      this.direction = t.direction;
      this.edgeDecision = t.edgeDecision;
      this.edgeReason = t.edgeReason;
      this.offline = t.offline;
      this.entitlementId = t.entitlementId;
      // Starts with the '\n' that follows the card token.
      const text = [
        '',
        t.issuingRegion,
        t.routeId,
        t.stopId,
        t.stationId,
        t.venueId,
        t.direction,
        t.edgeDecision,
        t.edgeReason,
        t.offline ? 1 : 0,
        t.entitlementId ?? '',
      ].join('\n');
      this.text = text;
      // At most 3 bytes a UTF-16 unit: what surely fits is written, anything longer is not.
      this.end = text.length * 3 <= TAIL_ROOM ? HEAD_ROOM + this.bytes.write(text, HEAD_ROOM, 'utf8') : -1;
    }
    return this.text;
  }
}

const tail = new Tail();

export function tapDigest(t: TapInput): string {
  // Every field of the device's own tap but one (below), its decision and reason included, in
  // this order: deviceTimeMs, credential, cardToken, issuingRegion, routeId, stopId, stationId,
  // venueId, direction, edgeDecision, edgeReason, offline (1 or 0), entitlementId ('' if none);
  // '\n' cannot occur in any of them (validate.ts), so the join is unambiguous. Not
  // entitlementToDay (0215): it follows from the entitlement, and a tap a gateway from before
  // 0215 committed (ignoring the field) must still be a duplicate when resent.
  const rest = tail.of(t);
  const time = t.deviceTimeMs;
  const { credential, cardToken } = t;
  // The bytes the content string's UTF-8 would be, written in place: the time as String() writes
  // a whole number, the credential and the token when ASCII (they are: a name and hex).
  if (tail.end >= 0 && Number.isSafeInteger(time) && time >= 0) {
    const headBytes = intLength(time, 10) + 1 + credential.length + 1 + cardToken.length;
    if (headBytes <= HEAD_ROOM) {
      const b = tail.bytes;
      const start = HEAD_ROOM - headBytes;
      let at = writeInt(b, start, time, 10);
      b[at++] = 10;
      at = writeAscii(b, at, credential);
      if (at >= 0) {
        b[at++] = 10;
        // Ends where the tail starts when it is ASCII: headBytes counted its characters.
        if (writeAscii(b, at, cardToken) >= 0) return sha256.hex(b, start, tail.end, DIGEST_HEX);
      }
    }
  }
  // One-shot hash(): about half the cost of createHash() per tap (no Hash object).
  return hash('sha256', `${time}\n${credential}\n${cardToken}${rest}`, 'hex').slice(0, DIGEST_HEX);
}
