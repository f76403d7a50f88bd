-- lua/sliding-window.lua: at most about `limit` units in any `windowMs`, weighing the previous window.
-- KEYS[1] counts "<w>:<c>:<p>"   ARGV[1] limit  ARGV[2] windowMs  ARGV[3] cost (default 1)  ARGV[4] nowMs or '' (server TIME)
-- Returns one string of six integers separated by spaces: allowed (1|0), remaining, resetAfterMs,
-- retryAfterMs (-1: the cost exceeds the limit), nextQuotaMs (until one more unit ages out), nowMs
--
-- Windows are numbered from the epoch. The key holds the newest window charged (w), its units (c)
-- and the units of the window before it (p), in one string: a hash of three fields cost Redis half
-- as much again to make. A request is weighed against c plus the previous window's units times the
-- share of that window still inside the sliding one, as if they had been spread evenly (Cloudflare's
-- sliding window counter). Every product stays an exact integer. A time before the stored window (a
-- clock stepped back) counts as that window's start: no time passed.

-- The key's state as numbers: the newest window charged, its units and the units of the one before.
local function sliding_state(key, stored)
  if not stored then return nil, 0, 0 end
  local window, current, previous = string.match(stored, '^(%d+):(%d+):(%d+)$')
  if not window then error('atomic-ratelimit: ' .. key .. ' does not hold sliding-window state') end
  return tonumber(window), tonumber(current), tonumber(previous)
end

-- The first moment a request of `cost` fits, if nothing else is charged: later in this window (the
-- previous window's weight fades), in the next one (this window's units become the fading ones), or
-- the one after, when nothing weighs any more.
local function sliding_retry_at(window_start_ms, window_ms, current, previous, cost, limit)
  local slack = limit - current - cost
  if slack >= 0 and previous > 0 then
    local elapsed_ms = window_ms - math.floor(slack * window_ms / previous)
    if elapsed_ms < window_ms then return window_start_ms + elapsed_ms end
  end
  local elapsed_ms = 0
  if current > 0 then elapsed_ms = math.max(0, window_ms - math.floor((limit - cost) * window_ms / current)) end
  if elapsed_ms < window_ms then return window_start_ms + window_ms + elapsed_ms end
  return window_start_ms + 2 * window_ms
end

-- `charge`: false to only check, true to charge, or the frame's writer, to charge through it: it
-- takes the key, the TTL and the state's integers, and writes them (or holds them until every policy
-- of the request has allowed it) as the text this function writes (see lua/decide.lua). The key's
-- state as read (false: no key) comes back as the last value, for the frame's reply.
local function sliding_window(key, now_ms, cost, charge, limit, window_ms)
  local window = math.floor(now_ms / window_ms)
  local stored = redis.call('GET', key)
  local stored_window, stored_current, stored_previous = sliding_state(key, stored)
  if stored_window and stored_window > window then window, now_ms = stored_window, stored_window * window_ms end
  local window_start_ms = window * window_ms
  local current, previous = 0, 0
  if stored_window == window then
    current, previous = stored_current, stored_previous
  elseif stored_window == window - 1 then
    previous = stored_current
  end
  local carried = math.ceil(previous * (window_ms - (now_ms - window_start_ms)) / window_ms)
  local remaining = math.max(0, limit - current - carried)

  local allowed = cost <= remaining
  if allowed and charge and cost > 0 then
    -- Every write sets the expiry, so a key that lost its TTL (PERSIST) gets it back.
    current, remaining = current + cost, remaining - cost
    local ttl_ms = window_start_ms + 2 * window_ms - now_ms
    if charge == true then redis.call('SET', key, string.format('%d:%d:%d', window, current, previous), 'PX', ttl_ms)
    else charge(key, ttl_ms, window, current, previous) end
  elseif charge and stored and redis.call('PTTL', key) == -1 then
    -- PTTL is -1 only when something outside this script dropped the expiry: put it back.
    redis.call('PEXPIRE', key, (stored_window + 2) * window_ms - now_ms)
  end
  local reset_after_ms, next_quota_ms = 0, 0
  if current > 0 then reset_after_ms = window_start_ms + 2 * window_ms - now_ms
  elseif previous > 0 then reset_after_ms = window_start_ms + window_ms - now_ms end
  if remaining < limit then
    next_quota_ms = sliding_retry_at(window_start_ms, window_ms, current, previous, remaining + 1, limit) - now_ms
  end
  if allowed then return 1, remaining, reset_after_ms, 0, next_quota_ms, stored end
  if cost > limit then return 0, remaining, reset_after_ms, -1, next_quota_ms, stored end
  local retry_at_ms = sliding_retry_at(window_start_ms, window_ms, current, previous, cost, limit)
  return 0, remaining, reset_after_ms, retry_at_ms - now_ms, next_quota_ms, stored
end

-- Gives back `cost` units charged at `charged_at_ms` to the counter of that window, if it is still
-- the current or the previous one: never below zero; the key expires when it did before.
local function sliding_window_refund(key, now_ms, charged_at_ms, cost, limit, window_ms)
  local charged_window = math.floor(charged_at_ms / window_ms)
  local stored_window, current, previous = sliding_state(key, redis.call('GET', key))
  if stored_window == charged_window then
    current = math.max(0, current - cost)
  elseif stored_window == charged_window + 1 then
    previous = math.max(0, previous - cost)
  else
    return
  end
  local ttl_ms = (stored_window + 2) * window_ms - math.max(now_ms, stored_window * window_ms)
  if ttl_ms <= 0 then return end
  redis.call('SET', key, string.format('%d:%d:%d', stored_window, current, previous), 'PX', ttl_ms)
end

-- @standalone: `redis-cli --eval` runs the lines below (and so does the library, for a request with
-- one policy that consumes); the composed script ends above.
local now_ms = tonumber(ARGV[4])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end
local allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms =
  sliding_window(KEYS[1], now_ms, tonumber(ARGV[3]) or 1, true, tonumber(ARGV[1]), tonumber(ARGV[2]))
return string.format('%d %d %d %d %d %d', allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms, now_ms)
