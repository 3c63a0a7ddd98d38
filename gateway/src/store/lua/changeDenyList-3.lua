--[[
  Adds or removes a deny-list entry and logs the change under the next version. Adding an entry
  present with the same reason, or removing an absent one, changes nothing and takes no version.

  Input:
    KEYS[1] entries hash   <prefix>:{lists}:deny          token -> reason
    KEYS[2] version        <prefix>:{lists}:deny:version  the last change's version (absent = 0)
    KEYS[3] change log     <prefix>:{lists}:deny:log      list; element k holds version k + 1

    ARGV[1] card token
    ARGV[2] '1' to add, '0' to remove
    ARGV[3] reason
    ARGV[4] the change as JSON, without its version (its position in the log gives it)

  Output:
    { RC.OK, version }  changed; the new version
    { RC.NOOP }         nothing to change
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  if current == ARGV[3] then
    return { RC.NOOP }
  end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
else
  if not current then
    return { RC.NOOP }
  end
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local version = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[3], ARGV[4])
return { RC.OK, version }
