import type { CredentialName, DecisionName } from '../../../protos/codec.js';
// The reader port: where credentials come from. A physical contactless card reader (PC/SC), a
// QR scanner or the simulated readers in simulated.ts implement it. The card number crosses
// this port once: the agent turns it into the keyed token at once and drops it.

export interface ReaderTap {
  /** As read from the card. Never stored, logged or sent: the agent keeps only its token. */
  cardNumber: string;
  /** 6-digit issuing region when the reader can tell it, else ''. */
  issuingRegion?: string;
  /** Default: 'card'. */
  credential?: CredentialName;
  /** For a QR scan: the text the scanner read (cardNumber is then ''). */
  qrText?: string;
  /**
   * For a QR scan that needs an online check (an outside issuer's code): the handler returns
   * undefined and calls this once the scan is decided and journaled.
   */
  respond?: (signal: GateSignal) => void;
}

/** What the agent tells the reader after deciding: the gate and display signal. */
export interface GateSignal {
  seq: number;
  decision: DecisionName;
  display: { zh: string; en: string };
}

/** Called by a reader for every tap; returns the signal once the tap is decided and journaled. */
export type TapHandler = (tap: ReaderTap) => GateSignal | undefined;

export interface Reader {
  start(onTap: TapHandler): void;
  /** Stops reading and removes every timer and listener start() created. */
  stop(): void;
}
