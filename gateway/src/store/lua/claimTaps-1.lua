--[[
  Claims tap keys (device, journal epoch, seq) for their content (docs/decisions/0175): a seq no
  tap holds is taken with the given digest; a seq held with the same digest stays (a resend);
  a seq held with another digest is left as it is and answered 0 (the caller quarantines that
  tap). Claims live in buckets by block of seqs (docs/decisions/0220: keyed by the seq alone, so
  content claiming another day meets the claim all the same), each expiring bucketTtl seconds
  after its last write (docs/decisions/0196); the device's high-water mark per epoch (the
  highest seq ever claimed) outlives them. A seq at or below the mark whose bucket is gone was
  claimed before the window and let go: its content cannot be compared, and its own resend would
  be older than the window, so this is other content under a spent seq, answered 0 and not
  taken. One read per bucket (and an EXISTS only for such a seq), one write of the new claims.

  Input:
    KEYS[1]  marks hash   <prefix>:{d:<device>}:hwm                          epoch -> highest seq
    KEYS[2..] buckets     <prefix>:{d:<device>}:claims:<epoch or ->:b<block>  seq -> digest
    ARGV[1] bucketTtl (seconds), ARGV[2] the epoch's field in the marks hash,
    then runs of claims in the same bucket, in the caller's order: key# (position of the
    bucket in KEYS), count, then count pairs seq, digest; seqs distinct. (A batch's seqs run on,
    mostly in one bucket: two arguments a tap, not three, docs/decisions/0217.)

  Output: an array, one item per claim in order: 1 this content holds the key, 0 other content does
  (or did, before the window).
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
local mark = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
local top = mark
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
-- Whether a bucket was gone before this call: asked at most once, while its new claims are
-- still only gathered (they are written after the bucket's reads).
local function gone(g, key)
  if g.gone == nil then
    g.gone = redis.call('EXISTS', KEYS[key]) == 0
  end
  return g.gone
end
local out = {}
for _, key in ipairs(order) do
  local g = groups[key]
  for from = 1, #g.seqs, SLICE do
    local held = redis.call('HMGET', KEYS[key], unpack(g.seqs, from, math.min(from + SLICE - 1, #g.seqs)))
    for j = 1, #held do
      local i = g.at[from + j - 1]
      local digest = digests[i]
      if not held[j] and tonumber(seqs[i]) <= mark and gone(g, key) then
        out[i] = 0
      elseif not held[j] then
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
