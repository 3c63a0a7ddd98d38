// Journal → gateway: contiguous journal runs go out as TapBatch messages (QoS 1), oldest first.
//
// - A batch leaves when it holds batchMaxTaps taps, or when batchMaxDelayMs has passed since
//   the first tap waiting for it arrived, whichever comes first.
// - At most maxInflightBatches batches are unacknowledged at a time; an ack frees a slot.
// - A batch whose BatchAck has not come within ackTimeoutMs is sent again with the same seqs
//   (the gateway answers a resent tap with its original result and charges nothing twice).
// - Every batch is signed with the device key (docs/decisions/0173).
// - A BatchAck deletes exactly from_seq..to_seq from the journal, and only when its signature
//   verifies with a trusted gateway key, it names this device and the range lies inside one
//   batch in flight (0174); any other ack is counted, logged and ignored. The journal is the
//   truth: a batch is settled when none of its seqs remain in it, whichever ack removed them.
// - While the link is down nothing is sent; on reconnect the whole journal is sent again from
//   its oldest tap (the backlog drains oldest first, then live taps follow).
// - Every batch carries the journal's epoch, and only an ack of that epoch deletes: seqs start
//   again at 1 in a new journal, and an ack meant for an old one must not touch them
//   (docs/decisions/0175).
import type { ListPublicKey } from '../../../core/lists/keys.js';
import type { JournalEntry } from '../../../core/tap.js';
import { topics } from '../../../core/topics.js';
import {
  encodeSignedBatch,
  epochFromWire,
  epochToWire,
  type SignFn,
  toWireTap,
} from '../../../protos/codec.js';
import type { BatchAck } from '../../../protos/wire.js';
import type { Journal } from '../journal/port.js';
import type { Logger } from '../log.js';
import { openAck } from './ack.js';
import { ClockSkew } from './skew.js';

export interface BatcherOptions {
  journal: Journal;
  operatorId: string;
  deviceId: string;
  /** Publishes at QoS 1; resolves on PUBACK (which is not the commit: the BatchAck is). */
  publish: (topic: string, payload: Uint8Array) => Promise<void>;
  maxTaps: number;
  maxDelayMs: number;
  maxInflight: number;
  ackTimeoutMs: number;
  /** Signs with the device's private key (edge-agent/src/device-key.ts). */
  sign: SignFn;
  /** The gateway keys acks must be signed with: the trusted list keys (ONECARD_EDGE_LIST_KEYS). */
  ackKeys: ReadonlyMap<string, ListPublicKey>;
  now: () => number;
  log: Logger;
  /** After an ack deleted taps from the journal. */
  onAck?: (ack: BatchAck) => void;
}

interface Inflight {
  from: number;
  to: number;
  sentAt: number;
  timer: NodeJS.Timeout;
}

export class Batcher {
  /** First seq not yet sent since the link came up. */
  private nextSeq = 1;
  private readonly inflight = new Map<number, Inflight>();
  private delayTimer: NodeJS.Timeout | undefined;
  /** The waiting taps are due whatever their count (their delay passed, or they are backlog). */
  private due = false;
  private online = false;
  private running = false;
  /** Acks ignored since start (forged, another device's, a range not in flight). */
  private refused = 0;
  private readonly topic: string;
  /** The journal's epoch on the wire, encoded once. */
  private readonly epoch: Uint8Array;
  readonly skew = new ClockSkew();

  constructor(private readonly opts: BatcherOptions) {
    this.topic = topics.taps(opts.operatorId, opts.deviceId);
    this.epoch = epochToWire(opts.journal.epoch());
  }

  start(): void {
    this.running = true;
    this.rewind();
  }

  stop(): void {
    this.running = false;
    this.online = false;
    this.clearInflight();
    clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  get acksRefused(): number {
    return this.refused;
  }

  /** The MQTT link came up or went down. */
  setOnline(online: boolean): void {
    if (!this.running) return;
    this.online = online;
    if (!online) {
      // Whatever was in flight may or may not have arrived: on reconnect everything still in
      // the journal is sent again, so per-batch timers have nothing left to do.
      this.clearInflight();
      return;
    }
    this.rewind();
    this.pump();
  }

  /** A tap was appended to the journal. */
  notify(): void {
    if (!this.running) return;
    if (!this.delayTimer && !this.due) {
      this.delayTimer = setTimeout(() => {
        this.delayTimer = undefined;
        this.due = true;
        this.pump();
      }, this.opts.maxDelayMs);
    }
    this.pump();
  }

  /** A BatchAck from the gateway. */
  onAck(payload: Uint8Array): void {
    if (!this.running) return;
    const { journal } = this.opts;
    const opened = openAck(payload, this.opts.ackKeys);
    if (!opened.ok) {
      this.refuse({ why: opened.why });
      return;
    }
    const ack = opened.ack;
    const from = Number(ack.fromSeq);
    const to = Number(ack.toSeq);
    if (ack.deviceId !== this.opts.deviceId) {
      this.refuse({ why: 'for another device', deviceId: ack.deviceId.slice(0, 64) });
      return;
    }
    // An ack of an earlier journal's seqs must never delete the same seqs of this one (0175).
    if (epochFromWire(ack.journalEpoch) !== journal.epoch()) {
      this.refuse({ why: 'for another journal epoch', from, to });
      return;
    }
    // Deleting is only for taps the gateway has just been sent: an ack wider than the batch
    // (signed or not) must not reach taps the gateway never saw (issue 8: one forged
    // from 1 to 1,000,000 deleted rides never charged).
    const batch = [...this.inflight.values()].find((b) => b.from <= from && to <= b.to);
    if (!batch || from < 1 || to < from) {
      this.refuse({ why: 'not a range in flight', from, to });
      return;
    }
    const receivedAt = this.opts.now();
    this.skew.sample(batch.sentAt, receivedAt, Number(ack.gatewayTimeMs));
    journal.deleteRange(from, to);
    for (const b of [...this.inflight.values()]) {
      if (b.from <= to && b.to >= from && this.settled(b)) this.drop(b);
    }
    this.opts.onAck?.(ack);
    this.pump();
  }

  private refuse(detail: { why: string } & Record<string, unknown>): void {
    this.refused += 1;
    this.opts.log.warn(detail, 'batch ack ignored');
  }

  /** Sends what is due while the window has room. */
  private pump(): void {
    const { journal, maxTaps, maxInflight } = this.opts;
    while (this.online && this.inflight.size < maxInflight) {
      const waiting = journal.lastSeq() - this.nextSeq + 1;
      if (waiting <= 0 || (!this.due && waiting < maxTaps)) break;
      const run = contiguousPrefix(journal.range(this.nextSeq, maxTaps));
      if (run.length === 0) {
        this.nextSeq = journal.lastSeq() + 1;
        break;
      }
      this.nextSeq = run[run.length - 1]!.seq + 1;
      this.send(run, undefined);
    }
    if (journal.lastSeq() < this.nextSeq) {
      this.due = false;
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
  }

  private send(run: JournalEntry[], existing: Inflight | undefined): void {
    const from = run[0]!.seq;
    const to = run[run.length - 1]!.seq;
    const now = this.opts.now();
    const payload = encodeSignedBatch(
      {
        deviceId: this.opts.deviceId,
        operatorId: this.opts.operatorId,
        taps: run.map(toWireTap),
        sentAtMs: now,
        journalEpoch: this.epoch,
      },
      this.opts.sign,
    );
    this.opts.publish(this.topic, payload).catch((err: Error) => {
      // The ack timeout resends it; nothing is lost while the journal holds the taps.
      this.opts.log.warn({ fromSeq: from, toSeq: to, err: err.message }, 'tap batch not published');
    });
    if (existing) {
      existing.sentAt = now;
      return;
    }
    const batch: Inflight = { from, to, sentAt: now, timer: this.ackTimer(from) };
    this.inflight.set(from, batch);
  }

  private ackTimer(from: number): NodeJS.Timeout {
    return setTimeout(() => this.resend(from), this.opts.ackTimeoutMs);
  }

  private resend(from: number): void {
    const b = this.inflight.get(from);
    if (!b || !this.online) return;
    const entries = this.opts.journal.range(b.from, b.to - b.from + 1).filter((e) => e.seq <= b.to);
    if (entries.length === 0) {
      this.drop(b);
      this.pump();
      return;
    }
    this.opts.log.warn({ fromSeq: b.from, toSeq: b.to }, 'no ack in time: batch sent again');
    // An ack of an overlapping range (e.g. from before a restart) may have cut holes: each
    // contiguous run goes out as its own batch, so every batch stays contiguous.
    for (let rest = entries; rest.length > 0; ) {
      const run = contiguousPrefix(rest);
      this.send(run, b);
      rest = rest.slice(run.length);
    }
    b.timer = this.ackTimer(b.from);
  }

  private settled(b: Inflight): boolean {
    const first = this.opts.journal.range(b.from, 1)[0];
    return first === undefined || first.seq > b.to;
  }

  private drop(b: Inflight): void {
    clearTimeout(b.timer);
    this.inflight.delete(b.from);
  }

  private clearInflight(): void {
    for (const b of this.inflight.values()) clearTimeout(b.timer);
    this.inflight.clear();
  }

  /** Starts over from the oldest tap in the journal; all of it is due at once (backlog). */
  private rewind(): void {
    const { journal } = this.opts;
    this.nextSeq = journal.oldestSeq() ?? journal.lastSeq() + 1;
    this.due = true;
  }
}

function contiguousPrefix(entries: JournalEntry[]): JournalEntry[] {
  let n = entries.length > 0 ? 1 : 0;
  while (n < entries.length && entries[n]!.seq === entries[n - 1]!.seq + 1) n++;
  return n === entries.length ? entries : entries.slice(0, n);
}
