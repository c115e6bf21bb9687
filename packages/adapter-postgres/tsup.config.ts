import { defineConfig } from 'tsup'
import { baseTsupOptions } from '../../tsup.base.ts'

export default defineConfig({ ...baseTsupOptions, entry: ['src/index.ts'], external: ['pg', 'pg-copy-streams', 'drizzle-orm'] })
