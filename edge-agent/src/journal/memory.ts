// An in-memory journal for unit tests and the contract suite. The state lives in a separate
// object, so a test can "restart" the device by opening a new journal over the same state.
import type { JournalEntry, TapRecord } from '../../../core/tap.js';
import { newEpoch } from './epoch.js';
import type { Journal } from './port.js';

export interface MemoryJournalState {
  /** Drawn with the state: a new state is a new journal (port.ts epoch()). */
  epoch: string;
  taps: Map<number, JournalEntry>;
  lastSeq: number;
  lastAckedSeq: number;
}

export function emptyJournalState(): MemoryJournalState {
  return { epoch: newEpoch(), taps: new Map(), lastSeq: 0, lastAckedSeq: 0 };
}

export class MemoryJournal implements Journal {
  private closed = false;

  constructor(private readonly state: MemoryJournalState = emptyJournalState()) {}

  epoch(): string {
    return this.state.epoch;
  }

  append(tap: TapRecord): JournalEntry {
    this.check();
    const entry: JournalEntry = { ...tap, seq: this.state.lastSeq + 1 };
    this.state.taps.set(entry.seq, entry);
    this.state.lastSeq = entry.seq;
    return { ...entry };
  }

  range(fromSeq: number, maxCount: number): JournalEntry[] {
    this.check();
    const out: JournalEntry[] = [];
    // Seqs are appended in increasing order, and a Map iterates in insertion order.
    for (const entry of this.state.taps.values()) {
      if (out.length >= maxCount) break;
      if (entry.seq >= fromSeq) out.push({ ...entry });
    }
    return out;
  }

  deleteRange(fromSeq: number, toSeq: number): number {
    this.check();
    if (toSeq < fromSeq) return 0;
    let n = 0;
    for (const seq of [...this.state.taps.keys()]) {
      if (seq >= fromSeq && seq <= toSeq && this.state.taps.delete(seq)) n++;
    }
    this.state.lastAckedSeq = Math.max(this.state.lastAckedSeq, toSeq);
    return n;
  }

  depth(): number {
    return this.state.taps.size;
  }

  oldestSeq(): number | undefined {
    return this.state.taps.keys().next().value;
  }

  lastSeq(): number {
    return this.state.lastSeq;
  }

  lastAckedSeq(): number {
    return this.state.lastAckedSeq;
  }

  close(): void {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new Error('journal is closed');
  }
}
