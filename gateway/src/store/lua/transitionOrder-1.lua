--[[
  Moves a paid top-up order from one of the given statuses to another (compare-and-set on the
  status; gateway/src/payments/order.ts holds the allowed moves).

  Input:
    KEYS[1] order  <prefix>:{pay}:order:<id>  hash: body, st, txn, up, amt, exp

    ARGV[1] new status
    ARGV[2] updatedAt, ms
    ARGV[3] provider transaction id ('' keeps the one stored)
    ARGV[4..] statuses it may move from

  Output:
    { RC.OK, body, st, txn, up }    moved; the order after
    { RC.NOOP, body, st, txn, up }  its status is not among those given; nothing changed
    { RC.NOT_FOUND }                no such order
]]
local st = redis.call('HGET', KEYS[1], 'st')
if not st then
  return { RC.NOT_FOUND }
end
local allowed = false
for i = 4, #ARGV do
  if ARGV[i] == st then
    allowed = true
  end
end
if allowed then
  redis.call('HSET', KEYS[1], 'st', ARGV[1], 'up', ARGV[2])
  if ARGV[3] ~= '' then
    redis.call('HSET', KEYS[1], 'txn', ARGV[3])
  end
end
local f = redis.call('HMGET', KEYS[1], 'body', 'st', 'txn', 'up')
return { allowed and RC.OK or RC.NOOP, f[1], f[2], f[3], f[4] }
