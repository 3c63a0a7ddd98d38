// A decided tap in its domain forms: what a device journals and sends (TapRecord) and, through
// TapFields, what the gateway accepts (core/ledger.ts TapInput). The wire Tap
// (protos/onecard/v1/tap.proto) is converted to and from them by protos/codec.ts only.
import type {
  AppliedConcessionName,
  CredentialName,
  DecisionName,
  DirectionName,
  ReasonName,
} from '../protos/codec.js';

// The tap's own vocabulary, named here so domain code need not reach into the wire codec.
export type { AppliedConcessionName, DirectionName };

/** What a tap says about itself on both sides of the wire. */
export interface TapFields {
  /** Device clock at the tap, Unix ms. */
  deviceTimeMs: number;
  credential: CredentialName;
  /** 32 hex chars: the keyed card token (core/pii.ts). Never the card number. */
  cardToken: string;
  /** 6-digit issuing region, or '' when unknown. */
  issuingRegion: string;
  routeId: string;
  stopId: string;
  stationId: string;
  venueId: string;
  direction: DirectionName;
  /** Decided while the device had no MQTT link to the gateway. */
  offline: boolean;
  /** The ticket, reservation or annual pass admitted on (venue gates); absent when none. */
  entitlementId?: string;
  /**
   * The last valid day (core/time.ts localDay) of the ticket or reservation admitted on, with
   * entitlementId; absent when none, for an annual pass, and from firmware before 0215.
   */
  entitlementToDay?: number;
}

/** A decided tap as the device journals it (and sends it: protos/onecard/v1/tap.proto Tap). */
export interface TapRecord extends TapFields {
  decision: DecisionName;
  reason: ReasonName;
  concession: AppliedConcessionName;
}

export interface JournalEntry extends TapRecord {
  /** Per-device sequence number: starts at 1, +1 per tap, never reused. */
  seq: number;
}
