-- The ceiling every Redis contender is measured against: the least a fixed-window limiter can do.
-- KEYS[1] counter   ARGV[1] windowMs
-- Returns the count in this window, this hit included.
local count = redis.call('INCR', KEYS[1])
-- Only the window's first hit sets the expiry, so the window does not slide with every hit.
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
