import { describe, expect, it } from 'vitest';
import { JoinBuffer } from '../../gateway/src/join-buffer.js';

describe('JoinBuffer (0236)', () => {
  const parts = (n: number, fill: number) => [Buffer.alloc(n, fill), Buffer.alloc(0), Buffer.from([1, 2, 3])];

  it('joins parts into one buffer it keeps: the next join writes over the same memory', () => {
    const j = new JoinBuffer();
    const first = j.join(parts(10, 7));
    expect(first).toEqual(Buffer.concat(parts(10, 7)));
    const second = j.join(parts(5, 9));
    expect(second).toEqual(Buffer.concat(parts(5, 9)));
    expect(second.buffer).toBe(first.buffer);
  });

  it('keeps no buffer over MAX_KEPT bytes: a larger value is joined apart', () => {
    const j = new JoinBuffer();
    j.join(parts(100, 1));
    const kept = j.capacity;
    const big = j.join(parts(JoinBuffer.MAX_KEPT + 1, 2));
    expect(big).toEqual(Buffer.concat(parts(JoinBuffer.MAX_KEPT + 1, 2)));
    expect(j.capacity).toBe(kept);
    expect(j.capacity).toBeLessThanOrEqual(JoinBuffer.MAX_KEPT);
  });
});
