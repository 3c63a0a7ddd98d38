import { describe, expect, it } from 'vitest';
import { newKeyPair } from '../../../core/credentials/index.js';
import { LruCredentialCache, LruReplayGuard } from '../../../edge-agent/src/qr/caches.js';

describe('replay memory (LRU)', () => {
  it('refuses a key seen before, until the code it remembers has expired', () => {
    const clock = { now: 1_000_000 };
    const guard = new LruReplayGuard(100, () => clock.now);
    expect(guard.firstSeen('a', clock.now, clock.now + 90_000)).toBe(true);
    expect(guard.firstSeen('a', clock.now, clock.now + 90_000)).toBe(false);
    clock.now += 90_001;
    expect(guard.firstSeen('a', clock.now, clock.now + 90_000)).toBe(true);
  });

  it('holds at most its size, dropping the least recently seen', () => {
    const guard = new LruReplayGuard(100, () => 0);
    for (let i = 0; i < 150; i++) guard.firstSeen(`k${i}`, 0, 60_000);
    expect(guard.size).toBe(100);
    expect(guard.firstSeen('k149', 0, 60_000)).toBe(false);
  });
});

describe('replay memory across a restart', () => {
  it('refuses codes made before the memory began (they may have been scanned before a reboot)', () => {
    const guard = new LruReplayGuard(100, () => 1_000_000);
    expect(guard.firstSeen('old', 999_000, 1_090_000)).toBe(false);
    expect(guard.firstSeen('new', 1_000_000, 1_090_000)).toBe(true);
  });
});

describe('credential cache (LRU)', () => {
  it('forgets a credential when it expires and never stores an expired one', () => {
    const clock = { now: 5_000 };
    const cache = new LruCredentialCache(10, () => clock.now);
    const { publicKey } = newKeyPair();
    cache.set('c1', publicKey, 10_000);
    cache.set('c2', publicKey, 4_000);
    expect(cache.get('c1')).toBe(publicKey);
    expect(cache.get('c2')).toBeUndefined();
    clock.now = 10_001;
    expect(cache.get('c1')).toBeUndefined();
  });
});
