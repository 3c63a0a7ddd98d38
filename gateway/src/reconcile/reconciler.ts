// Reconciliation of taps the devices decided on their own (offline, or on lists not yet
// updated): after a batch is committed and before it is acked, every tap whose result says it
// would have been refused online becomes a finding for the operator report, and a card the
// ride took below zero goes on the deny list (negative_balance) so every device refuses its
// next ride. The record itself is already kept and marked by its reason (core/ledger.ts,
// core/visit.ts); nothing is rolled back or dropped.
//
// Runs before the ack on purpose: if it fails, the batch is not acked, the device resends, the
// commit answers "duplicate" with the original reasons and this runs again (findings and the
// deny list are idempotent), so a finding is never lost between commit and ack.
import { type EffectResult, type TapInput, tapRecordId } from '../../../core/ledger.js';
import type { DenyReasonName, ReasonName } from '../../../protos/codec.js';
import { uniqueTokens } from '../ingest/plan.js';
import type { Logger } from '../log.js';
import type { Finding, FindingStore, LedgerStore } from '../store/port.js';
import { tapFinding } from './finding.js';

const kinds: Partial<Record<ReasonName, Finding['kind']>> = {
  CHARGED_INTO_NEGATIVE: 'negative_balance',
  LOST_AFTER_THE_FACT: 'lost_after_the_fact',
  ENTITLEMENT_REUSED_OFFLINE: 'entitlement_reused',
  // Not offline decisions but taps the gateway would not price (docs/decisions/0161): a device
  // reporting a place it is not registered for, or a place the tariff has no fare for.
  LOCATION_NOT_ALLOWED: 'location_not_allowed',
  LOCATION_NOT_PRICED: 'location_not_priced',
};

export interface ReconcilerDeps {
  store: LedgerStore & FindingStore;
  deny: { change(token: string, add: boolean, reason: DenyReasonName): Promise<unknown> };
  log: Logger;
  now: () => number;
  onFinding?: (kind: Finding['kind']) => void;
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(taps: readonly TapInput[], results: ReadonlyMap<number, EffectResult>): Promise<Finding[]> {
    const found = taps.filter((t) => kinds[results.get(t.seq)?.reason ?? 'UNSPECIFIED'] !== undefined);
    if (found.length === 0) return [];
    const { store, deny, log } = this.deps;
    const cards = await store.loadCards(uniqueTokens(found));
    const foundAt = this.deps.now();
    const listed = new Set<string>();
    const findings: Finding[] = [];
    for (const tap of found) {
      const result = results.get(tap.seq)!;
      const kind = kinds[result.reason]!;
      const card = cards.get(tap.cardToken);
      let action: Finding['action'] = 'marked';
      // Only an active card still below zero: a lost or frozen card is on the list already for
      // a stronger reason (adding would overwrite it), and a card topped up since is fine.
      if (kind === 'negative_balance' && card?.status === 'active' && card.balanceFen < 0) {
        if (!listed.has(tap.cardToken)) await deny.change(tap.cardToken, true, 'negative_balance');
        listed.add(tap.cardToken);
        action = 'deny_listed';
      }
      findings.push(
        tapFinding(tap, card, {
          id: tapRecordId(tap),
          kind,
          reason: result.reason,
          action,
          foundAt,
          chargedFen: result.chargedFen,
          balanceAfterFen: result.balanceAfterFen,
        }),
      );
    }
    await store.putFindings(findings);
    for (const f of findings) this.deps.onFinding?.(f.kind);
    log.warn(
      {
        findings: findings.map((f) => ({
          id: f.id,
          kind: f.kind,
          action: f.action,
          card: f.cardToken.slice(0, 8),
        })),
      },
      'reconciliation findings',
    );
    return findings;
  }
}
