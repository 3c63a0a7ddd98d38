--[[
  Claims tap keys (device, journal epoch, seq) for their content (docs/decisions/0175): a seq no
  tap holds is taken with the given digest; a seq held with the same digest stays (a resend);
  a seq held with another digest is left as it is and answered 0 (the caller quarantines that
  tap). Claims live in buckets by the day of the tap's own time, each expiring bucketTtl
  seconds after its last write (docs/decisions/0196); the device's high-water mark per epoch
  (the highest seq ever claimed) outlives them, so a seq older than the window is still known
  to have come before (Store.seenBeforeWindow). One read per bucket, one write of the new claims.

  Input:
    KEYS[1]  marks hash   <prefix>:{d:<device>}:hwm                       epoch -> highest seq
    KEYS[2..] buckets     <prefix>:{d:<device>}:claims:<epoch or ->:<day>  seq -> digest
    ARGV[1] bucketTtl (seconds), ARGV[2] the epoch's field in the marks hash,
    then per claim: seq, digest, key# (position of its bucket in KEYS); seqs distinct

  Output: an array, one item per claim in order: 1 this content holds the key, 0 other content does.
]]
local SLICE = 1000
local bucketTtl = tonumber(ARGV[1])
local n = (#ARGV - 2) / 3
-- The claims grouped by bucket: a batch's taps mostly share one day.
local groups = {}
local order = {}
local top = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
for i = 1, n do
  local seq = ARGV[3 * i]
  local key = tonumber(ARGV[3 * i + 2])
  local g = groups[key]
  if not g then
    g = { seqs = {}, at = {}, writes = {} }
    groups[key] = g
    order[#order + 1] = key
  end
  g.seqs[#g.seqs + 1] = seq
  g.at[#g.at + 1] = i
  local s = tonumber(seq)
  if s > top then
    top = s
  end
end
local out = {}
for _, key in ipairs(order) do
  local g = groups[key]
  for from = 1, #g.seqs, SLICE do
    local held = redis.call('HMGET', KEYS[key], unpack(g.seqs, from, math.min(from + SLICE - 1, #g.seqs)))
    for j = 1, #held do
      local i = g.at[from + j - 1]
      local digest = ARGV[3 * i + 1]
      if not held[j] then
        g.writes[#g.writes + 1] = ARGV[3 * i]
        g.writes[#g.writes + 1] = digest
        out[i] = 1
      elseif held[j] == digest then
        out[i] = 1
      else
        out[i] = 0
      end
    end
  end
  if #g.writes > 0 then
    for from = 1, #g.writes, 2 * SLICE do
      redis.call('HSET', KEYS[key], unpack(g.writes, from, math.min(from + 2 * SLICE - 1, #g.writes)))
    end
    redis.call('EXPIRE', KEYS[key], bucketTtl)
  end
end
if n > 0 then
  redis.call('HSET', KEYS[1], ARGV[2], top)
end
return out
