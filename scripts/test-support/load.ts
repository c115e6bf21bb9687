/**
 * Requests `paths` in a loop from `concurrency` clients until `stop()`:
 * load on a server while a test does something to its store. Counts every
 * status, and every request that got no answer at all.
 */
export function keepRequesting(baseUrl: string, paths: readonly string[], concurrency = 16): { stop: () => Promise<{ statuses: Record<number, number>; failures: number; requests: number }> } {
  let running = true
  const statuses: Record<number, number> = {}
  let failures = 0
  let requests = 0
  const client = async (offset: number): Promise<void> => {
    for (let i = offset; running; i++) {
      const path = paths[i % paths.length] as string
      try {
        const response = await fetch(`${baseUrl}${path}`)
        await response.arrayBuffer()
        statuses[response.status] = (statuses[response.status] ?? 0) + 1
      } catch {
        failures++
      }
      requests++
    }
  }
  const clients = Array.from({ length: concurrency }, (_, i) => client(i * 7))
  return {
    stop: async () => {
      running = false
      await Promise.all(clients)
      return { statuses, failures, requests }
    },
  }
}
