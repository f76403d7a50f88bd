-- lua/decide.lua: the frame of the script the library sends; it decides a batch of requests in order.
-- KEYS one per policy of each request, in order, then its penalty key if its list has penalties   ARGV nowMs or '' (server TIME), the number of policy lists sent (0 when the script carries its one list), each list (policy count, then per policy: algorithm, limit, windowMs, burst, then its penalty settings or '-'), then per request: its mode's letter ('c' consume, 'p' peek, 'r' refund), its list's letter ('A' for the first, 'B'…) and its cost unless 1, in one value ('cA', 'pB3'), and for a refund chargedAtMs; a run of requests with the same value (never refunds) goes as one, with 'x' and the run's length ('cAx32')
-- Returns one string of values separated by spaces: nowMs, then per decided (not refunded) request and policy: allowed (1|0) and the state its key held before the request ('-' for none), then, if its list has penalties, the state its penalty key held
-- (the client derives remaining, resetAfterMs and retryAfterMs from that state, as the memory store does: formatting them here cost Redis more than deciding)
--
-- Not runnable alone: the library puts in front of it the functions of each algorithm in use (every
-- lua/<algorithm>.lua up to its `@standalone` line), those of lua/penalty.lua when a list has
-- penalties, `local algorithms = { [name] = { decide = <name>, refund = <name>_refund } }` and
-- `local own_list`: nil, or one policy list (as the list 'A' below, algorithms by their entry) that
-- the script carries, so that a call for that list alone sends none of it. Policy lists are sent
-- once per batch: most requests of a batch come from one limiter, and every ARGV value costs Redis
-- a string to make (and each number, a parse).

local now_ms = tonumber(ARGV[1])
if not now_ms then
  local time = redis.call('TIME')
  now_ms = time[1] * 1000 + math.floor(time[2] / 1000)
end

-- Each list, by its letter's byte ('A' is 65): the one the script carries, or those in ARGV. A list
-- is { count, then per policy: algorithm, limit, windowMs, burst; penalty = its settings or nil },
-- numbers converted once per batch (in Lua, a string to a number costs about as much as a GET), one
-- table per list (tables are what a script call pays for).
local lists, arg = { [65] = own_list }, 3
for list = 1, tonumber(ARGV[2]) do
  local count = tonumber(ARGV[arg])
  local entry = { count }
  for at = arg + 1, arg + count * 4, 4 do
    entry[#entry + 1] = algorithms[ARGV[at]]
    entry[#entry + 1] = tonumber(ARGV[at + 1])
    entry[#entry + 1] = tonumber(ARGV[at + 2])
    entry[#entry + 1] = tonumber(ARGV[at + 3])
  end
  local penalty = ARGV[arg + 1 + count * 4]
  if penalty ~= '-' then entry.penalty = penalty_settings(penalty) end
  lists[64 + list] = entry
  arg = arg + 2 + count * 4
end

-- Integers as text, by value, each formatted once per call: turning a number into text costs Lua
-- about as much as a Redis GET, and the requests of a batch, decided at one time, mostly write the
-- same window, counts and expiry. The algorithms hand their writes to the frame for this.
local texts = setmetatable({}, {
  __index = function(texts, value) texts[value] = string.format('%d', value) return texts[value] end,
})

-- The text a key holds for a state of one to three integers: the integers joined by ':'.
local function state_text(a, b, c)
  local state = texts[a]
  if b then state = c and state .. ':' .. texts[b] .. ':' .. texts[c] or state .. ':' .. texts[b] end
  return state
end

-- The writers an algorithm charges through (its `charge`): given the key, the TTL and the state's one
-- to three integers, `write_now` makes the write; `hold` keeps it, for a request with several
-- policies, until every policy has allowed the request (then `make_held` makes them).
local function write_now(key, ttl_ms, a, b, c)
  redis.call('SET', key, state_text(a, b, c), 'PX', texts[ttl_ms])
end

local held, held_count = {}, 0
local function hold(key, ttl_ms, a, b, c)
  held[held_count + 1], held[held_count + 2], held[held_count + 3] = key, state_text(a, b, c), texts[ttl_ms]
  held_count = held_count + 3
end
local function make_held()
  for at = 1, held_count, 3 do redis.call('SET', held[at], held[at + 1], 'PX', held[at + 2]) end
end

-- Decides every policy of a request, in one pass, and writes each policy's verdict and state after
-- `at` in the reply. A consuming request's writes are made only if every policy allowed. Returns
-- whether all did, and the longest window of those that refused (for continueExceeding).
local VERDICTS = { [0] = '0', [1] = '1' }
local function decide_all(reply, at, list, first_key, cost, charge)
  local all_allowed, violated_ms = true, 0
  held_count = 0
  for policy = 0, list[1] - 1 do
    local p = 2 + policy * 4
    local allowed, _, _, _, _, stored =
      list[p].decide(KEYS[first_key + policy], now_ms, cost, charge and hold, list[p + 1], list[p + 2], list[p + 3])
    reply[at + 2 * policy + 1] = VERDICTS[allowed]
    reply[at + 2 * policy + 2] = stored or '-'
    if allowed == 0 then all_allowed, violated_ms = false, math.max(violated_ms, list[p + 2]) end
  end
  if all_allowed then make_held() end
  return all_allowed, violated_ms
end

-- A request of a list with penalties: a client refused by a penalty in force is charged nothing, and
-- a consuming request's refusal or pass updates its penalty key (see lua/penalty.lua), whose state
-- as read follows the policies' in the reply.
local function decide_penalized(reply, at, list, first_key, cost, charge)
  local count = list[1]
  local key = KEYS[first_key + count]
  local stored = redis.call('GET', key)
  local state = penalty_state(key, stored, now_ms)
  local policies_allowed, violated_ms = decide_all(reply, at, list, first_key, cost, charge and state[2] <= now_ms)
  reply[at + 2 * count + 1] = stored or '-'
  if charge then penalty_apply(key, now_ms, list.penalty, policies_allowed, violated_ms, state) end
end

-- What a value that opens requests says: its mode's byte, its list, its cost and how many requests
-- it opens. Read where it stands: a call most often holds one such value.
local function read_head(value)
  local mode, letter = string.byte(value, 1, 2)
  local cost, run = string.match(value, '^..(%d*)x?(%d*)$')
  return mode, lists[letter], tonumber(cost) or 1, tonumber(run) or 1
end

local CONSUME, REFUND = string.byte('c'), string.byte('r')
local reply, key, at, request, last = { string.format('%d', now_ms) }, 1, 1, arg, #ARGV
while request <= last do
  local mode, list, cost, run = read_head(ARGV[request])
  local count = list[1]
  -- A list with penalties has one key more per request, and one reply value more per decision.
  local extra = list.penalty and 1 or 0
  if mode == REFUND then
    local charged_at_ms = tonumber(ARGV[request + 1])
    for policy = 0, count - 1 do
      local p = 2 + policy * 4
      list[p].refund(KEYS[key + policy], now_ms, charged_at_ms, cost, list[p + 1], list[p + 2], list[p + 3])
    end
    key, request = key + count + extra, request + 2
  else
    local charge = mode == CONSUME
    for _ = 1, run do
      if extra == 1 then
        decide_penalized(reply, at, list, key, cost, charge)
      elseif count == 1 then
        -- One policy is called here directly: most requests have one, and going through decide_all
        -- cost Redis a tenth of the request.
        local allowed, _, _, _, _, stored =
          list[2].decide(KEYS[key], now_ms, cost, charge and write_now, list[3], list[4], list[5])
        reply[at + 1] = VERDICTS[allowed]
        reply[at + 2] = stored or '-'
      else
        decide_all(reply, at, list, key, cost, charge)
      end
      key, at = key + count + extra, at + 2 * count + extra
    end
    request = request + 1
  end
end

return table.concat(reply, ' ')
