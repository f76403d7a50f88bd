-- lua/fixed-window.lua: at most `limit` units per window of `windowMs`, windows numbered from the epoch.
-- KEYS[1] counter   ARGV[1] limit  ARGV[2] windowMs  ARGV[3] cost (default 1)  ARGV[4] nowMs or '' (server TIME)
-- Returns one string of six integers separated by spaces: allowed (1|0), remaining, resetAfterMs,
-- retryAfterMs (-1: the cost exceeds the limit), nextQuotaMs (until more quota: the window's end), nowMs
--
-- The key holds "<window number>:<units used>". The window comes from the time and that value, never
-- from the TTL, so an injected clock and Redis agree; the TTL only collects the garbage. A denied
-- request writes nothing, so hammering while denied neither charges nor extends the window. A time
-- before the stored window (a clock stepped back) counts as that window's start: no time passed.

-- The stored window read last, as text and as a number: the requests of a batch, decided at one
-- time, mostly find the current window stored, whose text is then turned into a number once per call.
local fixed_window_read_text, fixed_window_read

-- `charge`: false to only check, true to charge, or the frame's writer, to charge through it: it
-- takes the key, the TTL and the state's integers, and writes them (or holds them until every policy
-- of the request has allowed it) as the text this function writes (see lua/decide.lua). The key's
-- state as read (false: no key) comes back as the last value, for the frame's reply.
local function fixed_window(key, now_ms, cost, charge, limit, window_ms)
  local window = math.floor(now_ms / window_ms)
  local used = 0
  local stored = redis.call('GET', key)
  if stored then
    local stored_window, stored_used = string.match(stored, '^(%d+):(%d+)$')
    if not stored_window then error('atomic-ratelimit: ' .. key .. ' does not hold fixed-window state') end
    if stored_window ~= fixed_window_read_text then
      fixed_window_read_text, fixed_window_read = stored_window, tonumber(stored_window)
    end
    stored_window = fixed_window_read
    if stored_window == window then
      used = tonumber(stored_used)
    elseif stored_window > window then
      window, used = stored_window, tonumber(stored_used)
      now_ms = window * window_ms
    end
  end
  local window_end_ms = (window + 1) * window_ms
  local ttl_ms = window_end_ms - now_ms

  local allowed = cost <= limit - used
  if allowed and charge and cost > 0 then
    -- Every write sets the expiry, so a key that lost its TTL (PERSIST) gets it back.
    used = used + cost
    if charge == true then redis.call('SET', key, string.format('%d:%d', window, used), 'PX', ttl_ms)
    else charge(key, ttl_ms, window, used) end
  elseif charge and stored and redis.call('PTTL', key) == -1 then
    -- PTTL is -1 only when something outside this script dropped the expiry: put it back.
    redis.call('PEXPIRE', key, ttl_ms)
  end
  local remaining, reset_after_ms = math.max(0, limit - used), used > 0 and ttl_ms or 0
  if allowed then return 1, remaining, reset_after_ms, 0, reset_after_ms, stored end
  return 0, remaining, reset_after_ms, cost <= limit and ttl_ms or -1, reset_after_ms, stored
end

-- Gives back `cost` units charged at `charged_at_ms`, if that window is still the stored one: never
-- below zero, never into a later window; the key expires at that window's end, as before.
local function fixed_window_refund(key, now_ms, charged_at_ms, cost, limit, window_ms)
  local stored = redis.call('GET', key)
  if not stored then return end
  local stored_window, used = string.match(stored, '^(%d+):(%d+)$')
  stored_window = tonumber(stored_window)
  if stored_window ~= math.floor(charged_at_ms / window_ms) then return end
  local ttl_ms = (stored_window + 1) * window_ms - math.max(now_ms, stored_window * window_ms)
  if ttl_ms <= 0 then return end
  redis.call('SET', key, string.format('%d:%d', stored_window, math.max(0, tonumber(used) - cost)), 'PX', ttl_ms)
end

-- @standalone: `redis-cli --eval` runs the lines below (and so does the library, for a request with
-- one policy that consumes); the composed script ends above.
local now_ms = tonumber(ARGV[4])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end
local allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms =
  fixed_window(KEYS[1], now_ms, tonumber(ARGV[3]) or 1, true, tonumber(ARGV[1]), tonumber(ARGV[2]))
return string.format('%d %d %d %d %d %d', allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms, now_ms)
