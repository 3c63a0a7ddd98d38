// What a verified QR code tells the entry rules, in the shared contract (core/facts.ts). The
// code is just another credential: its proof is merged with what the device's lists say about
// the same card token, so a dynamic code and the physical card of one holder get the same facts,
// and so the same decision (docs/decisions/0070-qr-through-entry-rules.md).
import type { CardFacts } from '../facts.js';
import type { QrVerdict } from './verify.js';

export type VerifiedQr = Extract<QrVerdict, { ok: true; kind: 'dynamic' | 'ticket' }>;

/** The token a verified code speaks for: the card's, a ticket's holder (zeros for none). */
export function provenToken(proof: VerifiedQr): string {
  return proof.kind === 'dynamic' ? proof.cardToken : proof.holderToken;
}

/**
 * The facts of a verified code. `listed`: what the lists say about provenToken(proof) (for a
 * dynamic code, in the credential's issuing region), looked up as for a card tap.
 * - Dynamic code: the card's facts. The deny list has the last word (a valid credential does not
 *   outlive a lost-card report); concession flags are the credential's and the list's together
 *   (the signed credential is at most a day old, the list may not have caught up with it).
 * - Ticket or reservation: the holder's deny list entry and flags as for the card, and the
 *   ticket as the one entitlement presented. It is issued by this gateway for its venue, so the
 *   holder's issuing region does not matter (and the ticket does not carry it).
 */
export function credentialFacts(proof: VerifiedQr, listed: CardFacts): CardFacts {
  if (proof.kind === 'dynamic')
    return {
      deny: listed.deny,
      flags: listed.flags | proof.flags,
      regionRecognised: listed.regionRecognised,
      entitlements: listed.entitlements,
    };
  return {
    deny: listed.deny,
    flags: listed.flags,
    regionRecognised: true,
    entitlements: [proof.entitlement],
    presented: proof.entitlement,
  };
}
