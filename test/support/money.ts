// The money invariant (issue 9): every fen on the cards is accounted for by the store's records.
//   Σ balances = Σ issued balances + paid top-ups credited + counter top-ups
//                − charges (rides, visits, purchases, adjustments) + refunds − paid top-ups refunded
// to the fen, from the records themselves (core/ledger.ts LedgerRecord). With the orders
// given, the paid top-ups must also equal the amounts of the orders that were credited.

import type { LedgerRecord } from '../../core/ledger.js';
import { creditRequestId, refundRequestId } from '../../gateway/src/payments/order.js';
import type { Store } from '../../gateway/src/store/port.js';

export interface MoneyTally {
  balancesFen: number;
  issuedFen: number;
  paidTopUpsFen: number;
  counterTopUpsFen: number;
  /** Fares and purchases, as a positive sum (a late exit's give-back lowers it). */
  chargesFen: number;
  /** Venue refunds (refund:<booking>). */
  refundsFen: number;
  /** Paid top-ups given back (payrefund-<order>), as a positive sum. */
  topUpRefundsFen: number;
  /** Amounts of the orders given that were credited (and maybe refunded since). */
  creditedOrdersFen: number;
}

export async function moneyTally(
  store: Store,
  cards: ReadonlyArray<{ token: string; issuedFen: number }>,
  orderIds: readonly string[] = [],
): Promise<MoneyTally> {
  const t = emptyTally();
  const states = await store.loadCards(cards.map((c) => c.token));
  for (const c of cards) {
    t.balancesFen += states.get(c.token)?.balanceFen ?? 0;
    t.issuedFen += c.issuedFen;
    let cursor: string | undefined;
    do {
      const page = await store.queryRecords({ cardToken: c.token, limit: 500, cursor });
      for (const r of page.items) tallyRecord(t, r);
      cursor = page.nextCursor;
    } while (cursor);
  }
  for (const id of orderIds) {
    const o = await store.payments.getOrder(id);
    if (o && (o.status === 'credited' || o.status === 'refunded')) t.creditedOrdersFen += o.amountFen;
  }
  return t;
}

/** Adds one record's money to the tally, by what kind of money it is. */
export function tallyRecord(t: MoneyTally, r: Pick<LedgerRecord, 'id' | 'kind' | 'amountFen'>): void {
  if (r.kind === 'topup' && r.id.startsWith(`topup:${creditRequestId('')}`)) t.paidTopUpsFen += r.amountFen;
  else if (r.kind === 'topup' && r.id.startsWith(`topup:${refundRequestId('')}`))
    t.topUpRefundsFen -= r.amountFen;
  else if (r.kind === 'topup') t.counterTopUpsFen += r.amountFen;
  else if (r.amountFen > 0) t.refundsFen += r.amountFen;
  else t.chargesFen -= r.amountFen;
}

export function emptyTally(): MoneyTally {
  return {
    balancesFen: 0,
    issuedFen: 0,
    paidTopUpsFen: 0,
    counterTopUpsFen: 0,
    chargesFen: 0,
    refundsFen: 0,
    topUpRefundsFen: 0,
    creditedOrdersFen: 0,
  };
}

/**
 * The same tally over the HTTP API, for end-to-end runs whose gateway is another process: each
 * card's balance (GET /v1/cards/{token}) and every record of it (GET /v1/cards/{token}/records),
 * as an account allowed to read cards (admin, card service).
 */
export async function moneyTallyOverHttp(
  url: string,
  authorization: string,
  cards: ReadonlyArray<{ token: string; issuedFen: number }>,
): Promise<MoneyTally> {
  const t = emptyTally();
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${url}${path}`, { headers: { authorization } });
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${await r.text()}`);
    return (await r.json()) as T;
  };
  for (const c of cards) {
    t.balancesFen += (await get<{ balanceFen: number }>(`/v1/cards/${c.token}`)).balanceFen;
    t.issuedFen += c.issuedFen;
    let cursor: string | undefined;
    do {
      const page = await get<{ items: LedgerRecord[]; nextCursor?: string }>(
        `/v1/cards/${c.token}/records?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      for (const r of page.items) tallyRecord(t, r);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return t;
}

/** What the records say the balances must sum to. */
export function expectedBalancesFen(t: MoneyTally): number {
  return t.issuedFen + t.paidTopUpsFen + t.counterTopUpsFen - t.chargesFen + t.refundsFen - t.topUpRefundsFen;
}
