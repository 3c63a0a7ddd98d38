// Signed list envelopes: the canonical bytes a gateway signs and a device verifies (Ed25519 or
// SM2 by key id: keys.ts). Pure: keys are passed in, nothing is read from disk or the clock.
// Layout and reasoning: docs/decisions/0050-signed-compact-lists.md, 0164; wire: protos/onecard/v1/lists.proto.
import { createHash } from 'node:crypto';
import { type EnvelopeType, envelopeTypes, type ListKind, listKinds } from '../../protos/codec.js';
import { isGeneration } from './generation.js';
import { isKeyId, type ListPrivateKey, type ListPublicKey, signWith, verifyWith } from './keys.js';

export {
  isKeyId,
  type ListPublicKey,
  listAlgorithm,
  parsePublicKeys,
  privateKeyFromSeed,
  publicKeyFromRaw,
  rawPublicKey,
} from './keys.js';

/** Scope of the city-wide lists; entitlements are scoped by venue id. */
export const ALL_SCOPE = 'all';
const SCOPE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isScope(s: string): boolean {
  return SCOPE.test(s);
}

export interface EnvelopeHeader {
  kind: ListKind;
  scope: string;
  type: EnvelopeType;
  version: number;
  previousVersion: number;
  issuedAtMs: number;
  keyId: string;
  /** The store generation (generation.ts); absent or '' from gateways before generations. */
  generation?: string;
}

const DOMAIN = Buffer.from('onecard.list.v1\0', 'latin1');

/**
 * The bytes the signature covers: every header field and the body's SHA-256, then the
 * generation when there is one (so envelopes without one sign the bytes they always did).
 */
export function signedBytes(h: EnvelopeHeader, bodySha256: Uint8Array): Buffer {
  const scope = Buffer.from(h.scope, 'utf8');
  const keyId = Buffer.from(h.keyId, 'utf8');
  const fixed = Buffer.alloc(2 + 2 + 8 + 8 + 8 + 2);
  let o = fixed.writeUInt8(listKinds.code[h.kind], 0);
  o = fixed.writeUInt8(envelopeTypes.code[h.type], o);
  o = fixed.writeUInt16BE(scope.length, o);
  const tail = Buffer.alloc(8 + 8 + 8 + 2);
  let t = tail.writeBigUInt64BE(BigInt(h.version), 0);
  t = tail.writeBigUInt64BE(BigInt(h.previousVersion), t);
  t = tail.writeBigInt64BE(BigInt(h.issuedAtMs), t);
  tail.writeUInt16BE(keyId.length, t);
  const parts = [DOMAIN, fixed.subarray(0, o), scope, tail, keyId, bodySha256];
  if (h.generation) {
    const generation = Buffer.from(h.generation, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(generation.length, 0);
    parts.push(length, generation);
  }
  return Buffer.concat(parts);
}

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Problems with a header's fields in words, before any signature check. */
export function headerProblem(h: EnvelopeHeader): string | undefined {
  if (!isScope(h.scope)) return `scope "${h.scope.slice(0, 70)}" is malformed`;
  if (h.kind !== 'entitlements' && h.scope !== ALL_SCOPE) return `a ${h.kind} list has scope "${ALL_SCOPE}"`;
  if (!isKeyId(h.keyId)) return 'key id is malformed';
  if (h.generation && !isGeneration(h.generation)) return 'store generation is malformed';
  for (const [name, v] of [
    ['version', h.version],
    ['previous version', h.previousVersion],
    ['issued at', h.issuedAtMs],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 0) return `${name} ${v} is not a whole number`;
  if (h.version < 1) return 'version is below 1';
  if (h.type === 'delta' && h.previousVersion >= h.version)
    return `a delta goes from ${h.previousVersion} to ${h.version}`;
  if (h.type === 'snapshot' && h.previousVersion !== 0) return 'a snapshot has a previous version';
  return undefined;
}

/** Signs with the key h.keyId names (the caller pairs them: gateway/src/lists/signer.ts). */
export function signEnvelope(key: ListPrivateKey, h: EnvelopeHeader, bodySha256: Uint8Array): Buffer {
  return signWith(key, signedBytes(h, bodySha256));
}

/** Why the signature does not hold, or undefined when it does. */
export function signatureProblem(
  keys: ReadonlyMap<string, ListPublicKey>,
  h: EnvelopeHeader,
  bodySha256: Uint8Array,
  signature: Uint8Array,
): string | undefined {
  const key = keys.get(h.keyId);
  if (!key) return `unknown signing key "${h.keyId}"`;
  if (bodySha256.length !== 32) return 'body digest is not 32 bytes';
  if (signature.length !== 64) return 'signature is not 64 bytes';
  return verifyWith(key, signedBytes(h, bodySha256), signature) ? undefined : 'signature does not verify';
}
