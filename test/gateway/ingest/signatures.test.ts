// BatchSignatures (gateway/src/ingest/signatures.ts): every batch's signed bytes are written into
// one buffer it keeps and verified at once (docs/decisions/0236). What a batch checked before
// left in that buffer must never make a later one pass: a long batch, then a shorter forged one,
// then the same short one signed; and a batch larger than the kept buffer's bound.
import { describe, expect, it } from 'vitest';
import { BatchSignatures } from '../../../gateway/src/ingest/signatures.js';
import type { Device } from '../../../gateway/src/store/port.js';
import { v1 } from '../../../protos/wire.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';

const ID = 'bus-sig-1';
const device = { deviceId: ID, publicKey: publicKeyOf(ID) } as Device;

function batch(taps: number, routeId = 'r1') {
  return {
    deviceId: ID,
    operatorId: 'op1',
    sentAtMs: 1_780_000_000_000,
    taps: Array.from({ length: taps }, (_, i) => ({
      seq: i + 1,
      deviceTimeMs: 1_780_000_000_000 - i,
      credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
      cardToken: Buffer.from('ab'.repeat(16), 'hex'),
      location: { routeId, stopId: 's1' },
    })),
  };
}

const signatureOf = (payload: Buffer) => v1.TapBatch.decode(payload).signature;

describe('BatchSignatures with its kept buffer', () => {
  it('checks each batch on its own bytes: a short forged batch after a long genuine one is refused', () => {
    const sigs = new BatchSignatures(10);
    const long = signedBatch(batch(100));
    expect(sigs.check(device, long, signatureOf(long))).toEqual({ ok: true });
    const short = signedBatch(batch(3));
    // One byte of the route changed after signing.
    const forged = Buffer.from(short);
    forged[forged.indexOf('r1') + 1] = '2'.charCodeAt(0);
    expect(sigs.check(device, forged, signatureOf(forged))).toMatchObject({
      ok: false,
      reason: 'SIGNATURE_INVALID',
    });
    expect(sigs.check(device, short, signatureOf(short))).toEqual({ ok: true });
    expect(sigs.check(device, long, signatureOf(long))).toEqual({ ok: true });
  });

  it('checks a batch larger than the buffer it keeps (1 MB)', () => {
    const sigs = new BatchSignatures(10);
    const huge = signedBatch(batch(4, 'r'.repeat(300_000)));
    expect(huge.length).toBeGreaterThan(1 << 20);
    expect(sigs.check(device, huge, signatureOf(huge))).toEqual({ ok: true });
    const small = signedBatch(batch(2));
    expect(sigs.check(device, small, signatureOf(small))).toEqual({ ok: true });
  });
});
