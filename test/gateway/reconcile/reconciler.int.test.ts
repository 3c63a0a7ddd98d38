// Reconciliation against a real SQLite store and the real deny-list publisher (its MQTT publish
// captured): what the gateway does with offline taps that would have been refused online.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EffectResult } from '../../../core/ledger.js';
import { DenyListPublisher, denySnapshot } from '../../../gateway/src/lists/deny.js';
import { ListPublisher } from '../../../gateway/src/lists/publisher.js';
import { silentLogger } from '../../../gateway/src/log.js';
import { Reconciler } from '../../../gateway/src/reconcile/reconciler.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { uniqueId } from '../../support/env.js';
import { testSigner } from '../../support/lists.js';
import { issue, T0, tap, token } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-reconcile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: Store;
let published: string[];
let reconciler: Reconciler;

beforeEach(async () => {
  store = await openSqliteStore({ file: join(dir, `${uniqueId('r')}.db`) });
  published = [];
  const lists = new ListPublisher(
    store,
    testSigner,
    async (topic: string) => void published.push(topic),
    silentLogger,
    () => T0,
  );
  const deny = new DenyListPublisher(store, lists, () => T0);
  reconciler = new Reconciler({ store, deny, log: silentLogger, now: () => T0 + 1 });
});
afterEach(async () => store.close());

const result = (reason: EffectResult['reason'], balanceAfterFen = -100): EffectResult => ({
  outcome: 'charged',
  chargedFen: 200,
  balanceAfterFen,
  reason,
});

describe('reconciling offline taps', () => {
  it('puts a card that went below zero on the deny list and reports it', async () => {
    await issue(store, 1, -100); // the state after the offline ride was charged
    const t = tap({ cardToken: token(1), seq: 4, offline: true });
    const findings = await reconciler.reconcile([t], new Map([[4, result('CHARGED_INTO_NEGATIVE')]]));
    expect(findings).toMatchObject([
      { kind: 'negative_balance', action: 'deny_listed', seq: 4, offline: true },
    ]);
    expect((await denySnapshot(store)).entries).toEqual([{ token: token(1), reason: 'negative_balance' }]);
    expect(published.length).toBeGreaterThan(0); // the delta went out to the devices
    expect(await store.findings({ limit: 10 })).toEqual(findings);
  });

  it("does not overwrite a lost card's entry, and leaves a card topped up since off the list", async () => {
    await issue(store, 1, -100);
    await store.setCardStatus(token(1), 'lost');
    await store.changeList('deny', 'all', [{ key: token(1), value: 'lost' }], T0);
    await issue(store, 2, 500);
    const taps = [tap({ cardToken: token(1), seq: 1 }), tap({ cardToken: token(2), seq: 2 })];
    const findings = await reconciler.reconcile(
      taps,
      new Map([
        [1, result('CHARGED_INTO_NEGATIVE')],
        [2, result('CHARGED_INTO_NEGATIVE')],
      ]),
    );
    expect(findings.map((f) => f.action)).toEqual(['marked', 'marked']);
    expect((await denySnapshot(store)).entries).toEqual([{ token: token(1), reason: 'lost' }]);
  });

  it('reports a ticket admitted twice and a ride after a lost report, marked only', async () => {
    await issue(store, 1, 500);
    const taps = [
      tap({ cardToken: token(1), seq: 1, entitlementId: 't1', venueId: 'park-1' }),
      tap({ cardToken: token(1), seq: 2 }),
    ];
    const findings = await reconciler.reconcile(
      taps,
      new Map([
        [1, { ...result('ENTITLEMENT_REUSED_OFFLINE', 500), outcome: 'recorded', chargedFen: 0 }],
        [2, result('LOST_AFTER_THE_FACT', 300)],
      ]),
    );
    expect(findings.map((f) => [f.kind, f.action, f.entitlementId])).toEqual([
      ['entitlement_reused', 'marked', 't1'],
      ['lost_after_the_fact', 'marked', ''],
    ]);
    expect((await denySnapshot(store)).entries).toEqual([]);
  });

  it('finds nothing in ordinary taps, and a redelivered batch adds no second finding', async () => {
    await issue(store, 1, -100);
    expect(
      await reconciler.reconcile([tap({ cardToken: token(1), seq: 1 })], new Map([[1, result('OK', 800)]])),
    ).toEqual([]);
    const t = tap({ cardToken: token(1), seq: 2 });
    await reconciler.reconcile([t], new Map([[2, result('CHARGED_INTO_NEGATIVE')]]));
    await reconciler.reconcile([t], new Map([[2, result('CHARGED_INTO_NEGATIVE')]]));
    expect(await store.findings({ limit: 10 })).toHaveLength(1);
    expect(await store.listVersion('deny', 'all')).toBe(1);
  });
});
