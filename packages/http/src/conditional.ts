/**
 * If-None-Match (RFC 9110 13.1.2): `*`, or a list of entity tags compared
 * weakly (a W/ prefix on either side still matches).
 */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false
  const wanted = etag.replace(/^W\//, '')
  return header.split(',').some((candidate) => {
    const tag = candidate.trim()
    return tag === '*' || tag.replace(/^W\//, '') === wanted
  })
}
