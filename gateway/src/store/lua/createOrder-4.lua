--[[
  Writes a paid top-up order unless the card has one with the same request id (duplicate) or
  the card's orders of the day that count, plus this one, pass the daily limit
  (gateway/src/payments/order.ts countsToday: unpaid and not yet expired, paid or credited).

  Input:
    KEYS[1] order      <prefix>:{pay}:order:<id>             hash: body, st, txn, up, amt, exp
    KEYS[2] request    <prefix>:{pay}:req:<token>:<request>  string: order id
    KEYS[3] card day   <prefix>:{pay}:day:<day>:<token>      set of order ids
    KEYS[4] retention  <prefix>:{pay}:retain                 zset: order id by retainUntil

    ARGV[1] order id
    ARGV[2] body (the order as JSON)
    ARGV[3] status
    ARGV[4] amount, fen
    ARGV[5] expiresAt, ms
    ARGV[6] updatedAt, ms
    ARGV[7] daily limit, fen
    ARGV[8] now, ms
    ARGV[9] retainUntil, ms
    ARGV[10] TTL of the order's keys, ms (a safety net behind prune)
    ARGV[11] key prefix of orders, '<prefix>:{pay}:order:' (same hash tag: same slot)

  Output:
    { RC.OK }                        written
    { RC.DUPLICATE, order id }       the card's request id has an order
    { RC.FULL, used }                over the daily limit; nothing written
]]
local existing = redis.call('GET', KEYS[2])
if existing then
  return { RC.DUPLICATE, existing }
end
local now = tonumber(ARGV[8])
local used = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local f = redis.call('HMGET', ARGV[11] .. id, 'st', 'amt', 'exp')
  local st, amt, exp = f[1], tonumber(f[2]), tonumber(f[3])
  if st and ((st == 'created' and now < exp) or st == 'paid' or st == 'credited') then
    used = used + amt
  end
end
if used + tonumber(ARGV[4]) > tonumber(ARGV[7]) then
  return { RC.FULL, tostring(used) }
end
redis.call('HSET', KEYS[1], 'body', ARGV[2], 'st', ARGV[3], 'txn', '', 'up', ARGV[6], 'amt', ARGV[4], 'exp', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[10])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[10])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[10])
redis.call('ZADD', KEYS[4], ARGV[9], ARGV[1])
return { RC.OK }
