// The audit log of state-changing operator and holder actions (docs/decisions/0131).

/** One state-changing operator or holder action (docs/decisions/0131). Never a card number. */
export interface AuditEntry {
  at: number;
  /** Username, 'holder' or 'unknown'. */
  actor: string;
  role: string;
  tenant: string;
  /** e.g. card.topup, card.lost, device.register, auth.login */
  action: string;
  /** A card token, a device id, a username; '' when none. */
  target: string;
  /** HTTP status of the answer: 2xx done, 4xx refused. */
  status: number;
  /** Why, from a closed list (a counter top-up's reason); absent for most actions. */
  reason?: string;
}

export interface AuditPage {
  /** Newest first; id is opaque and increasing. */
  items: Array<AuditEntry & { id: string }>;
  nextCursor?: string;
}

export interface AuditStore {
  /** Appends to the audit log (kept for good: nothing here trims it). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; cursor from a previous page. */
  queryAudit(q: { limit: number; cursor?: string }): Promise<AuditPage>;
}
