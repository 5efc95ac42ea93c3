#!/usr/bin/env node
// The installed `kiln` command: the compiled CLI does everything.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
