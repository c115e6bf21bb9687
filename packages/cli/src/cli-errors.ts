import { isVehiclePerfError } from '@vehicle-perf/core'

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Users see one line for their own mistakes (bad path, bad option, busy
 * store) and never a stack trace; an internal error adds its stack only with
 * VEHICLE_PERF_DEBUG=1.
 */
export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`vehicle-perf: ${error.message}\n`)
    return 2
  }
  if (isVehiclePerfError(error) && error.code !== 'internal') {
    process.stderr.write(`vehicle-perf: ${error.message}\n`)
    return 1
  }
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`vehicle-perf: internal error: ${message}\n`)
  if (process.env.VEHICLE_PERF_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  else process.stderr.write('(set VEHICLE_PERF_DEBUG=1 to see the stack)\n')
  return 70
}

/** Runs a command body, turning errors into a message and an exit code. */
export async function guarded(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body()
    if (typeof code === 'number') process.exitCode = code
  } catch (error) {
    process.exitCode = reportError(error)
  }
}
