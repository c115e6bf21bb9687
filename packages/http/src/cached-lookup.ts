import { lookupVehicle, MALFORMED_KEY_RESULT, parseVehicleKey, type StorageAdapter, type VehicleLookupResult } from '@vehicle-perf/core'

/** A lookup, plus a synchronous answer when one needs no store read. */
export interface VehicleLookup {
  (rawKey: string): Promise<VehicleLookupResult>
  /** The answer without waiting: a malformed key, or a fresh cache hit; undefined otherwise. */
  peek(rawKey: string): VehicleLookupResult | undefined
}

export interface LookupCacheOptions {
  /** Most answers kept (the oldest go first). Default 10,000 (~20 MB). */
  maxEntries?: number
  /**
   * How often, at most, the store's data version is checked (one small read).
   * Every cached answer is dropped when it changes, so a finished ingest is
   * served at most this long after the store shows it, and older data never
   * after the process has seen the new version. Default 1 ms.
   */
  revalidateMs?: number
}

const encoded = new WeakMap<VehicleLookupResult, Buffer>()

/**
 * The UTF-8 bytes of a found vehicle's body, encoded once per answer: a
 * cached answer is the same object on every hit, so hits write ready bytes.
 */
export function bodyBytes(result: VehicleLookupResult & { status: 200 }): Buffer {
  let bytes = encoded.get(result)
  if (bytes === undefined) {
    bytes = Buffer.from(result.body)
    encoded.set(result, bytes)
  }
  return bytes
}

function malformed(rawKey: string): VehicleLookupResult | undefined {
  return parseVehicleKey(rawKey) === null ? MALFORMED_KEY_RESULT : undefined
}

/**
 * One lookup per app: straight to the store, or through a bounded in-process
 * cache of found vehicles' rendered answers, keyed by the raw key. Unknown
 * keys are not cached: they are unbounded, and hostile clients can make them
 * unique, which would only evict real ones.
 */
export function createVehicleLookup(adapter: StorageAdapter, cache: LookupCacheOptions | false = {}): VehicleLookup {
  if (cache === false) return Object.assign((rawKey: string) => lookupVehicle(adapter, rawKey), { peek: malformed })
  const maxEntries = cache.maxEntries ?? 10_000
  const revalidateMs = cache.revalidateMs ?? 1
  // Insertion order is eviction order (FIFO): cheaper on every hit than LRU
  // reordering, and the bound on memory is what matters here.
  const entries = new Map<string, VehicleLookupResult>()
  let version = -1
  let checkedAt = -Infinity
  let checking: Promise<void> | null = null

  const revalidate = (): Promise<void> => {
    checking ??= adapter
      .meta()
      .then((meta) => {
        if (meta.dataVersion !== version) {
          entries.clear()
          version = meta.dataVersion
        }
        checkedAt = performance.now()
      })
      .finally(() => {
        checking = null
      })
    return checking
  }

  const peek = (rawKey: string): VehicleLookupResult | undefined => {
    const bad = malformed(rawKey)
    if (bad !== undefined) return bad
    return performance.now() - checkedAt < revalidateMs ? entries.get(rawKey) : undefined
  }

  const lookup = async (rawKey: string): Promise<VehicleLookupResult> => {
    if (performance.now() - checkedAt >= revalidateMs) await revalidate()
    const cached = entries.get(rawKey)
    if (cached !== undefined) return cached
    const seenVersion = version
    const result = await lookupVehicle(adapter, rawKey)
    if (result.status !== 200 || seenVersion !== version || result.dataVersion !== version) return result
    entries.set(rawKey, result)
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    return result
  }
  return Object.assign(lookup, { peek })
}
