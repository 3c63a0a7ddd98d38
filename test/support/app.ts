// The reference e-card app: what a holder's phone does. It makes its own Ed25519 key pair,
// fetches its credential from the gateway (POST /v1/holder/qr-credential) and shows dynamic
// codes it signs itself. Used by tests and scripts/demo.ts; a real app does the same in Kotlin
// or Swift with only docs/decisions/0060-qr-credentials.md and core/credentials/payload.ts.
import { randomInt } from 'node:crypto';
import { makeDynamicCode, newKeyPair, qrText, rawPublicKey } from '../../core/credentials/index.js';

export interface CredentialAnswer {
  credential: string;
  keyId: number;
  notBefore: number;
  notAfter: number;
  bytes: number;
}

export class ReferenceApp {
  readonly keys = newKeyPair();
  credential: Buffer | undefined;

  constructor(credential?: Buffer) {
    this.credential = credential;
  }

  /** The app's public key, base64url, as it sends it to the gateway. */
  publicKey(): string {
    return rawPublicKey(this.keys.publicKey).toString('base64url');
  }

  /** Asks the gateway for a credential bound to this app's key, with the holder's token. */
  async fetchCredential(
    gatewayUrl: string,
    cardNumber: string,
    authorization: string,
  ): Promise<CredentialAnswer> {
    const res = await fetch(`${gatewayUrl}/v1/holder/qr-credential`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ cardNumber, appPublicKey: this.publicKey() }),
    });
    const body = (await res.json()) as CredentialAnswer & { detail?: string };
    if (res.status !== 200) throw new Error(`credential refused: ${res.status} ${body.detail ?? ''}`);
    this.credential = Buffer.from(body.credential, 'base64url');
    return body;
  }

  /** The code's bytes at nowMs (a fresh random nonce each time, as the app refreshes). */
  codeBytes(nowMs = Date.now(), nonce = randomInt(2 ** 32)): Buffer {
    if (!this.credential) throw new Error('no credential yet: call fetchCredential first');
    return makeDynamicCode(this.keys.privateKey, this.credential, nowMs, nonce);
  }

  /** The text the QR symbol shows. */
  code(nowMs = Date.now(), nonce?: number): string {
    return qrText(this.codeBytes(nowMs, nonce));
  }
}
