// What signing costs per batch of 100 taps (docs/decisions/0173, 0174), timed per operation
// (hrtime), the operations interleaved in rounds so CPU frequency and other processes weigh on
// them alike:
//   device    batch_sign_us: p50 of signing an encoded TapBatch of 100 taps with the device's
//             Ed25519 key (domain + bytes, sign, append the field), beside batch_encode_us, the
//             p50 of encoding that batch, which the device did anyway;
//             ack_verify_us: p50 of opening the BatchAck of that batch (decode, split, Ed25519
//             check with the trusted list key: edge-agent/src/uplink/ack.ts), beside
//             ack_decode_us, the decode alone; ack_verify_sm2_us: the same with an SM2 list key.
//   gateway   batch_verify_us: p50 of the gateway's check of that batch's signature with the
//             device key held parsed (gateway/src/ingest/signatures.ts); ack_sign_us: p50 of
//             signing its BatchAck's bytes with the list key (gateway/src/lists/signer.ts).
//   baseline  batch_sign_node_crypto_us, batch_verify_node_crypto_us, ack_sign_node_crypto_us:
//             the same three Ed25519 operations with node:crypto (OpenSSL), which both sides used
//             before libsodium (core/ed25519.ts, docs/decisions/0226), and the ratios to them.
import { sign, verify } from 'node:crypto';
import { newDeviceKeyPair } from '../../core/device-keys.js';
import { parsePublicKeys, privateKeyFromSeed, publicKeyFromRaw } from '../../core/lists/keys.js';
import { openAck } from '../../edge-agent/src/uplink/ack.js';
import { BatchSignatures } from '../../gateway/src/ingest/signatures.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { BATCH_SIGNATURE_DOMAIN, encodeSignedAck, encodeSignedBatch } from '../../protos/codec.js';
import { v1 } from '../../protos/wire.js';
import { deviceKeySigner } from './devices.js';
import { percentile, round } from './stats.js';

const TAPS = 100;

function batchOf(deviceId: string) {
  const now = Date.now();
  return {
    deviceId,
    operatorId: 'benchco',
    sentAtMs: now,
    taps: Array.from({ length: TAPS }, (_, i) => ({
      seq: 1_000_000 + i,
      deviceTimeMs: now,
      credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
      cardToken: Buffer.alloc(16, i),
      issuingRegion: '500228',
      location: { routeId: 'r1', stopId: 's1' },
      direction: v1.Direction.DIRECTION_BOARD,
      decision: v1.Decision.DECISION_ALLOW,
      reason: v1.Reason.REASON_OK,
    })),
  };
}

function ackOf(deviceId: string) {
  return {
    deviceId,
    fromSeq: 1_000_000,
    toSeq: 1_000_000 + TAPS - 1,
    gatewayTimeMs: Date.now(),
    results: Array.from({ length: TAPS }, (_, i) => ({
      seq: 1_000_000 + i,
      outcome: v1.Outcome.OUTCOME_CHARGED,
      chargedFen: 200,
      balanceAfterFen: 10_000 - i,
      reason: v1.Reason.REASON_OK,
    })),
  };
}

function timed(fn: () => unknown, into: number[]): void {
  const t = process.hrtime.bigint();
  fn();
  into.push(Number(process.hrtime.bigint() - t) / 1000);
}

export function benchSigning(quick: boolean): Record<string, number> {
  const rounds = quick ? 2_000 : 10_000;
  const pair = newDeviceKeyPair();
  const signer = deviceKeySigner(pair.privateKey);
  const batch = batchOf('bench-sign');
  const unsigned = v1.TapBatch.encode(batch).finish();
  const signed = encodeSignedBatch(batch, signer);
  const decodedSignature = v1.TapBatch.decode(signed).signature;
  const device = {
    deviceId: 'bench-sign',
    operatorId: 'benchco',
    profile: 'bus_validator',
    routeId: 'r1',
    stationId: '',
    venueId: '',
    publicKey: pair.publicKey,
  };
  const signatures = new BatchSignatures(10);
  const ed = new ListSigner('a7'.repeat(32), 'bench');
  const sm2 = new ListSigner('a8'.repeat(32), 'sm2-bench');
  const keys = parsePublicKeys(`bench:${ed.publicKeyHex()},sm2-bench:${sm2.publicKeyHex()}`);
  if (typeof keys === 'string') throw new Error(keys);
  const ack = encodeSignedAck(ackOf('bench-sign'), ed.keyId, (b) => ed.sign(b));
  const ackSm2 = encodeSignedAck(ackOf('bench-sign'), sm2.keyId, (b) => sm2.sign(b));
  // The bytes the gateway signs for an ack and checks for a batch, and node:crypto's keys for them.
  const ackBytes = v1.BatchAck.encode(ackOf('bench-sign')).finish();
  const nodeListKey = privateKeyFromSeed(Buffer.from('a7'.repeat(32), 'hex'));
  const nodeDeviceKey = publicKeyFromRaw(Buffer.from(pair.publicKey, 'hex'));
  const signedBytes = Buffer.concat([BATCH_SIGNATURE_DOMAIN, unsigned]);
  const t = {
    encode: [],
    sign: [],
    verify: [],
    ackSign: [],
    ackDecode: [],
    ack: [],
    ackSm2: [],
    signNode: [],
    verifyNode: [],
    ackSignNode: [],
  } as Record<string, number[]>;
  for (let i = 0; i < rounds; i++) {
    timed(() => v1.TapBatch.encode(batch).finish(), t.encode!);
    timed(
      () =>
        Buffer.concat([
          unsigned,
          Buffer.from([0x72, 0x40]),
          signer(Buffer.concat([BATCH_SIGNATURE_DOMAIN, unsigned])),
        ]),
      t.sign!,
    );
    timed(
      () =>
        Buffer.concat([
          unsigned,
          Buffer.from([0x72, 0x40]),
          sign(null, Buffer.concat([BATCH_SIGNATURE_DOMAIN, unsigned]), signer.key),
        ]),
      t.signNode!,
    );
    timed(() => {
      if (!signatures.check(device, signed, decodedSignature).ok) throw new Error('batch signature');
    }, t.verify!);
    timed(() => {
      if (!verify(null, signedBytes, nodeDeviceKey, signed.subarray(signed.length - 64)))
        throw new Error('batch signature (node:crypto)');
    }, t.verifyNode!);
    timed(() => ed.sign(ackBytes), t.ackSign!);
    timed(() => sign(null, ackBytes, nodeListKey), t.ackSignNode!);
    timed(() => v1.BatchAck.decode(ack), t.ackDecode!);
    timed(() => {
      if (!openAck(ack, keys).ok) throw new Error('ack signature');
    }, t.ack!);
    if (i % 4 === 0)
      timed(() => {
        if (!openAck(ackSm2, keys).ok) throw new Error('SM2 ack signature');
      }, t.ackSm2!);
  }
  const p50 = (xs: number[]) =>
    round(
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      ),
      1,
    );
  const r = {
    batch_sign_us: p50(t.sign!),
    batch_encode_us: p50(t.encode!),
    batch_verify_us: p50(t.verify!),
    ack_sign_us: p50(t.ackSign!),
    batch_sign_node_crypto_us: p50(t.signNode!),
    batch_verify_node_crypto_us: p50(t.verifyNode!),
    ack_sign_node_crypto_us: p50(t.ackSignNode!),
    ack_verify_us: p50(t.ack!),
    ack_decode_us: p50(t.ackDecode!),
    ack_verify_sm2_us: p50(t.ackSm2!),
  };
  return {
    ...r,
    ratio_batch_sign_to_encode: round(r.batch_sign_us / r.batch_encode_us, 2),
    ratio_ack_verify_to_decode: round(r.ack_verify_us / r.ack_decode_us, 2),
    ratio_batch_verify_to_node_crypto: round(r.batch_verify_us / r.batch_verify_node_crypto_us, 2),
    ratio_ack_sign_to_node_crypto: round(r.ack_sign_us / r.ack_sign_node_crypto_us, 2),
    ratio_batch_sign_to_node_crypto: round(r.batch_sign_us / r.batch_sign_node_crypto_us, 2),
  };
}
