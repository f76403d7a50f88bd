// The bundler (tsdown) and the test runner (vitest.config.ts) load lua/*.lua as text.
declare module '*.lua' {
  const source: string
  export default source
}
