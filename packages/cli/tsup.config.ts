import { defineConfig } from 'tsup'
import { baseTsupOptions } from '../../tsup.base.ts'

export default defineConfig({ ...baseTsupOptions, entry: ['src/index.ts', 'src/bin.ts'], external: ['better-sqlite3', 'h3'] })
