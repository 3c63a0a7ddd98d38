// Signs list envelopes with the gateway's key (config ONECARD_LIST_SIGNING_KEY, id
// ONECARD_LIST_KEY_ID): Ed25519, or SM2 over SM3 when the id begins "sm2-" (decision 0164).
// Devices hold the public key by id (ONECARD_EDGE_LIST_KEYS), so a key is rotated, or moved to
// the other algorithm, by giving devices the new public key first, then switching the gateway.
import { ed25519 } from '../../../core/ed25519.js';
import { type EnvelopeHeader, sha256, signEnvelope } from '../../../core/lists/envelope.js';
import {
  type ListPrivateKey,
  listAlgorithm,
  listPrivateKey,
  rawPublicKey,
  signWith,
} from '../../../core/lists/keys.js';
import { envelopeTypes, type ListKind, listKinds } from '../../../protos/codec.js';
import { v1 } from '../../../protos/wire.js';

export class ListSigner {
  private readonly key: ListPrivateKey;
  /** Signs what is signed once a batch (its ack): libsodium for an Ed25519 key (core/ed25519.ts, 0226). */
  private readonly signBytes: (bytes: Uint8Array) => Buffer;

  constructor(
    seedHex: string,
    readonly keyId: string,
  ) {
    const seed = Buffer.from(seedHex, 'hex');
    const key = listPrivateKey(keyId, seed);
    this.key = key;
    this.signBytes =
      listAlgorithm(keyId) === 'ed25519' ? ed25519.signer(seed) : (bytes) => signWith(key, bytes);
  }

  /** The public key devices verify with: 64 hex chars (Ed25519) or 130 (SM2, 04‖x‖y). */
  publicKeyHex(): string {
    return rawPublicKey(this.key).toString('hex');
  }

  /** Signs other bytes devices verify with the same key: BatchAcks (docs/decisions/0174). */
  sign(bytes: Uint8Array): Buffer {
    return this.signBytes(bytes);
  }

  /** A SignedList carrying its body (MQTT deltas, heads). */
  envelope(h: Omit<EnvelopeHeader, 'keyId'>, body: Uint8Array = new Uint8Array(0)): Uint8Array {
    return this.encode({ ...h, keyId: this.keyId }, { body }, sha256(body));
  }

  /** The trailer of a streamed body: no body, its digest instead. */
  trailer(h: Omit<EnvelopeHeader, 'keyId'>, bodySha256: Uint8Array): Uint8Array {
    return this.encode({ ...h, keyId: this.keyId }, { bodySha256 }, bodySha256);
  }

  head(kind: ListKind, scope: string, version: number, now: number, generation = ''): Uint8Array {
    return this.envelope({
      kind,
      scope,
      type: 'head',
      version,
      previousVersion: version,
      issuedAtMs: now,
      generation,
    });
  }

  private encode(
    h: EnvelopeHeader,
    payload: { body?: Uint8Array; bodySha256?: Uint8Array },
    digest: Uint8Array,
  ): Uint8Array {
    return v1.SignedList.encode({
      kind: listKinds.code[h.kind],
      scope: h.scope,
      type: envelopeTypes.code[h.type],
      version: h.version,
      previousVersion: h.previousVersion,
      issuedAtMs: h.issuedAtMs,
      keyId: h.keyId,
      storeGeneration: h.generation ?? '',
      ...payload,
      signature: signEnvelope(this.key, h, digest),
    }).finish();
  }
}
