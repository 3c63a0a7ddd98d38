--[[
  Claims tap keys (device, journal epoch, seq) for their content (docs/decisions/0175): a seq no
  tap holds is taken with the given digest; a seq held with the same digest stays (a resend);
  a seq held with another digest is left as it is and answered 0 (the caller quarantines that
  tap). Claims live in buckets by block of seqs (docs/decisions/0220: keyed by the seq alone, so
  content dated on another day meets the claim all the same), each expiring bucketTtl seconds
  after its last write (docs/decisions/0196). Every bucket is read before any is written.

  The marks hash keeps per epoch, with no TTL: the highest seq ever claimed (Store.seenBeforeWindow
  answers from it for taps older than the window); the mark at the end of each of the last
  `lifetime` days (bucketTtl in days), "day:mark,..."; and the floor, the last mark of a day at
  least `lifetime` days before today. A seq at or below the floor whose bucket is gone was passed
  more than a lifetime ago: its claim, if it had one, has expired, and a resend of its tap would
  be older than the window. Content sent under it now is not that tap's: answered 0, never taken.
  (The floor, not the mark: a device has batches in flight, and a bucket below the mark may be
  one a later batch skipped over, not yet written.) EXISTS is asked only for such a seq.

  Input:
    KEYS[1]  marks hash   <prefix>:{d:<device>}:hwm   epoch -> highest seq, epoch|d -> the days'
                          marks, epoch|f -> the floor
    KEYS[2..] buckets     <prefix>:{d:<device>}:claims:<epoch or ->:b<block>  seq -> digest
    ARGV[1] bucketTtl (seconds), ARGV[2] the epoch's field in the marks hash, ARGV[3] today (UTC
    day number, the gateway's clock), ARGV[4] the claims as MessagePack (cmsgpack is built into
    Redis; docs/decisions/0221: one argument, not two a claim, each of which the gateway's
    ioredis converted and Redis read as its own string): one array of four columns,
      1 the runs' key#s    a run is claims in the same bucket, in the caller's order; key# is
                           the bucket's position in KEYS (2 or more)
      2 the runs' counts   claims in each run (1 or more), adding up to the claims' count
      3 seqs               every claim's seq as a decimal string (the bucket's field as it is
                           stored), run after run; seqs distinct
      4 digests            every claim's digest, in the seqs' order
    (A batch's seqs run on, mostly in one bucket, 0217; a run's seqs side by side are the bucket's
    HMGET as they are, no table built per claim, 0218.) Columns that are not four arrays, runs
    whose key#s or counts are off or do not add up to the seqs, a seq that is not a number, a
    digest that is not a string, bytes cmsgpack cannot read, or a day that is not a whole number
    refuse the call before any write.

  Output: an array, one item per claim in order: 1 this content holds the key, 0 other content
  does (or did, more than a lifetime ago).
]]
local SLICE = 1000
local call, tonumber, unpack = redis.call, tonumber, unpack
local nargs = #ARGV
local today = tonumber(ARGV[3])
if not today or today % 1 ~= 0 then
  return redis.error_reply('claimTaps: malformed day')
end
local function malformed(what)
  return redis.error_reply('claimTaps: malformed ' .. what)
end
-- The columns, unpacked with one C call (bytes it cannot read raise: the call is refused), and
-- the runs checked whole before the first read or write. Each seq and digest is checked as the
-- read loop below meets it, still before any write (every write comes after every read).
if nargs ~= 4 then
  return malformed('call: ' .. nargs .. ' arguments, not 4')
end
local C, extra = cmsgpack.unpack(ARGV[4])
if type(C) ~= 'table' or extra ~= nil or #C ~= 4 then
  return malformed('claims: not one array of 4 columns')
end
local RUNKEY, RUNCOUNT, SEQS, DIGESTS = C[1], C[2], C[3], C[4]
for c = 1, 4 do
  if type(C[c]) ~= 'table' then
    return malformed('claims: column ' .. c .. ' is not an array')
  end
end
local nruns, nclaims = #RUNKEY, #SEQS
if #RUNCOUNT ~= nruns or #DIGESTS ~= nclaims then
  return malformed('claims: columns of different lengths')
end
local total = 0
for r = 1, nruns do
  local key, count = RUNKEY[r], RUNCOUNT[r]
  if type(key) ~= 'number' or key < 2 or not KEYS[key] or type(count) ~= 'number' or count < 1 or count % 1 ~= 0 then
    return malformed('run ' .. r)
  end
  total = total + count
end
if total ~= nclaims then
  return malformed('runs: ' .. total .. ' claims in runs, ' .. nclaims .. ' sent')
end
local field = ARGV[2]
local marks = call('HMGET', KEYS[1], field, field .. '|d', field .. '|f')
local top = tonumber(marks[1] or '0')
local floor = tonumber(marks[3] or '0')
-- The days' marks still inside the lifetime (day, mark, ...); older ones raise the floor.
local lifetime = math.floor(tonumber(ARGV[1]) / 86400)
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
-- Whether a bucket was gone before this call (asked at most once a bucket, before any write).
local gone = {}
local function goneBefore(key)
  local g = gone[key]
  if g == nil then
    g = call('EXISTS', key) == 0
    gone[key] = g
  end
  return g
end
local out = {}
local n = 0
-- Per run, the claims it takes (seq, digest pairs): written once every run has been read.
local writes = {}
for r = 1, nruns do
  local key = KEYS[RUNKEY[r]]
  local count = RUNCOUNT[r]
  local w = {}
  writes[r] = w
  for from = 1, count, SLICE do
    local to = math.min(from + SLICE - 1, count)
    local held = call('HMGET', key, unpack(SEQS, n + from, n + to))
    for j = from, to do
      local h = held[j - from + 1]
      local seq, digest = SEQS[n + j], DIGESTS[n + j]
      local s = type(seq) == 'string' and tonumber(seq)
      if not s or type(digest) ~= 'string' then
        return malformed('claim ' .. (n + j))
      end
      if not h and s <= floor and goneBefore(key) then
        out[n + j] = 0
      elseif not h then
        w[#w + 1] = seq
        w[#w + 1] = digest
        out[n + j] = 1
      elseif h == digest then
        out[n + j] = 1
      else
        out[n + j] = 0
      end
      if s > top then
        top = s
      end
    end
  end
  n = n + count
end
for r = 1, nruns do
  local w = writes[r]
  if #w > 0 then
    local key = KEYS[RUNKEY[r]]
    for from = 1, #w, 2 * SLICE do
      call('HSET', key, unpack(w, from, math.min(from + 2 * SLICE - 1, #w)))
    end
    call('EXPIRE', key, ARGV[1])
  end
end
if n > 0 then
  -- Today's mark is the mark after this call (marks only rise). Written with %d: Lua's own
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
    KEYS[1],
    field,
    string.format('%d', top),
    field .. '|d',
    table.concat(list, ','),
    field .. '|f',
    string.format('%d', floor)
  )
end
return out
