import type { Options } from 'tsup'

/** One build base spread into every package's tsup.config.ts. */
export const baseTsupOptions: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  treeshake: true,
}
