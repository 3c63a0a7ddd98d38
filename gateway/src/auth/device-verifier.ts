// Verifies a device's HTTP credential (`Authorization: Device <deviceId>.<secret>`) against the
// hash the store keeps (docs/decisions/0170). PBKDF2 costs tens of microseconds a try; a device
// resyncing lists would pay it on every request, so a bounded LRU remembers recent successes as
// (stored hash, SHA-256 of the secret). The stored hash is still read on every request, so a
// rotation or retirement takes effect on the next request, not when a cache entry expires.
import { createHash, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { verifySecret } from '../broker/passwd.js';
import type { CredentialStore } from '../store/ports/credentials.js';
import { MAX_TOKEN_LENGTH } from './tokens.js';

interface Verified {
  hash: string;
  digest: Buffer;
}

export class DeviceVerifier {
  private readonly recent: LRUCache<string, Verified>;

  constructor(
    private readonly credentials: CredentialStore,
    maxEntries = 10_000,
  ) {
    this.recent = new LRUCache({ max: maxEntries });
  }

  /** The device id the credential proves, or undefined (malformed, unknown, retired, wrong secret). */
  async verify(credential: string): Promise<string | undefined> {
    if (credential.length > MAX_TOKEN_LENGTH) return undefined;
    const i = credential.lastIndexOf('.');
    if (i <= 0 || i === credential.length - 1) return undefined;
    const deviceId = credential.slice(0, i);
    const secret = credential.slice(i + 1);
    const stored = await this.credentials.secretOf(deviceId);
    if (!stored) return undefined;
    const digest = createHash('sha256').update(secret).digest();
    const hit = this.recent.get(deviceId);
    if (hit && hit.hash === stored && timingSafeEqual(hit.digest, digest)) return deviceId;
    if (!verifySecret(secret, stored)) return undefined;
    this.recent.set(deviceId, { hash: stored, digest });
    return deviceId;
  }

  /** Entries held (never more than maxEntries). */
  get size(): number {
    return this.recent.size;
  }
}
