// Parts joined into one buffer that is kept and reused, for bytes read at once and then let go:
// a Kafka message librdkafka copies as it is produced, a batch's signed bytes as they are
// verified (docs/decisions/0236). A new Buffer each time was an ArrayBuffer of its own, and V8
// starts a full collection for every ~64 MB of those made, however short-lived.

/** One kept buffer; bounded: a join larger than MAX_KEPT is a Buffer of its own, not kept. */
export class JoinBuffer {
  static readonly MAX_KEPT = 1 << 20;
  private buf = Buffer.alloc(0);

  /** minBytes: the least a buffer is made with, so that it grows seldom. */
  constructor(private readonly minBytes = 8 * 1024) {}

  /** The parts as one view of the kept buffer; valid until the next join. */
  join(parts: readonly Uint8Array[]): Buffer {
    let n = 0;
    for (const p of parts) n += p.length;
    let buf = this.buf;
    if (buf.length < n) {
      buf = Buffer.allocUnsafe(Math.max(this.minBytes, n + (n >> 1)));
      if (buf.length <= JoinBuffer.MAX_KEPT) this.buf = buf;
    }
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    return buf.subarray(0, n);
  }

  /** Bytes kept (tests). */
  get capacity(): number {
    return this.buf.length;
  }
}
