-- lua/gcra.lua: generic cell rate algorithm, `limit` units per `windowMs` evenly spaced, `burst` (default `limit`) at once.
-- KEYS[1] theoretical arrival time, in µs   ARGV[1] limit  ARGV[2] windowMs  ARGV[3] cost (default 1)  ARGV[4] nowMs or '' (server TIME)  ARGV[5] burst (default limit)
-- Returns one string of six integers separated by spaces: allowed (1|0), remaining, resetAfterMs,
-- retryAfterMs (-1: the cost exceeds the burst), nextQuotaMs (until the next unit is back), nowMs
--
-- Every unit moves the theoretical arrival time (TAT) on by one emission interval, windowMs / limit,
-- in whole microseconds rounded up: never faster than the limit, and fine enough for rates above one
-- unit per ms. A request passes when the TAT it leads to is at most `burst` intervals ahead of now.
-- One integer per key, no window edges; the key expires when the TAT is reached. A clock stepped back
-- only makes the TAT further ahead: it never lets more through.

local function gcra_tat_us(key, stored)
  if not stored then return 0 end
  return assert(tonumber(stored), 'atomic-ratelimit: ' .. key .. ' does not hold a GCRA arrival time')
end

-- `charge`: false to only check, true to charge, or the frame's writer, to charge through it: it
-- takes the key, the TTL and the state's integers, and writes them (or holds them until every policy
-- of the request has allowed it) as the text this function writes (see lua/decide.lua). The key's
-- state as read (false: no key) comes back as the last value, for the frame's reply.
local function gcra(key, now_ms, cost, charge, limit, window_ms, burst)
  local stored = redis.call('GET', key)
  local interval_us = math.ceil(window_ms * 1000 / limit)
  local now_us = now_ms * 1000
  local debt_us = math.max(0, gcra_tat_us(key, stored) - now_us)
  local debt_after_us = debt_us + cost * interval_us
  local allowed = debt_after_us <= burst * interval_us
  if allowed and charge and cost > 0 then
    debt_us = debt_after_us
    local tat_us, ttl_ms = now_us + debt_us, math.ceil(debt_us / 1000)
    if charge == true then redis.call('SET', key, string.format('%d', tat_us), 'PX', ttl_ms)
    else charge(key, ttl_ms, tat_us) end
  elseif charge and stored and redis.call('PTTL', key) == -1 then
    -- PTTL is -1 only when something outside this script dropped the expiry: put it back (a TAT
    -- already reached, which no longer matters, goes).
    redis.call('PEXPIRE', key, math.ceil(debt_us / 1000))
  end
  local units_owed = math.ceil(debt_us / interval_us)
  local remaining, reset_after_ms = math.max(0, burst - units_owed), math.ceil(debt_us / 1000)
  local next_quota_ms = 0
  if remaining < burst then
    next_quota_ms = math.ceil((debt_us - (burst - remaining - 1) * interval_us) / 1000)
  end
  if allowed then return 1, remaining, reset_after_ms, 0, next_quota_ms, stored end
  if cost > burst then return 0, remaining, reset_after_ms, -1, next_quota_ms, stored end
  return 0, remaining, reset_after_ms, math.ceil((debt_after_us - burst * interval_us) / 1000), next_quota_ms, stored
end

-- Moves the TAT back by `cost` intervals, never before now; a TAT back at now (no debt) goes, and the
-- key expires when the TAT is reached.
local function gcra_refund(key, now_ms, charged_at_ms, cost, limit, window_ms, burst)
  local now_us, tat_us = now_ms * 1000, gcra_tat_us(key, redis.call('GET', key))
  if tat_us <= now_us then return end
  tat_us = math.max(now_us, tat_us - cost * math.ceil(window_ms * 1000 / limit))
  if tat_us == now_us then
    redis.call('DEL', key)
    return
  end
  redis.call('SET', key, string.format('%d', tat_us), 'PX', math.ceil((tat_us - now_us) / 1000))
end

-- @standalone: `redis-cli --eval` runs the lines below (and so does the library, for a request with
-- one policy that consumes); the composed script ends above.
local now_ms = tonumber(ARGV[4])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end
local allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms =
  gcra(KEYS[1], now_ms, tonumber(ARGV[3]) or 1, true, tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[5]) or tonumber(ARGV[1]))
return string.format('%d %d %d %d %d %d', allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms, now_ms)
