// SM2 over SM3 against the standards' worked examples (GB/T 32905 for SM3, GM/T 0003.5 /
// GB/T 32918.5 for the signature on the recommended curve), and what verification refuses.
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ID,
  Sm2PrivateKey,
  Sm2PublicKey,
  sm2SignatureFromDer,
  sm2SignatureToDer,
  sm2Verify,
  sm3,
  zValue,
} from '../../core/sm2.js';

// GM/T 0003.5 (GB/T 32918.5) example: key, message, the fixed nonce, and the expected values.
const D = Buffer.from('3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8', 'hex');
const PUBLIC =
  '04' +
  '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020' +
  'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
const MESSAGE = Buffer.from('message digest');
const K = 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n;
const Z = 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3';
const E = 'f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640';
const R = 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3';
const S = 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa';

describe('SM3 (GB/T 32905 examples)', () => {
  it('hashes "abc" and 64 bytes of "abcd" to the published digests', () => {
    expect(sm3(Buffer.from('abc')).toString('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
    expect(sm3(Buffer.from('abcd'.repeat(16))).toString('hex')).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });
});

describe('SM2 signature (GM/T 0003.5 example on the recommended curve)', () => {
  const key = new Sm2PrivateKey(D);

  it('derives the example public key, as OpenSSL does for the same scalar', () => {
    expect(key.publicKey.bytes().toString('hex')).toBe(PUBLIC);
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(D);
    expect(ecdh.getPublicKey('hex')).toBe(PUBLIC);
  });

  it('computes Z_A with the id "1234567812345678", e, and the example r and s', () => {
    expect(DEFAULT_ID.toString('latin1')).toBe('1234567812345678');
    expect(key.publicKey.z.toString('hex')).toBe(Z);
    expect(sm3(key.publicKey.z, MESSAGE).toString('hex')).toBe(E);
    expect(key.signWithNonce(BigInt(`0x${E}`), K)?.toString('hex')).toBe(R + S);
  });

  it('verifies the example signature, and refuses it for another message or id', () => {
    const pub = Sm2PublicKey.fromBytes(Buffer.from(PUBLIC, 'hex'))!;
    const sig = Buffer.from(R + S, 'hex');
    expect(sm2Verify(pub, MESSAGE, sig)).toBe(true);
    expect(sm2Verify(pub, Buffer.from('message digesT'), sig)).toBe(false);
    expect(zValue(pub.point, Buffer.from('ALICE123@YAHOO.COM')).toString('hex')).not.toBe(Z);
  });
});

describe('SM2 sign and verify', () => {
  const key = Sm2PrivateKey.generate();
  const other = Sm2PrivateKey.generate();
  const message = Buffer.from('onecard list v1');
  const sig = key.sign(message);

  it('round-trips with a fresh nonce each time', () => {
    expect(sig).toHaveLength(64);
    expect(sm2Verify(key.publicKey, message, sig)).toBe(true);
    expect(key.sign(message).equals(sig)).toBe(false);
  });

  it('verifies the same with a key kept with tables and one imported bare', () => {
    const bytes = key.publicKey.bytes();
    expect(sm2Verify(Sm2PublicKey.fromBytes(bytes, true)!, message, sig)).toBe(true);
    expect(sm2Verify(Sm2PublicKey.fromBytes(bytes, false)!, message, sig)).toBe(true);
  });

  it('accepts the compressed form of a public key', () => {
    const compressed = Buffer.from(key.publicKey.point.toBytes(true));
    expect(compressed).toHaveLength(33);
    expect(sm2Verify(Sm2PublicKey.fromBytes(compressed)!, message, sig)).toBe(true);
  });

  it.each<[string, (s: Buffer) => Buffer]>([
    ['a flipped bit of r', (s) => Buffer.from(s).fill(s[0]! ^ 1, 0, 1)],
    ['a flipped bit of s', (s) => Buffer.from(s).fill(s[63]! ^ 1, 63, 64)],
    ['r = 0', (s) => Buffer.concat([Buffer.alloc(32), s.subarray(32)])],
    [
      's = n',
      (s) =>
        Buffer.concat([
          s.subarray(0, 32),
          Buffer.from('fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123', 'hex'),
        ]),
    ],
    ['63 bytes', (s) => s.subarray(1)],
  ])('refuses %s', (_what, change) => {
    expect(sm2Verify(key.publicKey, message, change(sig))).toBe(false);
  });

  it('refuses another key, another message', () => {
    expect(sm2Verify(other.publicKey, message, sig)).toBe(false);
    expect(sm2Verify(key.publicKey, Buffer.from('onecard list v2'), sig)).toBe(false);
  });

  it('refuses public keys that are not points of the curve, and private keys out of range', () => {
    const bytes = key.publicKey.bytes();
    bytes[64] = bytes[64]! ^ 1;
    expect(Sm2PublicKey.fromBytes(bytes)).toBeUndefined();
    expect(Sm2PublicKey.fromBytes(Buffer.alloc(64, 1))).toBeUndefined();
    expect(() => new Sm2PrivateKey(Buffer.alloc(32))).toThrow('an SM2 private key lies in [1, n-2]');
    expect(() => new Sm2PrivateKey(Buffer.alloc(32, 0xff))).toThrow('an SM2 private key lies in [1, n-2]');
    expect(() => new Sm2PrivateKey(Buffer.alloc(31, 1))).toThrow('an SM2 private key has 32 bytes, not 31');
  });

  it('converts r‖s to the DER of GM/T 0009 and back', () => {
    const der = sm2SignatureToDer(sig);
    expect(der[0]).toBe(0x30);
    expect(sm2SignatureFromDer(der)?.equals(sig)).toBe(true);
    expect(sm2SignatureFromDer(der.subarray(0, der.length - 1))).toBeUndefined();
  });
});
