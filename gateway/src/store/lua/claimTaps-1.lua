--[[
  Claims tap keys (device, journal epoch, seq) for their content (docs/decisions/0175): a seq no
  tap holds is taken with the given digest; a seq held with the same digest stays (a resend);
  a seq held with another digest is left as it is and answered 0 (the caller quarantines that
  tap). One read of every seq, one write of the new ones.

  Input:
    KEYS[1] claims hash  <prefix>:{d:<device>}:claims:<epoch, or - for legacy>   seq -> digest
    ARGV    seq1, digest1, seq2, digest2, ... (seqs distinct)

  Output: an array, one item per seq in order: 1 this content holds the key, 0 other content does.
]]
local SLICE = 1000
local n = #ARGV / 2
local seqs = {}
for i = 1, n do
  seqs[i] = ARGV[2 * i - 1]
end
local out = {}
local writes = {}
for from = 1, n, SLICE do
  local to = math.min(from + SLICE - 1, n)
  local held = redis.call('HMGET', KEYS[1], unpack(seqs, from, to))
  for j = 1, #held do
    local i = from + j - 1
    local digest = ARGV[2 * i]
    if not held[j] then
      writes[#writes + 1] = seqs[i]
      writes[#writes + 1] = digest
      out[i] = 1
    elseif held[j] == digest then
      out[i] = 1
    else
      out[i] = 0
    end
  end
end
for from = 1, #writes, 2 * SLICE do
  redis.call('HSET', KEYS[1], unpack(writes, from, math.min(from + 2 * SLICE - 1, #writes)))
end
return out
