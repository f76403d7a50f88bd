-- three-in-a-hash.lua per request of a coalesced call: the server's clock once for the call, then
-- per request (a client's key in KEYS) one read of the three fields, one write, one expiry.
redis.call('TIME')
for at = 1, #KEYS do
  local key = KEYS[at]
  redis.call('HMGET', key, '60s', 'sw:3600s', 'gcra:1s')
  redis.call('HSET', key, '60s', '29944079:1', 'sw:3600s', '499067:1:0', 'gcra:1s', '1796644790532000')
  redis.call('PEXPIRE', key, 3600000)
end
return 1
