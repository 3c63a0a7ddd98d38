--[[
  Sets a card's status. A change bumps the version, so a tap planned from the old status fails
  its compare-and-set and is planned again (its record then says LOST_AFTER_THE_FACT, not OK).

  Input:
    KEYS[1] card hash <prefix>:{pN}:card:<token>

    ARGV[1] status: active, lost or frozen

  Output:
    RC.OK         the card has this status now
    RC.NOT_FOUND  no such card
]]
local current = redis.call('HGET', KEYS[1], 's')
if not current then
  return RC.NOT_FOUND
end
if current ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 's', ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'v', 1)
end
return RC.OK
