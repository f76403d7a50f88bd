// Serializers for the few Structured Field types the RateLimit headers use, in the canonical form
// RFC 9651 section 4.1 prescribes: parameters as `;key=value` with no spaces, list and dictionary
// members joined by `, `. Only what the header functions need; values are checked so a bad one never reaches a client.

/** A bare item: an Integer (number) or a String (string). */
export type BareItem = number | string

/** An Integer: at most 15 digits, as RFC 9651 allows. */
export function serializeInteger(value: number): string {
  if (!Number.isInteger(value) || Math.abs(value) > 999_999_999_999_999)
    throw new RangeError(`A structured field Integer must have at most 15 digits, got ${value}`)
  return String(value)
}

/** A String: printable ASCII between double quotes, with `"` and `\` escaped. */
export function serializeString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new RangeError(`A structured field String holds printable ASCII only, got ${JSON.stringify(value)}`)
  return `"${value.replace(/[\\"]/g, '\\$&')}"`
}

function serializeBareItem(value: BareItem): string {
  return typeof value === 'number' ? serializeInteger(value) : serializeString(value)
}

/** An Item with its parameters in the order given; `undefined` parameters are left out. */
export function serializeItem(
  value: BareItem,
  parameters: Readonly<Record<string, BareItem | undefined>> = {},
): string {
  let text = serializeBareItem(value)
  for (const [key, parameter] of Object.entries(parameters))
    if (parameter !== undefined) text += `;${key}=${serializeBareItem(parameter)}`
  return text
}

/** A Dictionary of Integers, for draft-7's `RateLimit: limit=100, remaining=99, reset=42`. */
export function serializeDictionary(members: Readonly<Record<string, number>>): string {
  return Object.entries(members)
    .map(([key, value]) => `${key}=${serializeInteger(value)}`)
    .join(', ')
}
