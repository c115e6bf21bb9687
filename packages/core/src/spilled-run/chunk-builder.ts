import type { PackedVehicles } from '../rows/packed-rows.js'

const INITIAL_BYTES = 1 << 20

/**
 * Refresh chunks being filled: vehicles' row records back to back in one
 * buffer, grown by doubling and reused from chunk to chunk.
 */
export class ChunkBuilder {
  private vehicleIds: string[] = []
  private ends: number[] = []
  private buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES)
  private length = 0

  /** Vehicles in the chunk so far. */
  get vehicles(): number {
    return this.vehicleIds.length
  }

  /** Room for `bytes` more: the buffer and the offset to write them at (valid until the next call). */
  reserve(bytes: number): { target: Buffer; offset: number } {
    if (this.length + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    }
    const offset = this.length
    this.length += bytes
    return { target: this.buffer, offset }
  }

  append(bytes: Buffer): void {
    const { target, offset } = this.reserve(bytes.length)
    bytes.copy(target, offset)
  }

  /** Ends the current vehicle's records. */
  endVehicle(vehicleId: string): void {
    this.vehicleIds.push(vehicleId)
    this.ends.push(this.length)
  }

  /**
   * The chunk filled so far, in a buffer of its own (core may hand it to
   * another thread), and a fresh start for the next one.
   */
  take(): PackedVehicles {
    const records = Buffer.allocUnsafeSlow(this.length)
    this.buffer.copy(records, 0, 0, this.length)
    const chunk = { vehicleIds: this.vehicleIds, ends: this.ends, records }
    this.vehicleIds = []
    this.ends = []
    this.length = 0
    return chunk
  }
}
