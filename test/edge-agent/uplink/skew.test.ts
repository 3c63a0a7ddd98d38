import { describe, expect, it } from 'vitest';
import { ClockSkew } from '../../../edge-agent/src/uplink/skew.js';

describe('clock skew estimate', () => {
  it('is 0 before the first ack', () => {
    expect(new ClockSkew().ms).toBe(0);
  });

  it('compares the gateway time with the midpoint of send and receipt', () => {
    const skew = new ClockSkew();
    skew.sample(10_000, 10_200, 7_100);
    expect(skew.ms).toBe(3_000);
  });

  it('moves a quarter of the way towards each new sample', () => {
    const skew = new ClockSkew();
    skew.sample(10_000, 10_000, 9_000);
    skew.sample(20_000, 20_000, 20_000);
    expect(skew.ms).toBe(750);
  });

  it('ignores samples with no gateway time or a receipt before the send', () => {
    const skew = new ClockSkew();
    skew.sample(10_000, 10_000, 0);
    skew.sample(10_000, 9_000, 5_000);
    expect(skew.ms).toBe(0);
  });
});
