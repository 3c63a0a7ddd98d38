import { describe, expect, it } from 'vitest';
import { compressionCodec } from '../../../gateway/src/kafka/producer.js';

describe('compressionCodec', () => {
  it('prefers zstd, then lz4, and sends uncompressed when the build has neither', () => {
    expect(compressionCodec(['gzip', 'lz4', 'zstd'])).toBe('zstd');
    expect(compressionCodec(['gzip', 'snappy', 'lz4'])).toBe('lz4');
    expect(compressionCodec(['gzip', 'snappy'])).toBe('none');
  });
});
