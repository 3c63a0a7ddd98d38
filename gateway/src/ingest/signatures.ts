// Who sent a batch: its Ed25519 signature checked against the key registered for the device
// (docs/decisions/0173). Checked once per batch, before anything is read or charged, with
// libsodium where it loads (core/ed25519.ts, docs/decisions/0226): at a validator's few taps a
// batch this check was the gateway's largest cost. A registered key is held ready once and kept
// in a bounded LRU (device ids are many but bounded by the fleet).
import { LRUCache } from 'lru-cache';
import { type Ed25519PublicKey, ed25519 } from '../../../core/ed25519.js';
import { batchSignature } from '../../../protos/codec.js';
import { JoinBuffer } from '../join-buffer.js';
import type { Device } from '../store/port.js';

export type SignatureRejection = 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'DEVICE_KEY_MISSING';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureRejection; detail: string };

const PUBLIC_KEY = /^[0-9a-f]{64}$/;

export function isDevicePublicKey(hex: string): boolean {
  return PUBLIC_KEY.test(hex);
}

export class BatchSignatures {
  /** Keyed by the public key itself: a re-registered key can never meet a stale KeyObject. */
  private readonly keys: LRUCache<string, Ed25519PublicKey>;
  /**
   * The signed bytes (domain, then the batch up to its signature) of the batch being checked:
   * written here and verified at once, so one buffer serves every batch. A new one per batch
   * was an ArrayBuffer of its own at 100 taps, and those set V8's full collections off
   * (docs/decisions/0236).
   */
  private readonly signed = new JoinBuffer();
  private readonly joinSigned = (domain: Buffer, body: Buffer): Buffer => this.signed.join([domain, body]);

  constructor(maxKeys: number) {
    this.keys = new LRUCache({ max: maxKeys });
  }

  /** payload: the bytes as received; decodedSignature: the decoded batch's `signature` field. */
  check(device: Device, payload: Uint8Array, decodedSignature: Uint8Array): SignatureCheck {
    // Its signed bytes are the reused buffer's: verified below, before anything else can join.
    const split = batchSignature(payload, decodedSignature, this.joinSigned);
    if (!split.ok)
      return {
        ok: false,
        reason: split.missing ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID',
        detail: split.why,
      };
    const hex = device.publicKey;
    if (!hex || !isDevicePublicKey(hex))
      return { ok: false, reason: 'DEVICE_KEY_MISSING', detail: 'the device has no registered public key' };
    let key = this.keys.get(hex);
    if (!key) {
      key = ed25519.publicKey(Buffer.from(hex, 'hex'));
      this.keys.set(hex, key);
    }
    return ed25519.verify(key, split.signedBytes, split.signature)
      ? { ok: true }
      : { ok: false, reason: 'SIGNATURE_INVALID', detail: 'signature does not verify with the device key' };
  }

  size(): number {
    return this.keys.size;
  }
}
