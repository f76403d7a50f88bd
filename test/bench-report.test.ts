import { describe, expect, it } from 'vitest'
// @ts-expect-error: the benchmark is plain JavaScript, without types
import { figuresOf, pairedRatio } from '../bench/report/figures.js'

const row = (id: string, rates: number[]) => ({ id, side: 'ours', samples: rates.map((perSecond) => ({ perSecond })) })

describe('benchmark ratios, round by round', () => {
  it("divides each round's rate by the other row's rate in that same round", () => {
    // A slow second round for both: the ratio of the medians (150 / 100) says 1.5, every round says 2.
    const slowRoundAlike = pairedRatio(row('a', [200, 100, 300]), row('b', [100, 50, 150]))
    expect(slowRoundAlike).toEqual({ median: 2, min: 2, max: 2 })
  })

  it('gives each row its ratio to the reference with the spread across rounds', () => {
    const cell = { reference: 'none', rows: [row('none', [100, 200, 100]), row('ours', [80, 100, 90])] }
    const ours = figuresOf([cell]).get({}, 'ours')
    expect(ours).toMatchObject({ ratio: 0.8, ratioMin: 0.5, ratioMax: 0.9 })
  })

  it('leaves out a round the other row has no rate for, and a row that is missing', () => {
    expect(pairedRatio(row('a', [100, 300]), row('b', [50]))).toEqual({ median: 2, min: 2, max: 2 })
    expect(pairedRatio(row('a', [100]), undefined)).toBeUndefined()
  })
})
