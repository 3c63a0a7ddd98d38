// The card filter of a record search (docs/decisions/0136): a token, or the masked number as
// the console shows it (core/pii.ts maskCardNumber), resolved to the one card it names within
// what the account may see. A full card number is refused: numbers must not land in URLs,
// proxies' and browsers' histories or logs; the card service looks numbers up by POST.
import { isTokenHex } from '../../../core/pii.js';
import type { HistoryStore, RecordQuery } from '../store/port.js';

/** Masked: up to 3 leading characters, one or more '*', up to 2 trailing (C31****01). */
const MASKED = /^[0-9A-Z]{0,3}\*+[0-9A-Z]{0,2}$/;
/** How many matching records are read to tell whether a masked number names one card. */
export const AMBIGUITY_WINDOW = 500;
const MAX_CANDIDATES = 20;

export interface Candidate {
  cardToken: string;
  cardMasked: string;
  /** Newest record of this card among those read, Unix ms. */
  lastAt: number;
  /** Its records among those read (at most AMBIGUITY_WINDOW in all). */
  records: number;
}

export type CardFilter =
  | { ok: true; cardToken?: string; cardMasked?: string }
  | { ok: false; status: 400; code: 'CARD_NUMBER_IN_URL'; detail: string }
  | { ok: false; status: 422; code: 'CARD_AMBIGUOUS'; detail: string; candidates: Candidate[] };

/**
 * Resolves `card` within the rest of the search (operator scope, station, time range...). A
 * masked number that matches no record resolves to no card (an empty answer); one card, to
 * its token; several, to CARD_AMBIGUOUS with each candidate's token so the operator can pick.
 */
export async function resolveCard(
  store: HistoryStore,
  card: string | undefined,
  rest: Omit<RecordQuery, 'limit' | 'cursor' | 'cardToken'>,
): Promise<CardFilter> {
  if (card === undefined) return { ok: true };
  if (isTokenHex(card)) return { ok: true, cardToken: card };
  const masked = card.toUpperCase();
  if (!MASKED.test(masked))
    return {
      ok: false,
      status: 400,
      code: 'CARD_NUMBER_IN_URL',
      detail: 'card takes a token or a masked number; look a card number up with POST /v1/cards/lookup',
    };
  const seen = await store.queryRecords({ ...rest, cardMasked: masked, limit: AMBIGUITY_WINDOW });
  const byCard = new Map<string, Candidate>();
  for (const r of seen.items) {
    const c = byCard.get(r.cardToken);
    if (c) c.records++;
    else
      byCard.set(r.cardToken, { cardToken: r.cardToken, cardMasked: r.cardMasked, lastAt: r.at, records: 1 });
  }
  // No record in scope: the masked filter itself keeps the answer empty (never every record).
  if (byCard.size === 0) return { ok: true, cardMasked: masked };
  if (byCard.size === 1) return { ok: true, cardToken: [...byCard.keys()][0]! };
  return {
    ok: false,
    status: 422,
    code: 'CARD_AMBIGUOUS',
    detail: `${masked} is shown for ${byCard.size} cards here; search by one of their tokens`,
    candidates: [...byCard.values()].slice(0, MAX_CANDIDATES),
  };
}
