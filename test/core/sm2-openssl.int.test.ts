// SM2 here against an independent implementation: the OpenSSL 3 command line, run as a real
// process. Signatures made here verify there with the GM/T default id, and the other way round;
// OpenSSL also checks the standard's worked example, so the vector and both sides agree.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Sm2PrivateKey, sm2SignatureFromDer, sm2SignatureToDer, sm2Verify } from '../../core/sm2.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-sm2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// DER of the SM2 curve's OID 1.2.156.10197.1.301 and of id-ecPublicKey, for the key files.
const SM2_CURVE = Buffer.from('06082a811ccf5501822d', 'hex');
const EC_PUBLIC_KEY = Buffer.from('06072a8648ce3d0201', 'hex');

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  if (body.length > 127) throw new Error('short DER lengths only');
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}
function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
}
/** The key as OpenSSL files: an RFC 5915 EC private key and an SPKI public key. */
function keyFiles(name: string, raw: Buffer): { priv: string; pub: string } {
  const point = new Sm2PrivateKey(raw).publicKey.bytes();
  const bits = Buffer.concat([Buffer.from([0]), point]);
  const priv = join(dir, `${name}.key.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  const ec = tlv(
    0x30,
    tlv(0x02, Buffer.from([1])),
    tlv(0x04, raw),
    tlv(0xa0, SM2_CURVE),
    tlv(0xa1, tlv(0x03, bits)),
  );
  writeFileSync(priv, pem('EC PRIVATE KEY', ec));
  writeFileSync(pub, pem('PUBLIC KEY', tlv(0x30, tlv(0x30, EC_PUBLIC_KEY, SM2_CURVE), tlv(0x03, bits))));
  return { priv, pub };
}

const DISTID = ['-pkeyopt', 'distid:1234567812345678'];

function opensslVerifies(pub: string, message: Buffer, derSig: Buffer): boolean {
  const msg = join(dir, 'verify.msg');
  const sig = join(dir, 'verify.sig');
  writeFileSync(msg, message);
  writeFileSync(sig, derSig);
  const run = spawnSync('openssl', [
    'pkeyutl',
    '-verify',
    '-pubin',
    '-inkey',
    pub,
    '-rawin',
    '-in',
    msg,
    '-sigfile',
    sig,
    '-digest',
    'sm3',
    ...DISTID,
  ]);
  if (run.error) throw run.error;
  return run.status === 0 && run.stdout.toString().includes('Signature Verified Successfully');
}

function opensslSigns(priv: string, message: Buffer): Buffer {
  const msg = join(dir, 'sign.msg');
  const out = join(dir, 'sign.sig');
  writeFileSync(msg, message);
  execFileSync('openssl', [
    'pkeyutl',
    '-sign',
    '-inkey',
    priv,
    '-rawin',
    '-in',
    msg,
    '-digest',
    'sm3',
    ...DISTID,
    '-out',
    out,
  ]);
  return readFileSync(out);
}

describe('SM2 against the openssl command line', () => {
  const raw = Buffer.from('6c1ba2f3e4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f60514233241506978a8b', 'hex');
  const key = new Sm2PrivateKey(raw);
  const files = keyFiles('own', raw);
  const message = Buffer.from('onecard.list.v1 signed bytes');

  it('openssl verifies a signature made here, and refuses it for a changed message', () => {
    const der = sm2SignatureToDer(key.sign(message));
    expect(opensslVerifies(files.pub, message, der)).toBe(true);
    expect(opensslVerifies(files.pub, Buffer.from('onecard.list.v1 signed bytez'), der)).toBe(false);
  });

  it('a signature openssl made verifies here, and not for a changed message', () => {
    const rs = sm2SignatureFromDer(opensslSigns(files.priv, message));
    expect(rs).toHaveLength(64);
    expect(sm2Verify(key.publicKey, message, rs!)).toBe(true);
    expect(sm2Verify(key.publicKey, Buffer.from('onecard.list.v1 signed bytez'), rs!)).toBe(false);
  });

  it('openssl verifies the GM/T 0003.5 example signature used in the unit tests', () => {
    const std = keyFiles(
      'std',
      Buffer.from('3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8', 'hex'),
    );
    const rs = Buffer.from(
      'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3' +
        'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa',
      'hex',
    );
    expect(opensslVerifies(std.pub, Buffer.from('message digest'), sm2SignatureToDer(rs))).toBe(true);
  });

  it("Node 20's own crypto.sign on an SM2-curve key is not an SM2 signature (why core/sm2.ts exists)", () => {
    const node = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const pub = join(dir, 'node.pub.pem');
    writeFileSync(pub, node.publicKey.export({ format: 'pem', type: 'spki' }));
    const der = sign('sm3', message, node.privateKey);
    expect(verify('sm3', message, node.publicKey, der)).toBe(true);
    expect(opensslVerifies(pub, message, der)).toBe(false);
  });
});
