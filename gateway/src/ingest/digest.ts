// The digest of a tap's content (docs/decisions/0175): what the gateway compares when a tap's
// exactly-once key (device, epoch, seq) arrives again. A resend of the journaled tap has the
// same fields, so the same digest; another tap under the same key (a reused seq) has another.
// Computed from the decoded fields rather than the tap's bytes, so an encoder that orders or
// packs fields differently does not make a resend look like a conflict.
import { hash } from 'node:crypto';
import type { TapInput } from '../../../core/ledger.js';

/** Hex characters kept: 64 bits, enough to tell two taps of one key apart. */
const DIGEST_HEX = 16;

/**
 * The content's fields after the card token, joined once while they stay the same (0221): a
 * batch's taps nearly all share them (the device's region, location, direction and decision), so
 * a tap joins three fields to this instead of thirteen. The value is the same string either way.
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
      this.text = [
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
  const content = `${t.deviceTimeMs}\n${t.credential}\n${t.cardToken}${tail.of(t)}`;
  // One-shot hash(): about half the cost of createHash() per tap (no Hash object).
  return hash('sha256', content, 'hex').slice(0, DIGEST_HEX);
}
