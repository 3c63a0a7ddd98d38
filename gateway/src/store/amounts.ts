// Defence in depth for money (docs/decisions/0156): whatever the layers above let through, a
// store never writes a balance or an amount that is not a safe integer number of fen. An
// Infinity balance once answered 500 on every read of its card and charged rides forever
// without moving; NaN and fractions are as bad. Both adapters call these before writing.
import type { Effect } from '../../../core/ledger.js';
import type { NewCard } from './port.js';

export class StoreAmountError extends Error {
  readonly code = 'STORE_BAD_AMOUNT';
}

function fen(what: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new StoreAmountError(`${what} is not a safe integer of fen: ${v}`);
}

export function checkNewCard(card: NewCard): void {
  fen('balanceFen', card.balanceFen);
  if (!Number.isSafeInteger(card.flags) || card.flags < 0) throw new StoreAmountError(`flags: ${card.flags}`);
}

/** Refuses the whole call (nothing is written) when any effect carries a bad amount. */
export function checkEffects(effects: readonly Effect[]): void {
  for (const e of effects) {
    fen('newBalanceFen', e.newBalanceFen);
    fen('record.amountFen', e.record.amountFen);
    fen('record.chargedFen', e.record.chargedFen);
    fen('record.balanceAfterFen', e.record.balanceAfterFen);
    fen('result.chargedFen', e.result.chargedFen);
    fen('result.balanceAfterFen', e.result.balanceAfterFen);
  }
}
