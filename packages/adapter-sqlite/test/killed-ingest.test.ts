import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { killMatrix } from '../../../scripts/test-support/kill-matrix.js'
import { storeContentsOf } from './store-contents.js'

describe('a SQLite ingest killed at each phase', () => {
  killMatrix(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-kill-'))
    const filename = join(dir, 'store.db')
    const setup = createSqliteStorage({ filename })
    await setup.migrate()
    await setup.close()
    return {
      spec: `sqlite:${filename}`,
      writer: (tempDir) => createSqliteStorage({ filename, tempDir }),
      reader: () => createSqliteStorage({ filename, readonly: true }),
      contents: async () => storeContentsOf(filename),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    }
  })
})
