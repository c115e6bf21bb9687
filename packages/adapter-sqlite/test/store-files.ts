import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'

/** A deployment line of the CSV: task D<n>, vehicle V<n mod 7> (ids of 20 characters). */
export const deployment = (n: number): string =>
  `D${String(n).padStart(19, '0')},V${String(n % 7).padStart(19, '0')},2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC`

/** A deployments file's text: the header, then deployments from..to-1. */
export const deploymentsCsv = (from: number, to: number): string =>
  `task_id,vehicle_id,time_task_created,time_task_resolved\n${Array.from({ length: to - from }, (_, i) => deployment(from + i)).join('\n')}\n`

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
