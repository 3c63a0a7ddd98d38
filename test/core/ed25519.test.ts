// The Ed25519 backends (core/ed25519.ts): each one against RFC 8032's vectors and against the
// others, so a device signing with one and a gateway checking with the other always agree.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { devicePublicKeyHex } from '../../core/device-keys.js';
import { ed25519, ed25519Backends } from '../../core/ed25519.js';

const hex = (s: string) => Buffer.from(s, 'hex');

// RFC 8032, section 7.1, TEST 1, 2 and 3: seed, public key, message, signature.
const VECTORS = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('Ed25519 backends', () => {
  it('libsodium loads on this machine and is the one in use (the gateway hosts are linux x64 or arm64)', () => {
    expect(ed25519Backends.map((b) => b.name)).toEqual(['libsodium', 'node:crypto']);
    expect(ed25519.name).toBe('libsodium');
  });

  for (const b of ed25519Backends) {
    describe(b.name, () => {
      it.each(VECTORS)('signs and verifies RFC 8032 vector with public key $publicKey', (v) => {
        expect(b.signer(hex(v.seed))(hex(v.message)).toString('hex')).toBe(v.signature);
        expect(b.verify(b.publicKey(hex(v.publicKey)), hex(v.message), hex(v.signature))).toBe(true);
      });

      it('refuses a changed message, a changed signature, another key; never throws', () => {
        const v = VECTORS[2]!;
        const key = b.publicKey(hex(v.publicKey));
        const sig = hex(v.signature);
        expect(b.verify(key, hex('af83'), sig)).toBe(false);
        for (const at of [0, 31, 32, 63]) {
          const bent = Buffer.from(sig);
          bent[at]! ^= 0x01;
          expect(b.verify(key, hex(v.message), bent)).toBe(false);
        }
        expect(b.verify(b.publicKey(hex(VECTORS[0]!.publicKey)), hex(v.message), sig)).toBe(false);
        // Wrong lengths: false, not an exception (a batch's bytes are an attacker's to choose).
        expect(b.verify(key, hex(v.message), sig.subarray(0, 63))).toBe(false);
        expect(b.verify(key, hex(v.message), Buffer.concat([sig, Buffer.alloc(1)]))).toBe(false);
        expect(b.verify(key, hex(v.message), Buffer.alloc(0))).toBe(false);
        // S at or above the group order: the same R with S + L is refused (malleability).
        const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
        const s = Buffer.from(sig.subarray(32));
        let carry = 0;
        for (let i = 0; i < 32; i++) {
          const t = s[i]! + L[i]! + carry;
          s[i] = t & 0xff;
          carry = t >> 8;
        }
        expect(b.verify(key, hex(v.message), Buffer.concat([sig.subarray(0, 32), s]))).toBe(false);
      });

      it('takes keys of exactly 32 bytes', () => {
        expect(() => b.publicKey(Buffer.alloc(31))).toThrow(/32 bytes/);
        expect(() => b.publicKey(Buffer.alloc(33))).toThrow(/32 bytes/);
        expect(() => b.signer(Buffer.alloc(64))).toThrow(/32 bytes/);
      });
    });
  }

  it('every backend verifies what every other signs, and their signatures are the same bytes', () => {
    for (let round = 0; round < 50; round++) {
      const seed = randomBytes(32);
      const message = randomBytes(round * 7);
      // The public key as the depot registers it (node:crypto's export, core/device-keys.ts).
      const publicKey = hex(devicePublicKeyHex(seed.toString('hex')));
      const signatures = ed25519Backends.map((b) => b.signer(seed)(message));
      for (const s of signatures) expect(s.equals(signatures[0]!)).toBe(true);
      for (const b of ed25519Backends)
        expect(b.verify(b.publicKey(publicKey), message, signatures[0]!)).toBe(true);
    }
  });
});
