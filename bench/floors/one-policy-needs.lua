-- The least Redis work one policy of ours needs, with no decision logic: the server's clock, the
-- state read, and the state written with its expiry (a fixed window's text, the TTL of a minute).
-- KEYS[1] the client's key
redis.call('TIME')
redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], '29944079:1', 'PX', 60000)
return 1
