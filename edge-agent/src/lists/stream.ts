// Reads the framed list stream of GET /v1/lists/{kind}/{scope}?since= (docs/topics.md):
// frames of `u32 length | payload`; record frames, an empty frame, then the SignedList
// trailer. Bounded: a frame over MAX_FRAME_BYTES ends the stream as malformed.
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export type Frame = { type: 'records'; bytes: Uint8Array } | { type: 'trailer'; bytes: Uint8Array };

export async function* readFrames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  let buf = Buffer.alloc(0);
  let ended = false;
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (n > MAX_FRAME_BYTES) throw new Error(`a frame of ${n} bytes is over the limit`);
      if (buf.length < 4 + n) break;
      const payload = buf.subarray(4, 4 + n);
      buf = buf.subarray(4 + n);
      if (ended) {
        yield { type: 'trailer', bytes: payload };
        if (buf.length > 0) throw new Error('bytes after the trailer');
        return;
      }
      if (n === 0) ended = true;
      else yield { type: 'records', bytes: payload };
    }
  }
  throw new Error('the stream ended before its trailer');
}
