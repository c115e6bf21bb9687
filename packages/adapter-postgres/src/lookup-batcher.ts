import type { VehicleKey } from '@vehicle-perf/core'

/** Loads the answers for a set of keys in one round trip: each found key's answer by `keyId`. */
export type LoadBatch<Answer> = (vehicleIds: string[], qrCodes: string[]) => Promise<Map<string, Answer>>

/** The default largest number of distinct keys sent in one statement. */
export const DEFAULT_LOOKUP_BATCH_KEYS = 256

interface Waiter<Answer> {
  resolve(answer: Answer | null): void
  reject(error: unknown): void
}

/** A key asked, and every lookup waiting for it. */
interface Pending<Answer> {
  key: VehicleKey
  waiters: Waiter<Answer>[]
}

/** One string per key, distinct across key types. */
export function keyId(type: VehicleKey['type'], value: string): string {
  return type === 'vehicle_id' ? `i${value}` : `q${value}`
}

/**
 * Coalesces concurrent lookups into one statement per batch: each lookup is
 * a round trip to the server and a backend's planning and executor start-up,
 * which cost more than the indexed read itself. Keys that arrive within one
 * turn of the event loop go together; while `maxInFlight` batches are out
 * (the pool's connections), new keys wait and go in the next one, so a
 * loaded server sends fewer, larger statements and an idle one adds no
 * delay beyond the current turn. A key asked twice is read once.
 */
export function createLookupBatcher<Answer>(load: LoadBatch<Answer>, maxInFlight: number, maxKeys = DEFAULT_LOOKUP_BATCH_KEYS): (key: VehicleKey) => Promise<Answer | null> {
  let pending = new Map<string, Pending<Answer>>()
  let scheduled = false
  let inFlight = 0

  const flush = (): void => {
    scheduled = false
    while (pending.size > 0 && inFlight < maxInFlight) send(take())
  }

  /** Up to maxKeys keys out of the pending ones. */
  const take = (): Map<string, Pending<Answer>> => {
    if (pending.size <= maxKeys) {
      const batch = pending
      pending = new Map()
      return batch
    }
    const batch = new Map<string, Pending<Answer>>()
    for (const [id, entry] of pending) {
      batch.set(id, entry)
      pending.delete(id)
      if (batch.size === maxKeys) break
    }
    return batch
  }

  const send = (batch: Map<string, Pending<Answer>>): void => {
    inFlight++
    const vehicleIds: string[] = []
    const qrCodes: string[] = []
    for (const { key } of batch.values()) (key.type === 'vehicle_id' ? vehicleIds : qrCodes).push(key.value)
    load(vehicleIds, qrCodes).then(
      (answers) => {
        for (const [id, { waiters }] of batch) for (const waiter of waiters) waiter.resolve(answers.get(id) ?? null)
      },
      (error: unknown) => {
        for (const { waiters } of batch.values()) for (const waiter of waiters) waiter.reject(error)
      },
    ).finally(() => {
      inFlight--
      flush()
    })
  }

  return (key) =>
    new Promise<Answer | null>((resolve, reject) => {
      const id = keyId(key.type, key.value)
      const entry = pending.get(id)
      if (entry === undefined) pending.set(id, { key, waiters: [{ resolve, reject }] })
      else entry.waiters.push({ resolve, reject })
      if (!scheduled) {
        scheduled = true
        // After this turn's I/O callbacks: requests that arrived together go together.
        setImmediate(flush)
      }
    })
}
