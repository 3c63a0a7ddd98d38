import { describe, expect, it } from 'vitest';
import { type NextTap, Riders } from '../../../scripts/demo/riders.js';

/** A random source that cycles through the given values. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function run(riders: Riders, ticks: number, stepMs = 250): NextTap[] {
  return Array.from({ length: ticks }, (_, i) => riders.next(i * stepMs));
}

describe('demo riders', () => {
  it('taps a card out at the metro exit once its ride is over, and not before', () => {
    // Card 0 picks the second of six choices (metroIn) first.
    const riders = new Riders(3, 1, sequence(0, 0.2, 0.9, 0));
    const first = riders.next(0);
    expect(first).toEqual({ stop: 'metroIn', card: 0, passback: false });
    expect(riders.next(500).stop).not.toBe('metroOut');
    expect(riders.next(1000)).toEqual({ stop: 'metroOut', card: 0, passback: false });
  });

  it('never brings a card back to a gate it passed, except the deliberate passback', () => {
    const taps = run(new Riders(5), 400);
    const seen = new Set<string>();
    for (const t of taps) {
      if (t.stop === 'bus' || t.stop === 'metroOut') continue;
      const key = `${t.card}:${t.stop}`;
      if (!t.passback) expect(seen.has(key)).toBe(false);
      else expect(seen.has(key)).toBe(true);
      seen.add(key);
    }
    expect(taps.filter((t) => t.passback).length).toBeGreaterThan(0);
  });

  it('taps every card out that went in, once its ride is over', () => {
    const taps = run(new Riders(10, 2), 600);
    const inside = new Set<number>();
    for (const t of taps) {
      if (t.stop === 'metroIn' && !t.passback) inside.add(t.card);
      if (t.stop === 'metroOut') {
        expect(inside.has(t.card)).toBe(true);
        inside.delete(t.card);
      }
    }
    // Whoever is still inside entered within the last ride (2 s = 8 ticks).
    expect(inside.size).toBeLessThanOrEqual(8);
  });
});

describe('demo riders, who goes where', () => {
  it('sends a card only where the demo says it may go', () => {
    const taps = run(new Riders(20, 1, Math.random, (stop, card) => stop !== 'park' || card < 3), 500);
    expect(taps.filter((t) => t.stop === 'park').every((t) => t.card < 3)).toBe(true);
  });
});
