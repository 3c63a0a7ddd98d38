// Step of the tap path between validation and commit (docs/decisions/0175): every tap's
// exactly-once key (device, journal epoch, seq) is claimed for its content digest. A tap whose
// key another content already holds is quarantined here: never planned, never committed (so
// never charged twice), acked with SEQ_CONFLICT (never with the other tap's result) and kept as
// a finding for the operator report.
import type { CardState } from '../../../core/card.js';
import { beyondWindow } from '../../../core/dedupe-window.js';
import { type EffectResult, type TapInput, tapRecordId } from '../../../core/ledger.js';
import { tapFinding } from '../reconcile/finding.js';
import type { Finding, Store } from '../store/port.js';
import { tapDigest } from './digest.js';

export interface Claimed {
  /** The taps whose content holds their key: committed as usual (a resend answers duplicate). */
  admitted: TapInput[];
  /** The taps whose key other content holds, with their own digest. */
  conflicts: Array<{ tap: TapInput; digest: string }>;
}

/** What a quarantined tap is acked with: nothing charged, no balance (it is not this card's result). */
export const SEQ_CONFLICT_RESULT: EffectResult = {
  outcome: 'recorded',
  chargedFen: 0,
  balanceAfterFen: 0,
  reason: 'SEQ_CONFLICT',
};

/** A tap older than the window whose seq came before (0196): a resend; its result is gone. */
export const BEYOND_SEEN_RESULT: EffectResult = {
  outcome: 'recorded',
  chargedFen: 0,
  balanceAfterFen: 0,
  reason: 'DUPLICATE',
};

/** A tap older than the window whose seq never came (0196): whether it did cannot be told. */
export const BEYOND_UNKNOWN_RESULT: EffectResult = {
  outcome: 'recorded',
  chargedFen: 0,
  balanceAfterFen: 0,
  reason: 'BEYOND_WINDOW',
};

/** The taps inside the dedupe window at `now` and those older (core/dedupe-window.ts). */
export function splitByWindow(
  taps: TapInput[],
  now: number,
  days: number,
): { inside: TapInput[]; beyond: TapInput[] } {
  // The usual batch is all inside: the same array back, nothing copied.
  if (!taps.some((t) => beyondWindow(t.deviceTimeMs, now, days))) return { inside: taps, beyond: [] };
  const inside: TapInput[] = [];
  const beyond: TapInput[] = [];
  for (const t of taps) (beyondWindow(t.deviceTimeMs, now, days) ? beyond : inside).push(t);
  return { inside, beyond };
}

export async function claimTaps(
  store: Store,
  batch: { deviceId: string; epoch: string },
  taps: TapInput[],
  now: number,
): Promise<Claimed> {
  const digests = taps.map(tapDigest);
  const held = await store.claimTaps(
    batch.deviceId,
    batch.epoch,
    taps.map((t, i) => ({ seq: t.seq, digest: digests[i]!, at: t.deviceTimeMs })),
    now,
  );
  // The usual batch holds every key: the same array back, nothing copied.
  if (held.every(Boolean)) return { admitted: taps, conflicts: [] };
  const admitted: TapInput[] = [];
  const conflicts: Claimed['conflicts'] = [];
  taps.forEach((tap, i) => {
    if (held[i]) admitted.push(tap);
    else conflicts.push({ tap, digest: digests[i]! });
  });
  return { admitted, conflicts };
}

/**
 * The operator's finding for a quarantined tap: one per key and content (the id carries the
 * digest), so a resent conflicting batch adds nothing and two different conflicts both show.
 */
export function conflictFinding(
  tap: TapInput,
  digest: string,
  card: CardState | undefined,
  foundAt: number,
): Finding {
  return tapFinding(tap, card, {
    id: `${tapRecordId(tap)}#${digest}`,
    kind: 'seq_conflict',
    reason: SEQ_CONFLICT_RESULT.reason,
    action: 'quarantined',
    foundAt,
    chargedFen: 0,
    balanceAfterFen: 0,
  });
}
