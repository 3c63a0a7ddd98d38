// The device's memories of QR codes, LRU caches from lru-cache (the core's ports are tiny).
//
// The replay memory of dynamic codes (core/credentials ReplayGuard): an LRU cache whose entries
// expire with the code they remember. After expiry the time window refuses the code anyway, so
// the cache only needs to hold the codes of the last window (a gate scanning one code a second
// holds ~90). If it ever filled up, LRU would drop the oldest codes, the ones closest to expiry.

import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CredentialCache, ReplayGuard } from '../../../core/credentials/index.js';

export class LruReplayGuard implements ReplayGuard {
  private readonly seen: LRUCache<string, true>;
  /** The memory is not durable: it began when the agent started (whole second, like code times). */
  private readonly since: number;

  constructor(
    max: number,
    private readonly now: () => number,
  ) {
    this.since = Math.floor(now() / 1000) * 1000;
    // ttlResolution 0: read the clock on every check; the default caches it behind a timer,
    // which would let a replay slip through at an expiry edge and ignores an injected clock.
    this.seen = new LRUCache<string, true>({ max, ttlAutopurge: false, ttlResolution: 0, perf: { now } });
  }

  firstSeen(key: string, codeMs: number, expiresAtMs: number): boolean {
    // A code made before this memory began may have been scanned before a restart: refused.
    // Only codes older than the start are affected; the app's next code passes. (A phone clock
    // ahead by more than the restart took escapes this; see docs/decisions/0060.)
    if (codeMs < this.since || this.seen.has(key)) return false;
    this.seen.set(key, true, { ttl: Math.max(1, expiresAtMs - this.now()) });
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Verified credentials and their app keys (core/credentials CredentialCache), LRU-bounded. */
export class LruCredentialCache implements CredentialCache {
  private readonly entries: LRUCache<string, KeyObject>;

  constructor(
    max: number,
    private readonly now: () => number,
  ) {
    this.entries = new LRUCache<string, KeyObject>({
      max,
      ttlAutopurge: false,
      ttlResolution: 0,
      perf: { now },
    });
  }

  get(credential: string): KeyObject | undefined {
    return this.entries.get(credential);
  }

  set(credential: string, appKey: KeyObject, expiresAtMs: number): void {
    const ttl = expiresAtMs - this.now();
    if (ttl > 0) this.entries.set(credential, appKey, { ttl });
  }
}
