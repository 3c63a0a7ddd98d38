import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ListPublicKey, parsePublicKeys } from '../../../core/lists/keys.js';
import { topics } from '../../../core/topics.js';
import { MemoryJournal } from '../../../edge-agent/src/journal/memory.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { Batcher, type BatcherOptions } from '../../../edge-agent/src/uplink/batcher.js';
import { ListSigner } from '../../../gateway/src/lists/signer.js';
import { v1 } from '../../../protos/wire.js';
import { LIST_KEYS } from '../../support/lists.js';
import { deviceSigner, privateKeyOf, signedAck } from '../../support/signing.js';
import { ackPayload, decodeBatch, fill, type Published, seqsOf } from '../support.js';

const DEV = 'bus-7';
const OP = 'busco';

describe('batcher', () => {
  let journal: MemoryJournal;
  let sent: Published[];
  let batcher: Batcher;
  let acks: number;

  const make = (overrides: Partial<BatcherOptions> = {}) => {
    batcher = new Batcher({
      journal,
      operatorId: OP,
      deviceId: DEV,
      publish: async (topic, payload) => {
        sent.push({ topic, payload, retain: false });
      },
      maxTaps: 5,
      maxDelayMs: 200,
      maxInflight: 2,
      ackTimeoutMs: 5000,
      sign: deviceSigner(privateKeyOf(DEV)),
      ackKeys: parsePublicKeys(LIST_KEYS) as Map<string, ListPublicKey>,
      now: Date.now,
      log: silentLogger,
      onAck: () => acks++,
      ...overrides,
    });
    batcher.start();
    return batcher;
  };
  /** Appends n taps the way the agent does: journal first, then notify. */
  const tap = (n = 1) => {
    for (let i = 0; i < n; i++) {
      fill(journal, 1);
      batcher.notify();
    }
  };
  const ack = (from: number, to: number, deviceId = DEV) =>
    batcher.onAck(ackPayload(deviceId, from, to, Date.now(), journal.epoch()));

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 8, 0, 0) });
    journal = new MemoryJournal();
    sent = [];
    acks = 0;
  });
  afterEach(() => {
    batcher.stop();
    vi.useRealTimers();
  });

  describe('batch bounds', () => {
    it('holds taps until batchMaxDelayMs has passed since the first one, then sends them in one batch', () => {
      make().setOnline(true);
      tap(2);
      vi.advanceTimersByTime(150);
      tap(1);
      vi.advanceTimersByTime(49);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent.map(seqsOf)).toEqual([[1, 2, 3]]);
    });

    it('sends a batch as soon as it holds batchMaxTaps taps, without waiting', () => {
      make().setOnline(true);
      tap(5);
      expect(sent.map(seqsOf)).toEqual([[1, 2, 3, 4, 5]]);
    });

    it("carries the journal's epoch, 8 bytes, in every batch", () => {
      make().setOnline(true);
      tap(5);
      const bytes = Buffer.from(decodeBatch(sent[0]!).journalEpoch);
      expect(bytes.byteLength).toBe(8);
      expect(bytes.toString('hex')).toBe(journal.epoch());
    });

    it('publishes TapBatch on the device taps topic with the device and operator ids and the send time', () => {
      make().setOnline(true);
      tap(5);
      const batch = decodeBatch(sent[0]!);
      expect(sent[0]!.topic).toBe(topics.taps(OP, DEV));
      expect(batch.deviceId).toBe(DEV);
      expect(batch.operatorId).toBe(OP);
      expect(Number(batch.sentAtMs)).toBe(Date.now());
      expect(Buffer.from(batch.taps[0]!.cardToken!).toString('hex')).toBe('ab'.repeat(16));
    });

    it('sends a journal backlog at once when the link comes up, oldest first, in batches of at most batchMaxTaps', () => {
      fill(journal, 9);
      make({ maxInflight: 8 }).setOnline(true);
      expect(sent.map(seqsOf)).toEqual([
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9],
      ]);
    });

    it('sends nothing while the link is down, and the taps decided meanwhile go out when it comes up', () => {
      make();
      tap(3);
      vi.advanceTimersByTime(10_000);
      expect(sent).toEqual([]);
      batcher.setOnline(true);
      expect(sent.map(seqsOf)).toEqual([[1, 2, 3]]);
    });
  });

  describe('inflight window', () => {
    it('keeps at most maxInflightBatches unacknowledged and sends the next batch when an ack frees a slot', () => {
      fill(journal, 14);
      make({ maxInflight: 2 }).setOnline(true);
      expect(sent.map(seqsOf)).toEqual([
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10],
      ]);
      expect(batcher.inflightCount).toBe(2);
      ack(1, 5);
      expect(sent.map(seqsOf).at(-1)).toEqual([11, 12, 13, 14]);
      expect(batcher.inflightCount).toBe(2);
    });

    it('sends taps that waited behind a full window as soon as a slot frees, without a new delay', () => {
      make({ maxInflight: 1 }).setOnline(true);
      tap(5);
      tap(2);
      vi.advanceTimersByTime(1000);
      expect(sent.map(seqsOf)).toEqual([[1, 2, 3, 4, 5]]);
      ack(1, 5);
      expect(sent.map(seqsOf).at(-1)).toEqual([6, 7]);
    });
  });

  describe('acknowledgements', () => {
    it('deletes exactly from_seq..to_seq from the journal on a BatchAck', () => {
      fill(journal, 10);
      make().setOnline(true);
      ack(6, 10);
      expect(journal.range(1, 100).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(journal.lastAckedSeq()).toBe(10);
      expect(acks).toBe(1);
      expect(batcher.inflightCount).toBe(1);
    });

    it('ignores an ack addressed to another device', () => {
      fill(journal, 5);
      make().setOnline(true);
      ack(1, 5, 'someone-else');
      expect(journal.depth()).toBe(5);
      expect(acks).toBe(0);
      expect(batcher.acksRefused).toBe(1);
    });

    it("ignores an ack of another journal epoch or of none (an earlier journal's seqs), deleting nothing", () => {
      fill(journal, 5);
      make().setOnline(true);
      batcher.onAck(ackPayload(DEV, 1, 5, Date.now(), '0123456789abcdef'));
      batcher.onAck(ackPayload(DEV, 1, 5, Date.now(), ''));
      expect(journal.depth()).toBe(5);
      expect(acks).toBe(0);
      ack(1, 5);
      expect(journal.depth()).toBe(0);
    });

    it('ignores a signed ack wider than any batch in flight: it deletes nothing, not even the part it covers', () => {
      fill(journal, 3);
      make().setOnline(true);
      tap(1);
      ack(1, 100);
      expect(journal.range(1, 100).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(batcher.acksRefused).toBe(1);
    });

    it('ignores an ack without a signature, with a bad one or signed by a key it does not trust', () => {
      fill(journal, 5);
      make().setOnline(true);
      const unsigned = v1.BatchAck.encode({ deviceId: DEV, fromSeq: 1, toSeq: 5 }).finish();
      const good = ackPayload(DEV, 1, 5);
      const flipped = Buffer.from(good);
      flipped[flipped.length - 1]! ^= 1;
      const stranger = signedAck(
        { deviceId: DEV, fromSeq: 1, toSeq: 5 },
        new ListSigner('77'.repeat(32), 'test'),
      );
      for (const forged of [unsigned, flipped, stranger]) batcher.onAck(forged);
      expect(journal.depth()).toBe(5);
      expect(acks).toBe(0);
      expect(batcher.acksRefused).toBe(3);
    });

    it('ignores a malformed ack', () => {
      fill(journal, 5);
      make().setOnline(true);
      batcher.onAck(Uint8Array.from([0xff, 0xff, 0xff]));
      expect(journal.depth()).toBe(5);
      expect(batcher.acksRefused).toBe(1);
    });

    it('estimates the clock skew from the gateway time in the ack', () => {
      fill(journal, 5);
      make().setOnline(true);
      vi.advanceTimersByTime(100);
      // Sent at t, received at t+100: the gateway stamped the midpoint, 1 s behind our clock.
      batcher.onAck(ackPayload(DEV, 1, 5, Date.now() - 50 - 1000, journal.epoch()));
      expect(batcher.skew.ms).toBe(1000);
    });
  });

  describe('resend', () => {
    it('sends a batch again, with the same seqs, when its ack has not come within ackTimeoutMs', () => {
      make().setOnline(true);
      tap(5);
      vi.advanceTimersByTime(4999);
      expect(sent).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(sent.map(seqsOf)).toEqual([
        [1, 2, 3, 4, 5],
        [1, 2, 3, 4, 5],
      ]);
      vi.advanceTimersByTime(5000);
      expect(sent).toHaveLength(3);
    });

    it('stops resending once the ack came', () => {
      make().setOnline(true);
      tap(5);
      vi.advanceTimersByTime(5000);
      ack(1, 5);
      vi.advanceTimersByTime(60_000);
      expect(sent).toHaveLength(2);
      expect(journal.depth()).toBe(0);
    });

    it('after a reconnect sends everything still in the journal again, oldest first, including what was in flight', () => {
      fill(journal, 8);
      make({ maxInflight: 8 }).setOnline(true);
      ack(6, 8);
      batcher.setOnline(false);
      tap(2);
      batcher.setOnline(true);
      expect(sent.map(seqsOf).slice(2)).toEqual([
        [1, 2, 3, 4, 5],
        [9, 10],
      ]);
    });

    it('keeps every resent batch contiguous when a late ack cut a hole in it', () => {
      fill(journal, 5);
      make().setOnline(true);
      ack(2, 3);
      vi.advanceTimersByTime(5000);
      expect(sent.map(seqsOf).slice(1)).toEqual([[1], [4, 5]]);
    });
  });

  it('stop() leaves no timer behind', () => {
    make().setOnline(true);
    tap(7);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    batcher.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
