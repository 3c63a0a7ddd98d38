// What visit planning needs besides the cards' state. A card's uses of its tickets and
// reservations are part of that state (core/uses.ts, docs/decisions/0203), written with every
// visit that uses one, so the tap path reads no records. Only a card written before 0203 has
// none yet: the first time one of its visits needs them, they are derived from its records,
// and the visit's commit writes them into the card (under its compare-and-set: a visit committed
// meanwhile makes the plan conflict and re-run from fresh state).
import type { CardState } from '../../../core/card.js';
import type { TapInput } from '../../../core/ledger.js';
import { profiles } from '../../../core/profiles.js';
import { type EntitlementUse, USE_KEEP_DAYS, withUse } from '../../../core/uses.js';
import type { HistoryStore } from '../store/port.js';

const DAY_MS = 24 * 3600_000;
const PAGE = 500;

/** The device's profile says whether its taps are rides or visits; unknown profiles ride. */
export function withRecordKind(taps: TapInput[], profile: string): TapInput[] {
  const record = Object.hasOwn(profiles, profile)
    ? profiles[profile as keyof typeof profiles].record
    : 'ride';
  return record === 'ride' ? taps : taps.map((t) => ({ ...t, record }));
}

/** A visit whose plan reads and moves the card's uses (core/visit.ts planVisit's compare-and-set). */
function countsUse(t: TapInput): boolean {
  return t.record === 'visit' && !t.refusal && t.edgeDecision === 'allow' && !!t.entitlementId;
}

/**
 * `cards` as given, unless a known card without uses (from before 0203) has a visit that counts:
 * then a copy in which those cards carry the uses their records hold.
 */
export async function withDerivedUses(
  store: HistoryStore,
  taps: readonly TapInput[],
  cards: Map<string, CardState>,
  now: number,
): Promise<Map<string, CardState>> {
  const missing = new Map<string, number>();
  for (const t of taps) {
    const card = cards.get(t.cardToken);
    if (!countsUse(t) || !card?.known || card.uses) continue;
    missing.set(t.cardToken, Math.min(missing.get(t.cardToken) ?? t.deviceTimeMs, t.deviceTimeMs));
  }
  if (missing.size === 0) return cards;
  const out = new Map(cards);
  for (const [token, earliest] of missing) {
    const uses = await derivedUses(store, token, earliest - (USE_KEEP_DAYS + 1) * DAY_MS, now);
    out.set(token, { ...cards.get(token)!, uses });
  }
  return out;
}

/** The uses a card's committed visits since `from` add up to, oldest visit first. */
async function derivedUses(
  store: HistoryStore,
  token: string,
  from: number,
  now: number,
): Promise<EntitlementUse[]> {
  const visits: { id: string; at: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryRecords({
      cardToken: token,
      from,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const r of page.items) {
      // A refused visit (docs/decisions/0161) admitted nobody the gateway accepts: not a use.
      if (r.kind !== 'visit' || r.edgeDecision !== 'allow' || r.reason === 'LOCATION_NOT_ALLOWED') continue;
      if (r.entitlementId) visits.push({ id: r.entitlementId, at: r.at });
    }
    cursor = page.nextCursor;
  } while (cursor);
  visits.sort((a, b) => a.at - b.at);
  return visits.reduce<EntitlementUse[]>((uses, v) => withUse(uses, v.id, v.at, now), []);
}
