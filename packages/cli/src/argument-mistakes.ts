import type { ArgsDef } from 'citty'

// citty runs a command whatever else is on its line: an unknown option is
// dropped (`--bd postgres://...` ingested into the default SQLite file) and
// a stray argument is ignored (`generate ./out` wrote to ./data). This
// checks a command line against the command's own options first, so that
// each of those is a usage mistake that names itself.

type OptionType = 'string' | 'boolean'

/** The command's options by every name they answer to (kebab-case, camelCase, aliases), and whether it takes positional arguments. */
function optionsOf(args: ArgsDef): { options: Map<string, OptionType>; takesPositionals: boolean } {
  const options = new Map<string, OptionType>([
    ['help', 'boolean'],
    ['h', 'boolean'],
  ])
  let takesPositionals = false
  for (const [name, def] of Object.entries(args)) {
    if (def.type === 'positional') {
      takesPositionals = true
      continue
    }
    const type: OptionType = def.type === 'boolean' ? 'boolean' : 'string'
    const given = 'alias' in def ? (def.alias as string | string[] | undefined) : undefined
    const aliases = given === undefined ? [] : Array.isArray(given) ? given : [given]
    for (const spelling of [name, name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()), ...aliases]) options.set(spelling, type)
  }
  return { options, takesPositionals }
}

/** Edit distance, for "did you mean": option names are short. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_v, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] as number
}

function suggestion(name: string, options: Map<string, OptionType>): string {
  let best: string | null = null
  let bestDistance = 3
  for (const option of options.keys()) {
    if (option.length < 2) continue
    const d = distance(name, option)
    if (d < bestDistance) [best, bestDistance] = [option, d]
  }
  return best === null ? '' : ` (did you mean --${best}?)`
}

/**
 * What is wrong with `argv` (the arguments after the command's name) for
 * the command `name` with options `args`, or null when nothing is.
 * Accepted: `--name value`, `--name=value`, boolean `--name` and
 * `--no-name`, `-h`, `-` (standard input) and `--` before positional
 * arguments, positional arguments where the command takes them.
 */
export function argumentMistake(name: string, args: ArgsDef, argv: readonly string[]): string | null {
  const { options, takesPositionals } = optionsOf(args)
  const positional = (token: string): string | null => (takesPositionals ? null : `unexpected argument "${token}": ${name} takes options only`)
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === '--') {
      const next = argv[i + 1]
      return next === undefined ? null : positional(next)
    }
    if (token === '-' || !token.startsWith('-')) {
      const mistake = positional(token)
      if (mistake !== null) return mistake
      continue
    }
    if (!token.startsWith('--')) {
      if (options.has(token.slice(1)) && token.length === 2) continue
      return `unknown option ${token}`
    }
    const equals = token.indexOf('=')
    const option = equals === -1 ? token.slice(2) : token.slice(2, equals)
    const negated = option.startsWith('no-') && options.get(option.slice(3)) === 'boolean'
    const type = negated ? 'boolean' : options.get(option)
    if (type === undefined) return `unknown option --${option}${suggestion(option, options)}`
    if (type === 'boolean') {
      if (equals !== -1) return `--${option} takes no value`
      continue
    }
    if (equals !== -1) continue
    const value = argv[i + 1]
    if (value === undefined || (value.startsWith('--') && value.length > 2)) return `--${option} needs a value`
    i++
  }
  return null
}
