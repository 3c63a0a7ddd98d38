--[[
  Adds an amount to a daily sum under an id, once per id, unless the sum would pass the limit.

  Input:
    KEYS[1] sum  <prefix>:{pay}:use:<day>:<key>  hash: id -> amount, '#sum' -> total

    ARGV[1] id (never starts with '#')
    ARGV[2] amount, fen
    ARGV[3] limit, fen
    ARGV[4] TTL, ms

  Output:
    { RC.OK, total }         added
    { RC.DUPLICATE, total }  the id was added already; nothing changed
    { RC.FULL, total }       over the limit; nothing changed
]]
local total = tonumber(redis.call('HGET', KEYS[1], '#sum') or '0')
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return { RC.DUPLICATE, total }
end
local amount = tonumber(ARGV[2])
if total + amount > tonumber(ARGV[3]) then
  return { RC.FULL, total }
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
total = redis.call('HINCRBY', KEYS[1], '#sum', amount)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { RC.OK, total }
