-- Three policies as they are stored today, with no decision logic: a string key per policy, each
-- read and written with its own expiry (fixed window per minute, sliding window per hour, GCRA per second).
-- KEYS[1] the client's key, which the three policy keys extend
redis.call('TIME')
redis.call('GET', KEYS[1] .. ':60s')
redis.call('GET', KEYS[1] .. ':sw:3600s')
redis.call('GET', KEYS[1] .. ':gcra:1s')
redis.call('SET', KEYS[1] .. ':60s', '29944079:1', 'PX', 60000)
redis.call('SET', KEYS[1] .. ':sw:3600s', '499067:1:0', 'PX', 3600000)
redis.call('SET', KEYS[1] .. ':gcra:1s', '1796644790532000', 'PX', 1000)
return 1
