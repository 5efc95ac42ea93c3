// Argument parsing on node:util's parseArgs, with kiln's error messages.

import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Jobs or cores at once on one machine: more is a typo, not a machine. */
export const MAX_SLOTS = 4096;

/** Seconds a timer can wait (2^31 ms): a longer timeout would fire at once. */
export const MAX_SECONDS = 2_147_483;

/** A whole-number option from `min` to `max`, or the default. */
export function integer(value: string | undefined, name: string, fallback: number, min = 1, max = 1_000_000): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} wants a whole number from ${min} to ${max}, not '${value}'`);
  }
  return Number(value);
}
