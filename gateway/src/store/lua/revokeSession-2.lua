--[[
  Revokes an operator session id until the session would expire anyway (docs/decisions/0152).
  The set is bounded: when it holds `cap` unexpired ids, the account's session epoch moves
  instead, which ends every session of that account; a full set must never leave a
  logged-out token working.

  Input:
    KEYS[1] revoked <prefix>:{auth}:revoked  zset: session id scored by its expiry
    KEYS[2] epochs  <prefix>:{auth}:epochs   hash: username → session epoch

    ARGV[1] session id
    ARGV[2] username
    ARGV[3] the session's expiry, Unix ms
    ARGV[4] now, Unix ms
    ARGV[5] ids kept at most

  Output:
    RC.OK    the id is revoked
    RC.FULL  the set is full: every session of the account is ended instead
]]
local now, cap = tonumber(ARGV[4]), tonumber(ARGV[5])
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)
if #stale > 0 then
  redis.call('ZREM', KEYS[1], unpack(stale))
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return RC.OK
end
if redis.call('ZCARD', KEYS[1]) >= cap then
  -- Rare: count exactly before giving up on the one id.
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
end
if redis.call('ZCARD', KEYS[1]) < cap then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return RC.OK
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return RC.FULL
