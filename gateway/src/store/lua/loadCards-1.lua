--[[
  Reads the cards of one partition in one call (docs/decisions/0207): a batch's cards were one
  HMGET each, ~100 commands, command objects and replies a batch; grouped by partition they are
  at most one call per partition (16 with 16 partitions), the same count as the commit's.
  Read-only: it writes nothing, so it needs no replica wait and may run on any connection.

  Input:
    KEYS[1..n] card hashes <prefix>:{pN}:card:<token>, all of one partition (one hash slot)
    ARGV[1..m] the fields to read from each, in order

  Output: one flat array of n * m items, card by card, each card's fields in ARGV order; a
  missing field (or a missing card) is nil, as HMGET answers it. A table of HMGET replies keeps
  Lua's false in place (false is a value, not a hole), so the positions stay aligned.
]]
local out = {}
local m = #ARGV
local at = 0
for i = 1, #KEYS do
  local row = redis.call('HMGET', KEYS[i], unpack(ARGV))
  for j = 1, m do
    out[at + j] = row[j]
  end
  at = at + m
end
return out
