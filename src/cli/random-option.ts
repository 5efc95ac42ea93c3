// `kiln build --random [SEED]` (dpb's -r): the option's value is optional,
// which node's parseArgs cannot say, so it is taken out of the arguments
// here first. A SEED is a whole number; without one, a fresh seed is drawn,
// and the run says which (engine.log), so that it can be repeated.

import { randomInt } from 'node:crypto';

import { MAX_SEED } from '../core/policies/priority-random.js';
import { UsageError } from './command.js';

export const RANDOM_HELP = `  --random [SEED]   build in a seeded random order among ready ports, none of
                    kiln's heuristics (dpb's -r), to bring out undeclared
                    dependencies; the run says its seed (engine.log), and the
                    same seed gives the same order
`;

/** `args` without `--random [SEED]` / `--random=SEED`, and the seed (drawn when not given); undefined: no --random. */
export function takeRandomSeed(args: readonly string[], draw: () => number = () => randomInt(0, MAX_SEED)): { args: string[]; seed: number | undefined } {
  const rest: string[] = [];
  let seed: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg !== '--random' && !arg.startsWith('--random=')) {
      rest.push(arg);
      continue;
    }
    if (seed !== undefined) throw new UsageError('--random is given twice');
    const given = arg === '--random' ? (/^\d+$/.test(args[i + 1] ?? '') ? args[++i] : undefined) : arg.slice('--random='.length);
    seed = given === undefined ? draw() : seedOf(given);
  }
  return { args: rest, seed };
}

function seedOf(text: string): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n <= MAX_SEED)) throw new UsageError(`--random wants a seed from 0 to ${MAX_SEED}, not ${JSON.stringify(text)}`);
  return n;
}
