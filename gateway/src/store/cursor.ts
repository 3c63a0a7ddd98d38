// Keyset pagination shared by both adapters. Records are ordered newest first by (at, id); a
// cursor is the position of the last item of a page, so a page never skips or repeats an item
// when newer records arrive meanwhile (an offset would shift under inserts).

/** Position in the newest-first order: record.at, then record.id. */
export interface RecordKey {
  at: number;
  id: string;
}

/** A cursor that was not made by this module (tampered, truncated, from another API). */
export class InvalidCursorError extends Error {
  // Fastify's error handler answers 400 with this code rather than a 500.
  readonly statusCode = 400;
  readonly code = 'BAD_CURSOR';

  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

export function encodeCursor(key: RecordKey): string {
  return Buffer.from(`${key.at}:${key.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): RecordKey {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const at = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon < 1 || !Number.isSafeInteger(at) || id === '') throw new InvalidCursorError();
  return { at, id };
}

/**
 * Ids compare by their UTF-8 bytes, the order SQLite (BINARY collation) and Redis (sorted-set
 * members with equal scores) use, so every adapter and this code agree on ties.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Negative when a comes first in the newest-first order (a is newer than b). */
export function newestFirst(a: RecordKey, b: RecordKey): number {
  if (a.at !== b.at) return b.at - a.at;
  return compareIds(b.id, a.id);
}

/** True when key comes strictly after the cursor position (it is older). */
export function isAfter(key: RecordKey, cursor: RecordKey): boolean {
  return newestFirst(key, cursor) > 0;
}
