-- lua/penalty.lua: bans and continueExceeding, applied by lua/decide.lua in the same script call as the policies.
-- KEYS none of its own: the frame passes each request's penalty key ("<prefix>:{<tag>}:!penalty")   ARGV none: the frame passes each list's settings
-- Returns nothing: functions for the frame, composed in front of it when a policy list has penalties (not runnable alone)
--
-- The key holds "<refusals in a row>:<refused until ms>:<kind: 0 none, 1 block, 2 ban>:<bans so far>:<block ms>".
-- The settings, one ARGV value per list: "<continueExceeding 0|1>:<ban after refusals, 0 none>:<ban ms>:
-- <growth factor>:<longest ban ms>:<bans remembered ms>:<refusals remembered ms>".
-- The TypeScript twin (src/penalty.ts) works the same outcome out of the state this key held.

local penalty_texts = setmetatable({}, {
  __index = function(texts, value) texts[value] = string.format('%d', value) return texts[value] end,
})

-- A list's settings from their ARGV value, once per call.
local function penalty_settings(text)
  local fields = {}
  for field in string.gmatch(text, '[^:]+') do fields[#fields + 1] = tonumber(field) end
  return {
    continue_exceeding = fields[1] == 1, ban_after = fields[2], ban_ms = fields[3], growth = fields[4],
    longest_ban_ms = fields[5], bans_kept_ms = fields[6], refusals_kept_ms = fields[7],
  }
end

-- The stored state as numbers: refusals, until, kind, offenses, block ms (all 0 when none is stored).
local function penalty_state(key, stored)
  if not stored then return 0, 0, 0, 0, 0 end
  local refusals, until_ms, kind, offenses, block_ms = string.match(stored, '^(%d+):(%d+):(%d+):(%d+):(%d+)$')
  if not refusals then error('atomic-ratelimit: ' .. key .. ' does not hold penalty state') end
  return tonumber(refusals), tonumber(until_ms), tonumber(kind), tonumber(offenses), tonumber(block_ms)
end

-- Writes the state until it stops mattering: its block or ban over, its run of refusals and its bans
-- forgotten.
local function penalty_write(key, now_ms, settings, refusals, until_ms, kind, offenses, block_ms)
  local expires_ms = math.max(until_ms, now_ms)
  if offenses > 0 then expires_ms = expires_ms + settings.bans_kept_ms end
  if refusals > 0 then expires_ms = math.max(expires_ms, now_ms + settings.refusals_kept_ms) end
  local texts = penalty_texts
  local state = texts[refusals] .. ':' .. texts[until_ms] .. ':' .. texts[kind] .. ':' .. texts[offenses] .. ':' .. texts[block_ms]
  redis.call('SET', key, state, 'PX', math.max(1, expires_ms - now_ms))
end

-- After the policies decided a consuming request, given the state its penalty key held: a ban in
-- force changes nothing; a refusal (by the policies, or by a block that continueExceeding keeps)
-- counts one more in a row, sets or extends the block by the window of the policy it broke, and
-- starts a ban at `ban_after` (each later one `growth` times as long); an allowed request ends the
-- run, its bans remembered.
local function penalty_apply(key, now_ms, settings, policies_allowed, violated_ms, refusals, until_ms, kind, offenses, block_ms)
  local blocked = until_ms > now_ms
  if blocked and kind == 2 then return end
  if policies_allowed and not blocked then
    if refusals == 0 and kind == 0 then return end
    if offenses == 0 then redis.call('DEL', key) return end
    penalty_write(key, now_ms, settings, 0, until_ms, 0, offenses, 0)
    return
  end
  refusals = refusals + 1
  if settings.continue_exceeding then
    if not blocked then block_ms = violated_ms end
    kind, until_ms = 1, now_ms + block_ms
  end
  if settings.ban_after > 0 and refusals >= settings.ban_after then
    offenses = offenses + 1
    local ban_ms = math.min(settings.longest_ban_ms, math.floor(settings.ban_ms * settings.growth ^ (offenses - 1)))
    refusals, until_ms, kind, block_ms = 0, now_ms + ban_ms, 2, 0
  end
  penalty_write(key, now_ms, settings, refusals, until_ms, kind, offenses, block_ms)
end
