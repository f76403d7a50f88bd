/** The Redis Cluster hash slot of a hash tag: CRC16 (XMODEM) of its bytes, modulo 16384. */
export function hashSlot(tag: string): number {
  let crc = 0
  for (const byte of Buffer.from(tag)) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc % 16_384
}

/** The slot of a whole key, as Redis finds it: its hash tag (the text in its first `{…}`) when not empty. */
export function keySlot(key: string): number {
  const open = key.indexOf('{')
  const close = open < 0 ? -1 : key.indexOf('}', open + 1)
  return hashSlot(close > open + 1 ? key.slice(open + 1, close) : key)
}
