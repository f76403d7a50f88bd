// Mutation runs only (vitest.mutate.config.ts): every property test draws the same cases in every
// run, so a mutant's verdict depends on the mutant, never on the draw.
import fc from 'fast-check'

fc.configureGlobal({ seed: 25 })
