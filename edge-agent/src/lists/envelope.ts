// Untrusted SignedList bytes (MQTT payloads, stream trailers, the persisted log) → a verified
// header and body, or a refusal in words. Never throws: anything malformed is a refusal.
import {
  type EnvelopeHeader,
  headerProblem,
  type ListPublicKey,
  sha256,
  signatureProblem,
} from '../../../core/lists/envelope.js';
import { envelopeTypes, listKinds } from '../../../protos/codec.js';
import { v1 } from '../../../protos/wire.js';

export type Opened =
  | { ok: true; header: EnvelopeHeader; body: Uint8Array; signature: Uint8Array }
  | { ok: false; why: string };

/**
 * Decodes and verifies an envelope. bodyDigest: the SHA-256 of a body that travelled before the
 * envelope (an HTTP stream); otherwise the envelope's own body is hashed.
 */
export function openEnvelope(
  bytes: Uint8Array,
  keys: ReadonlyMap<string, ListPublicKey>,
  bodyDigest?: Uint8Array,
): Opened {
  let m: ReturnType<typeof v1.SignedList.decode>;
  try {
    m = v1.SignedList.decode(bytes);
  } catch (err) {
    return { ok: false, why: `not a SignedList: ${(err as Error).message}` };
  }
  const kind = listKinds.name[m.kind];
  const type = envelopeTypes.name[m.type];
  if (!kind) return { ok: false, why: `unknown list kind ${m.kind}` };
  if (!type) return { ok: false, why: `unknown envelope type ${m.type}` };
  const header: EnvelopeHeader = {
    kind,
    scope: m.scope,
    type,
    version: Number(m.version),
    previousVersion: Number(m.previousVersion),
    issuedAtMs: Number(m.issuedAtMs),
    keyId: m.keyId,
    generation: m.storeGeneration,
  };
  const problem = headerProblem(header);
  if (problem) return { ok: false, why: problem };
  let digest: Uint8Array;
  if (bodyDigest) {
    if (m.body.length > 0) return { ok: false, why: 'a stream trailer carries a body' };
    if (!Buffer.from(m.bodySha256).equals(bodyDigest))
      return { ok: false, why: 'body digest does not match' };
    digest = bodyDigest;
  } else digest = sha256(m.body);
  const bad = signatureProblem(keys, header, digest, m.signature);
  if (bad) return { ok: false, why: bad };
  return { ok: true, header, body: m.body, signature: m.signature };
}
