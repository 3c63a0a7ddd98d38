--[[
  Applies changes to a list (deny, flags, regions, entitlements; store/ports/lists.ts ListKind)
  and logs the changes that took effect under the list's next version. Changes that change
  nothing (value already set, removal of an absent key) are dropped; if none is left, nothing
  happens and no version is taken.

  Input:
    KEYS[1] entries hash   <prefix>:{lists}:l:<kind>:<scope>   key -> value
    KEYS[2] version        <prefix>:{lists}:lv:<kind>:<scope>  the last version (absent = 0)
    KEYS[3] change log     <prefix>:{lists}:ll:<kind>:<scope>  list; element k holds version k + 1
    (the deny list: <prefix>:{lists}:deny, deny:version, deny:log, its names from before it was
    a list kind; its log may begin with elements {t, a, r, at} of that time: redis-lists.ts)

    ARGV[1] time of the change, Unix ms
    ARGV[2], ARGV[3], ...  key, value pairs; value '' removes the key

  Output:
    { RC.OK, version, key1, value1, ... }  the new version and the changes that took effect
    { RC.NOOP }                            nothing changed
]]
local effective = {}
for i = 2, #ARGV, 2 do
  local key, value = ARGV[i], ARGV[i + 1]
  local current = redis.call('HGET', KEYS[1], key)
  if value == '' then
    if current then
      redis.call('HDEL', KEYS[1], key)
      effective[#effective + 1] = { key, value }
    end
  elseif current ~= value then
    redis.call('HSET', KEYS[1], key, value)
    effective[#effective + 1] = { key, value }
  end
end
if #effective == 0 then
  return { RC.NOOP }
end
local version = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[3], cjson.encode({ at = tonumber(ARGV[1]), c = effective }))
local out = { RC.OK, version }
for _, c in ipairs(effective) do
  out[#out + 1] = c[1]
  out[#out + 1] = c[2]
end
return out
