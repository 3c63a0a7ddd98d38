-- Retires a device in one step (docs/decisions/0170): its registration and secret go, the id
-- is marked retired, the registry version moves. Nothing changes for an unregistered id.
-- KEYS[1] devices hash   KEYS[2] device secrets hash
-- KEYS[3] retired hash   KEYS[4] registry version counter
-- ARGV[1] device id      ARGV[2] retired at (Unix ms)
-- Returns 1 when retired, 0 when no such device was registered.
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[4])
return 1
