import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'

export { deployment, deploymentsCsv } from '../../../scripts/test-support/operations-csv.js'

/** Runs `body` with the path of a store file in a fresh temp folder, removed afterwards. */
export async function withStoreFile(prefix: string, body: (filename: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  try {
    await body(join(dir, 'store.db'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A pragma's value read from the file by a connection of its own (journal_mode, page_size). */
export function pragmaOf(filename: string, pragma: string): unknown {
  const db = new Database(filename, { readonly: true })
  try {
    return db.pragma(pragma, { simple: true })
  } finally {
    db.close()
  }
}
