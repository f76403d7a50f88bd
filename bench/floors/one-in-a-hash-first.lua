-- One policy as a field of one hash per client, with no decision logic, when its window begins:
-- the server's clock, the field read and written, and an expiry that only grows (PEXPIRE NX for a
-- hash that has none yet, PEXPIRE GT for one another policy's field keeps shorter).
-- KEYS[1] the client's key
redis.call('TIME')
redis.call('HGET', KEYS[1], '60s')
redis.call('HSET', KEYS[1], '60s', '29944079:1')
redis.call('PEXPIRE', KEYS[1], 60000, 'NX')
redis.call('PEXPIRE', KEYS[1], 60000, 'GT')
return 1
