--[[
  Commits a list of effects, in order, each on its own (the SQLite store does the same in one
  transaction): a dedupe key seen before answers with the original result; an expected card
  version that is not the card's changes nothing, and neither does any later effect on that card
  that expects a version after a duplicate or a conflict (it was chained from a state that does
  not exist); otherwise the card's balance and version, the dedupe key, the record, its indexes,
  the card's place in the open-entry index and the record's outbox frame are written together.

  One call carries the effects of any number of partitions on one Redis (standalone or a
  Sentinel's primary), or of one partition on a Cluster (one hash slot per call): the caller
  decides (docs/decisions/0210). So there are no fixed keys: every key, the partitions' dedupe
  hashes, records hashes and outbox streams included, comes in KEYS once and is named by its
  position ("#" below).

  The effects are decided one after another, but their writes are gathered and issued once per
  key at the end (one HSET of all dedupe keys of a hash, one of all records of a hash, one ZADD
  per index key, one ZADD and one ZREM per open-entry index, the last state of each card): the
  script is atomic, so the end state is the same as writing each effect in turn. Later effects
  of the same call read what earlier ones decided from the local tables below, never from Redis.

  Input, positional (no JSON to decode; numbers as decimal strings, so Redis stores exactly what
  the gateway computed):
    ARGV[1] bucketTtl: seconds a tap day bucket of dedupe keys lives after its last write (0196)
    ARGV[2] '1' records kept, '0' when the history lives in PostgreSQL (docs/decisions/0204): no
            record body, index entry or ride counter is written (the caller sends no record JSON,
            no index keys and no counters)
    ARGV[3] the effects' records as onecard.v1.RecordBatch elements (protos/record-codec.ts
            recordFrame, docs/decisions/0209), one after another in effect order: one argument
            of bytes per call, each effect giving its frame's length
    ARGV[4..] one per effect: its fields joined by a tab (docs/decisions/0210: one argument a
            tap, not twenty), split here into A; an effect's fields start in A at offset s.
            Every field is a Lua string Redis makes (~0.2 µs each), so a tap sends only what
            this script reads: twelve fields; with records kept, the record's four and its
            index keys and counters (docs/decisions/0217):
      s+0 dedupeKey
      s+1 card#           the card (a string, lib/card.lua, docs/decisions/0214); '0': the
                          card is left untouched, and s+2..s+7 are ''
      s+2 expectVersion
      s+3 cardHead        the card's first three fields after the effect, as they are stored:
                          next version \n new balance (fen) \n fare state (the tariff engine's
                          per-card JSON, which never holds a raw newline)
      s+4 uses            the card's entitlement uses JSON (core/uses.ts), or '': unchanged (0203)
      s+5 open#           the partition's open-entry zset
      s+6 openAt          the open entry's time, or '': the card has none after the effect
      s+7 cardToken       (the open-entry index's member, docs/decisions/0113)
      s+8 seen#           the tap's day bucket of dedupe keys (expires); negative: the
                          partition's kept dedupe hash (all but taps), at position -seen#
      s+9 result          the compact result stored under the dedupe key (redis-results.ts)
      s+10 outbox#        the partition's outbox stream
      s+11 frameBytes     the length of its record's frame in ARGV[3]
    and only when records are kept (ARGV[2] '1'):
      s+12 recordId       s+13 at (record time, ms: the indexes' score)
      s+14 record         the record JSON, the records hash's body
      s+15 records#       the partition's records hash
      s+16 k, then k index zset #s (score at, member recordId): the partition's time index,
                          the card's, the device's, route's, station's, stop's, masked
                          number's and operator's, those the record has
      then m, then m items: statsKey# and field, n pairs: ride counters (redis-stats.ts)

  Outbox: ONE entry per partition touched per call, whatever the records kept: field b the
  concatenation of the applied records' frames in commit order (concatenated elements of a
  repeated field are a RecordBatch, published to Kafka as it is), field n their count.

  Output: a flat array, two items per effect in order:
    RC.OK, ''                        applied now
    RC.DUPLICATE, original result    applied earlier under this dedupe key; nothing changed
    RC.CONFLICT, ''                  the card's version differs; nothing changed
]]
local bucketTtl = ARGV[1]
local keepRecords = ARGV[2] == '1'
local SLICE = 1000

-- Variadic commands in slices: unpack() is bounded by Lua's C stack (8,000 values).
local function callSliced(command, key, args)
  for from = 1, #args, SLICE do
    redis.call(command, key, unpack(args, from, math.min(from + SLICE - 1, #args)))
  end
end

-- Arguments gathered per key number, in first-use order: key# -> list.
local function gather(lists, order, key)
  local list = lists[key]
  if not list then
    list = {}
    lists[key] = list
    order[#order + 1] = key
  end
  return list
end

-- Where each effect starts in ARGV, and one read per dedupe hash for every dedupe key of the
-- call that lives in it (a call's taps mostly share one day per partition).
local starts = {}
-- Where each effect's frame starts in ARGV[3].
local frameAt = {}
local framePos = 1
local reads, readOrder = {}, {}
-- The cards the effects name (card# in first-use order), read below with one MGET per call.
local cardSeen, cardKeys = {}, {}
-- Every effect's fields, one after another (the layout above), split from ARGV[4..]. An effect
-- whose field count is not what its own counts say is refused before anything is written.
local A = {}
local n = 0
for x = 4, #ARGV do
  local s = n + 1
  for field in string.gmatch(ARGV[x] .. '\t', '([^\t]*)\t') do
    n = n + 1
    A[n] = field
  end
  local last = s + 11
  if keepRecords then
    local k = tonumber(A[s + 16])
    local m = k and tonumber(A[s + 17 + k])
    last = m and s + 17 + k + m
  end
  if not last or n ~= last then
    return redis.error_reply('commitEffects: malformed effect ' .. (x - 3))
  end
  local i = #starts + 1
  starts[i] = s
  frameAt[i] = framePos
  framePos = framePos + tonumber(A[s + 11])
  local group = gather(reads, readOrder, A[s + 8])
  group[#group + 1] = i
  local card = A[s + 1]
  if card ~= '0' and not cardSeen[card] then
    cardSeen[card] = true
    cardKeys[#cardKeys + 1] = tonumber(card)
  end
end
local originals = {}
for _, seen in ipairs(readOrder) do
  local group = reads[seen]
  local names = {}
  for j = 1, #group do
    names[j] = A[starts[group[j]]]
  end
  local key = KEYS[math.abs(tonumber(seen))]
  for from = 1, #names, SLICE do
    local part = redis.call('HMGET', key, unpack(names, from, math.min(from + SLICE - 1, #names)))
    for j = 1, #part do
      originals[group[from + j - 1]] = part[j]
    end
  end
end

-- card# -> the card's string as read (its status, flags, masked number and region are kept), or
-- false: one MGET for all the call's cards (0217), not one GET each: a command issued from Lua
-- costs Redis about a microsecond whatever it does. MGET answers nil for a missing key and for a
-- card still stored as a hash (before 0214); cardRead tells them apart and converts the hash.
local raws = {}
for from = 1, #cardKeys, SLICE do
  local names = {}
  for j = from, math.min(from + SLICE - 1, #cardKeys) do
    names[#names + 1] = KEYS[cardKeys[j]]
  end
  local part = redis.call('MGET', unpack(names))
  for j = 1, #part do
    local card = cardKeys[from + j - 1]
    raws[card] = part[j] or cardRead(KEYS[card])
  end
end

local out = {}
-- Cards whose chain was cut in this call: a later link was planned from a state after an
-- effect that did not apply, so it must not apply either, even if the versions line up.
local broken = {}
-- Decided in this call: dedupe key -> result; card# -> its state after this call.
local decided = {}
local cards, cardOrder = {}, {}
-- card# -> whether Redis held an open entry for it before this call (read with its version).
local hadOpen = {}
local seenArgs, seenOrder = {}, {}
local recArgs, recOrder = {}, {}
local zadds, zaddOrder = {}, {}
-- Per outbox#: the applied records' frames, in commit order.
local frames, frameOrder = {}, {}
-- Ride counters summed over the call and written once per field.
local bumps = {}

for i, s in ipairs(starts) do
  local dedupeKey = A[s]
  local card = tonumber(A[s + 1])
  local expect = card ~= 0 and A[s + 2]
  local original = decided[dedupeKey] or originals[i]
  local version = nil
  if expect and not original and not broken[card] then
    local known = cards[card]
    if known then
      -- The card's second effect in this call: the version the first one wrote.
      version = cardVersion(known.h)
    else
      local raw = raws[card]
      version = cardVersion(raw)
      -- Whether the card is in the open-entry index now: its stored fare state has an open
      -- entry. A card with none before and none after needs no ZREM. (A cap id named "open" in
      -- the accumulators would only cost a needless ZREM.)
      if raw then
        local _, second, third = cardCuts(raw)
        local at = string.find(raw, '"open":', second + 1, true)
        hadOpen[card] = at ~= nil and at < third
      end
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
      local u = A[s + 4]
      if u == '' then
        u = before and before.u or nil
      end
      cards[card] = { h = A[s + 3], u = u, s = s }
    end
    local result = A[s + 9]
    decided[dedupeKey] = result
    local seen = gather(seenArgs, seenOrder, A[s + 8])
    seen[#seen + 1] = dedupeKey
    seen[#seen + 1] = result
    local f = gather(frames, frameOrder, A[s + 10])
    f[#f + 1] = string.sub(ARGV[3], frameAt[i], frameAt[i] + tonumber(A[s + 11]) - 1)
    if keepRecords then
      local recordId, at = A[s + 12], A[s + 13]
      local rec = gather(recArgs, recOrder, A[s + 15])
      rec[#rec + 1] = recordId
      rec[#rec + 1] = A[s + 14]
      local k = tonumber(A[s + 16])
      for x = s + 17, s + 16 + k do
        local z = gather(zadds, zaddOrder, A[x])
        z[#z + 1] = at
        z[#z + 1] = recordId
      end
      local m = tonumber(A[s + 17 + k])
      if m > 0 then
        local from = s + 18 + k
        local bucket = bumps[A[from]]
        if not bucket then
          bucket = {}
          bumps[A[from]] = bucket
        end
        for x = from + 1, from + m - 1, 2 do
          bucket[A[x]] = (bucket[A[x]] or 0) + tonumber(A[x + 1])
        end
      end
    end
    out[#out + 1] = RC.OK
    out[#out + 1] = ''
  end
end

for _, seen in ipairs(seenOrder) do
  local n = tonumber(seen)
  callSliced('HSET', KEYS[math.abs(n)], seenArgs[seen])
  -- A day bucket lives on for the window after its last write, then goes whole.
  if n > 0 then
    redis.call('EXPIRE', KEYS[n], bucketTtl)
  end
end
for _, rec in ipairs(recOrder) do
  callSliced('HSET', KEYS[tonumber(rec)], recArgs[rec])
end
for _, z in ipairs(zaddOrder) do
  callSliced('ZADD', KEYS[tonumber(z)], zadds[z])
end
for _, o in ipairs(frameOrder) do
  local f = frames[o]
  redis.call('XADD', KEYS[tonumber(o)], '*', 'b', table.concat(f), 'n', #f)
end
-- Every card of the call in one MSET: version, balance and fare state (the effect's head) and
-- uses new, the rest as read (0214); sliced like the other variadic writes (SLICE is even: a key
-- never parts from its value).
local cardArgs = {}
for _, card in ipairs(cardOrder) do
  local c = cards[card]
  local raw = raws[card]
  local _, _, third, fourth = cardCuts(raw)
  local u = c.u or string.sub(raw, third + 1, fourth - 1)
  cardArgs[#cardArgs + 1] = KEYS[card]
  cardArgs[#cardArgs + 1] = c.h .. '\n' .. u .. string.sub(raw, fourth)
end
for from = 1, #cardArgs, SLICE do
  redis.call('MSET', unpack(cardArgs, from, math.min(from + SLICE - 1, #cardArgs)))
end
-- The open-entry index follows each card's last state: one ZADD and one ZREM per index key at most.
local opens, openOrder = {}, {}
local closes, closeOrder = {}, {}
for _, card in ipairs(cardOrder) do
  local c = cards[card]
  local s = c.s
  local openAt = A[s + 6]
  if openAt ~= '' then
    local z = gather(opens, openOrder, A[s + 5])
    z[#z + 1] = openAt
    z[#z + 1] = A[s + 7]
  elseif hadOpen[card] then
    local z = gather(closes, closeOrder, A[s + 5])
    z[#z + 1] = A[s + 7]
  end
end
for _, o in ipairs(openOrder) do
  callSliced('ZADD', KEYS[tonumber(o)], opens[o])
end
for _, o in ipairs(closeOrder) do
  callSliced('ZREM', KEYS[tonumber(o)], closes[o])
end
for key, bucket in pairs(bumps) do
  for field, n in pairs(bucket) do
    redis.call('HINCRBY', KEYS[tonumber(key)], field, n)
  end
end
return out
