// Signs list envelopes with the gateway's Ed25519 key (config ONECARD_LIST_SIGNING_KEY, id
// ONECARD_LIST_KEY_ID). Devices hold the public key by id (ONECARD_EDGE_LIST_KEYS), so a key
// is rotated by giving devices the new public key first, then switching the gateway.
import type { KeyObject } from 'node:crypto';
import {
  type EnvelopeHeader,
  privateKeyFromSeed,
  rawPublicKey,
  sha256,
  signEnvelope,
} from '../../../core/lists/envelope.js';
import { envelopeTypes, type ListKind, listKinds } from '../../../protos/codec.js';
import { v1 } from '../../../protos/wire.js';

export class ListSigner {
  private readonly key: KeyObject;

  constructor(
    seedHex: string,
    readonly keyId: string,
  ) {
    this.key = privateKeyFromSeed(Buffer.from(seedHex, 'hex'));
  }

  /** The public key devices verify with, 64 hex chars. */
  publicKeyHex(): string {
    return rawPublicKey(this.key).toString('hex');
  }

  /** A SignedList carrying its body (MQTT deltas, heads). */
  envelope(h: Omit<EnvelopeHeader, 'keyId'>, body: Uint8Array = new Uint8Array(0)): Uint8Array {
    return this.encode({ ...h, keyId: this.keyId }, { body }, sha256(body));
  }

  /** The trailer of a streamed body: no body, its digest instead. */
  trailer(h: Omit<EnvelopeHeader, 'keyId'>, bodySha256: Uint8Array): Uint8Array {
    return this.encode({ ...h, keyId: this.keyId }, { bodySha256 }, bodySha256);
  }

  head(kind: ListKind, scope: string, version: number, now: number): Uint8Array {
    return this.envelope({ kind, scope, type: 'head', version, previousVersion: version, issuedAtMs: now });
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
      ...payload,
      signature: signEnvelope(this.key, h, digest),
    }).finish();
  }
}
