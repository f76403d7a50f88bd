-- lua/fixed-window-anchored.lua: at most `limit` units per window of `windowMs`, each window opened by the client's first request.
-- KEYS[1] counter   ARGV[1] limit  ARGV[2] windowMs  ARGV[3] cost (default 1)  ARGV[4] nowMs or '' (server TIME)
-- Returns one string of six integers separated by spaces: allowed (1|0), remaining, resetAfterMs,
-- retryAfterMs (-1: the cost exceeds the limit), nextQuotaMs (until more quota: the window's end), nowMs
--
-- The key holds "<window start ms>:<units used>": the first charge after the last window ended opens
-- the next one, as INCR and EXPIRE on a first hit do. The window comes from the time and that value,
-- never from the TTL, so an injected clock and Redis agree. A denied request writes nothing, so
-- hammering while denied neither charges nor extends the window. A time before the stored start (a
-- clock stepped back) counts as that start: no time passed.

-- The stored window's start and units used, or nil and 0 when none is stored.
local function anchored_state(key, stored)
  if not stored then return nil, 0 end
  local start_ms, used = string.match(stored, '^(%d+):(%d+)$')
  if not start_ms then error('atomic-ratelimit: ' .. key .. ' does not hold fixed-window-anchored state') end
  return tonumber(start_ms), tonumber(used)
end

-- `charge`: false to only check, true to charge, or the frame's writer, to charge through it: it
-- takes the key, the TTL and the state's integers, and writes them (or holds them until every policy
-- of the request has allowed it) as the text this function writes (see lua/decide.lua). The key's
-- state as read (false: no key) comes back as the last value, for the frame's reply.
local function fixed_window_anchored(key, now_ms, cost, charge, limit, window_ms)
  local stored = redis.call('GET', key)
  local stored_start_ms, used = anchored_state(key, stored)
  if stored_start_ms and stored_start_ms > now_ms then now_ms = stored_start_ms end
  local start_ms = stored_start_ms
  if not start_ms or now_ms >= start_ms + window_ms then start_ms, used = now_ms, 0 end
  local ttl_ms = start_ms + window_ms - now_ms

  local allowed = cost <= limit - used
  if allowed and charge and cost > 0 then
    used = used + cost
    if charge == true then redis.call('SET', key, string.format('%d:%d', start_ms, used), 'PX', ttl_ms)
    else charge(key, ttl_ms, start_ms, used) end
  elseif charge and stored and redis.call('PTTL', key) == -1 then
    -- PTTL is -1 only when something outside this script dropped the expiry: put it back (a window
    -- already over, which no longer matters, goes).
    redis.call('PEXPIRE', key, stored_start_ms + window_ms - now_ms)
  end
  local remaining, reset_after_ms = math.max(0, limit - used), used > 0 and ttl_ms or 0
  if allowed then return 1, remaining, reset_after_ms, 0, reset_after_ms, stored end
  return 0, remaining, reset_after_ms, cost <= limit and ttl_ms or -1, reset_after_ms, stored
end

-- Gives back `cost` units charged at `charged_at_ms`, if the window it was charged in is still the
-- stored one: never below zero, never into a later window; the key expires at that window's end.
local function fixed_window_anchored_refund(key, now_ms, charged_at_ms, cost, limit, window_ms)
  local start_ms, used = anchored_state(key, redis.call('GET', key))
  if not start_ms or charged_at_ms < start_ms or charged_at_ms >= start_ms + window_ms then return end
  local ttl_ms = start_ms + window_ms - math.max(now_ms, start_ms)
  if ttl_ms <= 0 then return end
  redis.call('SET', key, string.format('%d:%d', start_ms, math.max(0, used - cost)), 'PX', ttl_ms)
end

-- @standalone: `redis-cli --eval` runs the lines below (and so does the library, for a request with
-- one policy that consumes); the composed script ends above.
local now_ms = tonumber(ARGV[4])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end
local allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms =
  fixed_window_anchored(KEYS[1], now_ms, tonumber(ARGV[3]) or 1, true, tonumber(ARGV[1]), tonumber(ARGV[2]))
return string.format('%d %d %d %d %d %d', allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms, now_ms)
