--[[
  Issues a card unless it exists: issuing is idempotent by token, and an existing card (with
  its balance and version) is never reset.

  Input:
    KEYS[1] card hash <prefix>:{pN}:card:<token>

    ARGV[1] balance, fen
    ARGV[2] concession flags
    ARGV[3] masked card number
    ARGV[4] issuing region

  Output:
    RC.OK     issued (version 1, status active, no entitlement uses: core/uses.ts)
    RC.NOOP   the card existed; nothing changed
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return RC.NOOP
end
redis.call('HSET', KEYS[1], 'b', ARGV[1], 'v', '1', 's', 'active', 'f', ARGV[2], 'm', ARGV[3], 'r', ARGV[4], 'u', '[]')
return RC.OK
