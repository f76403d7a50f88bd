// The seed story of atomic-ratelimit: 5,000 buyers hit one SKU at the same moment.
// A guard that reads the stock, then decrements it, oversells: every buyer reads before anyone writes.
// The limiter decides each order in one atomic step, so exactly the stock is sold.
//
//   node examples/flash-sale/main.js                                  # memory store, no Redis needed
//   REDIS_URL=redis://127.0.0.1:6379 node examples/flash-sale/main.js  # the same race on Redis
import { fixedWindow, RateLimiter, RedisStore } from 'atomic-ratelimit'

const BUYERS = 5_000
const STOCK = Number(process.env.STOCK ?? 100)
const SKU = `sku-${Date.now()}`

/** Where the naive guard keeps its stock count: a Redis string, or an in-process map with async I/O. */
async function openInventory() {
  if (!process.env.REDIS_URL) {
    const counts = new Map()
    const io = () => new Promise((resolve) => setImmediate(resolve))
    return {
      name: 'memory',
      async read(sku) {
        await io()
        return counts.get(sku) ?? STOCK
      },
      async write(sku, count) {
        await io()
        counts.set(sku, count)
      },
      close: () => {},
    }
  }
  const { Redis } = await import('ioredis')
  const client = new Redis(process.env.REDIS_URL)
  return {
    name: 'redis',
    client,
    read: async (sku) => Number((await client.get(`flash-sale:${sku}`)) ?? STOCK),
    write: (sku, count) => client.set(`flash-sale:${sku}`, count, 'EX', 3600),
    close: () => client.quit(),
  }
}

/** Fires every buyer at once and counts the orders that went through. */
async function sell(buy) {
  const orders = await Promise.all(Array.from({ length: BUYERS }, () => buy()))
  return orders.filter(Boolean).length
}

const inventory = await openInventory()

const naiveOrders = await sell(async () => {
  const stock = await inventory.read(SKU)
  if (stock <= 0) return false
  await inventory.write(SKU, stock - 1)
  return true
})

const limiter = new RateLimiter({
  policy: fixedWindow({ limit: STOCK, windowMs: 86_400_000, name: 'stock' }),
  prefix: 'flash-sale',
  // A stock guard fails closed: if the store cannot answer, the order is refused, never oversold.
  // 5,000 orders arrive in one tick, so the last ones queue behind the first: allow them time.
  onStoreError: 'deny',
  timeoutMs: 10_000,
  ...(inventory.client && { store: new RedisStore({ client: inventory.client }) }),
})
const atomicOrders = await sell(async () => (await limiter.consume(SKU)).allowed)

const report = (label, orders) => `  ${label.padEnd(22)}${orders} orders, ${Math.max(0, orders - STOCK)} oversold`
console.log(`flash sale: ${BUYERS} concurrent buyers, one SKU, stock ${STOCK} (${inventory.name} store)`)
console.log(report('check-then-decrement:', naiveOrders))
console.log(report('atomic-ratelimit:', atomicOrders))
await inventory.close()
