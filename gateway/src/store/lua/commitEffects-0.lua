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
            recordFrame, docs/decisions/0209): one argument of bytes per call, grouped by
            outbox (docs/decisions/0218): one segment per outbox# in the order the effects
            first name it, each segment that outbox's effects' frames in effect order (so a
            segment whose effects all applied is its outbox entry as it is); each effect gives
            its frame's length, and the lengths must add up to ARGV[3] exactly
    ARGV[4] the effects as MessagePack (protos are not available to Lua; cmsgpack is built
            into Redis, docs/decisions/0217), by column (0218): one array of twelve columns
            (thirteen with records kept), each an array of one field of every effect in effect
            order, all of one length. One C call unpacks them into thirteen tables, where an
            array per effect made a table per effect (~0.4 µs an effect more). Key numbers and
            lengths are integers, the rest strings (numbers as decimal strings, so Redis stores
            exactly what the gateway computed). A tap sends only what this script reads:
            twelve fields; with records kept, the record's four and its index keys and
            counters. Columns by position (1-based):
      1 dedupeKey       a tap's: its 12-byte field (redis-keys.ts tapField, 0222); any
                        other effect's: its dedupe key
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
      13 the record's fields, one array per effect:
         1 recordId     2 at (record time, ms: the indexes' score)
         3 record       the record JSON, the records hash's body
         4 records#     the partition's records hash
         5 k, then k index zset #s (score at, member recordId): the partition's time index,
                          the card's, the device's, route's, station's, stop's, masked
                          number's and operator's, those the record has
         then m, then m items: statsKey# and field, n pairs: ride counters (redis-stats.ts)
    ARGV[5] '' or, as MessagePack, one flat array of (effect number, old field) pairs: taps whose
            day bucket may hold an entry under the tap's dedupe key itself, as every entry was
            before docs/decisions/0222 (the gateway sends them only for days up to the store's
            upgrade); where the effect's own field (column 1) is not in its bucket, this is read
            (and a resend answered from it); what is written is always the new field

  Outbox: ONE entry per partition touched per call, whatever the records kept: field b the
  concatenation of the applied records' frames in commit order (concatenated elements of a
  repeated field are a RecordBatch, published to Kafka as it is; when all of the outbox's
  effects applied, its segment of ARGV[3] as it is), field n their count.

  Output: a flat array, three items for each effect that did not apply now, in effect order
  (none: every effect of the call applied, the usual answer, so a call's reply is not two items
  an effect that Redis builds and the gateway parses for nothing):
    effect number, RC.DUPLICATE, original result   applied earlier under this dedupe key; nothing changed
    effect number, RC.CONFLICT, ''                 the card's version differs; nothing changed
]]
-- Library functions and result codes as locals: a global is a table lookup at every use, and
-- the loops below run per effect (0218).
local find, sub, type, call = string.find, string.sub, type, redis.call
local DUPLICATE, CONFLICT = RC.DUPLICATE, RC.CONFLICT
local bucketTtl = ARGV[1]
local keepRecords = ARGV[2] == '1'
local frameBytes = ARGV[3]
local SLICE = 1000

-- Variadic commands in slices: unpack() is bounded by Lua's C stack (8,000 values).
local function callSliced(command, key, args)
  for from = 1, #args, SLICE do
    call(command, key, unpack(args, from, math.min(from + SLICE - 1, #args)))
  end
end

-- Arguments gathered per key number, in first-use order: key# -> list (records kept only; the
-- city's per-tap lists are inlined below: a Lua function call per tap is not free, 0218).
local function gather(lists, order, key)
  local list = lists[key]
  if not list then
    list = {}
    lists[key] = list
    order[#order + 1] = key
  end
  return list
end

local function malformed(i)
  return redis.error_reply('commitEffects: malformed effect ' .. i)
end

-- The effects' columns (the layout above), unpacked from ARGV[4] with one C call. Everything an
-- effect names is checked here, before the first write: the columns' count and lengths, that its
-- key numbers are KEYS (on each key's first use) and its frame length a whole number of bytes; a
-- call whose frames do not add up to ARGV[3] exactly is refused too.
local packed = ARGV[4]
local width = keepRecords and 13 or 12
local C, extra = {}, nil
if #packed > 0 then
  C, extra = cmsgpack.unpack(packed)
end
if type(C) ~= 'table' or extra ~= nil or (#packed > 0 and #C ~= width) then
  return redis.error_reply('commitEffects: malformed effects: not one array of ' .. width .. ' columns')
end
local DEDUPE, CARD, EXPECT, HEAD, USES, OPEN, OPENAT, TOKEN, SEEN, RESULT, OUTBOX, LEN, RECORD =
  C[1], C[2], C[3], C[4], C[5], C[6], C[7], C[8], C[9], C[10], C[11], C[12], C[13]
local n = 0
if #packed > 0 then
  n = type(DEDUPE) == 'table' and #DEDUPE or -1
  for c = 1, width do
    if type(C[c]) ~= 'table' or #C[c] ~= n then
      return redis.error_reply('commitEffects: malformed effects: column ' .. c .. ' is not ' .. n .. ' long')
    end
  end
end
-- Per outbox#, in first-use order: its segment of ARGV[3] (start, length).
local segOrder, segLen = {}, {}
-- Per dedupe hash# (first-use order): the effects whose dedupe keys live in it, read with one
-- HMGET each (a call's taps mostly share one day per partition).
local reads, readOrder = {}, {}
-- The cards the effects name (card# in first-use order), read below with one MGET per call.
local cardSeen, cardKeys = {}, {}
for i = 1, n do
  if keepRecords then
    local t = RECORD[i]
    local k = type(t) == 'table' and t[5]
    local m = type(k) == 'number' and t[6 + k]
    if type(m) ~= 'number' or #t ~= 6 + k + m then
      return malformed(i)
    end
  end
  -- A key number is checked where it is first seen (one that is not a number is never a KEYS
  -- index either); the length on every effect.
  local card, seen, outbox, len = CARD[i], SEEN[i], OUTBOX[i], LEN[i]
  if type(len) ~= 'number' or len < 0 or len % 1 ~= 0 or (card ~= 0 and not KEYS[OPEN[i]]) then
    return malformed(i)
  end
  local sl = segLen[outbox]
  if not sl then
    if not KEYS[outbox] then
      return malformed(i)
    end
    sl = 0
    segOrder[#segOrder + 1] = outbox
  end
  segLen[outbox] = sl + len
  local group = reads[seen]
  if not group then
    if type(seen) ~= 'number' or not KEYS[seen < 0 and -seen or seen] then
      return malformed(i)
    end
    group = {}
    reads[seen] = group
    readOrder[#readOrder + 1] = seen
  end
  group[#group + 1] = i
  if card ~= 0 and not cardSeen[card] then
    if not KEYS[card] then
      return malformed(i)
    end
    cardSeen[card] = true
    cardKeys[#cardKeys + 1] = card
  end
end
-- ARGV[3] is the outboxes' segments one after another in their first-use order; each segment
-- is its outbox's frames in effect order.
local segAt = {}
local total = 0
for j = 1, #segOrder do
  local o = segOrder[j]
  segAt[o] = total + 1
  total = total + segLen[o]
end
if total ~= #frameBytes then
  return redis.error_reply('commitEffects: frame lengths add up to ' .. total .. ' bytes, not ' .. #frameBytes)
end

local originals = {}
for r = 1, #readOrder do
  local seen = readOrder[r]
  local group = reads[seen]
  local names = {}
  for j = 1, #group do
    names[j] = DEDUPE[group[j]]
  end
  local key = KEYS[seen < 0 and -seen or seen]
  for from = 1, #names, SLICE do
    local part = call('HMGET', key, unpack(names, from, math.min(from + SLICE - 1, #names)))
    for j = 1, #part do
      originals[group[from + j - 1]] = part[j]
    end
  end
end

-- Entries written before 0222 are under the tap's dedupe key: read, per bucket, for the taps the
-- gateway named (ARGV[5]) whose own field is not there. Absent in a store created since.
local oldFields = ARGV[5] or ''
if #oldFields > 0 then
  local ok, given, extra = pcall(cmsgpack.unpack, oldFields)
  if not ok or type(given) ~= 'table' or extra ~= nil or #given % 2 ~= 0 then
    return redis.error_reply('commitEffects: malformed old fields')
  end
  local olds, oldOrder = {}, {}
  for x = 1, #given, 2 do
    local i, name = given[x], given[x + 1]
    if type(i) ~= 'number' or i < 1 or i > n or i % 1 ~= 0 or type(name) ~= 'string' or SEEN[i] < 1 then
      return redis.error_reply('commitEffects: malformed old fields')
    end
    if not originals[i] then
      local group = olds[SEEN[i]]
      if not group then
        group = {}
        olds[SEEN[i]] = group
        oldOrder[#oldOrder + 1] = SEEN[i]
      end
      group[#group + 1] = i
      group[#group + 1] = name
    end
  end
  for r = 1, #oldOrder do
    local group = olds[oldOrder[r]]
    local names = {}
    for x = 2, #group, 2 do
      names[#names + 1] = group[x]
    end
    for from = 1, #names, SLICE do
      local part = call('HMGET', KEYS[oldOrder[r]], unpack(names, from, math.min(from + SLICE - 1, #names)))
      for j = 1, #part do
        if part[j] then
          originals[group[2 * (from + j - 1) - 1]] = part[j]
        end
      end
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
    names[j - from + 1] = KEYS[cardKeys[j]]
  end
  local part = call('MGET', unpack(names))
  for j = 1, #part do
    local card = cardKeys[from + j - 1]
    raws[card] = part[j] or cardRead(KEYS[card])
  end
end

-- The effects that did not apply, three items each (the output above); skipped[i]: effect i is
-- one of them.
local out, skipped = {}, {}
-- Cards whose chain was cut in this call: a later link was planned from a state after an
-- effect that did not apply, so it must not apply either, even if the versions line up.
local broken = {}
-- Decided in this call: dedupe key -> result.
local decided = {}
-- The cards this call writes (card# in first-write order), in parallel tables rather than a
-- table per card (0218): the last applied effect's index and head, the last uses given (nil:
-- the stored ones stay).
local cardOrder, lastOf, headOf, usesOf = {}, {}, {}, {}
-- Of each card as read, found once: where its fare state ends (its third separator) and its
-- uses (the fourth, only when the call changes them); whether it had an open entry.
local cut3, cut4, hadOpen = {}, {}, {}
local seenArgs, seenOrder = {}, {}
local recArgs, recOrder = {}, {}
local zadds, zaddOrder = {}, {}
-- Per outbox#: how many of its effects applied; whether any did not.
local applied, missed = {}, {}
-- Ride counters summed over the call and written once per field.
local bumps = {}

for i = 1, n do
  local dedupeKey = DEDUPE[i]
  local card = CARD[i]
  local expect = card ~= 0 and EXPECT[i]
  local original = decided[dedupeKey] or originals[i]
  local version = nil
  if expect and not original and not broken[card] then
    local head = headOf[card]
    if head then
      -- The card's second effect in this call: the version the first one wrote.
      version = cardVersion(head)
    else
      local raw = raws[card]
      if raw then
        local a = find(raw, '\n', 1, true)
        version = sub(raw, 1, a - 1)
        if version == expect then
          -- The card will be written: find its fare state's end once, and whether Redis holds
          -- it in the open-entry index now (its stored fare state has an open entry). A card
          -- with none before and none after needs no ZREM. (A cap id named "open" in the
          -- accumulators would only cost a needless ZREM.)
          local b = find(raw, '\n', a + 1, true)
          local c = find(raw, '\n', b + 1, true)
          cut3[card] = c
          local at = find(raw, '"open":', b + 1, true)
          hadOpen[card] = at ~= nil and at < c
        end
      else
        version = false
      end
    end
  end
  if original then
    if expect then
      broken[card] = true
    end
    local k = #out
    out[k + 1] = i
    out[k + 2] = DUPLICATE
    out[k + 3] = original
    skipped[i] = true
    missed[OUTBOX[i]] = true
  elseif expect and (broken[card] or version ~= expect) then
    broken[card] = true
    missed[OUTBOX[i]] = true
    local k = #out
    out[k + 1] = i
    out[k + 2] = CONFLICT
    out[k + 3] = ''
    skipped[i] = true
  else
    if expect then
      if not headOf[card] then
        cardOrder[#cardOrder + 1] = card
      end
      headOf[card] = HEAD[i]
      lastOf[card] = i
      -- An effect without uses keeps the ones an earlier effect of this call wrote (or Redis's).
      local u = USES[i]
      if u ~= '' then
        usesOf[card] = u
        if not cut4[card] then
          cut4[card] = find(raws[card], '\n', cut3[card] + 1, true)
        end
      end
    end
    local result = RESULT[i]
    decided[dedupeKey] = result
    local seen = SEEN[i]
    local s = seenArgs[seen]
    if not s then
      s = {}
      seenArgs[seen] = s
      seenOrder[#seenOrder + 1] = seen
    end
    s[#s + 1] = dedupeKey
    s[#s + 1] = result
    local o = OUTBOX[i]
    applied[o] = (applied[o] or 0) + 1
    if keepRecords then
      local v = RECORD[i]
      local recordId, at = v[1], v[2]
      local rec = gather(recArgs, recOrder, v[4])
      rec[#rec + 1] = recordId
      rec[#rec + 1] = v[3]
      local kz = v[5]
      for x = 6, 5 + kz do
        local z = gather(zadds, zaddOrder, v[x])
        z[#z + 1] = at
        z[#z + 1] = recordId
      end
      local m = v[6 + kz]
      if m > 0 then
        local from = 7 + kz
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
  end
end

for j = 1, #seenOrder do
  local seen = seenOrder[j]
  callSliced('HSET', KEYS[seen < 0 and -seen or seen], seenArgs[seen])
  -- A day bucket lives on for the window after its last write, then goes whole.
  if seen > 0 then
    call('EXPIRE', KEYS[seen], bucketTtl)
  end
end
for _, rec in ipairs(recOrder) do
  callSliced('HSET', KEYS[rec], recArgs[rec])
end
for _, z in ipairs(zaddOrder) do
  callSliced('ZADD', KEYS[z], zadds[z])
end
-- The outbox: an outbox whose effects all applied (the usual case) gets its segment as it is,
-- one string.sub (none when the call has one outbox, as on a Cluster); one where some did not
-- gets its applied frames cut out one by one, in effect order (0218). Either way the entry is
-- the applied records' frames in commit order.
local partial
for j = 1, #segOrder do
  local o = segOrder[j]
  local count = applied[o]
  if count and not missed[o] then
    local b = frameBytes
    if #segOrder > 1 then
      b = sub(frameBytes, segAt[o], segAt[o] + segLen[o] - 1)
    end
    call('XADD', KEYS[o], '*', 'b', b, 'n', count)
  elseif count then
    partial = partial or {}
    partial[o] = {}
  end
end
if partial then
  -- Each partial outbox's frames are walked from its segment's start, in effect order.
  local at = {}
  for i = 1, n do
    local o = OUTBOX[i]
    local f = partial[o]
    if f then
      local from = at[o] or segAt[o]
      at[o] = from + LEN[i]
      if not skipped[i] then
        f[#f + 1] = sub(frameBytes, from, from + LEN[i] - 1)
      end
    end
  end
  for j = 1, #segOrder do
    local o = segOrder[j]
    local f = partial[o]
    if f then
      call('XADD', KEYS[o], '*', 'b', table.concat(f), 'n', #f)
    end
  end
end
-- Every card of the call in one MSET: version, balance and fare state (the last effect's head)
-- and uses new, the rest as read (0214); sliced like the other variadic writes (SLICE is even: a
-- key never parts from its value).
local cardArgs = {}
for j = 1, #cardOrder do
  local card = cardOrder[j]
  local u = usesOf[card]
  cardArgs[2 * j - 1] = KEYS[card]
  if u then
    cardArgs[2 * j] = headOf[card] .. '\n' .. u .. sub(raws[card], cut4[card])
  else
    cardArgs[2 * j] = headOf[card] .. sub(raws[card], cut3[card])
  end
end
for from = 1, #cardArgs, SLICE do
  call('MSET', unpack(cardArgs, from, math.min(from + SLICE - 1, #cardArgs)))
end
-- The open-entry index follows each card's last state: one ZADD and one ZREM per index key at most.
local opens, openOrder = {}, {}
local closes, closeOrder = {}, {}
for j = 1, #cardOrder do
  local card = cardOrder[j]
  local i = lastOf[card]
  local openAt = OPENAT[i]
  if openAt ~= '' then
    local z = gather(opens, openOrder, OPEN[i])
    z[#z + 1] = openAt
    z[#z + 1] = TOKEN[i]
  elseif hadOpen[card] then
    local z = gather(closes, closeOrder, OPEN[i])
    z[#z + 1] = TOKEN[i]
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
    call('HINCRBY', KEYS[key], field, n)
  end
end
return out
