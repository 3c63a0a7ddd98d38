-- A card is one string (gateway/src/store/redis-card.ts, docs/decisions/0214):
--   version \n balance \n fare state \n uses \n status \n flags \n masked \n region
-- Prepended to every script (redis-scripts.ts); a script that does not touch cards pays nothing.

-- The card at key as its string, or false when there is none. A card written as a hash before
-- 0214 is rewritten as a string first (same fields), so the caller sees one layout.
local function cardRead(key)
  local s = redis.pcall('GET', key)
  if type(s) ~= 'table' then
    return s
  end
  -- WRONGTYPE: a hash card.
  local h = redis.call('HMGET', key, 'v', 'b', 'fs', 'u', 's', 'f', 'm', 'r')
  if not h[1] then
    return false
  end
  for i = 1, 8 do
    h[i] = h[i] or ''
  end
  s = table.concat(h, '\n')
  redis.call('DEL', key)
  redis.call('SET', key, s)
  return s
end

-- Where a card string's fields end: the positions of its first four separators.
local function cardCuts(s)
  local a = string.find(s, '\n', 1, true)
  local b = string.find(s, '\n', a + 1, true)
  local c = string.find(s, '\n', b + 1, true)
  local d = string.find(s, '\n', c + 1, true)
  return a, b, c, d
end

-- The version field of a card string (false for no card).
local function cardVersion(s)
  if not s then
    return false
  end
  return string.sub(s, 1, string.find(s, '\n', 1, true) - 1)
end
