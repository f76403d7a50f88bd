-- lua/fixed-window.lua: at most `limit` units per window of `windowMs`, windows numbered from the epoch.
-- KEYS[1] counter   ARGV[1] limit  ARGV[2] windowMs  ARGV[3] cost (default 1)  ARGV[4] nowMs or '' (server TIME)
-- Returns one string of five integers separated by spaces: allowed (1|0), remaining, resetAfterMs,
-- retryAfterMs (-1: the cost exceeds the limit), nowMs
--
-- The key holds "<window number>:<units used>". The window comes from the time and that value, never
-- from the TTL, so an injected clock and Redis agree; the TTL only collects the garbage. A denied
-- request writes nothing, so hammering while denied neither charges nor extends the window.

-- Integers as text, by value, each formatted once per script call: turning a number into text costs
-- Lua about as much as a Redis GET (and Redis, given a number, formats it too), and the requests of
-- a batch, decided at one time, mostly write the same window, count (1 for every new key) and expiry.
-- Stored windows compare as text.
local fixed_window_texts = setmetatable({}, {
  __index = function(texts, value) texts[value] = string.format('%d', value) return texts[value] end,
})

-- `charge`: false to only check, true to charge, or the frame's list of pending writes, to charge
-- once every policy of the request has allowed it (see lua/decide.lua). The key's state as read
-- (false: no key) comes back as a fifth value, for the frame's reply.
local function fixed_window(key, now_ms, cost, charge, limit, window_ms)
  local window = math.floor(now_ms / window_ms)
  local window_text = fixed_window_texts[window]
  local window_end_ms = (window + 1) * window_ms
  local used = 0
  local stored = redis.call('GET', key)
  if stored then
    local stored_window, stored_used = string.match(stored, '^(%d+):(%d+)$')
    if not stored_window then error('atomic-ratelimit: ' .. key .. ' does not hold fixed-window state') end
    if stored_window == window_text then used = tonumber(stored_used) end
  end

  if cost <= limit - used then
    if charge and cost > 0 then
      -- The expiry is set on the window's first charge; later ones keep it.
      used = used + cost
      local state = window_text .. ':' .. fixed_window_texts[used]
      local ttl = used == cost and fixed_window_texts[window_end_ms - now_ms]
      if charge ~= true then charge:add(key, state, ttl)
      elseif ttl then redis.call('SET', key, state, 'PX', ttl)
      else redis.call('SET', key, state, 'KEEPTTL') end
    end
    return 1, limit - used, used > 0 and window_end_ms - now_ms or 0, 0, stored
  end

  -- PTTL is -1 only when something outside this script dropped the expiry: put it back.
  if stored and redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, window_end_ms - now_ms) end
  return 0, limit - used, used > 0 and window_end_ms - now_ms or 0, cost <= limit and window_end_ms - now_ms or -1, stored
end

-- Gives back `cost` units charged at `charged_at_ms`, if that window is still the stored one: never
-- below zero, never into a later window, and the key keeps its TTL.
local function fixed_window_refund(key, now_ms, charged_at_ms, cost, limit, window_ms)
  local stored = redis.call('GET', key)
  if not stored then return end
  local stored_window, used = string.match(stored, '^(%d+):(%d+)$')
  if tonumber(stored_window) ~= math.floor(charged_at_ms / window_ms) then return end
  redis.call('SET', key, stored_window .. ':' .. fixed_window_texts[math.max(0, tonumber(used) - cost)], 'KEEPTTL')
end

-- @standalone: `redis-cli --eval` runs the lines below (and so does the library, for a request with
-- one policy that consumes); the composed script ends above.
local now_ms = tonumber(ARGV[4])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end
local allowed, remaining, reset_after_ms, retry_after_ms =
  fixed_window(KEYS[1], now_ms, tonumber(ARGV[3]) or 1, true, tonumber(ARGV[1]), tonumber(ARGV[2]))
return string.format('%d %d %d %d %d', allowed, remaining, reset_after_ms, retry_after_ms, now_ms)
