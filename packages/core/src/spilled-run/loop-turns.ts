/** Longest stretch of the refresh's synchronous work between two turns of the event loop. */
const TURN_EVERY_MS = 3

/**
 * Gives the event loop a turn every few milliseconds of synchronous work.
 * A store's socket I/O only moves on a turn: with PostgreSQL, the rest of a
 * COPY's data, and the acknowledgement that lets the next COPY start. A
 * refresh that ran 20-40 ms between turns (a vehicle range's grouping, 500
 * vehicles' rows) left the server idle meanwhile, and then waited on it: at
 * scale 10, 1.4 s of a 4.2 s refresh, 0.1-0.25 s with a turn every 3 ms.
 * A host serving requests in the same process gets its turns too.
 */
export class LoopTurns {
  private last = performance.now()

  /** Whether a turn is due (cheap: call it per vehicle, `take` when true). */
  due(): boolean {
    return performance.now() - this.last >= TURN_EVERY_MS
  }

  /** A turn now: resolves after the event loop has polled for I/O. */
  take(): Promise<void> {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.last = performance.now()
        resolve()
      }),
    )
  }
}
