-- lua/token-bucket.lua: a bucket of `burst` tokens (default `limit`), refilled by `limit` per `windowMs`.
-- KEYS[1] bucket "<s>:<t>"   ARGV[1] limit  ARGV[2] windowMs  ARGV[3] cost (default 1)  ARGV[4] nowMs or '' (server TIME)  ARGV[5] burst (default limit)
-- Returns one string of six integers separated by spaces: allowed (1|0), remaining, resetAfterMs,
-- retryAfterMs (-1: the cost exceeds the burst), nextQuotaMs (until the next whole token), nowMs
--
-- Tokens are counted in parts of 1/windowMs (s = tokens x windowMs, as of time t), so refilling
-- `limit` tokens per `windowMs` adds exactly `limit` parts per ms: integers only, nothing rounded.
-- A missing key is a full bucket; the key expires when the bucket would be full again. Both numbers
-- share one string: a hash of two fields cost Redis half as much again to make. A time before the
-- stored one (a clock stepped back) counts as the stored time: no time passed, nothing refilled.

-- The parts in the bucket at `now_ms`, refilled since the stored time, and the time they are counted
-- at: the stored time when the clock went back before it.
local function token_bucket_parts(key, stored, now_ms, limit, capacity)
  if not stored then return capacity, now_ms end
  local parts, at_ms = string.match(stored, '^(%d+):(%d+)$')
  if not parts then error('atomic-ratelimit: ' .. key .. ' does not hold token-bucket state') end
  at_ms = tonumber(at_ms)
  if at_ms >= now_ms then return math.min(capacity, tonumber(parts)), at_ms end
  return math.min(capacity, tonumber(parts) + (now_ms - at_ms) * limit), now_ms
end

-- `charge`: false to only check, true to charge, or the frame's writer, to charge through it: it
-- takes the key, the TTL and the state's integers, and writes them (or holds them until every policy
-- of the request has allowed it) as the text this function writes (see lua/decide.lua). The key's
-- state as read (false: no key) comes back as the last value, for the frame's reply.
local function token_bucket(key, now_ms, cost, charge, limit, window_ms, burst)
  local stored = redis.call('GET', key)
  local capacity = burst * window_ms
  local parts
  parts, now_ms = token_bucket_parts(key, stored, now_ms, limit, capacity)
  local needed = cost * window_ms
  local allowed = needed <= parts
  if allowed and charge and cost > 0 then
    parts = parts - needed
    local ttl_ms = math.ceil((capacity - parts) / limit)
    if charge == true then redis.call('SET', key, string.format('%d:%d', parts, now_ms), 'PX', ttl_ms)
    else charge(key, ttl_ms, parts, now_ms) end
  elseif charge and stored and redis.call('PTTL', key) == -1 then
    -- PTTL is -1 only when something outside this script dropped the expiry: put it back (a full
    -- bucket's key, which no longer matters, goes).
    redis.call('PEXPIRE', key, math.ceil((capacity - parts) / limit))
  end
  local remaining, reset_after_ms = math.floor(parts / window_ms), math.ceil((capacity - parts) / limit)
  local next_quota_ms = 0
  if remaining < burst then next_quota_ms = math.ceil(((remaining + 1) * window_ms - parts) / limit) end
  if allowed then return 1, remaining, reset_after_ms, 0, next_quota_ms, stored end
  if cost > burst then return 0, remaining, reset_after_ms, -1, next_quota_ms, stored end
  return 0, remaining, reset_after_ms, math.ceil((needed - parts) / limit), next_quota_ms, stored
end

-- Puts `cost` tokens back, up to a full bucket, whose key then goes; the key expires when the bucket
-- would be full again.
local function token_bucket_refund(key, now_ms, charged_at_ms, cost, limit, window_ms, burst)
  local stored = redis.call('GET', key)
  if not stored then return end
  local capacity = burst * window_ms
  local parts
  parts, now_ms = token_bucket_parts(key, stored, now_ms, limit, capacity)
  parts = math.min(capacity, parts + cost * window_ms)
  if parts == capacity then
    redis.call('DEL', key)
    return
  end
  redis.call('SET', key, string.format('%d:%d', parts, now_ms), 'PX', math.ceil((capacity - parts) / limit))
end

-- @standalone: `redis-cli --eval` runs the lines below (and so does the library, for a request with
-- one policy that consumes); the composed script ends above.
local now_ms = tonumber(ARGV[4])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end
local allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms =
  token_bucket(KEYS[1], now_ms, tonumber(ARGV[3]) or 1, true, tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[5]) or tonumber(ARGV[1]))
return string.format('%d %d %d %d %d %d', allowed, remaining, reset_after_ms, retry_after_ms, next_quota_ms, now_ms)
