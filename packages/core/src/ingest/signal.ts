/** Wakes whoever waits on it; `until` re-checks its condition after each wake. */
export class Signal {
  private waiters: (() => void)[] = []

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  notify(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}

export async function until(signal: Signal, ready: () => boolean): Promise<void> {
  while (!ready()) await signal.wait()
}
