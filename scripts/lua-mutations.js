// What `npm run mutate:lua` does to lua/*.lua (scripts/mutate-lua.js runs it, TESTING.md reads it):
// the mutation rules, the test files that judge each mutant, and the mutants left alive on purpose.
// Rules are patterns over code (never over strings or comments), never line numbers: the scripts
// change under them.

/** Words after which `-` is a sign, not a subtraction. */
const KEYWORDS_BEFORE_OPERAND = new Set(['and', 'or', 'not', 'return', 'then', 'else', 'elseif', 'do', 'in', 'until'])

/** Whether the operator at `index` of the masked line stands between two operands. */
function isBinary(code, index) {
  const before = code.slice(0, index).trimEnd()
  if (!/[\w)\]@]$/.test(before)) return false
  return !KEYWORDS_BEFORE_OPERAND.has(/(\w+)$/.exec(before)?.[1] ?? '')
}

/** Whether a call starting at `index` is a statement of its own (nothing before it uses its value). */
function isStatement(code, index) {
  const before = code.slice(0, index).trim()
  return before === '' || /\b(then|else|do)$/.test(before)
}

/** The index just past the `)` that closes the `(` ending at `open`, or -1 when the line has none. */
function closingParen(code, open) {
  let depth = 0
  for (let at = open; at < code.length; at++) {
    if (code[at] === '(') depth++
    if (code[at] === ')' && --depth === 0) return at + 1
  }
  return -1
}

/**
 * Each rule: the mutator's name (Stryker's, where it has one), a pattern over masked code, and the
 * replacements of each match (`accept` drops matches that are not the operator it means).
 */
export const rules = [
  { mutator: 'EqualityOperator', find: /<=/g, replace: () => ['<', '>'] },
  { mutator: 'EqualityOperator', find: /<(?!=)/g, replace: () => ['<=', '>='] },
  { mutator: 'EqualityOperator', find: />=/g, replace: () => ['>', '<'] },
  { mutator: 'EqualityOperator', find: />(?!=)/g, replace: () => ['>=', '<='] },
  { mutator: 'EqualityOperator', find: /==/g, replace: () => ['~='] },
  { mutator: 'EqualityOperator', find: /~=/g, replace: () => ['=='] },
  { mutator: 'ArithmeticOperator', find: /\+/g, accept: isBinary, replace: () => ['-'] },
  { mutator: 'ArithmeticOperator', find: /-/g, accept: isBinary, replace: () => ['+'] },
  { mutator: 'ArithmeticOperator', find: /\*/g, replace: () => ['/'] },
  { mutator: 'ArithmeticOperator', find: /\//g, replace: () => ['*'] },
  { mutator: 'LogicalOperator', find: /\band\b/g, replace: () => ['or'] },
  { mutator: 'LogicalOperator', find: /\bor\b/g, replace: () => ['and'] },
  { mutator: 'BooleanLiteral', find: /\bnot\s+/g, replace: () => [''] },
  { mutator: 'BooleanLiteral', find: /\btrue\b/g, replace: () => ['false'] },
  { mutator: 'BooleanLiteral', find: /\bfalse\b/g, replace: () => ['true'] },
  { mutator: 'MethodExpression', find: /\bmath\.(max|min|floor|ceil)\b/g, replace: (name) => [OPPOSITE[name]] },
  {
    mutator: 'ConstantOffByOne',
    find: /(?<![\w.])\d+(?![\w.])/g,
    replace: (text) => (text === '0' ? ['1'] : [String(Number(text) + 1), String(Number(text) - 1)]),
  },
  {
    // A write or read dropped: as a statement it does nothing, as a value it reads nothing (false).
    mutator: 'RedisCallDropped',
    find: /\bredis\.call\(/g,
    extend: (code, index, match) => closingParen(code, index + match.length - 1),
    replace: (_, code, index) => [isStatement(code, index) ? 'do end' : 'false'],
  },
]

const OPPOSITE = {
  'math.max': 'math.min',
  'math.min': 'math.max',
  'math.floor': 'math.ceil',
  'math.ceil': 'math.floor',
}

/**
 * The test files that judge a Lua mutant, in two rounds: the quick files first, and the slow ones
 * (property tests, fuzzing, every adapter) only for a mutant the quick ones left alive. They are
 * the files that run the scripts on Redis from the sources (the tests of dist/, such as
 * concurrency.test.ts, never see a mutant), except those about store failures, whose scripts are
 * never reached and whose deadlines make verdicts flaky.
 */
export const luaTestRounds = [
  [
    'test/lua-scripts.test.ts',
    'test/fixed-window.test.ts',
    'test/fixed-window-anchored.test.ts',
    'test/sliding-window.test.ts',
    'test/frame-answer.test.ts',
    'test/multi-policy.test.ts',
    'test/redis-keys.test.ts',
    'test/coalescing.test.ts',
    'test/redis-memory.test.ts',
    'test/penalties.test.ts',
    'test/per-request-limits.test.ts',
    'test/next-quota.test.ts',
  ],
  [
    'test/algorithms.test.ts',
    'test/differential.test.ts',
    'test/fuzz.test.ts',
    'test/redis-recovery.test.ts',
    'test/adapters.conformance.test.ts',
  ],
]

/**
 * Mutants left alive on purpose: no request can tell them from the script. Each is named by its
 * file (every script when none is given), the line's code (trimmed), the change and, where the
 * line has the same text twice, the column (or columns); a reworded line brings it back, to be judged again.
 */
const SERVER_TIME = 'now_ms = time[1] * 1000 + math.floor(time[2] / 1000)'

/** Equivalent mutants of one line, each `[column, original, replacement, reason]`. */
function changesOf(file, code, changes) {
  return changes.map(([column, original, replacement, reason]) => ({
    file,
    code,
    column,
    original,
    replacement,
    reason,
  }))
}

const ENDS_FIRST =
  "a block or ban never ends after the others: a ban's memory outlasts it, a block's refusals count as long as the longest window"
const LATER_THAN_NOW = 'a state written has refusals or bans still counting, so one of the ends is later than now'
const SAME_WRITE = 'the write it then makes stores what the key holds (or deletes a key with no bans remembered)'
const NO_WINDOW_STORED =
  'with no window stored, the counts that come with it are never read: no window number equals nil'
const NO_SLACK_LEFT =
  "the branch only moves the answer when the previous window's units leave slack (above 0) that fades in: with no slack it works out the window's end, which the lines after it also reach, and with no previous units a request that does not fit leaves none"
const NOTHING_IN_FORCE =
  'no refusal counted and no block or ban in force: returning, deleting the key or writing it again decide every later request alike'
const READ_ONLY_IN_FORCE =
  'a field of a count of 0 or of a block or ban no longer in force (its end, kind, block length): read only while it counts or is in force'

export const equivalentMutants = [
  {
    code: SERVER_TIME,
    original: 'math.floor',
    replacement: 'math.ceil',
    reason: "the server's time read up to 1 ms later: no request can tell which ms TIME fell in",
  },
  {
    code: SERVER_TIME,
    column: 50,
    original: '1000',
    replacement: '1001',
    reason: "the server's time read up to 1 ms early (µs / 1001): no request can tell which ms TIME fell in",
  },
  {
    code: SERVER_TIME,
    column: 50,
    original: '1000',
    replacement: '999',
    reason: "the server's time read up to 2 ms late (µs / 999), less than a round trip: no request can tell",
  },
  {
    file: 'lua/fixed-window-anchored.lua',
    code: 'if not stored then return nil, 0 end',
    original: '0',
    replacement: '1',
    reason: 'with no start stored, the caller opens a window and sets the units used to 0 itself',
  },
  {
    file: 'lua/fixed-window-anchored.lua',
    code: 'if stored_start_ms and stored_start_ms > now_ms then now_ms = stored_start_ms end',
    original: '>',
    replacement: '>=',
    reason: 'when the two are equal, the assignment changes nothing',
  },
  {
    file: 'lua/fixed-window.lua',
    code: 'elseif stored_window > window then',
    original: '>',
    replacement: '>=',
    reason: 'an equal stored window is caught by the comparison just above',
  },
  {
    file: 'lua/gcra.lua',
    code: 'if not stored then return 0 end',
    original: '0',
    replacement: '1',
    reason: 'an arrival time of 1 µs, like 0, lies decades before any now: no debt either way',
  },
  {
    file: 'lua/gcra.lua',
    code: 'local tat_us, ttl_ms = now_us + debt_us, math.ceil(debt_us / 1000)',
    original: 'math.ceil',
    replacement: 'math.floor',
    reason:
      "the TTL rounded down: the key may go under 1 ms before its debt is paid, which Redis's ms timers cannot tell apart",
  },
  {
    file: 'lua/gcra.lua',
    code: "redis.call('PEXPIRE', key, math.ceil(debt_us / 1000))",
    original: 'math.ceil',
    replacement: 'math.floor',
    reason:
      "the TTL rounded down: the key may go under 1 ms before its debt is paid, which Redis's ms timers cannot tell apart",
  },
  {
    file: 'lua/gcra.lua',
    code: "redis.call('SET', key, string.format('%d', tat_us), 'PX', math.ceil((tat_us - now_us) / 1000))",
    original: 'math.ceil',
    replacement: 'math.floor',
    reason:
      "the TTL rounded down: the key may go under 1 ms before its debt is paid, which Redis's ms timers cannot tell apart",
  },
  ...[
    'local ttl_ms = math.ceil((capacity - parts) / limit)',
    "redis.call('PEXPIRE', key, math.ceil((capacity - parts) / limit))",
    "redis.call('SET', key, string.format('%d:%d', parts, now_ms), 'PX', math.ceil((capacity - parts) / limit))",
  ].map((code) => ({
    file: 'lua/token-bucket.lua',
    code,
    original: 'math.ceil',
    replacement: 'math.floor',
    reason:
      "the TTL rounded down: the key may go under 1 ms before the bucket is full, which Redis's ms timers cannot tell apart",
  })),
  {
    file: 'lua/gcra.lua',
    code: 'if tat_us <= now_us then return end',
    original: '<=',
    replacement: '<',
    reason: 'an arrival time of now is no debt: the refund then deletes a key that expires this very ms',
  },
  {
    file: 'lua/penalty.lua',
    code: 'if not stored then return { 0, 0, 0, 0, 0, 0, 0 } end',
    column: [34, 37, 43, 46, 49],
    original: '0',
    replacement: '1',
    reason:
      'with no key nothing is in force or counted: until, kind and block length are read only under a block, the two ends only beside a count above 0',
  },
  {
    file: 'lua/penalty.lua',
    code: 'if state[1] > 0 and now_ms >= state[6] then state[1] = 0 end',
    original: '>',
    replacement: '>=',
    reason: 'a count of 0 set to 0 again',
  },
  {
    file: 'lua/penalty.lua',
    code: 'local refusals_end = state[1] > 0 and state[6] or 0',
    original: '>',
    replacement: '>=',
    reason: 'with no refusals counted, their end is 0 or already past: the TTL comes out the same',
  },
  {
    file: 'lua/penalty.lua',
    code: 'local offenses_end = state[4] > 0 and state[7] or 0',
    original: '>',
    replacement: '>=',
    reason: 'with no bans remembered, their end is 0 or already past: the TTL comes out the same',
  },
  {
    file: 'lua/penalty.lua',
    code: 'local refusals_end = state[1] > 0 and state[6] or 0',
    column: 53,
    original: '0',
    replacement: '1',
    reason: 'an end at 1 ms after the epoch, like 0, is long past: the TTL comes out the same',
  },
  {
    file: 'lua/penalty.lua',
    code: 'local offenses_end = state[4] > 0 and state[7] or 0',
    column: 53,
    original: '0',
    replacement: '1',
    reason: 'an end at 1 ms after the epoch, like 0, is long past: the TTL comes out the same',
  },
  ...changesOf('lua/penalty.lua', 'local expires_ms = math.max(state[2], refusals_end, offenses_end, now_ms + 1)', [
    [37, '2', '3', ENDS_FIRST],
    [37, '2', '1', ENDS_FIRST],
    [76, '+', '-', LATER_THAN_NOW],
    [78, '1', '2', LATER_THAN_NOW],
    [78, '1', '0', LATER_THAN_NOW],
  ]),
  ...changesOf('lua/penalty.lua', 'if state[1] == 0 and state[3] == 0 then return end', [
    [14, '1', '0', SAME_WRITE],
    [35, '==', '~=', SAME_WRITE],
    [32, '3', '4', NOTHING_IN_FORCE],
    [32, '3', '2', NOTHING_IN_FORCE],
    [38, '0', '1', NOTHING_IN_FORCE],
  ]),
  ...changesOf('lua/penalty.lua', 'penalty_write(key, now_ms, { 0, state[2], 0, state[4], 0, 0, state[7] })', [
    [34, '0', '1', READ_ONLY_IN_FORCE],
    [43, '2', '1', READ_ONLY_IN_FORCE],
    [43, '2', '3', READ_ONLY_IN_FORCE],
    [47, '0', '1', READ_ONLY_IN_FORCE],
    [60, '0', '1', READ_ONLY_IN_FORCE],
    [63, '0', '1', READ_ONLY_IN_FORCE],
  ]),
  ...changesOf(
    'lua/penalty.lua',
    'state = { 0, now_ms + ban_ms, 2, offenses, 0, 0, now_ms + ban_ms + settings.bans_kept_ms }',
    [
      [15, '0', '1', READ_ONLY_IN_FORCE],
      [48, '0', '1', READ_ONLY_IN_FORCE],
      [51, '0', '1', READ_ONLY_IN_FORCE],
    ],
  ),
  {
    file: 'lua/penalty.lua',
    code: 'state[3], state[2] = 1, now_ms + state[5]',
    column: 26,
    original: '1',
    replacement: '0',
    reason:
      "a block is in force by its end alone: its kind is compared only with a ban's, and with none's to skip a write that keeps nothing in force",
  },
  {
    file: 'lua/penalty.lua',
    code: 'local ban_ms = math.min(settings.longest_ban_ms, math.floor(settings.ban_ms * settings.growth ^ (offenses - 1)))',
    original: 'math.floor',
    replacement: 'math.ceil',
    reason: 'ban lengths and growth factors are integers (the options refuse others): the product has nothing to round',
  },
  {
    file: 'lua/penalty.lua',
    code: 'if state[4] > 0 and now_ms >= state[7] then state[4] = 0 end',
    original: '>',
    replacement: '>=',
    reason: 'a count of 0 set to 0 again',
  },
  ...changesOf('lua/sliding-window.lua', 'if not stored then return nil, 0, 0 end', [
    [34, '0', '1', NO_WINDOW_STORED],
    [37, '0', '1', NO_WINDOW_STORED],
  ]),
  ...changesOf('lua/sliding-window.lua', 'if slack >= 0 and previous > 0 then', [
    [12, '>=', '>', NO_SLACK_LEFT],
    [15, '0', '1', NO_SLACK_LEFT],
    [17, 'and', 'or', NO_SLACK_LEFT],
    [30, '>', '>=', NO_SLACK_LEFT],
    [32, '0', '1', NO_SLACK_LEFT],
  ]),
  {
    file: 'lua/sliding-window.lua',
    code: 'if elapsed_ms < window_ms then return window_start_ms + elapsed_ms end',
    original: '<',
    replacement: '<=',
    reason: "at a whole window's wait the lines after it answer the window's end too: what this window holds then fits",
  },
  {
    file: 'lua/sliding-window.lua',
    code: 'if current > 0 then elapsed_ms = math.max(0, window_ms - math.floor((limit - cost) * window_ms / current)) end',
    original: '>',
    replacement: '>=',
    reason:
      'with no units this window, the division by 0 gives an infinite share that math.max turns into the same 0 wait (a cost is never above the limit here)',
  },
  {
    file: 'lua/sliding-window.lua',
    code: 'if elapsed_ms < window_ms then return window_start_ms + window_ms + elapsed_ms end',
    original: '<',
    replacement: '<=',
    reason: "a whole window's wait in the next window ends where the line after it answers: two windows on",
  },
  {
    file: 'lua/token-bucket.lua',
    code: 'if at_ms >= now_ms then return math.min(capacity, tonumber(parts)), at_ms end',
    original: '>=',
    replacement: '>',
    reason: 'at the stored time itself the refill adds nothing and the time counted at is the same',
  },
  {
    file: 'lua/decide.lua',
    code: 'local held, held_count = {}, 0',
    original: '0',
    replacement: '1',
    reason: 'decide_all sets the count to 0 before any write is held',
  },
  {
    file: 'lua/decide.lua',
    code: 'local all_allowed, violated_ms = true, 0',
    original: '0',
    replacement: '1',
    reason: 'read only after a refusal, which raises it to the refusing window, at least 1 ms',
  },
  {
    file: 'lua/decide.lua',
    code: 'for at = arg + 1, arg + count * 4, 4 do',
    column: 35,
    original: '4',
    replacement: '5',
    reason: "the loop reads on past the list into entries never used: a list's count says how many policies it has",
  },
  {
    file: 'lua/decide.lua',
    code: 'elseif count == 1 then',
    original: '1',
    replacement: '0',
    reason: 'a one-policy request then takes the general path, decide_all: the same decision, only slower',
  },
  {
    file: 'lua/decide.lua',
    code: 'local mode, letter = string.byte(value, 1, 2)',
    original: '1',
    replacement: '0',
    reason: 'string.byte reads from the first byte when told the 0th',
  },
  {
    file: 'lua/decide.lua',
    code: 'local mode, letter = string.byte(value, 1, 2)',
    original: '2',
    replacement: '3',
    reason: 'the third byte it then returns is assigned to nothing',
  },
]

/** Masks what no rule may touch: strings become `@` (an operand), comments spaces. */
export function maskLine(line) {
  let masked = ''
  let quote
  for (let at = 0; at < line.length; at++) {
    const char = line[at]
    if (quote) {
      masked += '@'
      if (char === '\\') {
        masked += '@'
        at++
      } else if (char === quote) quote = undefined
    } else if (char === '-' && line[at + 1] === '-') {
      return masked.padEnd(line.length, ' ')
    } else {
      if (char === "'" || char === '"') quote = char
      masked += quote ? '@' : char
    }
  }
  return masked
}

/** Every mutant of `source`: where, what it replaces, with what, and the source it makes. */
export function mutantsOf(file, source) {
  const lines = source.split('\n')
  const mutants = []
  lines.forEach((line, lineIndex) => {
    const code = maskLine(line)
    for (const rule of rules) {
      for (const match of code.matchAll(rule.find)) {
        if (rule.accept && !rule.accept(code, match.index)) continue
        const end = rule.extend ? rule.extend(code, match.index, match[0]) : match.index + match[0].length
        if (end < 0) continue
        const original = line.slice(match.index, end)
        for (const replacement of rule.replace(match[0], code, match.index)) {
          const mutatedLine = line.slice(0, match.index) + replacement + line.slice(end)
          const mutated = [...lines.slice(0, lineIndex), mutatedLine, ...lines.slice(lineIndex + 1)].join('\n')
          const location = { line: lineIndex + 1, column: match.index + 1, endColumn: end + 1 }
          mutants.push({ file, mutator: rule.mutator, original, replacement, location, line, mutatedLine, mutated })
        }
      }
    }
  })
  return mutants.map((mutant, index) => ({ ...mutant, id: `${file}#${index}`, equivalence: equivalenceOf(mutant) }))
}

/** Why the mutant is equivalent, if it is listed as such. */
function equivalenceOf({ file, line, location, original, replacement }) {
  const code = line.trim()
  const listed = equivalentMutants.find(
    (entry) =>
      (entry.file ?? file) === file &&
      entry.code === code &&
      [entry.column ?? location.column].flat().includes(location.column) &&
      entry.original === original &&
      entry.replacement === replacement,
  )
  return listed?.reason
}
