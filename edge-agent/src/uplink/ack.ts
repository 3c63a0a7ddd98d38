// Untrusted BatchAck bytes → an ack the gateway signed, or a refusal in words. The signature is
// the list-signing key's (same ids and rotation as the lists, Ed25519 or SM2: docs/decisions/
// 0174), over the bytes as received. Never throws: anything malformed is a refusal. Whether the
// ack is for this device and a range in flight is the batcher's check.
import { type ListPublicKey, verifyWith } from '../../../core/lists/keys.js';
import { ackSignature } from '../../../protos/codec.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';

export type OpenedAck = { ok: true; ack: BatchAck } | { ok: false; why: string };

export function openAck(payload: Uint8Array, keys: ReadonlyMap<string, ListPublicKey>): OpenedAck {
  let ack: BatchAck;
  try {
    ack = v1.BatchAck.decode(payload);
  } catch (err) {
    return { ok: false, why: `not a BatchAck: ${(err as Error).message}` };
  }
  const split = ackSignature(payload, ack.signature);
  if (!split.ok) return { ok: false, why: split.why };
  const key = keys.get(ack.keyId);
  if (!key) return { ok: false, why: `unknown signing key "${ack.keyId.slice(0, 40)}"` };
  return verifyWith(key, split.signedBytes, split.signature)
    ? { ok: true, ack }
    : { ok: false, why: 'signature does not verify' };
}
