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
    then runs of claims in the same bucket, in the caller's order: key# (position of the
    bucket in KEYS), count, then count pairs seq, digest; seqs distinct. (A batch's taps mostly
    share one day: two arguments a tap, not three, docs/decisions/0217.)

  Output: an array, one item per claim in order: 1 this content holds the key, 0 other content does.
]]
local SLICE = 1000
local bucketTtl = tonumber(ARGV[1])
-- The claims in order: claim i is seqs[i] with digests[i] in bucket keyOf[i].
local seqs, digests, keyOf = {}, {}, {}
local n = 0
local x = 3
while x <= #ARGV do
  local key, count = tonumber(ARGV[x]), tonumber(ARGV[x + 1])
  if not key or not count or count < 1 or x + 1 + 2 * count > #ARGV then
    return redis.error_reply('claimTaps: malformed run at argument ' .. x)
  end
  for j = x + 2, x + 2 * count, 2 do
    n = n + 1
    seqs[n] = ARGV[j]
    digests[n] = ARGV[j + 1]
    keyOf[n] = key
  end
  x = x + 2 + 2 * count
end
-- The claims grouped by bucket: a batch's taps mostly share one day.
local groups = {}
local order = {}
local top = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
for i = 1, n do
  local seq = seqs[i]
  local key = keyOf[i]
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
      local digest = digests[i]
      if not held[j] then
        g.writes[#g.writes + 1] = seqs[i]
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
