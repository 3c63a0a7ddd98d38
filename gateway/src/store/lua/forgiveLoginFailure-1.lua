--[[
  Takes one counted failure of a subject back (docs/decisions/0152): a login is counted as a
  failure before its password is checked, so that a burst in parallel gets no more checks than
  one in a row; when the password was right after all, that count is taken back. The steps of
  forgiveFailure in gateway/src/auth/throttle.ts. A lockout stays, and so does the expiry.

  Input:
    KEYS[1] records <prefix>:{auth}:throttle  hash: subject → failures:windowStart:lockouts:lockedUntil:expiresAt

    ARGV[1] subject
    ARGV[2] now, Unix ms

  Output:
    RC.OK    one failure taken back
    RC.NOOP  no live record with a failure to take back
]]
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then
  return RC.NOOP
end
local f, rest, e = string.match(stored, '^(%d+)(:%d+:%d+:%d+:(%d+))$')
if not f or tonumber(e) <= tonumber(ARGV[2]) or tonumber(f) == 0 then
  return RC.NOOP
end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', tonumber(f) - 1) .. rest)
return RC.OK
