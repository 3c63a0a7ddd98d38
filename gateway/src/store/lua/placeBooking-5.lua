--[[
  Places a venue booking exactly once, within its capacity counter's limit. All keys share the
  venue's hash tag {v:<venue>}.

  Input:
    KEYS[1] bodies     <prefix>:{v:<venue>}:bk        hash: booking id -> booking JSON
    KEYS[2] statuses   <prefix>:{v:<venue>}:bk:st     hash: booking id -> status
    KEYS[3] counters   <prefix>:{v:<venue>}:cnt       hash: counter key -> places taken
    KEYS[4] pending    <prefix>:{v:<venue>}:pending   zset of bookings awaiting payment, by arrival
    KEYS[5] day index  <prefix>:{v:<venue>}:day:<d>   list of booking ids, oldest first
    KEYS[6..] card indexes <prefix>:{v:<venue>}:card:<token>, one per payer/holder

    ARGV[1] booking id
    ARGV[2] status
    ARGV[3] counter key ('' none)
    ARGV[4] seats
    ARGV[5] limit ('' none)
    ARGV[6] booking JSON

  Output:
    { RC.OK }                       placed; the counter grew by seats
    { RC.DUPLICATE, body, status }  the id exists; nothing changed
    { RC.FULL }                     the counter would pass the limit; nothing changed
]]
local body = redis.call('HGET', KEYS[1], ARGV[1])
if body then
  return { RC.DUPLICATE, body, redis.call('HGET', KEYS[2], ARGV[1]) }
end
if ARGV[3] ~= '' then
  local count = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
  if ARGV[5] ~= '' and count + tonumber(ARGV[4]) > tonumber(ARGV[5]) then
    return { RC.FULL }
  end
  redis.call('HINCRBY', KEYS[3], ARGV[3], ARGV[4])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[6])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[2] == 'pending' then
  redis.call('ZADD', KEYS[4], redis.call('HLEN', KEYS[1]), ARGV[1])
end
redis.call('RPUSH', KEYS[5], ARGV[1])
for i = 6, #KEYS do
  redis.call('RPUSH', KEYS[i], ARGV[1])
end
return { RC.OK }
