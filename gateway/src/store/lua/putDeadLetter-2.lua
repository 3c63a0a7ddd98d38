--[[
  Keeps a dead letter and drops the oldest until the bounds hold, in one step: a burst of junk
  never lifts the dead letters past their bounds, not even between two calls
  (docs/decisions/0160).

  Input:
    KEYS[1] letters <prefix>:{dlq}:kept   list, newest first; element: letter JSON with n = its bytes
    KEYS[2] total   <prefix>:{dlq}:bytes  the sum of n over the list

    ARGV[1] the letter's JSON
    ARGV[2] its bytes (n)
    ARGV[3] letters kept at most
    ARGV[4] bytes kept at most

  Output:
    how many letters were dropped (the new one too, if it alone is past the byte bound)
]]
redis.call('LPUSH', KEYS[1], ARGV[1])
local bytes = redis.call('INCRBY', KEYS[2], ARGV[2])
local count = redis.call('LLEN', KEYS[1])
local maxCount = tonumber(ARGV[3])
local maxBytes = tonumber(ARGV[4])
local dropped = 0
while count > 0 and (count > maxCount or bytes > maxBytes) do
  local oldest = redis.call('RPOP', KEYS[1])
  bytes = redis.call('DECRBY', KEYS[2], cjson.decode(oldest).n)
  count = count - 1
  dropped = dropped + 1
end
if count == 0 then
  -- Nothing kept: the total is 0 whatever an earlier version or a manual edit left there.
  redis.call('SET', KEYS[2], 0)
end
return dropped
