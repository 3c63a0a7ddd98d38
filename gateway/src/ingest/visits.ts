// What visit planning needs besides the cards: how often each card already used each single-use
// entitlement (ticket, reservation) its taps in this batch admit on, from the committed visit
// records. Read only for taps that carry an entitlement id (venue gates), so transit batches
// never pay for it. Exact under concurrency because a visit on an entitlement moves the card's
// version (core/visit.ts): a visit committed meanwhile makes this plan conflict and re-run.
import type { TapInput } from '../../../core/ledger.js';
import { tapRecordId } from '../../../core/ledger.js';
import { profiles } from '../../../core/profiles.js';
import { useKey } from '../../../core/visit.js';
import type { HistoryStore } from '../store/port.js';

/** Entitlements are valid for days, not months: earlier visits cannot be the same ticket's. */
const LOOKBACK_MS = 8 * 24 * 3600_000;
const PAGE = 500;

/** The device's profile says whether its taps are rides or visits; unknown profiles ride. */
export function withRecordKind(taps: TapInput[], profile: string): TapInput[] {
  const record = Object.hasOwn(profiles, profile)
    ? profiles[profile as keyof typeof profiles].record
    : 'ride';
  return record === 'ride' ? taps : taps.map((t) => ({ ...t, record }));
}

export async function loadUses(store: HistoryStore, taps: readonly TapInput[]): Promise<Map<string, number>> {
  const uses = new Map<string, number>();
  const wanted = taps.filter((t) => t.record === 'visit' && !t.refusal && useKey(t) !== '');
  if (wanted.length === 0) return uses;
  const own = new Set(wanted.map((t) => tapRecordId(t)));
  const keys = new Set(wanted.map(useKey));
  for (const token of new Set(wanted.map((t) => t.cardToken))) {
    const from =
      Math.min(...wanted.filter((t) => t.cardToken === token).map((t) => t.deviceTimeMs)) - LOOKBACK_MS;
    let cursor: string | undefined;
    do {
      const page = await store.queryRecords({
        cardToken: token,
        from,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      for (const r of page.items) {
        const key = useKey({ cardToken: r.cardToken, entitlementId: r.entitlementId ?? '' });
        // A refused visit (docs/decisions/0161) admitted nobody the gateway accepts: not a use.
        if (r.kind !== 'visit' || r.edgeDecision !== 'allow' || r.reason === 'LOCATION_NOT_ALLOWED') continue;
        if (!keys.has(key) || own.has(r.id)) continue;
        uses.set(key, (uses.get(key) ?? 0) + 1);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return uses;
}
