--[[
  Commits the effects of one partition, in order, each on its own (the SQLite store does the
  same in one transaction): a dedupe key seen before answers with the original result; an
  expected card version that is not the card's changes nothing, and neither does any later
  effect on that card that expects a version after a duplicate or a conflict (it was chained
  from a state that does not exist); otherwise the card's balance and version, the dedupe key,
  the record, its indexes, the card's place in the open-entry index and an outbox entry are
  written together.
  Every key comes in KEYS; ARGV[1] refers to them by position.

  The effects are decided one after another, but their writes are gathered and issued once per
  key at the end (one HSET of all dedupe keys, one of all records, one ZADD per index key, the
  last state of each card): the script is atomic, so the end state is the same as writing each
  effect in turn, and a call of n taps costs a few Redis commands per key instead of about
  fourteen per tap. Later effects of the same call read what earlier ones decided from the local
  tables below, never from Redis.

  Input:
    KEYS[1] dedupe hash        <prefix>:{pN}:seen     dedupe key -> result JSON (all but taps)
    KEYS[2] records hash       <prefix>:{pN}:rec      record id -> record JSON
    KEYS[3] time index zset    <prefix>:{pN}:ix:t     score record.at, member record id
    KEYS[4] outbox stream      <prefix>:{pN}:outbox   field i = record id (r = record JSON when
                                                      records are not kept)
    KEYS[5..] cards (...:card:<token>, strings: lib/card.lua), the card, device, route and operator index zsets
              and the taps' day buckets of dedupe keys (...:seen:<day>, docs/decisions/0196)

    ARGV[1] JSON [bucketTtl, effects, keepRecords]: bucketTtl the seconds a day bucket lives after
            its last write; keepRecords false when the history lives in PostgreSQL
            (docs/decisions/0204): no record body, index entry or ride counter is written (the
            caller sends no index keys and no counters) and each outbox entry carries its record
            (field r) until the relay trims it; effects an array, one entry per effect:
              dedupeKey, recordId, cardKey#, expectVersion, nextVersion, newBalanceFen, at, indexKeys#,
              fareState (the tariff engine's per-card JSON, written with the balance)
              stats: false, or [statsKey#, field, n, field, n, ...] ride counters (redis-stats.ts),
              openKey# (the partition's open-entry zset; 0 with cardKey# 0), openAt (the open
              entry's time, or false: the card has none), cardToken (docs/decisions/0113),
              seenKey# (1, or the tap's day bucket),
              uses (the card's entitlement uses JSON, core/uses.ts, written with the balance; false:
              unchanged, docs/decisions/0203)
            # = position in KEYS (indexKeys#: an array of them); expectVersion false leaves the
            card untouched (cardKey# 0); numbers as decimal strings, so Redis stores exactly what
            the gateway computed.
    ARGV[2i], ARGV[2i+1] for effect i (from 1): its record JSON and its result JSON

  Output: a flat array, two items per effect in order:
    RC.OK, ''                        applied now
    RC.DUPLICATE, original result    applied earlier under this dedupe key; nothing changed
    RC.CONFLICT, ''                  the card's version differs; nothing changed
]]
local head = cjson.decode(ARGV[1])
local bucketTtl = head[1]
local effects = head[2]
local keepRecords = head[3]
local out = {}
-- Cards whose chain was cut in this call: a later link was planned from a state after an
-- effect that did not apply, so it must not apply either, even if the versions line up.
local broken = {}
-- Decided in this call: dedupe key -> result JSON; card key# -> its state after this call.
local decided = {}
local cards = {}
local cardOrder = {}
-- Card key# -> the card's string as read (its status, flags, masked number and region are kept).
local raws = {}
-- Writes gathered for the end of the call.
local seenArgs = {}
local seenOrder = {}
local recArgs = {}
local zadds = {}
local zaddOrder = {}
local outboxIds = {}
-- Ride counters summed over the call and written once per field: the taps of one call mostly
-- share an operator, hour, line and concession, so this is a few HINCRBYs instead of a few per tap.
local bumps = {}

local function zadd(key, score, member)
  local args = zadds[key]
  if not args then
    args = {}
    zadds[key] = args
    zaddOrder[#zaddOrder + 1] = key
  end
  args[#args + 1] = score
  args[#args + 1] = member
end

-- Variadic commands in slices: unpack() is bounded by Lua's C stack (8,000 values).
local SLICE = 1000
local function callSliced(command, key, args)
  for from = 1, #args, SLICE do
    redis.call(command, key, unpack(args, from, math.min(from + SLICE - 1, #args)))
  end
end

-- One read per dedupe hash for every dedupe key of the call that lives in it (sliced like the
-- writes); a call's taps mostly share one day, so this is one HMGET.
local toRead = {}
local readOrder = {}
for i, e in ipairs(effects) do
  local key = e[14]
  local group = toRead[key]
  if not group then
    group = { names = {}, at = {} }
    toRead[key] = group
    readOrder[#readOrder + 1] = key
  end
  group.names[#group.names + 1] = e[1]
  group.at[#group.at + 1] = i
end
local originals = {}
for _, key in ipairs(readOrder) do
  local group = toRead[key]
  for from = 1, #group.names, SLICE do
    local part = redis.call('HMGET', KEYS[key], unpack(group.names, from, math.min(from + SLICE - 1, #group.names)))
    for j = 1, #part do
      originals[group.at[from + j - 1]] = part[j]
    end
  end
end

for i, e in ipairs(effects) do
  local dedupeKey, recordId, card, expect, nextVersion, balance, at, indexes, fare, stats, openKey, openAt, token, seenKey, uses =
    unpack(e)
  local original = decided[dedupeKey] or originals[i]
  local version = nil
  if expect and not original and not broken[card] then
    local known = cards[card]
    if known then
      version = known.v
    else
      -- One GET per card and call (a string, 0214); kept for the write at the end.
      local raw = cardRead(KEYS[card])
      raws[card] = raw
      version = cardVersion(raw)
    end
  end
  if original then
    if expect then
      broken[card] = true
    end
    out[#out + 1] = RC.DUPLICATE
    out[#out + 1] = original
  elseif expect and (broken[card] or version ~= expect) then
    broken[card] = true
    out[#out + 1] = RC.CONFLICT
    out[#out + 1] = ''
  else
    if expect then
      local before = cards[card]
      if not before then
        cardOrder[#cardOrder + 1] = card
      end
      -- An effect without uses keeps the ones an earlier effect of this call wrote (or Redis's).
      local u = uses or (before and before.u) or nil
      cards[card] = { v = nextVersion, b = balance, fs = fare, u = u, openKey = openKey, openAt = openAt, token = token }
    end
    local result = ARGV[2 * i + 1]
    decided[dedupeKey] = result
    local seen = seenArgs[seenKey]
    if not seen then
      seen = {}
      seenArgs[seenKey] = seen
      seenOrder[#seenOrder + 1] = seenKey
    end
    seen[#seen + 1] = dedupeKey
    seen[#seen + 1] = result
    if keepRecords then
      recArgs[#recArgs + 1] = recordId
      recArgs[#recArgs + 1] = ARGV[2 * i]
      zadd(3, at, recordId)
    end
    for _, k in ipairs(indexes) do
      zadd(k, at, recordId)
    end
    outboxIds[#outboxIds + 1] = i
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

for _, key in ipairs(seenOrder) do
  callSliced('HSET', KEYS[key], seenArgs[key])
  -- A day bucket lives on for the window after its last write, then goes whole.
  if key ~= 1 then
    redis.call('EXPIRE', KEYS[key], bucketTtl)
  end
end
callSliced('HSET', KEYS[2], recArgs)
for _, key in ipairs(zaddOrder) do
  callSliced('ZADD', KEYS[key], zadds[key])
end
-- One outbox entry per record, in commit order: the relay reads them one by one.
for _, i in ipairs(outboxIds) do
  if keepRecords then
    redis.call('XADD', KEYS[4], '*', 'i', effects[i][2])
  else
    redis.call('XADD', KEYS[4], '*', 'i', effects[i][2], 'r', ARGV[2 * i])
  end
end
-- Every card of the call in one MSET: version, balance, fare state and uses new, the rest as read.
local cardArgs = {}
for _, card in ipairs(cardOrder) do
  local c = cards[card]
  local raw = raws[card]
  local _, _, third, fourth = cardCuts(raw)
  local u = c.u or string.sub(raw, third + 1, fourth - 1)
  cardArgs[#cardArgs + 1] = KEYS[card]
  cardArgs[#cardArgs + 1] = c.v .. '\n' .. c.b .. '\n' .. c.fs .. '\n' .. u .. string.sub(raw, fourth)
end
-- In slices like the other variadic writes (SLICE is even: a key never parts from its value).
for from = 1, #cardArgs, SLICE do
  redis.call('MSET', unpack(cardArgs, from, math.min(from + SLICE - 1, #cardArgs)))
end
for _, card in ipairs(cardOrder) do
  local c = cards[card]
  if c.openAt then
    redis.call('ZADD', KEYS[c.openKey], c.openAt, c.token)
  else
    redis.call('ZREM', KEYS[c.openKey], c.token)
  end
end
for key, bucket in pairs(bumps) do
  for field, n in pairs(bucket) do
    redis.call('HINCRBY', KEYS[key], field, n)
  end
end
return out
