#!/usr/bin/env node
import { reportError } from './cli-errors.js'
import { runCli } from './run-cli.js'

process.exitCode = await runCli().catch(reportError)
