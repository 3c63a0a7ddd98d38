// Reconciliation findings (gateway/src/reconcile/): what the operator report lists.

/**
 * A reconciliation finding (gateway/src/reconcile/): a tap the device decided, offline or on
 * stale lists, that would have been refused online. Its record is kept and marked; the finding
 * is what the operator report lists. One per record: putting it again changes nothing.
 */
export interface Finding {
  /**
   * The record id (core/ledger.ts tapRecordId); for seq_conflict the id the tap would have had,
   * then '#' and its content digest (one finding per conflicting content, none of them a record).
   */
  id: string;
  kind:
    | 'negative_balance'
    | 'lost_after_the_fact'
    | 'entitlement_reused'
    | 'location_not_allowed'
    | 'location_not_priced'
    | 'seq_conflict';
  /** The record's reason (docs/reason-codes.md). */
  reason: string;
  /**
   * What the gateway did: put the card on the deny list, marked the record only, or (seq_conflict)
   * kept the tap out of the ledger: nothing charged, nothing recorded (docs/decisions/0175).
   */
  action: 'deny_listed' | 'marked' | 'quarantined';
  /** Tap time (device clock), Unix ms. */
  at: number;
  /** When the gateway found it, Unix ms. */
  foundAt: number;
  cardToken: string;
  cardMasked: string;
  operatorId: string;
  deviceId: string;
  seq: number;
  routeId: string;
  stationId: string;
  venueId: string;
  entitlementId: string;
  offline: boolean;
  chargedFen: number;
  balanceAfterFen: number;
}

export interface FindingStore {
  /** Keeps findings; one per id, the first kept (idempotent under redelivery). */
  putFindings(findings: readonly Finding[]): Promise<void>;
  /** Newest found first (foundAt, then id, descending), found at or after `since`, at most limit. */
  findings(q: { limit: number; since?: number }): Promise<Finding[]>;
}
