// A card in Redis is one string (docs/decisions/0214), not a hash: a batch's cards are then one
// native MGET (no script, no command per card), and the commit reads, checks and writes each card
// with one GET and one MSET. The fields, separated by "\n", in this order:
//
//   version \n balance \n fare state \n uses \n status \n flags \n masked \n region
//
// The first four are what a commit changes: it keeps everything after the fourth separator as it
// is. Fare state and uses are JSON (never a raw newline); an empty uses field is a card from
// before decision 0203 (its uses are derived on first need). Masked number and region come from
// the issuer and are refused if they hold a newline. Cards written as hashes before this layout
// are still read (the TypeScript side and lua/lib/card.lua); the first script that writes one
// turns it into a string.
import type { CardState, CardStatus } from '../../../core/card.js';
import { unknownCard } from '../../../core/card.js';
import { decodeFareState } from '../../../core/tariff/state.js';
import { decodeUses, type EntitlementUse } from '../../../core/uses.js';

/** The hash fields of a card from before 0214, in the string's order (lua/lib/card.lua reads the same). */
export const HASH_CARD_FIELDS = ['v', 'b', 'fs', 'u', 's', 'f', 'm', 'r'] as const;

/** A new card's string: version 1, active, no entitlement uses yet ('[]': it has none to derive). */
export function newCardString(balanceFen: number, flags: number, masked: string, region: string): string {
  if (masked.includes('\n') || region.includes('\n'))
    throw new RangeError('a masked card number or region may not hold a newline');
  return `1\n${balanceFen}\n\n[]\nactive\n${flags}\n${masked}\n${region}`;
}

/** Where a card string's seven separators are (one card is read at a time). */
const SEPARATORS = new Int32Array(7);

/**
 * The card a string holds (null: no card under this token): what cardFromFields makes of its
 * fields, read in place (docs/decisions/0235). No array of eight strings: the numbers are read
 * from their digits, and only the other fields are cut out.
 */
export function cardFromString(token: string, s: string | null | undefined): CardState {
  if (s === null || s === undefined) return unknownCard(token);
  const c = SEPARATORS;
  let from = 0;
  for (let k = 0; k < 7; k++) {
    const i = s.indexOf('\n', from);
    if (i < 0) throw fieldCount(token, s);
    c[k] = i;
    from = i + 1;
  }
  if (s.indexOf('\n', from) >= 0) throw fieldCount(token, s);
  // Uses before the fare state: a card corrupt in both reports its uses, as cardFromFields does.
  const uses = usesOf(s.slice(c[2]! + 1, c[3]), token);
  const card: CardState = {
    token,
    known: true,
    version: decimalIn(s, 0, c[0]!),
    balanceFen: decimalIn(s, c[0]! + 1, c[1]!),
    status: s.slice(c[3]! + 1, c[4]) as CardStatus,
    flags: decimalIn(s, c[4]! + 1, c[5]!),
    masked: s.slice(c[5]! + 1, c[6]),
    region: s.slice(c[6]! + 1),
    fare: decodeFareState(s.slice(c[1]! + 1, c[2]), `card ${token}`),
  };
  if (uses) card.uses = uses;
  return card;
}

function fieldCount(token: string, s: string): Error {
  return new Error(`card ${token}: ${s.split('\n').length} fields, expected 8`);
}

/**
 * Number(s.slice(from, to)) without the slice for what the store writes (String of a safe
 * integer: an optional '-' and up to 15 digits); anything else goes through Number() as before.
 */
function decimalIn(s: string, from: number, to: number): number {
  const negative = to > from && s.charCodeAt(from) === 45;
  const start = negative ? from + 1 : from;
  if (to - start < 1 || to - start > 15) return Number(s.slice(from, to));
  let n = 0;
  for (let i = start; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(s.slice(from, to));
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/** The card from its fields in the string's order (a hash card's HMGET of HASH_CARD_FIELDS too). */
export function cardFromFields(token: string, f: ReadonlyArray<string | null | undefined>): CardState {
  const v = f[0];
  if (v === null || v === undefined) return unknownCard(token);
  const uses = usesOf(f[3], token);
  const card: CardState = {
    token,
    known: true,
    version: Number(v),
    balanceFen: Number(f[1]),
    status: f[4] as CardStatus,
    flags: Number(f[5]),
    masked: f[6] ?? '',
    region: f[7] ?? '',
    fare: decodeFareState(f[2], `card ${token}`),
  };
  // Set after the literal, not spread into it: a spread made a second object and copied every
  // field (0219).
  if (uses) card.uses = uses;
  return card;
}

/** A card's uses from their field: none yet ('[]') is NO_USES; none stored (before 0203) undefined. */
function usesOf(u: string | null | undefined, token: string): readonly EntitlementUse[] | undefined {
  // No uses on a card from before 0203: they are derived on first need.
  return u === '[]' ? NO_USES : decodeUses(u, `card ${token}`);
}

/**
 * The uses of a card that has none ('[]': every card issued since 0203 until its first visit),
 * one frozen array for all of them: nothing writes into a card's uses (the next are a new array).
 */
const NO_USES: readonly EntitlementUse[] = Object.freeze([]);
