// Signed, expiring tokens (HMAC-SHA256) for operator sessions and card holders. Stateless, so
// every gateway instance accepts them (docs/decisions/0130). Device credentials are per-device
// secrets, not tokens: auth/device-verifier.ts (decision 0170).
// Form: <kind>.<payload b64url JSON>.<mac b64url>; the kind is inside the MAC too, so a holder
// token can never pass as an operator session.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'op' | 'holder';

export interface TokenKeys {
  session: Buffer;
  /** Hashes names and addresses for the login throttle and the audit log (never in clear). */
  subjects: Buffer;
}

/** Separate keys per use, derived from one secret (RFC 5869), so one leaked use leaks no other. */
export function deriveKeys(secret: Buffer): TokenKeys {
  const k = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'onecard-auth', info, 32));
  return { session: k('sessions v1'), subjects: k('subjects v1') };
}

/**
 * Longer tokens are refused before any work: ours are a few hundred characters, and a cookie
 * or header of kilobytes is someone probing.
 */
export const MAX_TOKEN_LENGTH = 2048;

/**
 * A keyed hash, base64url, 22 characters (128 bits): a throttle subject or an unknown
 * username in the audit log. Keyed, so an 18-digit ID number typed as a username cannot be
 * found again by hashing every ID number.
 */
export function keyedHash(key: Buffer, text: string): string {
  return mac(key, text).slice(0, 22);
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

export function signToken(
  key: Buffer,
  kind: TokenKind,
  claims: Record<string, unknown>,
  expiresAt: number,
): string {
  const body = `${kind}.${Buffer.from(JSON.stringify({ ...claims, exp: expiresAt })).toString('base64url')}`;
  return `${body}.${mac(key, body)}`;
}

/** The claims, or undefined when the token is malformed, forged, of another kind or expired. */
export function verifyToken(
  key: Buffer,
  kind: TokenKind,
  token: string,
  now: number,
): Record<string, unknown> | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== kind) return undefined;
  const body = `${parts[0]}.${parts[1]}`;
  const want = Buffer.from(mac(key, body));
  const got = Buffer.from(parts[2]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  // The MAC says we signed it; the shape is still checked, so that a token from a future (or
  // buggy) version reads as invalid rather than throwing somewhere down the line.
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  const c = claims as Record<string, unknown>;
  return typeof c.exp === 'number' && Number.isFinite(c.exp) && c.exp > now ? c : undefined;
}
