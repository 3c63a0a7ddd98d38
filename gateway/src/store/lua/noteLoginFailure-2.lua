--[[
  Counts one failed login of a subject (docs/decisions/0152): the steps of nextFailure in
  gateway/src/auth/throttle.ts, which the SQLite store runs; the store contract holds both to
  the same results. Anyone can add subjects (by failing logins under new names), so the set is
  bounded: expired records go first, and a new subject past the cap makes room by dropping the
  records soonest to expire (a locked subject expires late, so a flood of fresh names drops
  the others first).

  Input:
    KEYS[1] records <prefix>:{auth}:throttle      hash: subject → failures:windowStart:lockouts:lockedUntil:expiresAt
    KEYS[2] expiry  <prefix>:{auth}:throttle:exp  zset: subject scored by its expiresAt

    ARGV[1] subject (opaque: the caller hashed the name or address)
    ARGV[2] now, Unix ms
    ARGV[3] failures that lock (ThrottleRule.maxFailures)
    ARGV[4] window, ms
    ARGV[5] first lockout, ms
    ARGV[6] longest lockout, ms
    ARGV[7] records kept at most
    ARGV[8] lockouts counted at most (throttle.ts MAX_LOCKOUTS)

  Output: { code, until when the subject is locked now (Unix ms; 0 when it is not) }
    RC.OK    the failure is counted
    RC.NOOP  the subject was locked already: nothing changed
]]
local subject, now = ARGV[1], tonumber(ARGV[2])
local maxFailures, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local lockMs, maxLock = tonumber(ARGV[5]), tonumber(ARGV[6])
local cap, maxLockouts = tonumber(ARGV[7]), tonumber(ARGV[8])

-- A slice of the expired per call keeps each call short; ZPOPMIN below takes expired first.
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
if #stale > 0 then
  redis.call('HDEL', KEYS[1], unpack(stale))
  redis.call('ZREM', KEYS[2], unpack(stale))
end

local failures, windowStart, lockouts, lockedUntil = 0, now, 0, 0
local stored = redis.call('HGET', KEYS[1], subject)
if stored then
  local f, w, l, u, e = string.match(stored, '^(%d+):(%d+):(%d+):(%d+):(%d+)$')
  if tonumber(e) > now then
    failures, windowStart, lockouts, lockedUntil = tonumber(f), tonumber(w), tonumber(l), tonumber(u)
    if lockedUntil > now then
      return { RC.NOOP, lockedUntil }
    end
  end
else
  local n = redis.call('ZCARD', KEYS[2])
  if n >= cap then
    local gone = redis.call('ZPOPMIN', KEYS[2], n - cap + 1)
    for i = 1, #gone, 2 do
      redis.call('HDEL', KEYS[1], gone[i])
    end
  end
end

if now - windowStart >= window then
  failures, windowStart = 0, now
end
failures = failures + 1
if failures >= maxFailures then
  lockedUntil = now + math.min(maxLock, lockMs * 2 ^ lockouts)
  lockouts = math.min(lockouts + 1, maxLockouts)
  failures, windowStart = 0, now
end
local expiresAt = math.max(now, lockedUntil) + window
redis.call('HSET', KEYS[1], subject,
  string.format('%d:%d:%d:%d:%d', failures, windowStart, lockouts, lockedUntil, expiresAt))
redis.call('ZADD', KEYS[2], expiresAt, subject)
if lockedUntil > now then
  return { RC.OK, lockedUntil }
end
return { RC.OK, 0 }
