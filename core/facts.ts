// What a device knows about a card at the moment of a tap or scan, looked up from the lists it
// holds (edge-agent/src/lists/) or carried by a verified QR credential (core/credentials/).
// The pure decision functions take these facts, never the lists themselves, so the same rules
// run on the device and at the gateway and are tested with plain tables.
import type { DenyReasonName } from '../protos/codec.js';

/** What a holder may enter a venue with. */
export type EntitlementKind = 'annual_pass' | 'ticket' | 'reservation';

export interface Entitlement {
  kind: EntitlementKind;
  venueId: string;
  /** Stable id of the pass, ticket or reservation (single-use checks, records). */
  id: string;
  /**
   * Valid days, inclusive, as days since 1970-01-01 in China Standard Time (UTC+8, no DST):
   * core code converts with core/time.ts localDay(ms) and never reads a clock.
   */
  fromDay: number;
  toDay: number;
  /** Time slot in minutes after local midnight, [start, end); 0 and 1440 for whole-day products. */
  slotStartMin: number;
  slotEndMin: number;
  /** Entries allowed over the validity; 0 means unlimited (annual passes). */
  maxEntries: number;
}

export interface CardFacts {
  /** On the deny list, and why; undefined when not. */
  deny: DenyReasonName | undefined;
  /** Concession flags (core/card.ts ConcessionFlag), 0 for none. */
  flags: number;
  /** The issuing region is recognised here for same-city treatment (同城待遇). */
  regionRecognised: boolean;
  /** Entitlements held for the device's venue (empty on transit devices). */
  entitlements: readonly Entitlement[];
  /**
   * Set when the credential is an entitlement itself (a signed QR ticket or reservation), not a
   * card: it admits only on this entitlement (then the one in `entitlements`), and only at a
   * device kind that admits on its kind (docs/decisions/0070-qr-through-entry-rules.md).
   */
  presented?: Entitlement;
}

export const noFacts: CardFacts = Object.freeze({
  deny: undefined,
  flags: 0,
  regionRecognised: true,
  entitlements: Object.freeze([]) as readonly Entitlement[],
});
