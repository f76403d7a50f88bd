import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  dts: true,
  // The lua/ files are the single source of the scripts: the bundle carries them as text.
  loader: { '.lua': 'text' },
})
