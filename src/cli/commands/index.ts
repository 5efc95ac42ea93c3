// Every subcommand, in the order `kiln --help` lists them.

import type { Command } from '../command.js';
import { scanCommand } from './scan.js';

export const commands: readonly Command[] = [scanCommand];
