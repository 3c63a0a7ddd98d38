// QR issuer keys of both kinds (decision 0164): ids 0-127 Ed25519, 128-255 SM2 over SM3. A device
// holding one of each accepts credentials and tickets from both, and refuses tampered ones.
import { describe, expect, it } from 'vitest';
import {
  base45Decode,
  base45Encode,
  issueCredential,
  issuerAlgorithm,
  issuerPrivateKey,
  issuerRawPublicKey,
  issueTicket,
  Keyring,
  parseKeyList,
  QR_PREFIX,
  qrText,
  rawPublicKey,
  verifyQr,
} from '../../../core/credentials/index.js';
import { Sm2PrivateKey } from '../../../core/sm2.js';
import { ReferenceApp } from '../../support/app.js';
import { context, issuer, NOW, policy, TOKEN, ticketBody } from './fixtures.js';

const SM2_ID = 200;
const sm2Issuer = issuerPrivateKey(SM2_ID, Buffer.alloc(32, 0x5a)) as Sm2PrivateKey;
const bothKinds = () =>
  policy({
    keys: new Keyring([
      [1, rawPublicKey(issuer.publicKey)],
      [SM2_ID, issuerRawPublicKey(sm2Issuer)],
    ]),
  });

function sm2App(): ReferenceApp {
  const a = new ReferenceApp();
  a.credential = issueCredential(sm2Issuer, {
    keyId: SM2_ID,
    cardToken: TOKEN,
    flags: 1,
    region: 500228,
    notBeforeSec: Math.floor((NOW - 3600_000) / 1000),
    notAfterSec: Math.floor((NOW + 86_400_000) / 1000),
    appPublicKey: rawPublicKey(a.keys.publicKey),
  });
  return a;
}
function flip(text: string, byteIndex: number): string {
  const bytes = Buffer.from(base45Decode(text.slice(QR_PREFIX.length))!);
  bytes[byteIndex]! ^= 0x01;
  return QR_PREFIX + base45Encode(bytes);
}

describe('QR issuer keys by id: Ed25519 and SM2 side by side', () => {
  it('names the algorithm by id range, and makes an SM2 key for ids from 128', () => {
    expect([issuerAlgorithm(0), issuerAlgorithm(127), issuerAlgorithm(128), issuerAlgorithm(255)]).toEqual([
      'ed25519',
      'ed25519',
      'sm2',
      'sm2',
    ]);
    expect(sm2Issuer).toBeInstanceOf(Sm2PrivateKey);
    expect(issuerRawPublicKey(sm2Issuer)).toHaveLength(65);
  });

  it('accepts a dynamic code whose credential an SM2 issuer signed, beside an Ed25519 one', () => {
    expect(verifyQr(sm2App().code(NOW), bothKinds(), context())).toMatchObject({
      ok: true,
      kind: 'dynamic',
      cardToken: TOKEN.toString('hex'),
    });
  });

  it('refuses a credential whose signed bytes changed (QR_FORGED)', () => {
    // Byte 21 of the code is the credential's concession flags (credential at 2, flags at 19).
    expect(verifyQr(flip(sm2App().code(NOW), 2 + 19), bothKinds(), context())).toEqual({
      ok: false,
      reason: 'QR_FORGED',
    });
  });

  it('refuses an SM2 credential with a changed key id, and a tampered SM2 ticket', () => {
    // Byte 4 of the code is the credential's key id (2 + 2): 200 → 201, not held.
    expect(verifyQr(flip(sm2App().code(NOW), 2 + 2), bothKinds(), context())).toEqual({
      ok: false,
      reason: 'QR_UNKNOWN_KEY',
    });
    // Byte 13 of a ticket lies in the holder's card token.
    const ticket = qrText(issueTicket(sm2Issuer, ticketBody({ keyId: SM2_ID })));
    expect(verifyQr(ticket, bothKinds(), context())).toMatchObject({ ok: true, kind: 'ticket' });
    expect(verifyQr(flip(ticket, 13), bothKinds(), context())).toEqual({ ok: false, reason: 'QR_FORGED' });
  });

  it('refuses an SM2 issuer signature under the Ed25519 key id', () => {
    const forged = qrText(issueTicket(sm2Issuer, ticketBody({ keyId: 1 })));
    expect(verifyQr(forged, bothKinds(), context())).toEqual({ ok: false, reason: 'QR_FORGED' });
  });

  it('checks public key forms by id and refuses an SM2 point where an Ed25519 key belongs', () => {
    const sm = issuerRawPublicKey(sm2Issuer).toString('hex');
    const ed = rawPublicKey(issuer.publicKey).toString('hex');
    expect(parseKeyList(`1:${ed},${SM2_ID}:${sm}`, 'public')).toHaveLength(2);
    expect(parseKeyList(`1:${sm}`, 'public')).toBe('item 1: key id 1 takes a 32-byte Ed25519 public key');
    expect(parseKeyList(`${SM2_ID}:${ed}`, 'public')).toBe(
      `item 1: key id ${SM2_ID} takes an SM2 public key (65 or 33 bytes)`,
    );
    expect(parseKeyList(`${SM2_ID}:${sm}`)).toBe(
      `item 1: key id ${SM2_ID} takes a 32-byte private key (64 hex chars)`,
    );
    expect(() => new Keyring([[SM2_ID, Buffer.alloc(65, 4)]])).toThrow(
      `key ${SM2_ID} is not an SM2 public key (65 or 33 bytes)`,
    );
  });
});
