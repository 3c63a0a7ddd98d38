// The tap path at the gateway, one batch at a time (many batches run concurrently):
//   validate → known device? → signed by its key? → location allowed? → claim each
//   (device, epoch, seq) for its content and load cards (together: one round trip) → plan
//   (pure) → commit (atomic, exactly once)
//   → on version conflicts re-plan just those taps → ack to the device.
// The ack goes out only after the commit returned: the device deletes acked taps from its
// journal, so an ack must never run ahead of durable state. A crash anywhere before the ack
// means the device resends and the dedupe keys answer with the original results.

import type { CardState } from '../../../core/card.js';
import { DEFAULT_DEDUPE_WINDOW_DAYS } from '../../../core/dedupe-window.js';
import type { LedgerRecord, TapInput } from '../../../core/ledger.js';
import type { Pricer } from '../../../core/pricing.js';
import { topics } from '../../../core/topics.js';
import { writeSignedAck } from '../../../protos/ack-codec.js';
import { epochToWire, type OutcomeName, type ReasonName, type SignFn } from '../../../protos/codec.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Reconciler } from '../reconcile/reconciler.js';
import type { DeadLetter, DeadLetterBounds, Store } from '../store/port.js';
import { ackResults, type TapOutcome } from './ack.js';
import {
  BEYOND_SEEN_RESULT,
  BEYOND_UNKNOWN_RESULT,
  type Claimed,
  claimTaps,
  conflictFinding,
  SEQ_CONFLICT_RESULT,
  splitByWindow,
} from './claims.js';
import type { DeviceRegistry } from './devices.js';
import { planBatch, uniqueTokens, withLocationChecked } from './plan.js';
import { BatchSignatures } from './signatures.js';
import { type Limits, type ValidBatch, validateBatch } from './validate.js';
import { withDerivedUses, withRecordKind } from './visits.js';

/** Taps the gateway refused to price (docs/decisions/0161), counted once when first committed. */
const REFUSALS: ReadonlySet<ReasonName> = new Set(['LOCATION_NOT_ALLOWED', 'LOCATION_NOT_PRICED']);

/** After this many rounds of conflicts the batch fails; the device resends it later. */
const MAX_CONFLICT_ROUNDS = 20;

export interface IngestDeps {
  store: Store;
  devices: DeviceRegistry;
  fare: Pricer;
  limits: Limits;
  /** How much of the rejected input the store keeps (docs/decisions/0160). */
  deadLetterBounds: DeadLetterBounds;
  /** Sends a BatchAck (QoS 1, without waiting for the broker; see MqttLink.send). */
  sendAck: (topic: string, payload: Uint8Array) => void;
  /** Signs every BatchAck with the list-signing key devices trust (docs/decisions/0174). */
  ackSigner: { keyId: string; sign: SignFn };
  /** Device public keys held parsed (ONECARD_FLEET_MAX_DEVICES; default 100,000). */
  maxDeviceKeys?: number;
  /** Days a tap's exactly-once key is kept (the store's window, docs/decisions/0196); default 30. */
  dedupeWindowDays?: number;
  metrics: Metrics;
  log: Logger;
  now: () => number;
  /** Called after every commit (the Kafka relay wakes up). */
  onCommitted?: () => void;
  /** Offline taps that would have been refused online: deny list and operator report, before the ack. */
  reconciler?: Reconciler;
  /** The records a commit applied (not duplicates), for the console's live view. */
  onRecords?: (records: LedgerRecord[]) => void;
  /** Venue occupancy and reservations used, from the visits (gateway/src/venues/passages.ts), before the ack. */
  passages?: { recordVisits(taps: readonly TapInput[]): Promise<void> };
}

type Counted = { outcome: OutcomeName; reason: ReasonName; n: number };

/** The entry counting taps with this outcome and reason, one more tap counted in it. */
function countIn(counted: Map<string, Counted>, outcome: OutcomeName, reason: ReasonName): Counted {
  const label = `${outcome} ${reason}`;
  let c = counted.get(label);
  if (c) c.n++;
  else {
    c = { outcome, reason, n: 1 };
    counted.set(label, c);
  }
  return c;
}

export class Ingest {
  private readonly signatures: BatchSignatures;

  constructor(private readonly deps: IngestDeps) {
    this.signatures = new BatchSignatures(deps.maxDeviceKeys ?? 100_000);
  }

  /** Handles one MQTT message. Never throws: failures are logged, counted and dead-lettered. */
  async handle(topic: string, payload: Buffer): Promise<void> {
    const { metrics, log } = this.deps;
    const started = this.deps.now();
    try {
      const v = validateBatch(topic, payload, this.deps.limits, started);
      if (!v.ok) return await this.reject(topic, payload, v.reason, v.detail);
      const device = await this.deps.devices.get(v.batch.deviceId);
      if (!device || device.operatorId !== v.batch.operatorId) {
        return await this.reject(
          topic,
          payload,
          device ? 'UNKNOWN_DEVICE' : this.deps.devices.refusal(v.batch.deviceId),
          `${v.batch.operatorId}/${v.batch.deviceId}`,
        );
      }
      // Only the device's own key makes its batch count (0173): checked before any tap is
      // looked at, so a refused batch changes nothing and is never acked.
      const signed = this.signatures.check(device, payload, v.batch.signature);
      if (!signed.ok) return await this.reject(topic, payload, signed.reason, signed.detail);
      if (v.batch.invalid.length > 0) {
        metrics.tapsInvalid.inc(v.batch.invalid.length);
        const detail = v.batch.invalid.map((i) => `seq ${i.seq}: ${i.problem}`).join('; ');
        await this.deadLetter({ topic, reason: `INVALID_TAP ${detail}`, payload, at: started });
        log.warn({ device: v.batch.deviceId, invalid: v.batch.invalid }, 'malformed taps quarantined');
      }
      // The tap's location is the device's claim; priced only where its registration allows
      // (docs/decisions/0161). Refused taps are still committed: recorded, acked, reported.
      const kinded = withRecordKind(v.batch.taps, device.profile);
      const taps = withLocationChecked(kinded, device);
      if (taps !== kinded)
        log.warn(
          { device: v.batch.deviceId, seqs: taps.filter((t) => t.refusal).map((t) => t.seq) },
          'taps at a place the device is not registered for',
        );
      // The claims and the first card load go out together (ioredis pipelines them): the claim
      // costs no round trip of its own. Cards of quarantined taps are loaded for their finding.
      // A tap older than the dedupe window is never claimed nor committed: its key may be gone
      // (0196). Asked about with the claims (no round trip of its own).
      const aged = splitByWindow(taps, started, this.deps.dedupeWindowDays ?? DEFAULT_DEDUPE_WINDOW_DAYS);
      // Every tap's token, a repeated card's more than once: the load gives one entry a card, so
      // no Set is made here to find the repeats (0245).
      const tokens = new Array<string>(aged.inside.length);
      for (let i = 0; i < tokens.length; i++) tokens[i] = aged.inside[i]!.cardToken;
      const [claimed, cards, came] = await Promise.all([
        claimTaps(this.deps.store, v.batch, aged.inside, started),
        this.deps.store.loadCards(tokens),
        aged.beyond.length === 0
          ? []
          : this.deps.store.seenBeforeWindow(
              v.batch.deviceId,
              v.batch.epoch,
              aged.beyond.map((t) => t.seq),
            ),
      ]);
      // The admitted taps are some of those: a card they repeat is repeated among these, and
      // fewer cards than taps came back.
      const outcomes = await this.commitTaps(claimed.admitted, cards, cards.size < tokens.length);
      if (aged.beyond.length > 0) this.answerBeyond(v.batch.deviceId, aged.beyond, came, outcomes);
      if (claimed.conflicts.length > 0) await this.quarantine(claimed, cards, outcomes);
      await this.deps.reconciler?.reconcile(claimed.admitted, outcomes);
      await this.deps.passages?.recordVisits(claimed.admitted);
      this.ack(v.batch, outcomes);
      metrics.batches.inc();
      metrics.batchSeconds.observe((this.deps.now() - started) / 1000);
      this.deps.onCommitted?.();
    } catch (err) {
      // Store or broker trouble: no ack, so the device keeps the taps and resends them.
      metrics.ingestErrors.inc();
      log.error({ err, topic }, 'batch failed; the device will resend it');
    }
  }

  private async reject(topic: string, payload: Buffer, reason: string, detail: string): Promise<void> {
    this.deps.log.warn({ topic, reason, detail }, 'batch rejected');
    try {
      await this.deadLetter({ topic, reason: `${reason}: ${detail}`, payload, at: this.deps.now() });
    } finally {
      // Counted once its letter is kept, so whoever sees the count finds the letter (on Redis
      // the put is a round trip); counted even when the store failed to keep it.
      this.deps.metrics.batchesRejected.inc({ reason });
    }
  }

  /** Kept within the bounds (docs/decisions/0160); the letters that made room are counted. */
  private async deadLetter(letter: DeadLetter): Promise<void> {
    const { dropped } = await this.deps.store.putDeadLetter(letter, this.deps.deadLetterBounds);
    if (dropped > 0) this.deps.metrics.deadLettersDropped.inc(dropped);
  }

  /**
   * Taps whose (device, epoch, seq) other content holds (docs/decisions/0175): acked SEQ_CONFLICT,
   * counted, and kept as findings before the ack (idempotent, so a failure here means a resend
   * that finds them again).
   */
  private async quarantine(
    claimed: Claimed,
    cards: ReadonlyMap<string, CardState>,
    outcomes: Map<number, TapOutcome>,
  ): Promise<void> {
    const foundAt = this.deps.now();
    const findings = claimed.conflicts.map(({ tap, digest }) => {
      outcomes.set(tap.seq, { ...SEQ_CONFLICT_RESULT, duplicate: false });
      return conflictFinding(tap, digest, cards.get(tap.cardToken), foundAt);
    });
    await this.deps.store.putFindings(findings);
    this.deps.metrics.tapsSeqConflict.inc(findings.length);
    this.deps.log.warn(
      { device: findings[0]!.deviceId, findings: findings.map((f) => f.id) },
      'taps quarantined: their (device, epoch, seq) came before with other content',
    );
  }

  /**
   * Taps older than the dedupe window (docs/decisions/0196): one whose seq the device sent before
   * under its epoch is a resend, answered duplicate without its original result; any other is
   * refused BEYOND_WINDOW. Neither is charged; both are counted.
   */
  private answerBeyond(
    deviceId: string,
    beyond: readonly TapInput[],
    came: readonly boolean[],
    outcomes: Map<number, TapOutcome>,
  ): void {
    beyond.forEach((tap, i) => {
      const before = came[i] === true;
      outcomes.set(tap.seq, { ...(before ? BEYOND_SEEN_RESULT : BEYOND_UNKNOWN_RESULT), duplicate: before });
      this.deps.metrics.tapsBeyondWindow.inc({ came: before ? 'before' : 'unknown' });
    });
    this.deps.log.warn(
      { device: deviceId, seqs: beyond.map((t) => t.seq) },
      'taps older than the dedupe window: not charged',
    );
  }

  /**
   * Commits the taps; `loaded` holds the cards for the first round (later rounds reload theirs),
   * and `repeats` says whether a card may come more than once among the taps (planBatch).
   */
  private async commitTaps(
    taps: TapInput[],
    loaded: Map<string, CardState>,
    repeats: boolean,
  ): Promise<Map<number, TapOutcome>> {
    const { store, fare, metrics } = this.deps;
    const results = new Map<number, TapOutcome>();
    let pending = taps;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_CONFLICT_ROUNDS) throw new Error(`still conflicting after ${round} rounds`);
      const now = this.deps.now();
      let fresh = loaded;
      if (round > 0) {
        const tokens = uniqueTokens(pending);
        fresh = await store.loadCards(tokens);
        repeats = tokens.length < pending.length;
      }
      // Entitlement uses are in the cards' state (0203); only a card from before it reads records.
      const cards = await withDerivedUses(store, pending, fresh, now);
      const effects = planBatch(pending, cards, fare, now, repeats);
      const outcomes = await store.commit(effects);
      const retry: TapInput[] = [];
      const applied: LedgerRecord[] = [];
      // Counted once per batch and label set, not per tap (docs/decisions/0205). Most taps of a
      // batch have the label of the tap before: that one is counted without building its key (0211).
      const counted = new Map<string, Counted>();
      let last: Counted | undefined;
      let duplicates = 0;
      for (let i = 0; i < outcomes.length; i++) {
        const o = outcomes[i]!;
        const tap = pending[i]!;
        if (o.status === 'conflict') {
          retry.push(tap);
          continue;
        }
        const { outcome, reason } = o.result;
        if (o.status === 'duplicate') {
          results.set(tap.seq, { ...o.result, duplicate: true });
          duplicates++;
        } else {
          // The effect's own result (0246): never changed after planning, so it answers as is.
          results.set(tap.seq, o.result);
          applied.push(effects[i]!.record);
          if (last?.outcome === outcome && last.reason === reason) last.n++;
          else last = countIn(counted, outcome, reason);
        }
      }
      if (duplicates > 0) metrics.tapsDuplicate.inc(duplicates);
      for (const { outcome, reason, n } of counted.values()) {
        metrics.taps.inc({ outcome, reason }, n);
        if (REFUSALS.has(reason)) metrics.tapsRefused.inc({ reason }, n);
      }
      if (applied.length > 0) this.deps.onRecords?.(applied);
      if (retry.length > 0) metrics.commitConflicts.inc(retry.length);
      pending = retry;
    }
    return results;
  }

  private ack(batch: ValidBatch, outcomes: Map<number, TapOutcome>): void {
    const results = ackResults(batch, outcomes);
    const { keyId, sign } = this.deps.ackSigner;
    // Written by hand, the generated encoder's bytes (protos/ack-codec.ts, docs/decisions/0211).
    const ack = writeSignedAck(
      {
        deviceId: batch.deviceId,
        journalEpoch: epochToWire(batch.epoch),
        fromSeq: results[0]?.seq ?? 0,
        toSeq: results[results.length - 1]?.seq ?? 0,
        results,
        gatewayTimeMs: this.deps.now(),
      },
      keyId,
      sign,
    );
    this.deps.sendAck(topics.ack(batch.operatorId, batch.deviceId), ack);
  }
}
