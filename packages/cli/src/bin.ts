#!/usr/bin/env node
import { runMain } from 'citty'
import { mainCommand } from './main-command.js'

void runMain(mainCommand)
