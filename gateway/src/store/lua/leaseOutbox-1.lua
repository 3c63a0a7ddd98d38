--[[
  Takes or renews an outbox partition's lease, so that one relay at a time publishes it.
  The check and the renewal are one step: a lease that expired between a GET and a PEXPIRE
  could otherwise be renewed after another owner took it.

  Input:
    KEYS[1] lease <prefix>:{pN}:outbox:lease  value: the owner

    ARGV[1] owner
    ARGV[2] time to live, ms

  Output:
    RC.OK    the owner holds the lease for ARGV[2] ms from now
    RC.NOOP  another owner holds it
]]
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return RC.OK
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return RC.OK
end
return RC.NOOP
