import { rowHash } from './row-hash.js'
import { rowKey, type OperationRow } from './row-types.js'
import type { RowKind } from './kinds.js'

/** SPEC 3: a later row with a taken key is `exact` (same normalised values) or `conflict`. */
export type DuplicateClass = 'exact' | 'conflict'

export function classifyDuplicate(keptRowHash: string, incomingRowHash: string): DuplicateClass {
  return keptRowHash === incomingRowHash ? 'exact' : 'conflict'
}

export type DeduplicationResult =
  | { status: 'new' }
  | { status: DuplicateClass; kept: OperationRow }

/**
 * First accepted row wins, per kind (deployments and pickups have separate
 * key spaces). In memory, for pipelines and tests; ingest keeps the same rule
 * with the store holding the keys.
 */
export class InMemoryDeduplicator {
  private kept: Record<RowKind, Map<string, { row: OperationRow; hash: string }>> = {
    deployment: new Map(),
    pickup: new Map(),
    ride: new Map(),
  }

  check(row: OperationRow): DeduplicationResult {
    const keys = this.kept[row.kind]
    const key = rowKey(row)
    const hash = rowHash(row)
    const existing = keys.get(key)
    if (existing === undefined) {
      keys.set(key, { row, hash })
      return { status: 'new' }
    }
    return { status: classifyDuplicate(existing.hash, hash), kept: existing.row }
  }
}
