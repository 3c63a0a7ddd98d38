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

  Input, positional (no JSON to decode):
    ARGV[1] bucketTtl: seconds a tap day bucket of dedupe keys lives after its last write (0196)
    ARGV[2] '1' records kept, '0' when the history lives in PostgreSQL (docs/decisions/0204): no
            record body, index entry or ride counter is written (the caller sends no record JSON,
            no index keys and no counters)
    ARGV[3] the effects' records as onecard.v1.RecordBatch elements (protos/record-codec.ts
            recordFrame, docs/decisions/0209), one after another in effect order: one argument
            of bytes per call, each effect giving its frame's length
    ARGV[4] the effects, one MessagePack array of fields each, one after another (protos are
            not available to Lua; cmsgpack is built into Redis): one C call per effect unpacks
            it, where splitting a tab-joined string with a pattern cost ~0.5 µs a field
            (docs/decisions/0217). Key numbers and lengths are integers, the rest strings
            (numbers as decimal strings, so Redis stores exactly what the gateway computed).
            A tap sends only what this script reads: twelve fields; with records kept, the
            record's four and its index keys and counters. Fields by position (1-based):
      1 dedupeKey
      2 card#           the card (a string, lib/card.lua, docs/decisions/0214); 0: the
                        card is left untouched, and 3..8 are ''
      3 expectVersion
      4 cardHead        the card's first three fields after the effect, as they are stored:
                          next version \n new balance (fen) \n fare state (the tariff engine's
                          per-card JSON, which never holds a raw newline)
      5 uses            the card's entitlement uses JSON (core/uses.ts), or '': unchanged (0203)
      6 open#           the partition's open-entry zset
      7 openAt          the open entry's time, or '': the card has none after the effect
      8 cardToken       (the open-entry index's member, docs/decisions/0113)
      9 seen#           the tap's day bucket of dedupe keys (expires); negative: the
                          partition's kept dedupe hash (all but taps), at position -seen#
      10 result         the compact result stored under the dedupe key (redis-results.ts)
      11 outbox#        the partition's outbox stream
      12 frameBytes     the length of its record's frame in ARGV[3]
    and only when records are kept (ARGV[2] '1'):
      13 recordId       14 at (record time, ms: the indexes' score)
      15 record         the record JSON, the records hash's body
      16 records#       the partition's records hash
      17 k, then k index zset #s (score at, member recordId): the partition's time index,
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

-- Each effect's fields (a table, the layout above), unpacked from ARGV[4] one MessagePack array
-- at a time, and one read per dedupe hash for every dedupe key of the call that lives in it (a
-- call's taps mostly share one day per partition). An effect whose field count is not what its
-- own counts say is refused before anything is written.
local E = {}
-- Where each effect's frame starts in ARGV[3], and its length.
local frameAt, frameLen = {}, {}
local framePos = 1
local reads, readOrder = {}, {}
-- The cards the effects name (card# in first-use order), read below with one MGET per call.
local cardSeen, cardKeys = {}, {}
local packed = ARGV[4]
local offset = #packed > 0 and 0 or -1
while offset ~= -1 do
  local v
  offset, v = cmsgpack.unpack_one(packed, offset)
  local i = #E + 1
  local last = type(v) == 'table' and 12
  if last and keepRecords then
    local k = v[17]
    local m = type(k) == 'number' and v[18 + k]
    last = type(m) == 'number' and 18 + k + m
  end
  if not last or #v ~= last or type(v[2]) ~= 'number' or type(v[9]) ~= 'number' or type(v[12]) ~= 'number' then
    return redis.error_reply('commitEffects: malformed effect ' .. i)
  end
  E[i] = v
  frameAt[i] = framePos
  frameLen[i] = v[12]
  framePos = framePos + v[12]
  local group = gather(reads, readOrder, v[9])
  group[#group + 1] = i
  local card = v[2]
  if card ~= 0 and not cardSeen[card] then
    cardSeen[card] = true
    cardKeys[#cardKeys + 1] = card
  end
end
local originals = {}
for _, seen in ipairs(readOrder) do
  local group = reads[seen]
  local names = {}
  for j = 1, #group do
    names[j] = E[group[j]][1]
  end
  local key = KEYS[math.abs(seen)]
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

for i, v in ipairs(E) do
  local dedupeKey = v[1]
  local card = v[2]
  local expect = card ~= 0 and v[3]
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
  local n = #out
  if original then
    if expect then
      broken[card] = true
    end
    out[n + 1] = RC.DUPLICATE
    out[n + 2] = original
  elseif expect and (broken[card] or version ~= expect) then
    broken[card] = true
    out[n + 1] = RC.CONFLICT
    out[n + 2] = ''
  else
    if expect then
      local before = cards[card]
      if not before then
        cardOrder[#cardOrder + 1] = card
      end
      -- An effect without uses keeps the ones an earlier effect of this call wrote (or Redis's).
      local u = v[5]
      if u == '' then
        u = before and before.u or nil
      end
      cards[card] = { h = v[4], u = u, e = v }
    end
    local result = v[10]
    decided[dedupeKey] = result
    local seen = gather(seenArgs, seenOrder, v[9])
    seen[#seen + 1] = dedupeKey
    seen[#seen + 1] = result
    local f = gather(frames, frameOrder, v[11])
    f[#f + 1] = string.sub(ARGV[3], frameAt[i], frameAt[i] + frameLen[i] - 1)
    if keepRecords then
      local recordId, at = v[13], v[14]
      local rec = gather(recArgs, recOrder, v[16])
      rec[#rec + 1] = recordId
      rec[#rec + 1] = v[15]
      local k = v[17]
      for x = 18, 17 + k do
        local z = gather(zadds, zaddOrder, v[x])
        z[#z + 1] = at
        z[#z + 1] = recordId
      end
      local m = v[18 + k]
      if m > 0 then
        local from = 19 + k
        local bucket = bumps[v[from]]
        if not bucket then
          bucket = {}
          bumps[v[from]] = bucket
        end
        for x = from + 1, from + m - 1, 2 do
          bucket[v[x]] = (bucket[v[x]] or 0) + tonumber(v[x + 1])
        end
      end
    end
    out[n + 1] = RC.OK
    out[n + 2] = ''
  end
end

for _, seen in ipairs(seenOrder) do
  callSliced('HSET', KEYS[math.abs(seen)], seenArgs[seen])
  -- A day bucket lives on for the window after its last write, then goes whole.
  if seen > 0 then
    redis.call('EXPIRE', KEYS[seen], bucketTtl)
  end
end
for _, rec in ipairs(recOrder) do
  callSliced('HSET', KEYS[rec], recArgs[rec])
end
for _, z in ipairs(zaddOrder) do
  callSliced('ZADD', KEYS[z], zadds[z])
end
for _, o in ipairs(frameOrder) do
  local f = frames[o]
  redis.call('XADD', KEYS[o], '*', 'b', table.concat(f), 'n', #f)
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
  local v = cards[card].e
  local openAt = v[7]
  if openAt ~= '' then
    local z = gather(opens, openOrder, v[6])
    z[#z + 1] = openAt
    z[#z + 1] = v[8]
  elseif hadOpen[card] then
    local z = gather(closes, closeOrder, v[6])
    z[#z + 1] = v[8]
  end
end
for _, o in ipairs(openOrder) do
  callSliced('ZADD', KEYS[o], opens[o])
end
for _, o in ipairs(closeOrder) do
  callSliced('ZREM', KEYS[o], closes[o])
end
for key, bucket in pairs(bumps) do
  for field, n in pairs(bucket) do
    redis.call('HINCRBY', KEYS[key], field, n)
  end
end
return out
