// A card as the API answers it (the card service's and the holder's routes): concessions by
// name, never the card number (only its masked form).
import { type CardState, ConcessionFlag } from '../../../core/card.js';

export function toCardJson(c: CardState) {
  const concessions = Object.entries(ConcessionFlag)
    .filter(([, bit]) => c.flags & bit)
    .map(([name]) => name);
  return {
    token: c.token,
    masked: c.masked,
    region: c.region,
    status: c.status,
    balanceFen: c.balanceFen,
    concessions,
  };
}
