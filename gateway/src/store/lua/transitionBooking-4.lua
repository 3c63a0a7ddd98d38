--[[
  Moves a booking from one of the given statuses to another; going to 'cancelled' from a status
  that holds places (pending, confirmed) gives its seats back to its counter.

  Input:
    KEYS[1] bodies     <prefix>:{v:<venue>}:bk     hash: booking id -> booking JSON
    KEYS[2] statuses   <prefix>:{v:<venue>}:bk:st  hash: booking id -> status
    KEYS[3] counters   <prefix>:{v:<venue>}:cnt    hash: counter key -> places taken
    KEYS[4] pending    <prefix>:{v:<venue>}:pending zset of bookings awaiting payment

    ARGV[1] booking id
    ARGV[2] new status
    ARGV[3..] statuses it may move from

  Output:
    { RC.OK, body }            moved
    { RC.NOOP, body, status }  its status is not among those given; nothing changed
    { RC.NOT_FOUND }           no such booking
]]
local body = redis.call('HGET', KEYS[1], ARGV[1])
if not body then
  return { RC.NOT_FOUND }
end
local status = redis.call('HGET', KEYS[2], ARGV[1])
local allowed = false
for i = 3, #ARGV do
  if ARGV[i] == status then
    allowed = true
  end
end
if not allowed then
  return { RC.NOOP, body, status }
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if status == 'pending' then
  redis.call('ZREM', KEYS[4], ARGV[1])
end
if ARGV[2] == 'cancelled' and (status == 'pending' or status == 'confirmed') then
  local booking = cjson.decode(body)
  if booking.counter ~= '' then
    local left = redis.call('HINCRBY', KEYS[3], booking.counter, -booking.seats)
    if left < 0 then
      redis.call('HSET', KEYS[3], booking.counter, 0)
    end
  end
end
return { RC.OK, body }
