-- lua/penalty.lua: bans and continueExceeding, applied by lua/decide.lua in the same script call as the policies.
-- KEYS none of its own: the frame passes each request's penalty key ("<prefix>:{<tag>}:!penalty")   ARGV none: the frame passes each list's settings
-- Returns nothing: functions for the frame, composed in front of it when a policy list has penalties (not runnable alone)
--
-- The key holds "<refusals in a row>:<refused until ms>:<kind: 0 none, 1 block, 2 ban>:<bans so far>:<block ms>:
-- <refusals forgotten at ms>:<bans forgotten at ms>". What is forgotten follows from those instants, never
-- from the TTL, so that an injected clock, the memory store and Redis agree; the TTL collects garbage.
-- The settings, one ARGV value per list: "<continueExceeding 0|1>:<ban after refusals, 0 none>:<ban ms>:
-- <growth factor>:<longest ban ms>:<bans remembered ms>:<refusals remembered ms>".
-- The TypeScript twin (src/penalty.ts) works the same outcome out of the state this key held.

-- A list's settings from their ARGV value, once per call.
local function penalty_settings(text)
  local fields = {}
  for field in string.gmatch(text, '[^:]+') do fields[#fields + 1] = tonumber(field) end
  return {
    continue_exceeding = fields[1] == 1, ban_after = fields[2], ban_ms = fields[3], growth = fields[4],
    longest_ban_ms = fields[5], bans_kept_ms = fields[6], refusals_kept_ms = fields[7],
  }
end

-- The stored state as it reads at `now_ms`: { refusals, until, kind, offenses, block ms, refusals
-- end, offenses end }, a run of refusals and bans past their instants forgotten (all 0: none stored).
local function penalty_state(key, stored, now_ms)
  if not stored then return { 0, 0, 0, 0, 0, 0, 0 } end
  local state = {}
  for field in string.gmatch(stored, '%d+') do state[#state + 1] = tonumber(field) end
  if #state ~= 7 or not string.match(stored, '^[%d:]+$') then
    error('atomic-ratelimit: ' .. key .. ' does not hold penalty state')
  end
  if state[1] > 0 and now_ms >= state[6] then state[1] = 0 end
  if state[4] > 0 and now_ms >= state[7] then state[4] = 0 end
  return state
end

-- Writes the state until it stops mattering: its block or ban over, its run of refusals and its bans
-- forgotten.
local function penalty_write(key, now_ms, state)
  local refusals_end = state[1] > 0 and state[6] or 0
  local offenses_end = state[4] > 0 and state[7] or 0
  local expires_ms = math.max(state[2], refusals_end, offenses_end, now_ms + 1)
  local text = string.format('%d:%d:%d:%d:%d:%d:%d', state[1], state[2], state[3], state[4], state[5], state[6], state[7])
  redis.call('SET', key, text, 'PX', expires_ms - now_ms)
end

-- After the policies decided a consuming request, given the state its penalty key held: a ban in
-- force changes nothing; a refusal (by the policies, or by a block that continueExceeding keeps)
-- counts one more in a row, sets or extends the block by the window of the policy it broke, and
-- starts a ban at `ban_after` (each later one `growth` times as long); an allowed request ends the
-- run, its bans remembered.
local function penalty_apply(key, now_ms, settings, policies_allowed, violated_ms, state)
  local blocked = state[2] > now_ms
  if blocked and state[3] == 2 then return end
  if policies_allowed and not blocked then
    if state[1] == 0 and state[3] == 0 then return end
    if state[4] == 0 then redis.call('DEL', key) return end
    penalty_write(key, now_ms, { 0, state[2], 0, state[4], 0, 0, state[7] })
    return
  end
  state[1], state[6] = state[1] + 1, now_ms + settings.refusals_kept_ms
  if settings.continue_exceeding then
    if not blocked then state[5] = violated_ms end
    state[3], state[2] = 1, now_ms + state[5]
  end
  if settings.ban_after > 0 and state[1] >= settings.ban_after then
    local offenses = state[4] + 1
    local ban_ms = math.min(settings.longest_ban_ms, math.floor(settings.ban_ms * settings.growth ^ (offenses - 1)))
    state = { 0, now_ms + ban_ms, 2, offenses, 0, 0, now_ms + ban_ms + settings.bans_kept_ms }
  end
  penalty_write(key, now_ms, state)
end
