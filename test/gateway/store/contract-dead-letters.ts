// Dead letters: attacker-sized input kept within bounds by count and by bytes, payloads cut with
// the whole payload's hash and size kept, oldest dropped first (docs/decisions/0160).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { letterBytes } from '../../../gateway/src/store/dead-letters.js';
import type { DeadLetterBounds, DeadLetterStore, KeptDeadLetter } from '../../../gateway/src/store/port.js';
import type { StoreHarness } from './harness.js';

const T0 = Date.parse('2026-12-04T08:00:00Z');
const roomy: DeadLetterBounds = { maxCount: 1000, maxBytes: 1 << 20, maxPayloadBytes: 1 << 16 };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function totals(letters: KeptDeadLetter[]): { count: number; bytes: number } {
  return { count: letters.length, bytes: letters.reduce((n, l) => n + letterBytes(l), 0) };
}

export function deadLettersContract(h: StoreHarness<DeadLetterStore>): void {
  describe('dead letters', () => {
    it('keeps letters with their payload bytes intact and lists the newest first', async () => {
      const store = h.store();
      const payload = Buffer.from([0, 1, 2, 0xfe, 0xff]);
      for (let i = 0; i < 3; i++)
        expect(
          await store.putDeadLetter({ topic: `t/${i}`, reason: `bad ${i}`, payload, at: T0 + i }, roomy),
        ).toEqual({ dropped: 0 });
      const letters = await store.deadLetters(2);
      const whole = { payload, payloadBytes: 5, payloadSha256: sha(payload) };
      expect(letters).toEqual([
        { topic: 't/2', reason: 'bad 2', at: T0 + 2, ...whole },
        { topic: 't/1', reason: 'bad 1', at: T0 + 1, ...whole },
      ]);
      expect(Buffer.isBuffer(letters[0]!.payload)).toBe(true);
      expect(await store.deadLetters(0)).toEqual([]);
    });

    it('cuts a payload past the limit and keeps the whole payload’s size and SHA-256', async () => {
      const store = h.store();
      const junk = Buffer.alloc(8 * 1024 * 1024, 0xab);
      junk.writeUInt32BE(0xdeadbeef, junk.length - 4);
      await store.putDeadLetter(
        { topic: 'oc/v1/op/d/taps', reason: 'OVERSIZED', payload: junk, at: T0 },
        { maxCount: 10, maxBytes: 1 << 20, maxPayloadBytes: 100 },
      );
      const [kept] = await store.deadLetters(10);
      expect(kept).toEqual({
        topic: 'oc/v1/op/d/taps',
        reason: 'OVERSIZED',
        payload: junk.subarray(0, 100),
        at: T0,
        payloadBytes: junk.length,
        payloadSha256: sha(junk),
      });
    });

    it('cuts a reason longer than 1024 characters', async () => {
      const store = h.store();
      await store.putDeadLetter(
        { topic: 't', reason: 'x'.repeat(5000), payload: Buffer.alloc(1), at: T0 },
        roomy,
      );
      expect((await store.deadLetters(1))[0]!.reason).toBe(`${'x'.repeat(1024)}…`);
    });

    it('holds the count bound: the oldest go first and each put says how many went', async () => {
      const store = h.store();
      const bounds = { maxCount: 5, maxBytes: 1 << 20, maxPayloadBytes: 64 };
      const dropped: number[] = [];
      for (let i = 0; i < 12; i++)
        dropped.push(
          (
            await store.putDeadLetter(
              { topic: `t/${i}`, reason: 'r', payload: Buffer.from([i]), at: T0 + i },
              bounds,
            )
          ).dropped,
        );
      expect(dropped).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
      expect((await store.deadLetters(100)).map((l) => l.topic)).toEqual([
        't/11',
        't/10',
        't/9',
        't/8',
        't/7',
      ]);
    });

    it('holds the byte bound: never more bytes kept than allowed, after every put', async () => {
      const store = h.store();
      const bounds = { maxCount: 1000, maxBytes: 1000, maxPayloadBytes: 200 };
      let droppedTotal = 0;
      for (let i = 0; i < 40; i++) {
        // Payloads of 50..2000 bytes: the big ones are cut to 200, all count their kept bytes.
        const payload = Buffer.alloc(50 * (1 + (i % 40)), i);
        droppedTotal += (
          await store.putDeadLetter({ topic: `t/${i}`, reason: `r${i}`, payload, at: T0 + i }, bounds)
        ).dropped;
        const t = totals(await store.deadLetters(10_000));
        expect(t.bytes).toBeLessThanOrEqual(1000);
        expect(t.count + droppedTotal).toBe(i + 1);
      }
      // Each kept letter is 200 + 4 + 3 bytes: four fit in 1000, the newest four.
      expect((await store.deadLetters(100)).map((l) => l.topic)).toEqual(['t/39', 't/38', 't/37', 't/36']);
      expect(droppedTotal).toBe(36);
    });

    it('holds both bounds under concurrent puts from two connections', async () => {
      const a = h.store();
      const b = await h.open();
      const bounds = { maxCount: 7, maxBytes: 700, maxPayloadBytes: 80 };
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? a : b).putDeadLetter(
            { topic: `t/${i}`, reason: 'rr', payload: Buffer.alloc(i * 3, 1), at: T0 + i },
            bounds,
          ),
        ),
      );
      const kept = await a.deadLetters(1000);
      const t = totals(kept);
      expect(t.count).toBeLessThanOrEqual(7);
      expect(t.bytes).toBeLessThanOrEqual(700);
      expect(t.count + results.reduce((n, r) => n + r.dropped, 0)).toBe(60);
    });

    it('refuses bounds that are not whole numbers, keeping nothing', async () => {
      const store = h.store();
      const letter = { topic: 't', reason: 'r', payload: Buffer.alloc(1), at: T0 };
      await expect(store.putDeadLetter(letter, { ...roomy, maxCount: 0 })).rejects.toThrow(/maxCount/);
      await expect(store.putDeadLetter(letter, { ...roomy, maxBytes: 1.5 })).rejects.toThrow(/maxBytes/);
      expect(await store.deadLetters(10)).toEqual([]);
    });
  });
}
