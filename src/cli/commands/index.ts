// Every subcommand, in the order `kiln --help` lists them.

import type { Command } from '../command.js';
import { resolveCommand } from './resolve.js';
import { stopCommand } from './stop.js';

export const commands: readonly Command[] = [resolveCommand, stopCommand];
