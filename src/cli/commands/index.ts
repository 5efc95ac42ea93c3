// Every subcommand, in the order `kiln --help` lists them.

import type { Command } from '../command.js';
import { simulateCommand } from './simulate.js';
import { stopCommand } from './stop.js';

export const commands: readonly Command[] = [simulateCommand, stopCommand];
