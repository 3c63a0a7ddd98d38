// What the entry rules learn about a card at a tap: the device's lists (lists/lists.ts) turned
// into core/facts.ts CardFacts, from the 16-byte keyed token and the card's issuing region.
import type { CardFacts } from '../../../core/facts.js';

export type FactsLookup = (token: Uint8Array, issuingRegion: string) => CardFacts;

export function factsFromLists(lists: {
  cardFacts(token: Uint8Array, issuingRegion: string): CardFacts;
}): FactsLookup {
  return (token, issuingRegion) => lists.cardFacts(token, issuingRegion);
}
