import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../edge-agent/src/log.js';
import type { ReaderTap } from '../../../edge-agent/src/reader/port.js';
import {
  LineReader,
  ManualReader,
  parseTapLine,
  RandomReader,
  ScriptReader,
  syntheticCardNumber,
} from '../../../edge-agent/src/reader/simulated.js';

describe('reader lines "<cardNumber> [region]"', () => {
  it.each([
    ['A12345678', { cardNumber: 'A12345678', issuingRegion: '', credential: 'card' }],
    ['  A12345678   500228 ', { cardNumber: 'A12345678', issuingRegion: '500228', credential: 'card' }],
    ['', undefined],
    ['# a comment', undefined],
    ['A12345678 5002', 'the region is not a 6-digit code'],
    ['A1-2345678', 'the card number is not 4-32 letters or digits'],
    ['A12345678 500228 extra', 'expected "<cardNumber> [region]"'],
    ['qr OC:AB C ', { cardNumber: '', credential: 'qr', qrText: 'OC:AB C ' }],
    ['qr OC:ABC\r', { cardNumber: '', credential: 'qr', qrText: 'OC:ABC' }],
  ])('%j → %j', (line, expected) => {
    expect(parseTapLine(line)).toEqual(expected);
  });
});

describe('simulated readers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('synthetic card numbers are 9 characters, visibly synthetic, and stable', () => {
    expect(syntheticCardNumber(7)).toBe('SIM000007');
    expect(syntheticCardNumber(123456)).toBe('SIM123456');
  });

  it('the script reader presents its taps in order, one per interval', async () => {
    const seen: string[] = [];
    const reader = new ScriptReader(
      [{ cardNumber: 'A1111' }, { cardNumber: 'B2222' }, { cardNumber: 'C3333' }],
      100,
    );
    reader.start((t) => {
      seen.push(t.cardNumber);
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['A1111']);
    await vi.advanceTimersByTimeAsync(200);
    expect(seen).toEqual(['A1111', 'B2222', 'C3333']);
    await reader.done;
    reader.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the random reader presents taps at its rate, from the synthetic card pool, reproducibly', async () => {
    const run = async () => {
      const seen: ReaderTap[] = [];
      const reader = new RandomReader({ tapsPerSecond: 50, cardCount: 10, seed: 42 });
      reader.start((t) => {
        seen.push(t);
        return undefined;
      });
      await vi.advanceTimersByTimeAsync(1000);
      reader.stop();
      return seen;
    };
    const first = await run();
    expect(first).toHaveLength(50);
    expect(
      first.every((t) => /^SIM00000\d$/.test(t.cardNumber) && /^\d{6}$/.test(t.issuingRegion ?? '')),
    ).toBe(true);
    expect((await run()).map((t) => t.cardNumber)).toEqual(first.map((t) => t.cardNumber));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the manual reader returns the gate signal of each tap', () => {
    const reader = new ManualReader();
    reader.start(() => ({
      seq: 9,
      decision: 'deny',
      display: { zh: '此卡已挂失', en: 'Card reported lost' },
    }));
    expect(reader.tap('A12345678')?.decision).toBe('deny');
    reader.stop();
    expect(() => reader.tap('A12345678')).toThrow('reader is not started');
  });
});

describe('line reader', () => {
  it('presents one tap per valid line and skips the others', async () => {
    const input = new PassThrough();
    const seen: ReaderTap[] = [];
    const reader = new LineReader(input, silentLogger);
    reader.start((t) => {
      seen.push(t);
      return undefined;
    });
    input.end('A12345678 500228\nnot valid line here\n\nB87654321\n');
    await new Promise((r) => setImmediate(r));
    reader.stop();
    expect(seen.map((t) => [t.cardNumber, t.issuingRegion])).toEqual([
      ['A12345678', '500228'],
      ['B87654321', ''],
    ]);
  });
});
