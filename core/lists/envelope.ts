// Signed list envelopes: the canonical bytes a gateway signs and a device verifies (Ed25519,
// node:crypto). Pure: keys are passed in, nothing is read from disk or the clock.
// Layout and reasoning: docs/decisions/0050-signed-compact-lists.md; wire: protos/onecard/v1/lists.proto.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { type EnvelopeType, envelopeTypes, type ListKind, listKinds } from '../../protos/codec.js';

/** Scope of the city-wide lists; entitlements are scoped by venue id. */
export const ALL_SCOPE = 'all';
const SCOPE = /^[A-Za-z0-9_.:-]{1,64}$/;
const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export function isScope(s: string): boolean {
  return SCOPE.test(s);
}
export function isKeyId(s: string): boolean {
  return KEY_ID.test(s);
}

export interface EnvelopeHeader {
  kind: ListKind;
  scope: string;
  type: EnvelopeType;
  version: number;
  previousVersion: number;
  issuedAtMs: number;
  keyId: string;
}

const DOMAIN = Buffer.from('onecard.list.v1\0', 'latin1');

/** The bytes the signature covers: every header field and the body's SHA-256. */
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
  return Buffer.concat([DOMAIN, fixed.subarray(0, o), scope, tail, keyId, bodySha256]);
}

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Problems with a header's fields in words, before any signature check. */
export function headerProblem(h: EnvelopeHeader): string | undefined {
  if (!isScope(h.scope)) return `scope "${h.scope.slice(0, 70)}" is malformed`;
  if (h.kind !== 'entitlements' && h.scope !== ALL_SCOPE) return `a ${h.kind} list has scope "${ALL_SCOPE}"`;
  if (!isKeyId(h.keyId)) return 'key id is malformed';
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

/** Signs with an Ed25519 private key. */
export function signEnvelope(key: KeyObject, h: EnvelopeHeader, bodySha256: Uint8Array): Buffer {
  return sign(null, signedBytes(h, bodySha256), key);
}

/** Why the signature does not hold, or undefined when it does. */
export function signatureProblem(
  keys: ReadonlyMap<string, KeyObject>,
  h: EnvelopeHeader,
  bodySha256: Uint8Array,
  signature: Uint8Array,
): string | undefined {
  const key = keys.get(h.keyId);
  if (!key) return `unknown signing key "${h.keyId}"`;
  if (bodySha256.length !== 32) return 'body digest is not 32 bytes';
  if (signature.length !== 64) return 'signature is not 64 bytes';
  return verify(null, signedBytes(h, bodySha256), key, signature) ? undefined : 'signature does not verify';
}

// Ed25519 keys as 32 raw bytes (hex in configuration), wrapped in the fixed DER prefixes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 private key is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw 32-byte public key of a private key (for the devices' configuration). */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/**
 * Parses "keyId:hex64[,keyId:hex64…]" (the devices' list of trusted keys); a problem in words,
 * or the keys by id.
 */
export function parsePublicKeys(spec: string): Map<string, KeyObject> | string {
  const keys = new Map<string, KeyObject>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, hex] = part.split(':');
    if (!id || !isKeyId(id) || !hex || !/^[0-9a-fA-F]{64}$/.test(hex))
      return `"${part}" is not keyId:<64 hex chars>`;
    keys.set(id, publicKeyFromRaw(Buffer.from(hex, 'hex')));
  }
  return keys.size > 0 ? keys : 'no key given';
}
