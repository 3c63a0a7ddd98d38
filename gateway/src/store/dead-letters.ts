// Dead letters (rejected batches, quarantined taps) are attacker-sized input: anyone on the depot
// network can publish junk. Both stores keep them under the same bounds (docs/decisions/0160):
// the payload cut to a few KB (its SHA-256 and size kept, enough to match it with a device's
// journal), and the whole collection capped by count and by bytes, oldest dropped first, in
// the same atomic step as the insert so no burst ever passes the cap.
import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterBounds, KeptDeadLetter } from './port.js';

/** Reasons carry details (ids, per-tap problems) a sender chooses; past this they are cut. */
export const MAX_REASON_CHARS = 1024;

/** What a store keeps of a letter, and the bytes it counts against DeadLetterBounds.maxBytes. */
export function keptLetter(
  letter: DeadLetter,
  bounds: DeadLetterBounds,
): { kept: KeptDeadLetter; bytes: number } {
  const payload = letter.payload.subarray(0, bounds.maxPayloadBytes);
  const reason =
    letter.reason.length > MAX_REASON_CHARS ? `${letter.reason.slice(0, MAX_REASON_CHARS)}…` : letter.reason;
  const kept: KeptDeadLetter = {
    topic: letter.topic,
    reason,
    payload: Buffer.from(payload),
    at: letter.at,
    payloadBytes: letter.payload.byteLength,
    payloadSha256: createHash('sha256').update(letter.payload).digest('hex'),
  };
  return { kept, bytes: letterBytes(kept) };
}

/** The bytes a kept letter counts: its payload as kept, its topic and its reason (UTF-8). */
export function letterBytes(l: Pick<KeptDeadLetter, 'topic' | 'reason' | 'payload'>): number {
  return l.payload.byteLength + Buffer.byteLength(l.topic) + Buffer.byteLength(l.reason);
}

export function checkBounds(b: DeadLetterBounds): void {
  for (const [name, v] of Object.entries(b))
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`dead-letter bound ${name} must be a whole number ≥ 0, got ${v}`);
  if (b.maxCount < 1) throw new RangeError('dead-letter bound maxCount must be at least 1');
}
