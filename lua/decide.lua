-- lua/decide.lua: the frame of the script the library sends; it decides requests against policies.
-- KEYS one per policy of each request, in order   ARGV nowMs or '' (server TIME), then per request: mode ('consume', 'peek' or 'refund'), cost, chargedAtMs (refunds) or '', policy count, and per policy: algorithm, limit, windowMs, burst or ''
-- Returns { nowMs, then per decided (not refunded) request and policy: allowed (1|0), remaining, resetAfterMs, retryAfterMs }
--
-- Not runnable alone: the library puts in front of it the functions of each algorithm in use (every
-- lua/<algorithm>.lua up to its `@standalone` line) and `local algorithms = { [name] = { decide =
-- <name>, refund = <name>_refund } }`.

local now_ms = tonumber(ARGV[1])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end

local reply = { now_ms }

local function policy_args(arg)
  return tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2]), tonumber(ARGV[arg + 3])
end

local function evaluate(first_key, first_arg, count, cost, charge)
  local outcomes, all_allowed = {}, true
  for policy = 0, count - 1 do
    local arg = first_arg + policy * 4
    local allowed, remaining, reset_after_ms, retry_after_ms =
      algorithms[ARGV[arg]].decide(KEYS[first_key + policy], now_ms, cost, charge, policy_args(arg))
    table.insert(outcomes, { allowed, remaining, reset_after_ms, retry_after_ms })
    all_allowed = all_allowed and allowed == 1
  end
  return outcomes, all_allowed
end

local function refund(first_key, first_arg, count, cost, charged_at_ms)
  for policy = 0, count - 1 do
    local arg = first_arg + policy * 4
    algorithms[ARGV[arg]].refund(KEYS[first_key + policy], now_ms, charged_at_ms, cost, policy_args(arg))
  end
end

local arg, key = 2, 1
while arg <= #ARGV do
  local mode, cost, charged_at_ms, count = ARGV[arg], tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2]), tonumber(ARGV[arg + 3])
  arg = arg + 4
  if mode == 'refund' then
    refund(key, arg, count, cost, charged_at_ms)
  else
    local charge = mode == 'consume'
    -- One policy decides in one pass. Several are checked first, so that a denial charges none of them.
    local outcomes, all_allowed = evaluate(key, arg, count, cost, charge and count == 1)
    if charge and count > 1 and all_allowed then outcomes = evaluate(key, arg, count, cost, true) end
    for _, outcome in ipairs(outcomes) do
      for _, value in ipairs(outcome) do table.insert(reply, value) end
    end
  end
  arg, key = arg + count * 4, key + count
end

return reply
