// Explanation lines: every fen a record charges is on one of them, and they sum to the charge.
// Operators reconcile with them (the concession lines are the subsidy claim); holders read them.

export type FareLineKind =
  /** The cash price of the leg (a product, or a distance band). */
  | 'base'
  /** The maximum fare for an entry that never tapped out. */
  | 'missing_tap_out'
  /** The maximum fare for an exit with no entry. */
  | 'no_tap_in'
  /** Gives back a maximum fare charged earlier, once the journey's other half arrived late. */
  | 'reversal'
  | 'transfer'
  /** Discount of the fare medium (card, e-card) over the cash price. */
  | 'card_discount'
  /**
   * What a rider category does not pay of the card price (all of it for free groups): the
   * subsidy (docs/decisions/0162). Positive when a reversal gives back one waived earlier.
   */
  | 'concession'
  /** Monthly spend tier discount. */
  | 'spend_tier'
  /** What a daily or weekly cap waives. */
  | 'cap';

export interface FareLine {
  kind: FareLineKind;
  /** Signed fen: positive adds to the charge, negative takes off. */
  fen: number;
  /** For people: which band, rule, category or period. */
  note: string;
}

export function sumLines(lines: readonly FareLine[]): number {
  let fen = 0;
  for (const l of lines) fen += l.fen;
  return fen;
}

/** Fen as yuan for notes, e.g. 350 → "3.50". Integer arithmetic, no floats. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Pays percentOff less, rounded down to the fen (the rider never pays a fraction more). */
export function afterPercentOff(fen: number, percentOff: number): number {
  return Math.floor((fen * (100 - percentOff)) / 100);
}

/**
 * The engine applies the concession after the base price, transfers and the medium's (card)
 * discount, so a `concession` line is exactly "ordinary card price minus concession price" for
 * its leg (discounts.ts). Summing those lines, and nothing else, leaves out the card
 * discount every holder gets (the old "forgone" figure counted it) and needs no tariff at hand,
 * so a record written before this field existed gives the same figure. Signed: a late exit that
 * gives back a maximum fare also gives back the concession waived on it (a positive line).
 */
export function waivedByConcession(lines: readonly FareLine[]): number {
  let fen = 0;
  for (const l of lines) if (l.kind === 'concession') fen -= l.fen;
  return fen;
}
