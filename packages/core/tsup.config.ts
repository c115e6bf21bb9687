import { defineConfig } from 'tsup'
import { baseTsupOptions } from '../../tsup.base.ts'

export default defineConfig({ ...baseTsupOptions, entry: ['src/index.ts', 'src/testing.ts', 'src/packed-rows.ts', 'src/spilled-run.ts', 'src/parse-worker.ts', 'src/render-worker.ts'] })
