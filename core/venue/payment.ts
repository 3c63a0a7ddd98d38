// Paying for a booking with the card's account (景区购票 with 社保卡), and refunding it: ledger
// effects like a top-up (core/ledger.ts), so the store applies them exactly once (dedupe key)
// under the same compare-and-set on the card's version, with a record kept and sent to Kafka.
import type { CardState } from '../card.js';
import { type Effect, type EffectResult, type LedgerRecord, recordWithoutTap } from '../ledger.js';
import type { FareLine } from '../tariff/lines.js';
import type { Booking } from './booking.js';

export function purchaseRecordId(bookingId: string): string {
  return `purchase:${bookingId}`;
}

export function refundRecordId(bookingId: string): string {
  return `refund:${bookingId}`;
}

/** The charge for a booking; the caller checked the balance covers it (no credit at a till). */
export function planPayment(card: CardState, booking: Booking, operatorId: string, now: number): Effect {
  return moneyEffect(card, booking, operatorId, now, purchaseRecordId(booking.id), -booking.priceFen);
}

/** Money back for a cancelled booking that was paid. */
export function planRefund(card: CardState, booking: Booking, operatorId: string, now: number): Effect {
  return moneyEffect(card, booking, operatorId, now, refundRecordId(booking.id), booking.priceFen);
}

function moneyEffect(
  card: CardState,
  booking: Booking,
  operatorId: string,
  now: number,
  id: string,
  amountFen: number,
): Effect {
  const balanceAfterFen = card.balanceFen + amountFen;
  const chargedFen = amountFen < 0 ? -amountFen : 0;
  const result: EffectResult = { outcome: 'charged', chargedFen, balanceAfterFen, reason: 'OK' };
  // A charge is explained line by line like a fare (core/tariff/lines.ts): the list price of
  // the holders' places, less what concession holders do not pay (the subsidy claim).
  const lines: FareLine[] =
    chargedFen === 0
      ? []
      : [
          { kind: 'base', fen: booking.listFen, note: `${booking.productId} × ${booking.holders.length}` },
          ...(booking.listFen > booking.priceFen
            ? [
                {
                  kind: 'concession' as const,
                  fen: booking.priceFen - booking.listFen,
                  note: 'free for concession holders',
                },
              ]
            : []),
        ];
  const record: LedgerRecord = {
    ...recordWithoutTap({ id, kind: 'purchase', card, operatorId, at: now, now }),
    venueId: booking.venueId,
    concession: 'none',
    baseFen: booking.listFen,
    chargedFen,
    amountFen,
    balanceAfterFen,
    outcome: 'charged',
    reason: 'OK',
    lines,
    // Not a transit fare: its concession line is the venue's, outside the subsidy claim (0162).
    subsidyFen: 0,
  };
  return {
    dedupeKey: id,
    cardToken: card.token,
    expectVersion: card.version,
    newBalanceFen: balanceAfterFen,
    newFare: card.fare,
    record,
    result,
  };
}
