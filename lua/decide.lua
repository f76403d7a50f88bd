-- lua/decide.lua: the frame of the script the library sends; it decides requests against policies.
-- KEYS one per policy of each request, in order   ARGV nowMs or '' (server TIME), then per request: mode ('consume' or 'peek'), cost, policy count, and per policy: algorithm, limit, windowMs, burst or ''
-- Returns { nowMs, then per request and policy: allowed (1|0), remaining, resetAfterMs, retryAfterMs }
--
-- Not runnable alone: the library puts in front of it the function of each algorithm in use (every
-- lua/<algorithm>.lua up to its `@standalone` line) and `local algorithms = { [name] = function }`.

local now_ms = tonumber(ARGV[1])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end

local reply = { now_ms }

local function evaluate(first_key, first_arg, count, cost, charge)
  local outcomes, all_allowed = {}, true
  for policy = 0, count - 1 do
    local arg = first_arg + policy * 4
    local decide = algorithms[ARGV[arg]]
    local allowed, remaining, reset_after_ms, retry_after_ms = decide(KEYS[first_key + policy], now_ms, cost,
      charge, tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2]), tonumber(ARGV[arg + 3]))
    table.insert(outcomes, { allowed, remaining, reset_after_ms, retry_after_ms })
    all_allowed = all_allowed and allowed == 1
  end
  return outcomes, all_allowed
end

local arg, key = 2, 1
while arg <= #ARGV do
  local charge, cost, count = ARGV[arg] == 'consume', tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2])
  arg = arg + 3
  -- One policy decides in one pass. Several are checked first, so that a denial charges none of them.
  local outcomes, all_allowed = evaluate(key, arg, count, cost, charge and count == 1)
  if charge and count > 1 and all_allowed then outcomes = evaluate(key, arg, count, cost, true) end
  for _, outcome in ipairs(outcomes) do
    for _, value in ipairs(outcome) do table.insert(reply, value) end
  end
  arg, key = arg + count * 4, key + count
end

return reply
