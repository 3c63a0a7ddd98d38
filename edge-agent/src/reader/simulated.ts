// Simulated readers for tests, the demo and load: a scripted list, lines from a stream (stdin),
// a random generator of synthetic cards, and a manual reader a test or console drives.

import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import { mulberry32 } from '../../../core/random.js';
import type { Logger } from '../log.js';
import type { GateSignal, Reader, ReaderTap, TapHandler } from './port.js';

const REGION = /^\d{6}$/;

/**
 * Synthetic card number i: "SIM" and 6 digits (9 characters like a real card number, but
 * visibly not one). Demos put the same numbers on the gateway, e.g. to deny card 7.
 */
export function syntheticCardNumber(i: number): string {
  return `SIM${String(i % 1_000_000).padStart(6, '0')}`;
}

/** Taps driven by calls: tap() returns the gate signal at once (the agent decides synchronously). */
export class ManualReader implements Reader {
  private onTap: TapHandler | undefined;

  start(onTap: TapHandler): void {
    this.onTap = onTap;
  }

  stop(): void {
    this.onTap = undefined;
  }

  tap(cardNumber: string, issuingRegion = '', credential: 'card' | 'qr' = 'card'): GateSignal | undefined {
    if (!this.onTap) throw new Error('reader is not started');
    return this.onTap({ cardNumber, issuingRegion, credential });
  }

  /** A QR scan; resolves with the gate signal (at once, or after an online check). */
  scan(qrText: string): Promise<GateSignal> {
    const onTap = this.onTap;
    if (!onTap) throw new Error('reader is not started');
    return new Promise((resolve) => {
      const signal = onTap({ cardNumber: '', credential: 'qr', qrText, respond: resolve });
      if (signal) resolve(signal);
    });
  }
}

/** A fixed list of taps, one every intervalMs (0: all at start-up, in order). */
export class ScriptReader implements Reader {
  private timer: NodeJS.Timeout | undefined;
  private finish: () => void = () => {};
  /** Resolves when every tap was presented, or the reader stopped. */
  readonly done: Promise<void>;

  constructor(
    private readonly taps: readonly ReaderTap[],
    private readonly intervalMs = 0,
  ) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  start(onTap: TapHandler): void {
    let i = 0;
    const next = () => {
      this.timer = undefined;
      do {
        const tap = this.taps[i++];
        if (tap) onTap(tap);
      } while (this.intervalMs === 0 && i < this.taps.length);
      if (i >= this.taps.length) this.finish();
      else this.timer = setTimeout(next, this.intervalMs);
    };
    this.timer = setTimeout(next, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.finish();
  }
}

/**
 * One tap per line, `<cardNumber> [region]`, or a QR scan `qr <text>` (blank lines and #
 * comments ignored): stdin.
 */
export class LineReader implements Reader {
  private rl: Interface | undefined;

  constructor(
    private readonly input: Readable,
    private readonly log: Logger,
  ) {}

  start(onTap: TapHandler): void {
    const rl = createInterface({ input: this.input });
    this.rl = rl;
    let lineNo = 0;
    rl.on('line', (line) => {
      lineNo++;
      const tap = parseTapLine(line);
      if (tap === undefined) return;
      // The line may hold a card number: report its position, never its text.
      if (typeof tap === 'string') this.log.warn({ line: lineNo, problem: tap }, 'reader line ignored');
      // A QR scan may be decided later (online check); main.ts prints every decision event.
      else onTap(tap.credential === 'qr' ? { ...tap, respond: () => {} } : tap);
    });
  }

  stop(): void {
    this.rl?.close();
    this.rl = undefined;
  }
}

/** A tap, undefined for a blank or comment line, or a problem in words. */
export function parseTapLine(line: string): ReaderTap | string | undefined {
  // QR text is taken verbatim: base45 has a space in its alphabet, even at the end.
  if (line.startsWith('qr '))
    return { cardNumber: '', credential: 'qr', qrText: line.slice(3).replace(/\r$/, '') };
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const [cardNumber, region, ...rest] = text.split(/\s+/);
  if (rest.length > 0) return 'expected "<cardNumber> [region]"';
  if (!cardNumber || !/^[A-Za-z0-9]{4,32}$/.test(cardNumber))
    return 'the card number is not 4-32 letters or digits';
  if (region !== undefined && !REGION.test(region)) return 'the region is not a 6-digit code';
  return { cardNumber, issuingRegion: region ?? '', credential: 'card' };
}

export interface RandomReaderOptions {
  tapsPerSecond: number;
  /** Cards drawn from syntheticCardNumber(0 .. cardCount-1), so the same cards come back. */
  cardCount: number;
  /** Same seed, same sequence of cards. */
  seed?: number;
  regions?: readonly string[];
}

/** Synthetic taps at a steady rate, for the demo and load. */
export class RandomReader implements Reader {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: RandomReaderOptions) {}

  start(onTap: TapHandler): void {
    const { tapsPerSecond, cardCount } = this.opts;
    const regions = this.opts.regions ?? ['500228', '310115', '440305'];
    const random = mulberry32(this.opts.seed ?? 1);
    // Timers cannot fire every 0.1 ms: tick at most every 10 ms and present the taps now due.
    const tickMs = Math.max(10, Math.floor(1000 / tapsPerSecond));
    const startedAt = Date.now();
    let presented = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - startedAt) * tapsPerSecond) / 1000);
      for (; presented < due; presented++) {
        const card = Math.floor(random() * cardCount);
        onTap({
          cardNumber: syntheticCardNumber(card),
          issuingRegion: regions[card % regions.length] ?? '',
          credential: 'card',
        });
      }
    }, tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
