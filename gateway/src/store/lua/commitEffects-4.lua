--[[
  Commits the effects of one partition, in order, each on its own (the SQLite store does the
  same in one transaction): a dedupe key seen before answers with the original result; an
  expected card version that is not the card's changes nothing, and neither does any later
  effect on that card that expects a version after a duplicate or a conflict (it was chained
  from a state that does not exist); otherwise the card's balance and version, the dedupe key,
  the record, its indexes, the card's place in the open-entry index and an outbox entry are
  written together.
  Every key comes in KEYS; ARGV[1] refers to them by position.

  Input:
    KEYS[1] dedupe hash        <prefix>:{pN}:seen     dedupe key -> result JSON
    KEYS[2] records hash       <prefix>:{pN}:rec      record id -> record JSON
    KEYS[3] time index zset    <prefix>:{pN}:ix:t     score record.at, member record id
    KEYS[4] outbox stream      <prefix>:{pN}:outbox   field i = record id
    KEYS[5..] card hashes (...:card:<token>) and the card, device, route and operator index zsets

    ARGV[1] JSON array, one entry per effect:
              dedupeKey, recordId, cardKey#, expectVersion, nextVersion, newBalanceFen, at, indexKeys#,
              fareState (the tariff engine's per-card JSON, written with the balance)
              stats: false, or [statsKey#, field, n, field, n, ...] ride counters (redis-stats.ts),
              openKey# (the partition's open-entry zset; 0 with cardKey# 0), openAt (the open
              entry's time, or false: the card has none), cardToken (docs/decisions/0113)
            # = position in KEYS (indexKeys#: an array of them); expectVersion false leaves the
            card untouched (cardKey# 0); numbers as decimal strings, so Redis stores exactly what
            the gateway computed.
    ARGV[2i], ARGV[2i+1] for effect i (from 1): its record JSON and its result JSON

  Output: a flat array, two items per effect in order:
    RC.OK, ''                        applied now
    RC.DUPLICATE, original result    applied earlier under this dedupe key; nothing changed
    RC.CONFLICT, ''                  the card's version differs; nothing changed
]]
local effects = cjson.decode(ARGV[1])
local out = {}
-- Cards whose chain was cut in this call: a later link was planned from a state after an
-- effect that did not apply, so it must not apply either, even if the versions line up.
local broken = {}
-- Ride counters summed over the call and written once per field: the taps of one call mostly
-- share an operator, hour, line and concession, so this is a few HINCRBYs instead of a few per tap.
local bumps = {}
for i, e in ipairs(effects) do
  local dedupeKey, recordId, card, expect, nextVersion, balance, at, indexes, fare, stats, openKey, openAt, token =
    unpack(e)
  local original = redis.call('HGET', KEYS[1], dedupeKey)
  if original then
    if expect then
      broken[card] = true
    end
    out[#out + 1] = RC.DUPLICATE
    out[#out + 1] = original
  elseif expect and (broken[card] or redis.call('HGET', KEYS[card], 'v') ~= expect) then
    broken[card] = true
    out[#out + 1] = RC.CONFLICT
    out[#out + 1] = ''
  else
    if expect then
      redis.call('HSET', KEYS[card], 'b', balance, 'v', nextVersion, 'fs', fare)
      if openAt then
        redis.call('ZADD', KEYS[openKey], openAt, token)
      else
        redis.call('ZREM', KEYS[openKey], token)
      end
    end
    redis.call('HSET', KEYS[1], dedupeKey, ARGV[2 * i + 1])
    redis.call('HSET', KEYS[2], recordId, ARGV[2 * i])
    redis.call('ZADD', KEYS[3], at, recordId)
    for _, k in ipairs(indexes) do
      redis.call('ZADD', KEYS[k], at, recordId)
    end
    redis.call('XADD', KEYS[4], '*', 'i', recordId)
    if stats then
      local bucket = bumps[stats[1]]
      if not bucket then
        bucket = {}
        bumps[stats[1]] = bucket
      end
      for f = 2, #stats, 2 do
        bucket[stats[f]] = (bucket[stats[f]] or 0) + stats[f + 1]
      end
    end
    out[#out + 1] = RC.OK
    out[#out + 1] = ''
  end
end
for key, bucket in pairs(bumps) do
  for field, n in pairs(bucket) do
    redis.call('HINCRBY', KEYS[key], field, n)
  end
end
return out
