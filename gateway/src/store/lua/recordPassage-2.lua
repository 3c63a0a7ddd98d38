--[[
  Counts one entry or exit of a venue's day, once per passage id: entries and visitors inside
  (an exit never takes it below 0: exits without a counted entry happen, e.g. before a restart
  of counting or through an unmonitored door).

  Also adds 1 to each counter field given (entries or exits of the hour, entries per kind:
  gateway/src/stats/venues.ts, docs/decisions/0135), in the same hash, so the visits per hour
  never disagree with the occupancy.

  Input:
    KEYS[1] occupancy  <prefix>:{v:<venue>}:occ:<day>   hash: i inside, e entries, counter fields
    KEYS[2] seen       <prefix>:{v:<venue>}:seen:<day>  set of passage ids

    ARGV[1] passage id
    ARGV[2] 'entry' or 'exit'
    ARGV[3] seconds both keys live (the day plus a margin for late uploads)
    ARGV[4..] counter fields to add 1 to

  Output:
    { applied (1/0), inside before, entries before, inside after, entries after }
]]
local inside = tonumber(redis.call('HGET', KEYS[1], 'i') or '0')
local entries = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return { 0, inside, entries, inside, entries }
end
local newInside = inside
local newEntries = entries
if ARGV[2] == 'entry' then
  newInside = inside + 1
  newEntries = entries + 1
elseif inside > 0 then
  newInside = inside - 1
end
redis.call('HSET', KEYS[1], 'i', newInside, 'e', newEntries)
for f = 4, #ARGV do
  redis.call('HINCRBY', KEYS[1], ARGV[f], 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return { 1, inside, entries, newInside, newEntries }
