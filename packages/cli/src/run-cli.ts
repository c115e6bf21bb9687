import { renderUsage, runCommand, type ArgsDef, type CommandDef } from 'citty'
import { argumentMistake } from './argument-mistakes.js'
import { mainCommand } from './main-command.js'

// The `vehicle-perf` entry point. citty parses; we decide what a user sees:
// a usage mistake (unknown command, a missing PATHS or KEYS) is one line and
// exit 2, and help is plain text when it does not go to a terminal.

const ANSI = /\u001b\[[0-9;]*m/g

function plain(text: string, stream: NodeJS.WriteStream): string {
  return stream.isTTY === true && process.env.NO_COLOR === undefined ? text : text.replace(ANSI, '')
}

/** The subcommand named first, if it is one. */
async function subcommandOf(rawArgs: readonly string[]): Promise<{ name: string; command: CommandDef } | null> {
  const name = rawArgs[0]
  const subCommands = (await mainCommand.subCommands) as Record<string, CommandDef> | undefined
  if (name === undefined || subCommands === undefined || !(name in subCommands)) return null
  return { name, command: subCommands[name] as CommandDef }
}

export async function runCli(rawArgs: string[] = process.argv.slice(2)): Promise<number> {
  const sub = await subcommandOf(rawArgs)
  if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
    process.stdout.write(`${plain(await renderUsage(sub?.command ?? mainCommand, sub === null ? undefined : mainCommand), process.stdout)}\n`)
    return 0
  }
  if (rawArgs.length === 1 && (rawArgs[0] === '--version' || rawArgs[0] === '-v')) {
    process.stdout.write(`${(await mainCommand.meta as { version: string }).version}\n`)
    return 0
  }
  if (rawArgs.length === 0) {
    process.stderr.write(`${plain(await renderUsage(mainCommand), process.stderr)}\n`)
    return 2
  }
  const help = sub === null ? 'vehicle-perf --help' : `vehicle-perf ${sub.name} --help`
  const usageMistake = (message: string): number => {
    process.stderr.write(`vehicle-perf: ${plain(message, process.stderr)}\n(${help} shows the usage)\n`)
    return 2
  }
  if (sub !== null) {
    const args = typeof sub.command.args === 'function' ? await sub.command.args() : await sub.command.args
    const mistake = argumentMistake(sub.name, (args ?? {}) as ArgsDef, rawArgs.slice(1))
    if (mistake !== null) return usageMistake(mistake)
  }
  try {
    await runCommand(mainCommand, { rawArgs })
  } catch (error) {
    // citty's own errors are usage mistakes: an unknown command, a missing argument.
    if (error instanceof Error && error.name === 'CLIError') return usageMistake(error.message)
    throw error
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0
}
