/**
 * The requests' values in lua/decide.lua's ARGV: a run of requests with the same head (mode, list
 * and cost, most often every request of a batch) goes as one value, `x` and the run's length after
 * the head (`cAx32`), so neither side makes a string per request.
 */
export class RequestHeads {
  readonly #values: string[] = []
  // Stryker disable next-line StringLiteral: no head (a mode letter, a list letter, a cost) is any other text either
  #head = ''
  #run = 0

  /** Adds a request; a refund, which carries its own time, always starts a value of its own. */
  add(head: string, chargedAt: string | undefined): void {
    if (chargedAt !== undefined) {
      this.#close()
      this.#values.push(head, chargedAt)
    } else if (head === this.#head) this.#run++
    else {
      this.#close()
      this.#head = head
      this.#run = 1
    }
  }

  values(): string[] {
    this.#close()
    return this.#values
  }

  #close(): void {
    if (this.#run > 0) this.#values.push(this.#run === 1 ? this.#head : `${this.#head}x${this.#run}`)
    // Stryker disable next-line StringLiteral: no head (a mode letter, a list letter, a cost) is any other text either
    this.#head = ''
    this.#run = 0
  }
}
