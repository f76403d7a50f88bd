-- The same three policies as one hash per client, a field per policy, with no decision logic: one
-- read of the three fields, one write of them, one expiry (the longest window's).
-- KEYS[1] the client's key
redis.call('TIME')
redis.call('HMGET', KEYS[1], '60s', 'sw:3600s', 'gcra:1s')
redis.call('HSET', KEYS[1], '60s', '29944079:1', 'sw:3600s', '499067:1:0', 'gcra:1s', '1796644790532000')
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1
