// SM2 signatures over SM3 (GB/T 32918.2 / GM/T 0003.2, SM3 per GB/T 32905 / GM/T 0004) on the
// recommended curve (GB/T 32918.5), beside Ed25519 for buyers that require GM/T algorithms.
// Node 20's crypto signs an SM2-curve key with plain ECDSA (no Z value, no distinguishing id:
// its signatures fail `openssl dgst -sm3 -sigopt distid:…` and the other way round), so the
// scheme is written here on @noble/curves' audited point arithmetic; SM3 is OpenSSL's.
// Decision: docs/decisions/0164-sm2-sm3-beside-ed25519.md.
import { createHash, randomBytes } from 'node:crypto';
import { invertCt } from '@noble/curves/abstract/modular.js';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const CURVE = {
  p: P,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  a: P - 3n,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;
const N = CURVE.n;
const Point = weierstrass(CURVE);
type Point = InstanceType<typeof Point>;

/** The distinguishing identifier every GM/T profile uses when none is agreed (GM/T 0009 §10). */
export const DEFAULT_ID = Buffer.from('1234567812345678', 'latin1');

export function sm3(...parts: Uint8Array[]): Buffer {
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
}

const be32 = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const num = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const mod = (v: bigint): bigint => ((v % N) + N) % N;

/** An SM2 public key: a point on the curve, never the identity (checked on every import). */
export class Sm2PublicKey {
  private constructor(
    readonly point: Point,
    /** Z_A for the default id, computed once: it is hashed into every signature. */
    readonly z: Buffer,
    /** Whether the point carries multiplication tables (see fromBytes). */
    readonly tabled: boolean,
  ) {}

  /**
   * 65 bytes 04‖x‖y or 33 bytes 02/03‖x (SEC 1 forms, GM/T 0003.1 §4.2.9); undefined if not a
   * point of the curve. held: a key kept for many verifications (list keys, issuer keys) gets
   * window tables once (~20 ms), which cuts a verification from ~2.1 ms to ~0.7 ms.
   */
  static fromBytes(bytes: Uint8Array, held = false): Sm2PublicKey | undefined {
    if (bytes.length !== 65 && bytes.length !== 33) return undefined;
    try {
      const point = Point.fromBytes(bytes);
      point.assertValidity();
      if (point.is0()) return undefined;
      return Sm2PublicKey.of(point, held);
    } catch {
      return undefined;
    }
  }

  static of(point: Point, held = false): Sm2PublicKey {
    if (held) point.precompute(8, false);
    return new Sm2PublicKey(point, zValue(point, DEFAULT_ID), held);
  }

  /** Uncompressed, 65 bytes. */
  bytes(): Buffer {
    return Buffer.from(this.point.toBytes(false));
  }
}

/**
 * Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A), GB/T 32918.2 §5.5: binds the signer's
 * id and public key into the digest.
 */
export function zValue(point: Point, id: Uint8Array): Buffer {
  if (id.length > 0x1fff) throw new RangeError('an SM2 id is at most 8191 bytes');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  const { x, y } = point.toAffine();
  return sm3(entl, id, be32(CURVE.a), be32(CURVE.b), be32(CURVE.Gx), be32(CURVE.Gy), be32(x), be32(y));
}

/** An SM2 private key d in [1, n-2] (GB/T 32918.1 §6.1: 1+d must be invertible). */
export class Sm2PrivateKey {
  readonly publicKey: Sm2PublicKey;
  private readonly d: bigint;
  private readonly inv1d: bigint;

  constructor(raw: Uint8Array) {
    if (raw.length !== 32) throw new RangeError(`an SM2 private key has 32 bytes, not ${raw.length}`);
    const d = num(raw);
    if (d < 1n || d > N - 2n) throw new RangeError('an SM2 private key lies in [1, n-2]');
    this.d = d;
    // Point.BASE.multiply and invertCt are noble's constant-time forms; the BigInt products in
    // signWithNonce are not, which a gateway signer (not a card) accepts: decision 0164.
    this.publicKey = Sm2PublicKey.of(Point.BASE.multiply(d));
    this.inv1d = invertCt(1n + d, N);
  }

  static generate(): Sm2PrivateKey {
    return new Sm2PrivateKey(Sm2PrivateKey.generateRaw());
  }

  /** 32 fresh random bytes that are a valid private key (for configuration: a key by id). */
  static generateRaw(): Buffer {
    for (;;) {
      const raw = randomBytes(32);
      const d = num(raw);
      if (d >= 1n && d <= N - 2n) return raw;
    }
  }

  /** r‖s, 64 bytes, over SM3(Z_A ‖ message) with the default id. */
  sign(message: Uint8Array): Buffer {
    const e = num(sm3(this.publicKey.z, message));
    for (;;) {
      const k = num(randomBytes(32));
      if (k < 1n || k >= N) continue;
      const sig = this.signWithNonce(e, k);
      if (sig) return sig;
    }
  }

  /**
   * GB/T 32918.2 §6.1 steps A4–A7 with a given nonce. Exported for the standard's worked example
   * (GM/T 0003.5 A.2), whose nonce is fixed; sign() draws a fresh one. Undefined when the
   * standard says to draw again.
   */
  signWithNonce(e: bigint, k: bigint): Buffer | undefined {
    const x1 = Point.BASE.multiply(k).toAffine().x;
    const r = mod(e + x1);
    if (r === 0n || r + k === N) return undefined;
    const s = mod(this.inv1d * (k - r * this.d));
    if (s === 0n) return undefined;
    return Buffer.concat([be32(r), be32(s)]);
  }
}

/** GB/T 32918.2 §7.1: does r‖s (64 bytes) sign the message under this key and the default id? */
export function sm2Verify(key: Sm2PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const r = num(signature.subarray(0, 32));
  const s = num(signature.subarray(32));
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s);
  if (t === 0n) return false;
  const e = num(sm3(key.z, message));
  // Public scalars only, so variable-time multiplication is fine here.
  const sum = key.tabled
    ? Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t))
    : Point.BASE.mulAddUnsafe(s, key.point, t);
  if (sum.is0()) return false;
  return mod(e + sum.toAffine().x) === r;
}

/** r‖s ⇄ the DER SEQUENCE { r INTEGER, s INTEGER } of GM/T 0009 (what OpenSSL writes). */
export function sm2SignatureToDer(rs: Uint8Array): Buffer {
  const int = (b: Uint8Array): Buffer => {
    let v = Buffer.from(b);
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(rs.subarray(0, 32)), int(rs.subarray(32, 64))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

export function sm2SignatureFromDer(der: Uint8Array): Buffer | undefined {
  const b = Buffer.from(der);
  if (b[0] !== 0x30 || b[1] !== b.length - 2) return undefined;
  const out: Buffer[] = [];
  let o = 2;
  for (let i = 0; i < 2; i++) {
    if (b[o] !== 0x02) return undefined;
    const len = b[o + 1]!;
    const v = b.subarray(o + 2, o + 2 + len);
    if (v.length !== len || len === 0 || len > 33) return undefined;
    out.push(be32(num(v)));
    o += 2 + len;
  }
  return o === b.length ? Buffer.concat(out) : undefined;
}
