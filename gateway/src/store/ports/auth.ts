// The store's auth part (Store.auth, docs/decisions/0152): failed-login counters, revoked
// operator sessions, and the epochs that end every session of an account or every holder
// token of a card at once. In the store, not in memory, so every gateway instance sees the
// same counts and revocations. Every set is bounded (an expiry per entry and a cap), since
// anyone can add throttle records by failing logins. One contract suite
// (test/gateway/store/contract-auth.ts, in the auth suite of contract.ts) runs against both adapters.
import type { ThrottleRule } from '../../auth/throttle.js';

export interface AuthStore {
  /**
   * The latest time until which any of the subjects is locked, as of now; 0 when none is.
   * Subjects are opaque (the caller hashes names and addresses: no username in clear).
   */
  loginLockedUntil(subjects: readonly string[], now: number): Promise<number>;
  /**
   * Counts one failed login of the subject (auth/throttle.ts nextFailure, atomically): counted
   * false when the subject was locked already (nothing changed), and until when it is locked
   * now (0: not locked). Expired records are dropped; when `cap` records exist already, the
   * ones soonest to expire make room for a new subject.
   */
  noteLoginFailure(
    subject: string,
    rule: ThrottleRule,
    now: number,
    cap: number,
  ): Promise<{ counted: boolean; lockedUntil: number }>;
  /** Takes one counted failure back (auth/throttle.ts forgiveFailure). */
  forgiveLoginFailure(subject: string, now: number): Promise<void>;
  /** Forgets the subject's failures (a right password for that account). */
  clearLoginFailures(subject: string): Promise<void>;

  /**
   * Revokes one session id until it would expire anyway. When `cap` unexpired ids are kept
   * already, it ends every session of the account instead (bumps its epoch): a full set must
   * not leave a logged-out token working. Answers which of the two it did.
   */
  revokeSession(
    s: { id: string; username: string; expiresAt: number },
    now: number,
    cap: number,
  ): Promise<'revoked' | 'account'>;
  sessionRevoked(id: string, now: number): Promise<boolean>;
  /** The account's session epoch (0 at first); a session minted under another is void. */
  sessionEpoch(username: string): Promise<number>;

  /**
   * Entries the bounded sets hold (expired ones included until a write prunes them): never past
   * their caps. For tests and for watching a flood.
   */
  authSizes(): Promise<{ throttled: number; revoked: number }>;

  /** The card's holder-token epoch (0 at first); a token minted under another is void. */
  holderEpoch(cardToken: string): Promise<number>;
  /** Ends every holder token of the card (a lost report); returns the new epoch. */
  bumpHolderEpoch(cardToken: string): Promise<number>;
}
