// Every interval: cards whose metro (or tap-out bus) entry was never closed are charged the
// missing tap-out once their network's limit has passed, even if the card never taps again
// (docs/decisions/0113). Candidates come from the store's open-entry index, oldest first, not
// from a scan of the cards. Each charge is an effect with a key derived from the card and the
// entry and the card's compare-and-set, so instances sweeping at once, a sweep racing the
// card's next tap and a sweep repeated after a restart charge once: a conflict or a duplicate
// leaves the card for the next round, which plans again from the card as it then is.
import type { FastifyBaseLogger } from 'fastify';
import type { LedgerRecord } from '../../../core/ledger.js';
import { planOverdue } from '../../../core/overdue.js';
import type { CompiledTariff } from '../../../core/tariff/compile.js';
import type { LedgerStore, OpenEntry, OutboxStore } from '../store/port.js';

export interface SweepOptions {
  store: LedgerStore & Pick<OutboxStore, 'outboxPartitions'>;
  tariff: CompiledTariff;
  log: FastifyBaseLogger;
  now: () => number;
  intervalMs: number;
  /** Cards read and committed at a time. */
  pageSize?: number;
  /** Called with the records each commit applied (the Kafka relay's kick). */
  onRecords?: (records: LedgerRecord[]) => void;
  /** Counts effects by commit outcome. */
  onOutcome?: (outcome: 'applied' | 'duplicate' | 'conflict', n: number) => void;
}

export interface SweepReport {
  /** Missing tap-outs charged now. */
  charged: number;
  /** Open entries read whose network's limit has not passed yet (their network's is longer). */
  notDue: number;
  /** Charges another instance or a tap committed first; the next round looks again. */
  conflicts: number;
  duplicates: number;
}

export class MissingTapOutSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** The shortest limit of any tap-out network: entries younger than it are never due. */
  private readonly shortestMs: number | undefined;

  constructor(private readonly opts: SweepOptions) {
    const limits = opts.tariff.doc.networks.flatMap((n) => (n.tapOut ? [n.tapOut.missingAfterMin] : []));
    this.shortestMs = limits.length > 0 ? Math.min(...limits) * 60_000 : undefined;
  }

  start(): void {
    if (this.shortestMs === undefined) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((err) => this.opts.log.error({ err }, 'missing tap-out sweep failed; next round retries'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round over every partition. */
  async sweep(): Promise<SweepReport> {
    const report: SweepReport = { charged: 0, notDue: 0, conflicts: 0, duplicates: 0 };
    if (this.shortestMs === undefined) return report;
    const { store } = this.opts;
    const now = this.opts.now();
    for (let partition = 0; partition < store.outboxPartitions(); partition++)
      await this.sweepPartition(partition, now, report);
    if (report.charged > 0 || report.conflicts > 0) this.opts.log.info(report, 'missing tap-outs charged');
    return report;
  }

  private async sweepPartition(partition: number, now: number, report: SweepReport): Promise<void> {
    const { store, tariff } = this.opts;
    const limit = this.opts.pageSize ?? 500;
    // A cursor, not an offset: what another instance charges meanwhile leaves the index, and an
    // offset would then step over entries nobody has looked at in this round.
    let after: OpenEntry | undefined;
    for (;;) {
      const page = await store.openEntries({ partition, before: now - this.shortestMs!, after, limit });
      if (page.length === 0) return;
      after = page.at(-1);
      const cards = await store.loadCards(page.map((e) => e.cardToken));
      const effects = [];
      for (const e of page) {
        const effect = planOverdue(cards.get(e.cardToken)!, tariff, now);
        if (effect) effects.push(effect);
        else report.notDue++;
      }
      const outcomes = effects.length > 0 ? await store.commit(effects) : [];
      const applied = effects.filter((_, i) => outcomes[i]!.status === 'applied').map((e) => e.record);
      const conflicts = outcomes.filter((o) => o.status === 'conflict').length;
      const duplicates = outcomes.length - applied.length - conflicts;
      report.charged += applied.length;
      report.conflicts += conflicts;
      report.duplicates += duplicates;
      if (applied.length > 0) this.opts.onRecords?.(applied);
      this.opts.onOutcome?.('applied', applied.length);
      this.opts.onOutcome?.('conflict', conflicts);
      this.opts.onOutcome?.('duplicate', duplicates);
      if (page.length < limit) return;
    }
  }
}
