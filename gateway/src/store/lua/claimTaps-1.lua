--[[
  Claims tap keys (device, journal epoch, seq) for their content (docs/decisions/0175): a seq no
  tap holds is taken with the given digest; a seq held with the same digest stays (a resend);
  a seq held with another digest is left as it is and answered 0 (the caller quarantines that
  tap). Claims live in buckets by the day of the tap's own time, each expiring bucketTtl
  seconds after its last write (docs/decisions/0196); the device's high-water mark per epoch
  (the highest seq ever claimed) outlives them, so a seq older than the window is still known
  to have come before (Store.seenBeforeWindow). Every bucket is read before any is written.

  Input:
    KEYS[1]  marks hash   <prefix>:{d:<device>}:hwm                       epoch -> highest seq
    KEYS[2..] buckets     <prefix>:{d:<device>}:claims:<epoch or ->:<day>  seq -> digest
    ARGV[1] bucketTtl (seconds), ARGV[2] the epoch's field in the marks hash,
    then runs of claims in the same bucket, in the caller's order: key# (position of the
    bucket in KEYS), count, then the run's count seqs, then their count digests in the same
    order; seqs distinct. (A batch's taps mostly share one day: two arguments a tap, 0217; the
    seqs side by side are the bucket's HMGET as they are, no table built per claim, 0218.)
    A run whose key#, count or length is off refuses the call before any write.

  Output: an array, one item per claim in order: 1 this content holds the key, 0 other content does.
]]
local SLICE = 1000
local call, tonumber, unpack = redis.call, tonumber, unpack
local nargs = #ARGV
-- Where each run starts in ARGV, all checked before the first read or write.
local runs = {}
local x = 3
while x <= nargs do
  local key, count = tonumber(ARGV[x]), tonumber(ARGV[x + 1])
  if not key or not KEYS[key] or key < 2 or not count or count < 1 or count % 1 ~= 0 or x + 1 + 2 * count > nargs then
    return redis.error_reply('claimTaps: malformed run at argument ' .. x)
  end
  runs[#runs + 1] = x
  x = x + 2 + 2 * count
end
local top = tonumber(call('HGET', KEYS[1], ARGV[2]) or '0')
local out = {}
local n = 0
-- Per run, the claims it takes (seq, digest pairs): written once every run has been read.
local writes = {}
for r = 1, #runs do
  local at = runs[r]
  local key = KEYS[tonumber(ARGV[at])]
  local count = tonumber(ARGV[at + 1])
  local seq0 = at + 1
  local digest0 = seq0 + count
  local w = {}
  writes[r] = w
  for from = 1, count, SLICE do
    local to = math.min(from + SLICE - 1, count)
    local held = call('HMGET', key, unpack(ARGV, seq0 + from, seq0 + to))
    for j = from, to do
      local h = held[j - from + 1]
      local digest = ARGV[digest0 + j]
      if not h then
        w[#w + 1] = ARGV[seq0 + j]
        w[#w + 1] = digest
        out[n + j] = 1
      elseif h == digest then
        out[n + j] = 1
      else
        out[n + j] = 0
      end
      local s = tonumber(ARGV[seq0 + j])
      if s > top then
        top = s
      end
    end
  end
  n = n + count
end
for r = 1, #runs do
  local w = writes[r]
  if #w > 0 then
    local key = KEYS[tonumber(ARGV[runs[r]])]
    for from = 1, #w, 2 * SLICE do
      call('HSET', key, unpack(w, from, math.min(from + 2 * SLICE - 1, #w)))
    end
    call('EXPIRE', key, ARGV[1])
  end
end
if n > 0 then
  call('HSET', KEYS[1], ARGV[2], top)
end
return out
