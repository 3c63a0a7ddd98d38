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

/** The card a string holds (null: no card under this token). */
export function cardFromString(token: string, s: string | null | undefined): CardState {
  if (s === null || s === undefined) return unknownCard(token);
  const f = s.split('\n');
  if (f.length !== 8) throw new Error(`card ${token}: ${f.length} fields, expected 8`);
  return cardFromFields(token, f);
}

/** The card from its fields in the string's order (a hash card's HMGET of HASH_CARD_FIELDS too). */
export function cardFromFields(token: string, f: ReadonlyArray<string | null | undefined>): CardState {
  const v = f[0];
  if (v === null || v === undefined) return unknownCard(token);
  // No uses on a card from before 0203: they are derived on first need.
  const u = f[3];
  const uses = u === '[]' ? NO_USES : decodeUses(u, `card ${token}`);
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

/**
 * The uses of a card that has none ('[]': every card issued since 0203 until its first visit),
 * one frozen array for all of them: nothing writes into a card's uses (the next are a new array).
 */
const NO_USES: readonly EntitlementUse[] = Object.freeze([]);
