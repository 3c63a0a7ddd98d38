// Paid top-ups (docs/decisions/0150): the holder's app makes an order, the provider takes the
// money, and the card is credited only when the provider's signed notification arrives. The
// steps of a notification, in order, each a refusal with no state change when it fails:
// signature (provider's public key only), freshness, order known, amount equal, not expired,
// then created → paid, the credit through Store.commit (exactly once by topup:pay-<order id>),
// paid → credited. A retry or a second gateway finds each step done and goes on to the next.

import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { localDay } from '../../../core/time.js';
import type { CardService } from '../cards/service.js';
import type { LedgerStore, StoreParts } from '../store/port.js';
import { PaymentError, type PaymentErrorCode } from './errors.js';
import { checkOrder, type TopUpLimits } from './limits.js';
import type { PaymentCounters } from './metrics.js';
import { creditRequestId, refundRequestId, sourcesOf, type TopUpOrder } from './order.js';
import type { PaymentProvider } from './port.js';
import { isStale, type PaymentNotification, verifyNotification } from './signature.js';

export interface PaymentServiceOptions {
  store: LedgerStore & Pick<StoreParts, 'payments'>;
  cards: CardService;
  /** Absent: no provider configured; orders are refused (PAYMENT_NOT_CONFIGURED). */
  provider?: PaymentProvider;
  providerPublicKey?: KeyObject;
  /** Read per order: the gateway's own URL is known only once it listens. */
  notifyUrl: () => string;
  limits: TopUpLimits;
  orderTtlMs: number;
  retentionMs: number;
  notifyMaxAgeMs: number;
  counters: PaymentCounters;
  now: () => number;
}

const DAY_MS = 24 * 3600 * 1000;

/** po_ + 20 base32 characters (100 random bits): unguessable, so an order id names nothing else. */
function newOrderId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `po_${[...randomBytes(20)].map((b) => alphabet[b % 32]).join('')}`;
}

export class PaymentService {
  constructor(private readonly o: PaymentServiceOptions) {}

  /** The provider's name as answers show it ('' when none is configured). */
  get providerName(): string {
    return this.o.provider?.name ?? '';
  }

  private refuse(counter: 'orders' | 'notifications', code: PaymentErrorCode, message: string): never {
    this.o.counters[counter].inc({ outcome: code });
    throw new PaymentError(code, message);
  }

  /** Idempotent by (card, requestId): the same request answers the same order. */
  async createOrder(
    cardToken: string,
    amountFen: number,
    requestId: string,
  ): Promise<{ order: TopUpOrder; created: boolean }> {
    const { store, provider, limits } = this.o;
    const known = await store.payments.orderByRequest(cardToken, requestId);
    if (known && known.amountFen !== amountFen)
      this.refuse('orders', 'PAYMENT_CONFLICT', 'this requestId made an order of another amount');
    if (known) {
      this.o.counters.orders.inc({ outcome: 'duplicate' });
      return { order: known, created: false };
    }
    if (!provider) this.refuse('orders', 'PAYMENT_NOT_CONFIGURED', 'paid top-ups are not set up here');
    const card = await this.o.cards.get(cardToken);
    const refusal = checkOrder(limits, amountFen, card.balanceFen);
    if (refusal === 'TOPUP_LIMIT_SINGLE')
      this.refuse('orders', refusal, `one top-up is at most ${limits.maxSingleFen} fen`);
    if (refusal)
      this.refuse('orders', refusal, `the balance after a top-up is at most ${limits.maxBalanceFen} fen`);
    const now = this.o.now();
    const id = newOrderId();
    const expiresAt = now + this.o.orderTtlMs;
    let payReference: string;
    try {
      ({ payReference } = await provider.prepare({
        orderId: id,
        amountFen,
        expiresAt,
        notifyUrl: this.o.notifyUrl(),
      }));
    } catch {
      this.refuse('orders', 'PAYMENT_PROVIDER_UNAVAILABLE', 'the payment provider did not take the order');
    }
    const order: TopUpOrder = {
      id,
      cardToken,
      requestId,
      amountFen,
      status: 'created',
      payReference,
      providerTxnId: '',
      createdAt: now,
      expiresAt,
      day: localDay(now),
      retainUntil: now + this.o.retentionMs,
      updatedAt: now,
    };
    // The daily sum is checked where the order is written: two orders at once cannot both fit.
    const outcome = await store.payments.createOrder(order, limits.maxDailyFen, now);
    if (outcome.status === 'over_daily')
      this.refuse('orders', 'TOPUP_LIMIT_DAILY', `top-ups today are at most ${limits.maxDailyFen} fen`);
    this.o.counters.orders.inc({ outcome: outcome.status });
    return { order: outcome.order, created: outcome.status === 'created' };
  }

  /** The holder's own order; another card's order is as unknown as a missing one. */
  async orderOf(cardToken: string, id: string): Promise<TopUpOrder> {
    const order = await this.o.store.payments.getOrder(id);
    if (!order || order.cardToken !== cardToken)
      throw new PaymentError('PAYMENT_ORDER_UNKNOWN', 'no such top-up order');
    return order;
  }

  /** A provider notification: credited once however often it comes (duplicate: true after the first). */
  async notify(n: PaymentNotification): Promise<{ duplicate: boolean; order: TopUpOrder }> {
    const { store, providerPublicKey } = this.o;
    const no = (code: PaymentErrorCode, message: string) => this.refuse('notifications', code, message);
    if (!providerPublicKey) return no('PAYMENT_NOT_CONFIGURED', 'no payment provider key is set up here');
    if (!verifyNotification(providerPublicKey, n))
      no('PAYMENT_BAD_SIGNATURE', "the signature does not verify with the provider's key");
    const now = this.o.now();
    if (isStale(n.timestamp, now, this.o.notifyMaxAgeMs))
      no('PAYMENT_STALE_NOTIFICATION', 'the notification was signed too long ago or ahead of our clock');
    let order = await store.payments.getOrder(n.orderId);
    if (!order) return no('PAYMENT_ORDER_UNKNOWN', 'no such top-up order');
    if (order.amountFen !== n.amountFen)
      no('PAYMENT_AMOUNT_MISMATCH', 'the amount paid is not the amount of the order');
    if (order.providerTxnId !== '' && order.providerTxnId !== n.providerTxnId)
      no('PAYMENT_TXN_MISMATCH', 'the order was paid by another transaction');
    if (order.status === 'credited' || order.status === 'refunded') {
      this.o.counters.notifications.inc({ outcome: 'duplicate' });
      return { duplicate: true, order };
    }
    // Paid after the order expired (the provider should have closed it): never credited.
    if (order.status === 'expired' || (order.status === 'created' && n.paidAt >= order.expiresAt)) {
      await store.payments.transitionOrder(order.id, ['created'], 'expired', now);
      no('PAYMENT_ORDER_EXPIRED', 'the order expired before it was paid');
    }
    const paid = await store.payments.transitionOrder(order.id, ['created'], 'paid', now, n.providerTxnId);
    if (!paid) return no('PAYMENT_ORDER_UNKNOWN', 'no such top-up order');
    order = paid.order;
    // Another delivery moved it meanwhile: only the same transaction may go on.
    if (order.providerTxnId !== n.providerTxnId)
      no('PAYMENT_TXN_MISMATCH', 'the order was paid by another transaction');
    if (order.status === 'expired') no('PAYMENT_ORDER_EXPIRED', 'the order expired before it was paid');
    const credit = await this.o.cards.topUp(
      order.cardToken,
      order.amountFen,
      creditRequestId(order.id),
      'holder-app',
    );
    const credited = await store.payments.transitionOrder(order.id, sourcesOf('credited'), 'credited', now);
    // The money decides: exactly one delivery's credit applied (the exactly-once commit), so
    // exactly one answer says duplicate: false, whichever delivery then moved the order's
    // status (two gateways racing may each do one of the two steps).
    const duplicate = credit.duplicate;
    this.o.counters.notifications.inc({ outcome: duplicate ? 'duplicate' : 'credited' });
    return { duplicate, order: credited?.order ?? order };
  }

  /**
   * Card service gives a credited top-up back (credited → refunded): the card is debited once
   * (payrefund-<order id>). The provider's refund call is not part of this step yet (0150).
   */
  async refund(id: string): Promise<TopUpOrder> {
    const { store, cards } = this.o;
    const order = await store.payments.getOrder(id);
    if (!order) throw new PaymentError('PAYMENT_ORDER_UNKNOWN', 'no such top-up order');
    if (order.status === 'refunded') return order;
    if (order.status !== 'credited')
      throw new PaymentError('PAYMENT_ORDER_NOT_REFUNDABLE', `a ${order.status} order cannot be refunded`);
    const done = await store.committedResult(order.cardToken, `topup:${refundRequestId(id)}`);
    if (!done && (await cards.get(order.cardToken)).balanceFen < order.amountFen)
      throw new PaymentError('PAYMENT_REFUND_BALANCE', 'the card no longer holds the amount to refund');
    await cards.topUp(order.cardToken, -order.amountFen, refundRequestId(id), 'refund');
    const moved = await store.payments.transitionOrder(id, sourcesOf('refunded'), 'refunded', this.o.now());
    return moved?.order ?? order;
  }

  private pruneTimer: NodeJS.Timeout | undefined;

  /** Prunes now and then; stop() ends it. Errors are reported and the next round tries again. */
  start(intervalMs: number, onError: (err: unknown) => void): void {
    this.pruneTimer = setInterval(() => void this.prune().catch(onError), intervalMs);
    this.pruneTimer.unref();
  }

  stop(): void {
    clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
  }

  /** Orders past their retention and old daily sums go. */
  async prune(): Promise<number> {
    const now = this.o.now();
    return this.o.store.payments.prune(now, localDay(now - 2 * DAY_MS));
  }

  /**
   * A top-up at the counter: within the operator account's daily sum (a retried request counts
   * once), then the same exactly-once top-up as ever.
   */
  async counterTopUp(input: {
    account: string;
    cardToken: string;
    amountFen: number;
    requestId: string;
    channel: string;
  }) {
    const { cards, store, limits, counters } = this.o;
    await cards.get(input.cardToken);
    const day = localDay(this.o.now());
    const use = await store.payments.addDailyUse(
      `op:${input.account}`,
      day,
      input.requestId,
      input.amountFen,
      limits.maxOperatorDailyFen,
    );
    if (!use.ok) {
      counters.counterTopUps.inc({ outcome: 'TOPUP_LIMIT_OPERATOR_DAILY' });
      throw new PaymentError(
        'TOPUP_LIMIT_OPERATOR_DAILY',
        `counter top-ups by one account are at most ${limits.maxOperatorDailyFen} fen a day`,
      );
    }
    const result = await cards.topUp(input.cardToken, input.amountFen, input.requestId, input.channel);
    counters.counterTopUps.inc({ outcome: result.duplicate ? 'duplicate' : 'applied' });
    return result;
  }
}
