// Every subcommand, in the order `kiln --help` lists them.

import type { Command } from '../command.js';
import { buildCommand } from './build.js';
import { fetchCommand } from './fetch.js';
import { hostCommand } from './host.js';
import { publishCommand } from './publish.js';
import { resolveCommand } from './resolve.js';
import { retryCommand } from './retry.js';
import { scanCommand } from './scan.js';
import { serve } from './serve.js';
import { simulateCommand } from './simulate.js';
import { status } from './status.js';
import { stopCommand } from './stop.js';
import { whyCommand } from './why.js';

export const commands: readonly Command[] = [
  buildCommand, fetchCommand, scanCommand, resolveCommand, publishCommand, simulateCommand, status, whyCommand, stopCommand, retryCommand, hostCommand, serve,
];
