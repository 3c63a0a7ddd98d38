// The store's auth part on SQLite (ports/auth.ts): each change in one immediate transaction, so
// two gateway processes on one file count every failure once.

import type Database from 'better-sqlite3';
import {
  forgiveFailure,
  lockedUntil as lockOf,
  nextFailure,
  type ThrottleRecord,
  type ThrottleRule,
} from '../auth/throttle.js';
import type { AuthStore } from './ports/auth.js';
import { preparedCache } from './sqlite-prepared.js';

const authSchema = `
CREATE TABLE IF NOT EXISTS login_throttle (
  subject TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  lockouts INTEGER NOT NULL,
  locked_until INTEGER NOT NULL,
  expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS login_throttle_by_expiry ON login_throttle (expires, subject);
CREATE TABLE IF NOT EXISTS revoked_sessions (
  id TEXT PRIMARY KEY,
  expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revoked_sessions_by_expiry ON revoked_sessions (expires, id);
CREATE TABLE IF NOT EXISTS session_epochs (
  username TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holder_epochs (
  card TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface ThrottleRow {
  failures: number;
  window_start: number;
  lockouts: number;
  locked_until: number;
  expires: number;
}

const recordOf = (r: ThrottleRow | undefined): ThrottleRecord | undefined =>
  r && {
    failures: r.failures,
    windowStart: r.window_start,
    lockouts: r.lockouts,
    lockedUntil: r.locked_until,
    expiresAt: r.expires,
  };

export class SqliteAuthStore implements AuthStore {
  private readonly failTx;
  private readonly forgiveTx;
  private readonly revokeTx;
  private readonly bumpTx;

  /** Prepared once per distinct SQL text (sqlite-prepared.ts). */
  private readonly sql: (text: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.sql = preparedCache(db);
    db.exec(authSchema);
    this.failTx = db.transaction(this.fail.bind(this));
    this.forgiveTx = db.transaction(this.forgive.bind(this));
    this.revokeTx = db.transaction(this.revoke.bind(this));
    this.bumpTx = db.transaction(
      (card: string) =>
        (
          this.sql(
            `INSERT INTO holder_epochs (card, epoch) VALUES (?, 1)
               ON CONFLICT (card) DO UPDATE SET epoch = epoch + 1 RETURNING epoch`,
          ).get(card) as { epoch: number }
        ).epoch,
    );
  }

  async loginLockedUntil(subjects: readonly string[], now: number): Promise<number> {
    const get = this.sql('SELECT * FROM login_throttle WHERE subject = ?');
    return Math.max(0, ...subjects.map((s) => lockOf(recordOf(get.get(s) as ThrottleRow | undefined), now)));
  }

  async noteLoginFailure(
    subject: string,
    rule: ThrottleRule,
    now: number,
    cap: number,
  ): Promise<{ counted: boolean; lockedUntil: number }> {
    return this.failTx.immediate(subject, rule, now, cap);
  }

  private fail(subject: string, rule: ThrottleRule, now: number, cap: number) {
    this.sql('DELETE FROM login_throttle WHERE expires <= ?').run(now);
    const row = this.sql('SELECT * FROM login_throttle WHERE subject = ?').get(subject) as
      | ThrottleRow
      | undefined;
    const held = lockOf(recordOf(row), now);
    if (held > 0) return { counted: false, lockedUntil: held };
    if (!row) {
      // Room for the new subject: the soonest to expire go (ties by subject, as Redis ZPOPMIN).
      const { n } = this.sql('SELECT count(*) AS n FROM login_throttle').get() as { n: number };
      if (n >= cap)
        this.sql(
          `DELETE FROM login_throttle WHERE subject IN
               (SELECT subject FROM login_throttle ORDER BY expires, subject LIMIT ?)`,
        ).run(n - cap + 1);
    }
    const r = nextFailure(recordOf(row), rule, now);
    this.sql(
      `INSERT INTO login_throttle (subject, failures, window_start, lockouts, locked_until, expires)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures,
         window_start = excluded.window_start, lockouts = excluded.lockouts,
         locked_until = excluded.locked_until, expires = excluded.expires`,
    ).run(subject, r.failures, r.windowStart, r.lockouts, r.lockedUntil, r.expiresAt);
    return { counted: true, lockedUntil: lockOf(r, now) };
  }

  async forgiveLoginFailure(subject: string, now: number): Promise<void> {
    this.forgiveTx.immediate(subject, now);
  }

  private forgive(subject: string, now: number): void {
    const row = this.sql('SELECT * FROM login_throttle WHERE subject = ?').get(subject) as
      | ThrottleRow
      | undefined;
    const r = forgiveFailure(recordOf(row), now);
    if (r) this.sql('UPDATE login_throttle SET failures = ? WHERE subject = ?').run(r.failures, subject);
  }

  async clearLoginFailures(subject: string): Promise<void> {
    this.sql('DELETE FROM login_throttle WHERE subject = ?').run(subject);
  }

  async revokeSession(
    s: { id: string; username: string; expiresAt: number },
    now: number,
    cap: number,
  ): Promise<'revoked' | 'account'> {
    return this.revokeTx.immediate(s, now, cap);
  }

  private revoke(s: { id: string; username: string; expiresAt: number }, now: number, cap: number) {
    this.sql('DELETE FROM revoked_sessions WHERE expires <= ?').run(now);
    const known = this.sql('SELECT 1 FROM revoked_sessions WHERE id = ?').get(s.id);
    const { n } = this.sql('SELECT count(*) AS n FROM revoked_sessions').get() as { n: number };
    if (known || n < cap) {
      this.sql('INSERT INTO revoked_sessions (id, expires) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(
        s.id,
        s.expiresAt,
      );
      return 'revoked' as const;
    }
    this.sql(
      `INSERT INTO session_epochs (username, epoch) VALUES (?, 1)
         ON CONFLICT (username) DO UPDATE SET epoch = epoch + 1`,
    ).run(s.username);
    return 'account' as const;
  }

  async sessionRevoked(id: string, now: number): Promise<boolean> {
    return this.sql('SELECT 1 FROM revoked_sessions WHERE id = ? AND expires > ?').get(id, now) !== undefined;
  }

  async sessionEpoch(username: string): Promise<number> {
    const row = this.sql('SELECT epoch FROM session_epochs WHERE username = ?').get(username) as
      | { epoch: number }
      | undefined;
    return row?.epoch ?? 0;
  }

  async authSizes(): Promise<{ throttled: number; revoked: number }> {
    const count = (table: string) =>
      (this.sql(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { throttled: count('login_throttle'), revoked: count('revoked_sessions') };
  }

  async holderEpoch(cardToken: string): Promise<number> {
    const row = this.sql('SELECT epoch FROM holder_epochs WHERE card = ?').get(cardToken) as
      | { epoch: number }
      | undefined;
    return row?.epoch ?? 0;
  }

  async bumpHolderEpoch(cardToken: string): Promise<number> {
    return this.bumpTx.immediate(cardToken);
  }
}
