-- What one policy needs per request of a coalesced call, with no decision logic: the server's clock
-- once for the call, then per request (a client's key in KEYS) its state read and written with its
-- expiry (a fixed window's text, the TTL of a minute).
redis.call('TIME')
for at = 1, #KEYS do
  redis.call('GET', KEYS[at])
  redis.call('SET', KEYS[at], '29944079:1', 'PX', 60000)
end
return 1
