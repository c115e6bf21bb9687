import { lookupVehicle, lookupVehicleByKey, MALFORMED_KEY_RESULT, parseVehicleKey, unknownVehicleResult, type StorageAdapter, type VehicleKey, type VehicleLookupResult } from '@vehicle-perf/core'
import { AnswerRing, CopiedAnswer } from './answer-ring.js'
import { KnownKeys } from './known-keys.js'

/** A lookup, plus a synchronous answer when one needs no store read. */
export interface VehicleLookup {
  (rawKey: string): Promise<VehicleLookupResult>
  /** The answer without waiting: a malformed key, a fresh cache hit, or a key the known-keys filter rules out; undefined otherwise. */
  peek(rawKey: string): VehicleLookupResult | undefined
}

export interface LookupCacheOptions {
  /** Most answers kept (the oldest go first). Default 10,000, in a ring of 3 KiB per answer (30 MiB; answer-ring.ts). */
  maxEntries?: number
  /**
   * How often, at most, the store's data version is checked (one small read).
   * Every cached answer is dropped when it changes, so a finished ingest is
   * served at most this long after the store shows it, and older data never
   * after the process has seen the new version. Default 10 ms: checking
   * every 1 ms cost ~10% more CPU per request under load (bench/README.md).
   */
  revalidateMs?: number
  /**
   * Keep a filter of every key the store knows (about 10 bits per key),
   * reloaded after each data version change, so unknown keys are answered
   * without a store read. Default true.
   */
  knownKeys?: boolean
}

/** After a failed load of the known keys, the next try waits this long. */
const KNOWN_KEYS_RETRY_MS = 1000

/** The UTF-8 bytes of a found vehicle's body: a cached answer's as copied from the cache's ring, any other's encoded. */
export function bodyBytes(result: VehicleLookupResult & { status: 200 }): Buffer {
  return result instanceof CopiedAnswer ? result.bytes : Buffer.from(result.body)
}

function malformed(rawKey: string): VehicleLookupResult | undefined {
  return parseVehicleKey(rawKey) === null ? MALFORMED_KEY_RESULT : undefined
}

/**
 * One lookup per app: straight to the store, or through a bounded in-process
 * cache of found vehicles' rendered answers, keyed by the raw key, and a
 * filter of known keys. Unknown keys are not cached: they are unbounded, and
 * hostile clients can make them unique, which would only evict real ones;
 * the filter answers them instead, whatever their number.
 */
export function createVehicleLookup(adapter: StorageAdapter, cache: LookupCacheOptions | false = {}): VehicleLookup {
  if (cache === false) return Object.assign((rawKey: string) => lookupVehicle(adapter, rawKey), { peek: malformed })
  const maxEntries = cache.maxEntries ?? 10_000
  const revalidateMs = cache.revalidateMs ?? 10
  const useKnownKeys = cache.knownKeys ?? true
  // Insertion order is eviction order (FIFO): cheaper on every hit than LRU
  // reordering, and the bound on memory is what matters here.
  const entries = new AnswerRing(maxEntries)
  let version = -1
  let checkedAt = -Infinity
  let checking: Promise<void> | null = null
  let known: KnownKeys | null = null
  let loadingKnown = false
  let knownRetryAt = -Infinity

  /** Loads the filter for the current version in the background; lookups use the store meanwhile. */
  const refreshKnownKeys = (): void => {
    if (!useKnownKeys || loadingKnown || known?.dataVersion === version || performance.now() < knownRetryAt) return
    loadingKnown = true
    KnownKeys.load(adapter)
      .then((loaded) => {
        if (loaded !== null) known = loaded
      })
      .catch(() => {
        knownRetryAt = performance.now() + KNOWN_KEYS_RETRY_MS
      })
      .finally(() => {
        loadingKnown = false
      })
  }

  const revalidate = (): Promise<void> => {
    checking ??= adapter
      .meta()
      .then((meta) => {
        if (meta.dataVersion !== version) {
          entries.clear()
          version = meta.dataVersion
        }
        checkedAt = performance.now()
        refreshKnownKeys()
      })
      .finally(() => {
        checking = null
      })
    return checking
  }

  /** A fresh answer with no store read, if there is one. */
  const answerFromMemory = (rawKey: string, key: VehicleKey): VehicleLookupResult | undefined => {
    const cached = entries.get(rawKey)
    if (cached !== undefined) return cached
    // The filter is of the version last seen, which is the store's (within revalidateMs).
    if (known !== null && known.dataVersion === version && !known.mayHave(key)) return unknownVehicleResult(key)
    return undefined
  }

  const peek = (rawKey: string): VehicleLookupResult | undefined => {
    const key = parseVehicleKey(rawKey)
    if (key === null) return MALFORMED_KEY_RESULT
    return performance.now() - checkedAt < revalidateMs ? answerFromMemory(rawKey, key) : undefined
  }

  const lookup = async (rawKey: string): Promise<VehicleLookupResult> => {
    const key = parseVehicleKey(rawKey)
    if (key === null) return MALFORMED_KEY_RESULT
    if (performance.now() - checkedAt >= revalidateMs) await revalidate()
    const remembered = answerFromMemory(rawKey, key)
    if (remembered !== undefined) return remembered
    const seenVersion = version
    const result = await lookupVehicleByKey(adapter, key)
    if (result.status !== 200 || seenVersion !== version || result.dataVersion !== version) return result
    entries.keep(rawKey, result)
    return result
  }
  return Object.assign(lookup, { peek })
}
