-- three-strings.lua per request of a coalesced call: the server's clock once for the call, then per
-- request (a client's key in KEYS, which the three policy keys extend) three reads and three writes.
redis.call('TIME')
for at = 1, #KEYS do
  local key = KEYS[at]
  redis.call('GET', key .. ':60s')
  redis.call('GET', key .. ':sw:3600s')
  redis.call('GET', key .. ':gcra:1s')
  redis.call('SET', key .. ':60s', '29944079:1', 'PX', 60000)
  redis.call('SET', key .. ':sw:3600s', '499067:1:0', 'PX', 3600000)
  redis.call('SET', key .. ':gcra:1s', '1796644790532000', 'PX', 1000)
end
return 1
