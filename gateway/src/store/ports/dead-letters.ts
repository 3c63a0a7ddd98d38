// Messages the gateway could not take (undecodable, unknown device), kept bounded for the
// operator to look at (docs/decisions/0160; store/dead-letters.ts).

export interface DeadLetter {
  topic: string;
  reason: string;
  payload: Buffer;
  at: number;
}

/** How much of the dead letters a store keeps (docs/decisions/0160; store/dead-letters.ts). */
export interface DeadLetterBounds {
  /** Letters kept at most; the oldest go first. */
  maxCount: number;
  /** Bytes kept at most, counting each letter's kept payload, topic and reason. */
  maxBytes: number;
  /** Payload bytes kept per letter; the rest is cut. */
  maxPayloadBytes: number;
}

/** A dead letter as kept: the payload possibly cut, with the whole payload's size and hash. */
export interface KeptDeadLetter extends DeadLetter {
  /** Size of the payload as received. */
  payloadBytes: number;
  /** SHA-256 of the payload as received, lowercase hex. */
  payloadSha256: string;
}

export interface DeadLetterStore {
  /**
   * Keeps a letter within the bounds, in one atomic step: the payload cut to maxPayloadBytes,
   * then the oldest letters dropped until both maxCount and maxBytes hold. Answers how many
   * older letters were dropped (a letter bigger than maxBytes on its own drops itself too).
   */
  putDeadLetter(letter: DeadLetter, bounds: DeadLetterBounds): Promise<{ dropped: number }>;
  /** The newest first, at most limit. */
  deadLetters(limit: number): Promise<KeptDeadLetter[]>;
}
