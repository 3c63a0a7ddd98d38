--[[
  Claims tap keys (device, journal epoch, seq) for their content (docs/decisions/0175): a seq no
  tap holds is taken with the given digest; a seq held with the same digest stays (a resend);
  a seq held with another digest is left as it is and answered 0 (the caller quarantines that
  tap). Claims live in buckets by block of seqs (docs/decisions/0220: keyed by the seq alone, so
  content dated on another day meets the claim all the same), each expiring bucketTtl seconds
  after its last write (docs/decisions/0196).

  One call claims for one device or for several (docs/decisions/0228): on one Redis (standalone
  or a Sentinel's primary) the batches of one turn of the gateway's event loop share a call, one
  section each; on a Cluster a call is one section (a device's keys share its hash slot). The
  sections are done one after another, as separate calls in that order would be: two sections
  of one device see each other's claims. Every section is checked before anything is written;
  within a section, every bucket is read before any is written.

  The marks hash keeps per epoch, with no TTL: the highest seq ever claimed (Store.seenBeforeWindow
  answers from it for taps older than the window); the mark at the end of each of the last
  `lifetime` days (bucketTtl in days), "day:mark,..."; and the floor, the last mark of a day at
  least `lifetime` days before today. A seq at or below the floor whose bucket is gone was passed
  more than a lifetime ago: its claim, if it had one, has expired, and a resend of its tap would
  be older than the window. Content sent under it now is not that tap's: answered 0, never taken.
  (The floor, not the mark: a device has batches in flight, and a bucket below the mark may be
  one a later batch skipped over, not yet written.) EXISTS is asked only for such a seq.

  Input (no fixed keys: every key comes in KEYS once, named by its position, "key#"):
    KEYS      marks hashes   <prefix>:{d:<device>}:hwm   epoch -> highest seq, epoch|d -> the days'
                             marks, epoch|f -> the floor
              buckets        <prefix>:{d:<device>}:claims:<epoch or ->:b<block>  seq -> digest
    ARGV[1] bucketTtl (seconds), ARGV[2] the sections as MessagePack (cmsgpack is built into
    Redis; docs/decisions/0221: one argument, not two a claim): an array of sections, each an
    array of seven,
      1 marks key#         the device's marks hash
      2 field              the epoch's field in it (the epoch, or '-' for none)
      3 today              the UTC day number of the batch, by the gateway's clock (an integer)
      4 the runs' key#s    a run is claims in the same bucket, in the caller's order; key# is
                           the bucket's position in KEYS (not the section's marks key#)
      5 the runs' counts   claims in each run (1 or more), adding up to the section's claims
      6 seqs               every claim's seq as a decimal string (the bucket's field as it is
                           stored), run after run; seqs distinct within a section
      7 digests            every claim's digest, in the seqs' order
    (A batch's seqs run on, mostly in one bucket, 0217; a run's seqs side by side are the bucket's
    HMGET as they are, no table built per claim, 0218.) Sections that are not arrays of seven,
    key#s that are not KEYS, a field that is not a string, runs whose counts are off or do not
    add up to the seqs, a seq that is not a decimal string, a digest that is not a string, bytes
    cmsgpack cannot read, or a day that is not a whole number refuse the call before any write.

  Output: the numbers of the claims whose key other content holds (or did, more than a lifetime
  ago), counting every claim from 1 section after section, in order; every claim not named is held
  by its own content (now or before). Almost always none: an empty array, not an item a claim
  (docs/decisions/0230).
]]
local SLICE = 1000
local call, tonumber, unpack, type = redis.call, tonumber, unpack, type
local nargs = #ARGV
local function malformed(what)
  return redis.error_reply('claimTaps: malformed ' .. what)
end
if nargs ~= 2 then
  return malformed('call: ' .. nargs .. ' arguments, not 2')
end
local bucketTtl = ARGV[1]
local lifetime = math.floor(tonumber(bucketTtl) / 86400)
-- The sections, unpacked with one C call (bytes it cannot read raise: the call is refused), and
-- every one checked whole, claims included, before the first read or write.
local S, extra = cmsgpack.unpack(ARGV[2])
if type(S) ~= 'table' or extra ~= nil then
  return malformed('sections: not one array')
end
for x = 1, #S do
  local sec = S[x]
  if type(sec) ~= 'table' or #sec ~= 7 then
    return malformed('section ' .. x .. ': not an array of 7')
  end
  local marks, field, day, runKeys, runCounts, seqs, digests = sec[1], sec[2], sec[3], sec[4], sec[5], sec[6], sec[7]
  if type(marks) ~= 'number' or not KEYS[marks] or type(field) ~= 'string' then
    return malformed('section ' .. x .. ': marks key# or field')
  end
  if type(day) ~= 'number' or day % 1 ~= 0 then
    return malformed('section ' .. x .. ': day')
  end
  for c = 4, 7 do
    if type(sec[c]) ~= 'table' then
      return malformed('section ' .. x .. ': column ' .. (c - 3) .. ' is not an array')
    end
  end
  local nruns, nclaims = #runKeys, #seqs
  if #runCounts ~= nruns or #digests ~= nclaims then
    return malformed('section ' .. x .. ': columns of different lengths')
  end
  local total = 0
  for r = 1, nruns do
    local key, count = runKeys[r], runCounts[r]
    if type(key) ~= 'number' or key == marks or not KEYS[key] or type(count) ~= 'number' or count < 1 or count % 1 ~= 0 then
      return malformed('section ' .. x .. ': run ' .. r)
    end
    total = total + count
  end
  if total ~= nclaims then
    return malformed('section ' .. x .. ': ' .. total .. ' claims in runs, ' .. nclaims .. ' sent')
  end
  for j = 1, nclaims do
    local seq = seqs[j]
    if type(seq) ~= 'string' or not tonumber(seq) or type(digests[j]) ~= 'string' then
      return malformed('section ' .. x .. ': claim ' .. j)
    end
  end
end

local refused = {}
local n = 0
for x = 1, #S do
  local sec = S[x]
  local marksKey, field, today = KEYS[sec[1]], sec[2], sec[3]
  local RUNKEY, RUNCOUNT, SEQS, DIGESTS = sec[4], sec[5], sec[6], sec[7]
  local marks = call('HMGET', marksKey, field, field .. '|d', field .. '|f')
  local top = tonumber(marks[1] or '0')
  local floor = tonumber(marks[3] or '0')
  -- The days' marks still inside the lifetime (day, mark, ...); older ones raise the floor.
  local days = {}
  if marks[2] then
    for d, m in string.gmatch(marks[2], '(%d+):(%d+)') do
      d, m = tonumber(d), tonumber(m)
      if d <= today - lifetime then
        if m > floor then
          floor = m
        end
      else
        days[#days + 1] = d
        days[#days + 1] = m
      end
    end
  end
  -- Whether a bucket was gone before this section (asked at most once a bucket, before any write).
  local gone = {}
  local function goneBefore(key)
    local g = gone[key]
    if g == nil then
      g = call('EXISTS', key) == 0
      gone[key] = g
    end
    return g
  end
  -- Per run, the claims it takes (seq, digest pairs): written once every run has been read.
  local writes = {}
  local at = 0
  for r = 1, #RUNKEY do
    local key = KEYS[RUNKEY[r]]
    local count = RUNCOUNT[r]
    local w = {}
    writes[r] = w
    for from = 1, count, SLICE do
      local to = math.min(from + SLICE - 1, count)
      local held = call('HMGET', key, unpack(SEQS, at + from, at + to))
      for j = from, to do
        local h = held[j - from + 1]
        local seq, digest = SEQS[at + j], DIGESTS[at + j]
        local s = tonumber(seq)
        if not h and s <= floor and goneBefore(key) then
          refused[#refused + 1] = n + at + j
        elseif not h then
          w[#w + 1] = seq
          w[#w + 1] = digest
        elseif h ~= digest then
          refused[#refused + 1] = n + at + j
        end
        if s > top then
          top = s
        end
      end
    end
    at = at + count
  end
  for r = 1, #RUNKEY do
    local w = writes[r]
    if #w > 0 then
      local key = KEYS[RUNKEY[r]]
      for from = 1, #w, 2 * SLICE do
        call('HSET', key, unpack(w, from, math.min(from + 2 * SLICE - 1, #w)))
      end
      call('EXPIRE', key, bucketTtl)
    end
  end
  if at > 0 then
    -- Today's mark is the mark after this section (marks only rise). Written with %d: Lua's own
    -- number-to-string turns a seq past 10^14 into an exponent.
    local list, found = {}, false
    for i = 1, #days, 2 do
      local m = days[i + 1]
      if days[i] == today then
        m = top
        found = true
      end
      list[#list + 1] = string.format('%d:%d', days[i], m)
    end
    if not found then
      list[#list + 1] = string.format('%d:%d', today, top)
    end
    call(
      'HSET',
      marksKey,
      field,
      string.format('%d', top),
      field .. '|d',
      table.concat(list, ','),
      field .. '|f',
      string.format('%d', floor)
    )
  end
  n = n + at
end
return refused
