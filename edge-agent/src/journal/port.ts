// The journal port: the device's durable memory. Every decided tap is appended here with the
// next per-device sequence number and stays until the gateway acknowledges it. (The lists the
// device decides with persist on their own: lists/persist.ts.)
//
// DECISION (docs/decisions/0003-journal-before-gate.md): a tap is appended durably (fsync)
// right after the decision and BEFORE the gate is signalled, so no gate ever opens for a tap
// that is not in the journal. The decision itself takes microseconds; the fsync costs about a
// millisecond, which a rider never notices (the gate's mechanics take hundreds).
//
// The port is synchronous on purpose: better-sqlite3 is synchronous, and a synchronous append
// makes "journaled before the gate opens" and "seq assigned in decision order" hold by
// construction, with no interleaving between two taps.
import type { JournalEntry, TapRecord } from '../../../core/tap.js';

export interface Journal {
  /**
   * The journal's epoch (core/epoch.ts, docs/decisions/0175): drawn at random when the journal
   * is created and kept in it, so seqs are unique per (device, epoch). LEGACY_EPOCH ('') for a
   * journal that had taps before epochs existed: its seqs were sent without one.
   */
  epoch(): string;
  /** Durably appends the tap with the next seq (persisted: survives restarts, never reused in this epoch). */
  append(tap: TapRecord): JournalEntry;
  /** Up to maxCount entries with seq >= fromSeq, oldest first. */
  range(fromSeq: number, maxCount: number): JournalEntry[];
  /** Deletes the entries fromSeq..toSeq (inclusive) after the gateway acked them; returns how many. */
  deleteRange(fromSeq: number, toSeq: number): number;
  /** Entries not yet deleted. */
  depth(): number;
  /** Smallest seq still in the journal; undefined when it is empty. */
  oldestSeq(): number | undefined;
  /** Highest seq ever assigned (0 before the first tap), even if since deleted. */
  lastSeq(): number;
  /** Highest seq ever deleted by an ack (0 before the first ack). */
  lastAckedSeq(): number;

  close(): void;
}
