// A paid top-up order (docs/decisions/0150) and its state machine, pure: no clock, no I/O.
//   created → paid → credited → refunded
//   created → expired
// "paid": the provider's signed notification was verified and the order marked with its
// transaction id; "credited": the card's top-up (Store.commit, dedupe key topup:pay-<order id>)
// exists. A notification for a paid order credits it (a crash between the two steps is
// finished by the provider's retry); for a credited one it answers success and changes nothing.

export const orderStatuses = ['created', 'paid', 'credited', 'expired', 'refunded'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Every allowed move; anything else is refused by the store's compare-and-set on the status. */
export const transitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: ['paid', 'expired'],
  paid: ['credited'],
  credited: ['refunded'],
  expired: [],
  refunded: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** The statuses an order may move to `to` from (the store's compare-and-set list). */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return orderStatuses.filter((s) => canMove(s, to));
}

export interface TopUpOrder {
  /** po_ + 20 base32 characters; the provider carries it as the merchant's order number. */
  id: string;
  cardToken: string;
  /** The app's idempotency key: the same card and requestId make the same order. */
  requestId: string;
  amountFen: number;
  status: OrderStatus;
  /** What the app pays with, from the provider (its prepay id). */
  payReference: string;
  /** The provider's transaction id, from the verified notification ('' before). */
  providerTxnId: string;
  createdAt: number;
  /** Unpaid at this time (Unix ms): expired; a notification after it is refused. */
  expiresAt: number;
  /** China-time day of createdAt (core/facts.ts localDay): the day its amount counts for. */
  day: number;
  /** Kept until then (Unix ms), then pruned (SQLite) or expired by Redis (TTL). */
  retainUntil: number;
  /** When the status last changed (Unix ms). */
  updatedAt: number;
}

/** Statuses whose amount counts against the card's daily sum; an unpaid order past expiresAt does not. */
export function countsToday(o: Pick<TopUpOrder, 'status' | 'expiresAt'>, now: number): boolean {
  if (o.status === 'created') return now < o.expiresAt;
  return o.status === 'paid' || o.status === 'credited';
}

/** The status as seen at `now`: an unpaid order past its expiry is expired even before it is written so. */
export function statusAt(o: Pick<TopUpOrder, 'status' | 'expiresAt'>, now: number): OrderStatus {
  return o.status === 'created' && now >= o.expiresAt ? 'expired' : o.status;
}

/** The top-up's idempotency key in Store.commit: one credit per order, whoever delivers it. */
export function creditRequestId(orderId: string): string {
  return `pay-${orderId}`;
}

/** A refund's debit, exactly once per order. */
export function refundRequestId(orderId: string): string {
  return `payrefund-${orderId}`;
}

export const ORDER_ID_PATTERN = '^po_[a-z2-7]{20}$';
