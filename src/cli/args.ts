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

/** A positive integer option, or the default. */
export function integer(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} wants a whole number >= ${min}, not '${value}'`);
  return Number(value);
}
