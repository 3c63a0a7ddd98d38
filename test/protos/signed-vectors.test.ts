// The signed wire of docs/topics.md "Signed batches and acks" (decisions 0173, 0174): the test
// vectors there are what protos/codec.ts produces and accepts, byte for byte, and the page
// prints them, so a firmware checked against the page is checked against the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devicePublicKeyHex } from '../../core/device-keys.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { ackSignature, batchSignature, encodeSignedAck, encodeSignedBatch } from '../../protos/codec.js';
import { v1 } from '../../protos/wire.js';
import { testEnv } from '../support/env.js';
import { deviceSigner } from '../support/signing.js';

const DEVICE_KEY = '09'.repeat(32);
const BATCH = {
  deviceId: 'vec-1',
  operatorId: 'busco',
  sentAtMs: 1767225601000,
  taps: [
    {
      seq: 1,
      deviceTimeMs: 1767225600000,
      credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
      cardToken: Buffer.from('644fd72577a0651e3054cce810467f71', 'hex'),
      issuingRegion: '500228',
      location: { routeId: 'r12', stopId: 's3' },
      direction: v1.Direction.DIRECTION_BOARD,
      decision: v1.Decision.DECISION_ALLOW,
      reason: v1.Reason.REASON_OK,
    },
  ],
};
const UNSIGNED_BATCH =
  '0a057665632d311205627573636f1a3608011080d0eab6b73318012210644fd72577a0651e3054cce810467f71' +
  '2a0635303032323832090a037231321202733338014001480120e8d7eab6b733';
const BATCH_SIGNATURE =
  '88be162cf413c9206ef1e2da1e9a899322b99881380ecd898b2fcbe04f3a3c96' +
  'c1d85fe57888073ca13829407c169b996750f63aca28d846661c8ca9da8fc607';
const ACK = {
  deviceId: 'vec-1',
  fromSeq: 1,
  toSeq: 1,
  gatewayTimeMs: 1767225602000,
  results: [
    {
      seq: 1,
      outcome: v1.Outcome.OUTCOME_CHARGED,
      chargedFen: 200,
      balanceAfterFen: 800,
      reason: v1.Reason.REASON_OK,
    },
  ],
};
const UNSIGNED_ACK = '0a057665632d3110011801220c0801100118c80120a006280128d0dfeab6b73372026b31';
const ACK_SIGNATURE =
  '823e0dd583046c5cc69e69aefb3b099339481ad7a3798aaf0b12a2c7849c88d0' +
  '9884b7cbb1d3ba7c61f3314b64c0844ab713f1f77f0acc56fbde713b1d298301';

describe('signed batch and ack test vectors (docs/topics.md)', () => {
  const page = readFileSync(join(testEnv.root, 'docs/topics.md'), 'utf8').replace(/[\s`]+/g, '');

  it('signs the vector batch to the documented bytes: unsigned ‖ 0x72 0x40 ‖ signature', () => {
    expect(devicePublicKeyHex(DEVICE_KEY)).toBe(
      'fd1724385aa0c75b64fb78cd602fa1d991fdebf76b13c58ed702eac835e9f618',
    );
    const signed = encodeSignedBatch(BATCH, deviceSigner(DEVICE_KEY));
    expect(signed.toString('hex')).toBe(`${UNSIGNED_BATCH}7240${BATCH_SIGNATURE}`);
    const split = batchSignature(signed, v1.TapBatch.decode(signed).signature);
    expect(split.ok && split.signedBytes.toString('latin1')).toBe(
      `onecard.batch.v1\0${Buffer.from(UNSIGNED_BATCH, 'hex').toString('latin1')}`,
    );
  });

  it('signs the vector ack with the list key to the documented bytes: unsigned ‖ 0x7a 0x40 ‖ signature', () => {
    const signer = new ListSigner('0a'.repeat(32), 'k1');
    expect(signer.publicKeyHex()).toBe('43a72e714401762df66b68c26dfbdf2682aaec9f2474eca4613e424a0fbafd3c');
    const signed = encodeSignedAck(ACK, 'k1', (b) => signer.sign(b));
    expect(signed.toString('hex')).toBe(`${UNSIGNED_ACK}7a40${ACK_SIGNATURE}`);
    expect(ackSignature(signed, v1.BatchAck.decode(signed).signature).ok).toBe(true);
  });

  it('prints every vector on the page', () => {
    for (const hex of [UNSIGNED_BATCH, BATCH_SIGNATURE, UNSIGNED_ACK, ACK_SIGNATURE])
      expect(page).toContain(hex);
  });

  it('accepts a signature only as the last field: missing, moved or cut short is refused', () => {
    const signed = encodeSignedBatch(BATCH, deviceSigner(DEVICE_KEY));
    const unsigned = Buffer.from(UNSIGNED_BATCH, 'hex');
    expect(batchSignature(unsigned, new Uint8Array(0))).toMatchObject({ ok: false, missing: true });
    const moved = Buffer.concat([signed.subarray(signed.length - 66), unsigned]);
    expect(batchSignature(moved, v1.TapBatch.decode(moved).signature)).toMatchObject({
      ok: false,
      missing: false,
    });
    const short = Buffer.concat([unsigned, Buffer.from([0x72, 0x20]), signed.subarray(signed.length - 32)]);
    expect(batchSignature(short, v1.TapBatch.decode(short).signature)).toMatchObject({
      ok: false,
      missing: false,
    });
  });
});
