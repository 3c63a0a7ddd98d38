--[[
  Issues a card unless it exists: issuing is idempotent by token, and an existing card (with
  its balance and version) is never reset, whatever its layout (a hash from before 0214 too).

  Input:
    KEYS[1] card <prefix>:{pN}:card:<token>

    ARGV[1] the new card's string (redis-card.ts newCardString: version 1, status active, no
            entitlement uses, core/uses.ts)

  Output:
    RC.OK     issued
    RC.NOOP   the card existed; nothing changed
]]
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return RC.OK
end
return RC.NOOP
