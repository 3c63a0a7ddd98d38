// A card as the API answers it (the card service's and the holder's routes): concessions by
// name, never the card number (only its masked form).
import type { CardState } from '../../../core/card.js';
import { builtInRegistry, type ConcessionRegistry } from '../../../core/concession.js';

/** registry: the concessions of the tariff in use (core/concession.ts, decision 0186). */
export function toCardJson(c: CardState, registry: ConcessionRegistry = builtInRegistry) {
  const concessions = registry.namesOf(c.flags);
  return {
    token: c.token,
    masked: c.masked,
    region: c.region,
    status: c.status,
    balanceFen: c.balanceFen,
    concessions,
  };
}
