--[[
  Sets a card's status. A change bumps the version, so a tap planned from the old status fails
  its compare-and-set and is planned again (its record then says LOST_AFTER_THE_FACT, not OK).

  Input:
    KEYS[1] card <prefix>:{pN}:card:<token> (a string, lib/card.lua; a hash from before 0214 is
            rewritten as one)

    ARGV[1] status: active, lost or frozen

  Output:
    RC.OK         the card has this status now
    RC.NOT_FOUND  no such card
]]
local s = cardRead(KEYS[1])
if not s then
  return RC.NOT_FOUND
end
-- version \n balance \n fare state \n uses \n status \n flags \n masked \n region
local first, _, _, fourth = cardCuts(s)
local fifth = string.find(s, '\n', fourth + 1, true)
local current = string.sub(s, fourth + 1, fifth - 1)
if current ~= ARGV[1] then
  local version = tonumber(string.sub(s, 1, first - 1)) + 1
  redis.call('SET', KEYS[1], version .. string.sub(s, first, fourth) .. ARGV[1] .. string.sub(s, fifth))
end
return RC.OK
