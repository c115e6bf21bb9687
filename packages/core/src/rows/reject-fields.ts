/**
 * How much of a rejected row's raw fields is kept: each field up to 256
 * characters, and fields until 1 KiB in all. Enough to find the row at its
 * source (its line is kept too, and every reason); a garbage file of
 * megabyte lines then costs the store about 1 KiB a line, not the file's
 * size again (a 200 MB garbage file once made a 414 MB store).
 */
export const REJECT_FIELD_CHARS = 256
export const REJECT_FIELDS_CHARS = 1024

/** The fields a reject keeps, and whether anything was cut. */
export function keptFields(fields: readonly string[]): { fields: string[]; truncated: boolean } {
  let total = 0
  let truncated = false
  const kept: string[] = []
  for (const field of fields) {
    if (total >= REJECT_FIELDS_CHARS) {
      truncated = true
      break
    }
    const room = Math.min(REJECT_FIELD_CHARS, REJECT_FIELDS_CHARS - total)
    if (field.length > room) {
      kept.push(field.slice(0, room))
      truncated = true
      total += room
    } else {
      kept.push(field)
      total += field.length
    }
  }
  return { fields: kept, truncated }
}
