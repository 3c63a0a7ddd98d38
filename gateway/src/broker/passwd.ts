// Device secrets and the broker's password hashes. A device's secret is random (32 bytes,
// base64url) and shown once; the store keeps only the hash, in the form Mosquitto 2.0's
// password_file reads ("$7$" = PBKDF2-HMAC-SHA512, as mosquitto_passwd writes it:
// `$7$<iterations>$<salt, 12 bytes, base64>$<hash, 64 bytes, base64>`), so the same hash lets
// the device on the broker and on the HTTP API (docs/decisions/0170). The format is checked
// against the real mosquitto_passwd and broker in test/gateway/broker/passwd.int.test.ts.
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** mosquitto_passwd 2.0's default; Mosquitto reads the count from each line, so it may grow. */
export const PBKDF2_ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;
/** Longer secrets are refused before any hashing: ours are 43 characters. */
export const MAX_SECRET_LENGTH = 256;

/** A new device secret: 32 random bytes, base64url (43 characters). */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The password_file hash of a secret (fresh salt each time). */
export function hashSecret(secret: string, iterations = PBKDF2_ITERATIONS): string {
  const salt = randomBytes(SALT_BYTES);
  const hash = pbkdf2Sync(secret, salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Whether the secret matches a `$7$` hash; false for any other form. Constant-time compare. */
export function verifySecret(secret: string, stored: string): boolean {
  if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return false;
  // Canonical base64 only (a 64-byte hash is 86 characters and "=="), so one hash has one text.
  const m = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/]{4,64}={0,2})\$([A-Za-z0-9+/]{86}==)$/.exec(stored);
  if (!m) return false;
  const iterations = Number(m[1]);
  const want = Buffer.from(m[3]!, 'base64');
  if (iterations < 1 || want.length !== HASH_BYTES) return false;
  const got = pbkdf2Sync(secret, Buffer.from(m[2]!, 'base64'), iterations, HASH_BYTES, 'sha512');
  return timingSafeEqual(want, got);
}

/** One password_file line; ids are [A-Za-z0-9_.-] (no ':' or newline can break the file). */
export function passwdLine(username: string, hash: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(username) || !hash.startsWith('$7$'))
    throw new Error(`not a password file entry: ${username}`);
  return `${username}:${hash}\n`;
}
