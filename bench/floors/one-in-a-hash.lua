-- One policy as a field of one hash per client, with no decision logic, once its field is stored:
-- the server's clock, the field read and written. The key's expiry is left as it is: it was set
-- when the field's window began (see one-in-a-hash-first.lua), and a hash's expiry may only grow,
-- since other policies of the client may need it longer.
-- KEYS[1] the client's key
redis.call('TIME')
redis.call('HGET', KEYS[1], '60s')
redis.call('HSET', KEYS[1], '60s', '29944079:1')
return 1
